"""The core service the adapters call: ask, latest and source over the live index."""

from __future__ import annotations

import itertools
import logging
import re
import threading
import time
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING

from bot.answers import places
from bot.answers.ask import Answer, ask
from bot.desk.follows import PausedChannel, desk_path, paused_channels
from bot.desk.lease import IndexerLease
from bot.index.engines.registry import engine_choice
from bot.index.newsindex import NewsIndex, Report
from bot.index.opening import open_committed, open_index
from bot.ingest.articles import Article, Paragraph
from bot.ingest.corpus import Changes
from bot.settings import Settings
from bot.text import analysis
from bot.text.passages import Passage

log = logging.getLogger(__name__)

if TYPE_CHECKING:
    from bot.answers.respond import Reranker, Similarity
    from bot.feeds.report import FeedStatus
    from bot.semantic.layer import Progress as EmbedProgress
    from bot.semantic.layer import SemanticLayer


# Passages a topic search looks at for /latest: enough for any real topic, bounded for cost.
TOPIC_DEPTH = 2000
# The semantic layer's vectors, inside the index generation they belong to (so they go with it,
# and never meet another catalog's passage numbers): bot.semantic.layer.FOLDER.
_VECTORS = "vectors"
# "<article id>:<passage number>"; no story has a billion passages, so longer numbers are
# never looked up (the story itself still opens).
_PASSAGE_ID = re.compile(r"(.+):([0-9]+)", re.ASCII)


@dataclass(frozen=True)
class SourceView:
    """A story opened from a citation: its metadata, the cited passage and the whole text."""

    article: Article
    passages: tuple[Passage, ...]
    passage: Passage | None = None  # the cited one, when a passage id was given
    requested_id: str = ""
    superseded: bool = False  # the id named an older version; this is the newest
    versions: tuple[str, ...] = ()


@dataclass(frozen=True)
class Status:
    """What is indexed and how fresh it is, for ``/status`` and ``newsbot status``."""

    corpus: str
    engine: str
    stories: int
    versions: int
    passages: int
    updated: float  # when the live index was built (epoch seconds)
    checked: float  # when the corpus was last scanned
    skipped: dict[str, str]
    feeds: tuple[FeedStatus, ...] = ()
    # Channels /follow can no longer post in (no access, deleted): paused until followed again.
    paused: tuple[PausedChannel, ...] = ()
    indexer: bool = True  # False: another process (shard) keeps the index up to date
    # Why this engine: "set by NEWSBOT_ENGINE", or the auto rule ("auto: 1.2M passages > 50k").
    engine_choice: str = ""
    # The semantic layer: "off", "on: N of M passages embedded", or "unavailable: reason".
    semantic: str = "off"


