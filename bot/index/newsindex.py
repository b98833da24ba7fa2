"""The index a request reads: a catalog and an engine of one generation, searched together."""

from __future__ import annotations

import logging
import sqlite3
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from bot.index.catalog import Catalog
from bot.index.engines.base import Engine
from bot.index.terms import IndexTerms, StoryText
from bot.ingest import corpus
from bot.ingest.articles import Article
from bot.text import analysis
from bot.text.passages import Passage

if TYPE_CHECKING:
    pass
from bot.index.damage import is_damage
from bot.index.views import ArticleView, CurrentArticles, PassageById, PassagesByArticle

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Report:
    """What opening the index did, for the CLI summary and the log."""

    action: str  # "reused", "built", "refreshed"
    engine: str
    stories: int
    articles: int
    passages: int
    seconds: float
    changes: corpus.Changes = field(default_factory=corpus.Changes)
    problems: dict[str, str] = field(default_factory=dict)
    note: str | None = None
    # After a refresh (not a build): stories that are new to the index, and stories that
    # gained a newer version or whose file changed, each by its newest article id.
    stories_added: tuple[str, ...] = ()
    stories_updated: tuple[str, ...] = ()


class NewsIndex:
    """An open generation: its catalog, its engine, and the lookups answers need."""

    def __init__(self, catalog: Catalog, engine: Engine, generation: Path) -> None:
        self.catalog = catalog
        self.engine = engine
        self.generation = generation
        # Every version of every story (first paragraphs only); id -> its story's newest id;
        # id -> ids of all its story's versions, newest first.
        self.articles: Mapping[str, Article] = ArticleView(catalog, catalog.article)
        # Headlines alone: a lookup per passage must not unpickle a story of megabytes.
        self.titles: Mapping[str, str] = ArticleView(catalog, catalog.title)
        self.newest: Mapping[str, str] = ArticleView(catalog, catalog.newest_of)
        self.story: Mapping[str, tuple[str, ...]] = ArticleView(
            catalog, lambda article_id: catalog.story(article_id) or None
        )
        self.current: Sequence[Article] = CurrentArticles(catalog)
        self.passages: Mapping[str, Passage] = PassageById(catalog)
        self.by_article: Mapping[str, list[Passage]] = PassagesByArticle(catalog)
        self._terms = IndexTerms(catalog)
        # Why this index can no longer be trusted, once a read found it damaged: the next
        # open_index (a refresh) rebuilds instead of reusing it.
        self.damage: str | None = None

    @contextmanager
    def reading(self) -> Iterator[None]:
        """Lookups inside see one state of the index, even while it is being updated."""
        try:
            with self.catalog.reading():
                yield
        except sqlite3.DatabaseError as error:
            if is_damage(error) and self.damage is None:
                self.damage = f"{error.__class__.__name__}: {error}"
                log.warning("index at %s is damaged (%s); the next refresh rebuilds it",
                            self.generation, self.damage)  # fmt: skip
            raise

    @property
    def built_at(self) -> float:
        """When the index was built, as a Unix time (0 when unrecorded)."""
        return float(self.catalog.meta().get("built_at", "0"))

    def search(self, question: str, k: int) -> list[tuple[Passage, float]]:
        """The ``k`` best passages for a question and their scores, best first."""
        return self.search_terms(analysis.analyze(question), k)

    def search_terms(self, terms: list[str], k: int) -> list[tuple[Passage, float]]:
        """Search with terms already analyzed (analyzing twice would stem stems)."""
        hits = self.engine.search(terms, k)
        # A passage deleted since the engine's last commit is no longer in the catalog.
        found = self.catalog.passages([h.doc for h in hits])
        return [(found[h.doc], h.score) for h in hits if h.doc in found]

    # What answers and the newsroom need, as methods: nothing outside the index reads its
    # catalog or asks its engine for more than a search.

    def passage_terms(self, passage: Passage, title: str | None = None) -> frozenset[str]:
        """The terms the engine holds for a passage (its headline's included)."""
        return self._terms.passage(passage, title)

    def story_terms(self, article_id: str) -> frozenset[str]:
        """The terms of a story's passages and headline; remembered while this index is open."""
        return self._terms.story(article_id)

    def story_texts(self, article_ids: Sequence[str], limit: int) -> dict[str, StoryText]:
        """Headline and first ``limit`` passages of each story with their terms, in one read."""
        return self._terms.stories(article_ids, limit)

    def knows_story(self, article_id: str) -> bool:
        """Whether a story's term set is remembered (``story_terms`` would not read it)."""
        return self._terms.known(article_id)

    def term_weights(self, terms: Sequence[str]) -> dict[str, float]:
        """Lucene IDF of each distinct term, from the engine's own statistics."""
        return self._terms.weights(self.engine, terms)

    def counts(self) -> dict[str, int]:
        """Stories, articles (every version) and passages indexed."""
        return {what: self.catalog.count(what) for what in ("stories", "articles", "passages")}

    def latest_among(self, article_ids: Iterable[str]) -> list[Article]:
        """The stories among ``article_ids`` (newest versions only), newest first."""
        return self.catalog.latest_among(article_ids)

    def suggest(self, needle: str, limit: int) -> list[tuple[str, str]]:
        """(id, title) of up to ``limit`` stories whose id or title holds ``needle``."""
        return self.catalog.titles_matching(needle, limit)

    def close(self) -> None:
        """Close the catalog and the engine's files."""
        self.catalog.close()
        close = getattr(self.engine, "close", None)
        if close is not None:
            close()
