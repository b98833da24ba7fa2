"""What the index holds for a passage or a story, and how much each term weighs (its IDF)."""

from __future__ import annotations

import threading
from collections.abc import Sequence

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


class IndexTerms:
    """Term sets and term weights of one open index, remembered for as long as it is open.

    One per ``NewsIndex``: an update in place opens a new ``NewsIndex``, so nothing remembered
    here outlives the catalog state it was read from.
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
        return frozenset(analysis.passage_terms(title, passage.text))

    def story(self, article_id: str) -> frozenset[str]:
        """The terms of a story's first STORY_PASSAGES passages, headline included."""
        terms = self._stories.get(article_id)
        if terms is None:
            title = self._catalog.title(article_id) or ""
            found: set[str] = set()
            for passage in self._catalog.passages_of(article_id, STORY_PASSAGES):
                found.update(analysis.passage_terms(title, passage.text))
            terms = frozenset(found)
            if len(self._stories) >= STORY_CACHE_SIZE:
                self._stories.clear()
            self._stories[article_id] = terms
        return terms

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