class Newsroom:
    """Answers over one corpus; ``refresh`` swaps in a new index without stopping readers."""

    def __init__(
        self,
        settings: Settings,
        progress: Callable[[int], Callable[[str, str], None]] | None = None,
        rebuild: bool = False,
        quick: bool = False,
        embed_progress: EmbedProgress | None = None,
    ) -> None:
        """Open (or build) the index over the settings' corpus.

        ``quick``: answer from the committed index at once when no corpus folder changed (no
        stat per file; see ``open_index``); the first ``refresh`` scans every file.
        """
        self.settings = settings
        self._progress = progress
        places.remember_in(Path(settings.cache_dir))
        self._lock = threading.Lock()
        self.index, self.report = self._open(rebuild, quick=quick)
        self.checked = time.time()
        self._seen = self.index.built_at
        # Sharded over several processes, one of them (whichever holds the lease) updates
        # the index; the others re-open what it commits.
        self._lease = IndexerLease(settings.cache_dir, settings.corpus_dir)
        self._listeners: list[Callable[[Report], None]] = []
        self._embed_progress = embed_progress
        self.semantic: SemanticLayer | None = None
        if settings.semantic:
            # Late: with the layer off nothing of it (numpy aside) is imported.
            from bot.semantic.layer import SemanticLayer

            self.semantic = SemanticLayer()
            if settings.shard_count is None:
                self._sync_vectors()
            else:
                self.semantic.load(self.index.generation / _VECTORS)

    @property
    def indexer(self) -> bool:
        """Whether this process keeps the index up to date (always, unless sharded)."""
        return self.settings.shard_count is None or self._lease.held

    def add_listener(self, listener: Callable[[Report], None]) -> None:
        """Call ``listener(report)`` after each refresh (in the refreshing thread)."""
        self._listeners.append(listener)

    def remove_listener(self, listener: Callable[[Report], None]) -> None:
        """Stop calling ``listener`` after refreshes (a no-op when it was not added)."""
        if listener in self._listeners:
            self._listeners.remove(listener)

    def _open(
        self,
        rebuild: bool,
        current: NewsIndex | None = None,
        quick: bool = False,
        touched: Collection[Path] = (),
    ) -> tuple[NewsIndex, Report]:
        return open_index(
            Path(self.settings.corpus_dir),
            Path(self.settings.cache_dir),
            self.settings.engine,
            self.settings.passage_tokens,
            rebuild=rebuild,
            progress=self._progress,
            current=current,
            quick=quick,
            touched=touched,
        )

    def refresh(self, full: bool = True, touched: Collection[Path] = ()) -> Report:
        """Re-read what changed on disk; readers keep the old index until the new one is ready.

        ``full``: stat every file; otherwise list only the folders whose time changed, and
        those of the ``touched`` paths (file-system events name files rewritten in place too).
        """
        with self._lock:
            if self.settings.shard_count is not None and not self._lease.try_hold():
                report = self._reopen()
            else:
                index, report = self._open(
                    rebuild=False, current=self.index, quick=not full, touched=touched
                )
                # Reused, it is the same index; otherwise it was updated, or it finished an
                # update a failure interrupted (a rebuilt engine): a new index, with its own
                # story terms.
                if index is not self.index:
                    self.index, self._seen = index, index.built_at
                self.report, self.checked = report, time.time()
                self._sync_vectors()
        for listener in list(self._listeners):
            try:
                listener(report)
            except Exception:  # one listener's failure must not fail the refresh
                log.exception("a refresh listener failed")
        return report

    def _reopen(self) -> Report:
        """Another process indexes: take up what it committed, without reading the corpus."""
        started = time.perf_counter()
        current = self.index
        index = open_committed(
            Path(self.settings.corpus_dir), Path(self.settings.cache_dir), current, self._seen
        )
        changed = index is not None and index is not current
        if index is not None and changed:
            self.index, self._seen = index, index.built_at
        if self.semantic is not None:
            # The indexing process saves vectors after each commit: serve what it saved.
            self.semantic.load(self.index.generation / _VECTORS)
        with self.index.reading():
            counts = self.index.counts()
        self.report = replace(
            self.report,
            action="reopened" if changed else "reused",
            stories=counts["stories"],
            articles=counts["articles"],
            passages=counts["passages"],
            seconds=time.perf_counter() - started,
            changes=Changes(),
            stories_added=(),
            stories_updated=(),
        )
        self.checked = time.time()
        return self.report

    def status(self) -> Status:
        """What /status shows: counts, engine, skipped files, feeds' health, paused channels."""
        from bot import feeds

        index, report = self.index, self.report
        state = feeds.state_path(Path(self.settings.cache_dir), Path(self.settings.corpus_dir))
        with index.reading():
            counts, updated = index.counts(), index.built_at
        stories, versions, passages = counts["stories"], counts["articles"], counts["passages"]
        return Status(
            corpus=str(self.settings.corpus_dir),
            engine=report.engine,
            stories=stories,
            versions=versions,
            passages=passages,
            updated=updated,
            checked=self.checked,
            skipped=report.problems,
            feeds=tuple(feeds.feed_status(state, self.settings.feeds)),
            paused=tuple(paused_channels(self.desk_path)),
            indexer=self.indexer,
            engine_choice=engine_choice(self.settings.engine, index.engine.name, passages),
            semantic=self._semantic_status(passages),
        )

    def _semantic_status(self, passages: int) -> str:
        layer = self.semantic
        if layer is None:
            return "off"
        if layer.error is not None:
            return f"unavailable: {layer.error.removeprefix('semantic layer unavailable: ')}"
        stored = len(layer.store) if layer.store is not None else 0
        line = f"on: {stored} of {passages} passages embedded"
        recall_off = layer.recall_off(stored)
        # Its own clause, which the status line shows as is: recall is off past a size.
        return f"{line}; {recall_off}" if recall_off else line

    def _sync_vectors(self) -> None:
        """Bring the generation's vectors up to date with its passages.

        The new passage numbers are embedded and the removed ones forgotten (numbers are never
        reused in a catalog).
        """
        layer, index = self.semantic, self.index
        if layer is None:
            return
        with index.reading():
            numbers = index.catalog.docs_of(index.catalog.article_ids())

        def texts(wanted: Sequence[int]) -> list[tuple[int, str]]:
            with index.reading():
                rows = index.catalog.headed_passages(wanted)
            # The headline goes with each passage, as BM25 indexes it: a paragraph alone
            # often never names what the story is about.
            return [(doc, f"{title}\n{text}") for doc, title, text in rows]

        synced = layer.sync(index.generation / _VECTORS, numbers, texts, self._embed_progress)
        if synced is not None and (synced.embedded or synced.deleted):
            log.info("vectors: %d embedded, %d deleted, %d stored",
                     synced.embedded, synced.deleted, synced.stored)  # fmt: skip

    def _reranker(self, index: NewsIndex) -> Reranker | None:
        """BM25's passages fused with the semantic layer's ranking, by passage number."""
        layer = self.semantic
        if layer is None or not layer.ready:
            return None

        def rerank(question: str, hits: list[tuple[Passage, float]]) -> list[tuple[Passage, float]]:
            # The engine's passages carry ids; vectors are keyed by the catalog's numbers.
            catalog = index.catalog
            by_number = catalog.passages(catalog.docs_of({p.article_id for p, _ in hits}))
            number_of = {p.passage_id: doc for doc, p in by_number.items()}
            keyed = [(number_of[p.passage_id], s) for p, s in hits if p.passage_id in number_of]
            fused = layer.rerank(question, keyed, known=by_number.keys())
            recalled = [doc for doc, _ in fused if doc not in by_number]
            by_number.update(catalog.passages(recalled))
            return [(by_number[doc], score) for doc, score in fused if doc in by_number]

        return rerank

    @property
    def desk_path(self) -> Path:
        """Where /follow keeps its state for this corpus (bot.desk)."""
        return desk_path(Path(self.settings.cache_dir), Path(self.settings.corpus_dir))

    def _similar(self, index: NewsIndex) -> Similarity | None:
        """The question's cosine with passages, by passage id, from the semantic layer."""
        layer = self.semantic
        if layer is None or not layer.ready:
            return None

        def similar(question: str, passages: Sequence[Passage]) -> dict[str, float]:
            numbers = index.catalog.numbers({p.article_id for p in passages})
            wanted = {
                numbers[p.passage_id]: p.passage_id for p in passages if p.passage_id in numbers
            }
            cosines = layer.similarity(question, list(wanted))
            return {wanted[key]: cosine for key, cosine in cosines.items()}

        return similar

    def ask(self, question: str, k: int | None = None) -> Answer:
        """The answer to ``question``: up to ``k`` cited passages (default: the setting's count)."""
        index = self.index
        with index.reading():
            return ask(
                index, question, k or self.settings.ask_count,
                rerank=self._reranker(index), similar=self._similar(index),
            )  # fmt: skip

    def latest(self, n: int = 5, topic: str | None = None) -> list[Article]:
        """Newest stories first (newest version of each); undated and year-unknown ones last.

        With a topic: stories whose headline and text hold every word of it, found through the
        engine (its best ``TOPIC_DEPTH`` passages) rather than by reading every story.
        """
        index = self.index
        with index.reading():
            if not topic or not topic.strip():
                return index.current[: max(0, n)]
            wanted = set(analysis.analyze(topic))
            if not wanted:
                return []
            hits = index.search_terms(sorted(wanted), TOPIC_DEPTH)
            candidates = index.latest_among({p.article_id for p, _ in hits})
            matching = (a for a in candidates if wanted <= index.story_terms(a.article_id))
            return list(itertools.islice(matching, max(0, n)))

    def source(self, identifier: str) -> SourceView | None:
        """An article id or passage id ("<article>:<n>"), resolved to the newest version."""
        index = self.index
        with index.reading():
            return self._source(index, identifier)

    def _source(self, index: NewsIndex, identifier: str) -> SourceView | None:
        wanted = identifier.strip().lower()
        # Only ASCII digits a passage number can be: "x:²" passes str.isdigit() but not int(),
        # and 400 digits overflow SQLite's integers. Anything else is just an unknown id.
        match = _PASSAGE_ID.fullmatch(wanted)
        passage = index.passages.get(wanted) if match and len(match.group(2)) <= 9 else None
        article_id = passage.article_id if passage else wanted
        if article_id not in index.newest:
            if not match or match.group(1) not in index.newest:
                return None
            article_id = match.group(1)  # a passage id of an older version: open the story
        newest = index.newest[article_id]
        story = index.story.get(newest, (newest,))
        passages = tuple(index.by_article.get(newest, ()))
        # The snapshot keeps articles lean; the story's text is its passages, in order.
        whole = replace(
            index.articles[newest],
            paragraphs=tuple(Paragraph(p.text, p.is_caption) for p in passages),
        )
        return SourceView(
            article=whole,
            passages=passages,
            passage=passage if passage and passage.article_id == newest else None,
            requested_id=identifier.strip(),
            superseded=newest != article_id,
            versions=story,
        )

    def suggest(self, prefix: str, limit: int = 25) -> list[tuple[str, str]]:
        """Cheap autocomplete: (id, title) of stories whose id or title contains the text."""
        return self.index.suggest(prefix.strip().lower(), limit)
