"""What one answer reads of its candidate stories: texts, stored terms, dates and records, once."""

from __future__ import annotations

from collections.abc import Sequence

from bot.answers import dating
from bot.index.newsindex import NewsIndex
from bot.index.terms import STORY_PASSAGES, StoryText
from bot.ingest.articles import Article
from bot.ingest.dates import Published
from bot.text import analysis
from bot.text.passages import Passage

# Passages of a candidate story weighed for the one to show: its first ones (a news story
# gives its facts early) plus any the engine found further in; bounded for a giant story.
CHOOSE_PASSAGES = 40


class Read:
    """What one answer reads of its candidate stories, read once and in one statement each.

    Headlines and first passages with their stored terms (nothing is re-analyzed), and the
    article records, fetched together the first time one is needed.
    """

    def __init__(self, index: NewsIndex, article_ids: Sequence[str]) -> None:
        self.index = index
        self.ids = list(article_ids)
        # Stories whose term sets are not remembered yet are read as far as those sets reach,
        # so that judging them needs no second read.
        fresh = any(not index.knows_story(a) for a in self.ids)
        self.limit = STORY_PASSAGES if fresh else CHOOSE_PASSAGES
        self.texts = index.story_texts(self.ids, self.limit)
        self._articles: dict[str, Article] = {}
        self._dates: dict[str, Published | None] | None = None
        self._beyond: dict[str, tuple[str, ...]] = {}
        self._dated: dict[str, set[str]] = {}

    def reach(self, passages: Sequence[Passage]) -> None:
        """Read the stored terms of passages the engine found beyond those read, together."""
        missing: dict[str, list[int]] = {}
        for p in passages:
            if self.text(p.article_id).terms_of(p) is None and p.passage_id not in self._beyond:
                missing.setdefault(p.article_id, []).append(p.position)
        for article_id, positions in missing.items():
            stored = self.index.catalog.terms_at(article_id, positions)
            for position, terms in stored.items():
                self._beyond[f"{article_id}:{position}"] = tuple(terms.split())

    def text(self, article_id: str) -> StoryText:
        """A story's headline terms and first passages with their stored terms."""
        found = self.texts.get(article_id)
        if found is None:  # not among the candidates read at once
            found = self.index.story_texts([article_id], self.limit)[article_id]
            self.texts[article_id] = found
        return found

    def own(self, passage: Passage) -> tuple[str, ...]:
        """The terms of a passage's text, as the index stored them."""
        stored = self.text(passage.article_id).terms_of(passage)
        if stored is None:
            stored = self._beyond.get(passage.passage_id)
        if stored is None:  # deleted since it was found (never within one reading): analyzed
            stored = tuple(analysis.analyze(passage.text))
        return stored

    def terms(self, passage: Passage) -> frozenset[str]:
        """The terms the engine holds for a passage: its headline's and its text's."""
        return frozenset(self.text(passage.article_id).headline).union(self.own(passage))

    def published(self, article_id: str) -> Published | None:
        """A candidate's date (all candidates' read at once, nothing else of them)."""
        if self._dates is None:
            self._dates = self.index.catalog.dates(self.ids)
        if article_id not in self._dates:
            self._dates.update(self.index.catalog.dates([article_id]))
        return self._dates.get(article_id)

    def dated(self, article_id: str) -> set[str]:
        """The years and month a story's date gives it.

        ``bot.answers.dating.dated``, read once per story: every passage judged asks.
        """
        known = self._dated.get(article_id)
        if known is not None:
            return known
        texts = (p.text for p in self.text(article_id).passages)
        dated = dating.dated(self.published(article_id), texts)
        self._dated[article_id] = dated
        return dated

    def articles(self, article_ids: Sequence[str]) -> None:
        """Read the records of the stories about to be cited, together."""
        wanted = [a for a in article_ids if a not in self._articles]
        if wanted:
            self._articles.update(self.index.catalog.articles(wanted))

    def article(self, article_id: str) -> Article | None:
        """A story's record (None once deleted)."""
        self.articles([article_id])
        return self._articles.get(article_id)

    def opening(self, article_id: str) -> list[Passage] | None:
        """All of a story's passages when they were all read (None when some were not)."""
        text = self.text(article_id)
        return list(text.passages) if len(text.passages) < self.limit else None
