"""What the index holds for a passage or a story, and how much each term weighs (its IDF)."""

from __future__ import annotations

import threading
from collections.abc import Sequence
from dataclasses import dataclass

from bot.index.catalog import Catalog
from bot.index.engines.base import Engine, idf
from bot.text import analysis
from bot.text.passages import Passage

# Passages of one story read for its terms (its first ones, ~40k tokens at the default size):
# a news story says what it is about early, and one giant story must not make every question
# that touches it cost its whole length.
STORY_PASSAGES = 200
# Stories whose terms are remembered; past this the memory starts again (a bot asked about
# every story of a million-story archive must not keep them all).
STORY_CACHE_SIZE = 50_000


@dataclass(frozen=True)
class StoryText:
    """A story's headline and first passages, each with the terms the index stored for it.

    ``headline`` is the analyzed headline (once; every passage is indexed with it
    ``analysis.TITLE_WEIGHT`` times); ``own[i]`` the terms of ``passages[i]``'s text alone.
    """

    title: str
    headline: tuple[str, ...]
    passages: tuple[Passage, ...]
    own: tuple[tuple[str, ...], ...]

    def terms_of(self, passage: Passage) -> tuple[str, ...] | None:
        """The stored terms of one of this story's passages (None when it was not read)."""
        at = passage.position - 1
        if 0 <= at < len(self.passages) and self.passages[at].passage_id == passage.passage_id:
            return self.own[at]
        return None


class IndexTerms:
    """Term sets and term weights of one open index, remembered for as long as it is open.

    One per ``NewsIndex``: an update in place opens a new ``NewsIndex``, so nothing remembered
    here outlives the catalog state it was read from. Terms come from what the index stored
    when it analyzed each passage: a question never re-analyzes a story's text.
    """

    def __init__(self, catalog: Catalog) -> None:
        self._catalog = catalog
        self._stories: dict[str, frozenset[str]] = {}
        self._frequencies: tuple[int, dict[str, int]] | None = None
        self._guard = threading.Lock()

    def passage(self, passage: Passage, title: str | None = None) -> frozenset[str]:
        """The terms the engine holds for a passage: its headline's and its text's."""
        if title is None:
            title = self._catalog.title(passage.article_id) or ""
        stored = self._catalog.passage_terms(passage.article_id, passage.position)
        # A passage that is no longer stored (deleted by an update since it was found) is
        # analyzed as the index did.
        own = stored.split() if stored is not None else analysis.analyze(passage.text)
        return frozenset(analysis.analyze(title) + own)

    def stories(self, article_ids: Sequence[str], limit: int) -> dict[str, StoryText]:
        """Headline and first ``limit`` passages of each story, with their terms: one read.

        Stories read with at least STORY_PASSAGES passages also have their term sets
        remembered, so ``story`` does not read them again.
        """
        found = self._catalog.first_passages(article_ids, limit)
        texts: dict[str, StoryText] = {}
        for article_id, (title, rows) in found.items():
            headline = tuple(analysis.analyze(title))
            own = tuple(tuple(terms.split()) for _, terms in rows)
            text = StoryText(title, headline, tuple(p for p, _ in rows), own)
            texts[article_id] = text
            if limit >= STORY_PASSAGES and article_id not in self._stories:
                self._remember(article_id, _story_set(text))
        return texts

    def known(self, article_id: str) -> bool:
        """Whether the story's term set is already remembered."""
        return article_id in self._stories

    def story(self, article_id: str) -> frozenset[str]:
        """The terms of a story's first STORY_PASSAGES passages, headline included."""
        terms = self._stories.get(article_id)
        if terms is None:
            text = self.stories([article_id], STORY_PASSAGES).get(article_id)
            terms = _story_set(text) if text is not None else frozenset()
            self._remember(article_id, terms)
        return terms

    def _remember(self, article_id: str, terms: frozenset[str]) -> None:
        if len(self._stories) >= STORY_CACHE_SIZE:
            self._stories.clear()
        self._stories[article_id] = terms

    def weights(self, engine: object, terms: Sequence[str]) -> dict[str, float]:
        """IDF of each distinct term, from the statistics the engine scores with."""
        distinct = list(dict.fromkeys(terms))
        if isinstance(engine, Engine):
            size, df = engine.document_frequencies(distinct)
        else:
            # An engine object that cannot count (a wrapper that only searches): count the
            # catalog's passages once, as the engine would have indexed them.
            size, table = self._counted()
            df = {t: table.get(t, 0) for t in distinct}
        return {t: idf(size, df.get(t, 0)) for t in distinct}

    def _counted(self) -> tuple[int, dict[str, int]]:
        with self._guard:
            if self._frequencies is None:
                table: dict[str, int] = {}
                size = 0
                for _, passage, title in self._catalog.all_passages():
                    size += 1
                    for term in set(analysis.passage_terms(title, passage.text)):
                        table[term] = table.get(term, 0) + 1
                self._frequencies = (size, table)
            return self._frequencies


def _story_set(text: StoryText) -> frozenset[str]:
    """A story's term set: its headline's and its passages' (those read) terms."""
    if not text.own:  # nothing indexed for it: the engine holds none of its terms
        return frozenset()
    found: set[str] = set(text.headline)
    for own in text.own:
        found.update(own)
    return frozenset(found)
