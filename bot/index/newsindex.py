"""The persisted index: a catalog and an engine, opened, brought up to date and searched.

Layout under the cache folder: ``gen-<n>/`` directories, each a catalog (``catalog.sqlite``)
and the engine's files, and a ``CURRENT`` file naming the live one. A full build writes a new
generation beside the old, then replaces ``CURRENT`` in one rename: a crash at any moment
leaves the old index or the new one, never a mix. Later changes update the live generation in
place: the catalog in one transaction that also journals the engine's work (``pending``), then
the engine, then the journal is cleared; an open finishes whatever a crash interrupted.
"""

from __future__ import annotations

import gc
import json
import logging
import os
import shutil
import sqlite3
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import closing, contextmanager
from dataclasses import dataclass, field, replace
from pathlib import Path
from types import ModuleType
from typing import TYPE_CHECKING, TypeVar, overload

from bot.index import folders
from bot.index.catalog import FILE as CATALOG_FILE
from bot.index.catalog import Catalog, CatalogError
from bot.index.engines.base import Engine, IncrementalEngine
from bot.index.engines.names import AUTO
from bot.index.engines.registry import auto_engine, engine_choice, engine_kind
from bot.index.terms import IndexTerms, StoryText
from bot.ingest import corpus
from bot.ingest.articles import Article
from bot.storage import atomic_write, exclusive_lock
from bot.storage import corpus_cache_path as index_dir  # one index folder per corpus folder
from bot.text import analysis
from bot.text.passages import Passage

if TYPE_CHECKING:
    from bot.index import updates as indexing

log = logging.getLogger(__name__)

CURRENT = "CURRENT"
# Catalog meta key: the corpus's folder times when the catalog last matched it (bot.index.folders).
FOLDERS = "folders"
# Test hook: ``name`` or ``name:n`` makes the n-th pass through checkpoint ``name`` announce
# itself on stderr and wait there to be killed (tests/index/test_crash_safety.py).
STOP_AT = "NEWSBOT_TEST_STOP_AT"
LOCK = ".lock"
V = TypeVar("V")


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


class _ArticleView(Mapping[str, V]):
    """A read-only view of the catalog by article id: whatever ``find`` finds for an id."""

    def __init__(self, catalog: Catalog, find: Callable[[str], V | None]) -> None:
        self._catalog = catalog
        self._find = find

    def __getitem__(self, article_id: str) -> V:
        found = self._find(article_id)
        if found is None:
            raise KeyError(article_id)
        return found

    def __contains__(self, article_id: object) -> bool:
        return isinstance(article_id, str) and self._catalog.has_article(article_id)

    def __iter__(self) -> Iterator[str]:
        return iter(list(self._catalog.article_ids()))

    def __len__(self) -> int:
        return self._catalog.count("articles")


class _ByArticle(Mapping[str, list[Passage]]):
    """Passages of each story's newest version, in order."""

    def __init__(self, catalog: Catalog) -> None:
        self._catalog = catalog

    def __getitem__(self, article_id: str) -> list[Passage]:
        found = self._catalog.passages_of(article_id)
        if not found:
            raise KeyError(article_id)
        return found

    def __iter__(self) -> Iterator[str]:
        return iter([a.article_id for a in _Current(self._catalog)])

    def __len__(self) -> int:
        return self._catalog.count("stories")


class _ByPassageId(Mapping[str, Passage]):
    """Passages by id ("<article>:<n>")."""

    def __init__(self, catalog: Catalog) -> None:
        self._catalog = catalog

    def __getitem__(self, passage_id: str) -> Passage:
        article_id, _, number = passage_id.rpartition(":")
        found = self._catalog.passage(article_id, int(number)) if number.isdigit() else None
        if found is None:
            raise KeyError(passage_id)
        return found

    def __iter__(self) -> Iterator[str]:
        return iter([p.passage_id for _, p, _ in self._catalog.all_passages()])

    def __len__(self) -> int:
        return self._catalog.count("passages")


class _Current(Sequence[Article]):
    """The newest version of every story, newest story first; read a page at a time."""

    PAGE = 500

    def __init__(self, catalog: Catalog) -> None:
        self._catalog = catalog

    def __len__(self) -> int:
        return self._catalog.count("stories")

    @overload
    def __getitem__(self, index: int) -> Article: ...

    @overload
    def __getitem__(self, index: slice) -> list[Article]: ...

    def __getitem__(self, index: int | slice) -> Article | list[Article]:
        if isinstance(index, slice):
            start, stop, step = index.indices(len(self))
            if step != 1:
                return [self[i] for i in range(start, stop, step)]
            return self._catalog.latest(max(0, stop - start), start)
        if index < 0:
            index += len(self)
        found = self._catalog.latest(1, index) if index >= 0 else []
        if not found:
            raise IndexError(index)
        return found[0]

    def __iter__(self) -> Iterator[Article]:
        offset = 0
        while page := self._catalog.latest(self.PAGE, offset):
            yield from page
            offset += len(page)


class NewsIndex:
    """An open generation: its catalog, its engine, and the lookups answers need."""

    def __init__(self, catalog: Catalog, engine: Engine, generation: Path) -> None:
        self.catalog = catalog
        self.engine = engine
        self.generation = generation
        # Every version of every story (first paragraphs only); id -> its story's newest id;
        # id -> ids of all its story's versions, newest first.
        self.articles: Mapping[str, Article] = _ArticleView(catalog, catalog.article)
        # Headlines alone: a lookup per passage must not unpickle a story of megabytes.
        self.titles: Mapping[str, str] = _ArticleView(catalog, catalog.title)
        self.newest: Mapping[str, str] = _ArticleView(catalog, catalog.newest_of)
        self.story: Mapping[str, tuple[str, ...]] = _ArticleView(
            catalog, lambda article_id: catalog.story(article_id) or None
        )
        self.current: Sequence[Article] = _Current(catalog)
        self.passages: Mapping[str, Passage] = _ByPassageId(catalog)
        self.by_article: Mapping[str, list[Passage]] = _ByArticle(catalog)
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
            if _is_damage(error) and self.damage is None:
                self.damage = f"{error.__class__.__name__}: {error}"
                log.warning("index at %s is damaged (%s); the next refresh rebuilds it",
                            self.generation, self.damage)  # fmt: skip
            raise

    @property
    def built_at(self) -> float:
        return float(self.catalog.meta().get("built_at", "0"))

    def search(self, question: str, k: int) -> list[tuple[Passage, float]]:
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
        self.catalog.close()
        close = getattr(self.engine, "close", None)
        if close is not None:
            close()


def open_index(
    corpus_dir: Path,
    cache_dir: Path,
    engine: str = "bm25",
    passage_tokens: int = 200,
    rebuild: bool = False,
    progress: indexing.Progress | None = None,
    current: NewsIndex | None = None,
    quick: bool = False,
) -> tuple[NewsIndex, Report]:
    """The index for ``corpus_dir``: reused when the corpus is unchanged, else brought up to date.

    ``current``, the index a running process already holds, saves opening it again; it is
    used only while it is still the live generation. ``engine`` may be ``auto``: bm25 or
    tantivy by the number of passages, switched when the corpus crosses the threshold.

    ``quick``: when no folder of the corpus changed since the index last matched it (a stat
    per folder, none per file: ``bot.index.folders``), answer from the committed index at
    once; a file rewritten in place is then seen only by the next full scan. Any added or
    removed file changes its folder's time, so it is read before this returns.
    """
    started = time.perf_counter()
    home = index_dir(cache_dir, corpus_dir)
    if quick and not rebuild and current is None:
        current, quick_note = _live(home, None, engine, passage_tokens)
        stored = _untouched(corpus_dir, current, engine) if current is not None else None
        if current is not None and stored is not None:
            return current, _unscanned_report(current, stored, started, quick_note)
    times = None if rebuild else _folder_times(corpus_dir, current)
    found = corpus.scan(corpus_dir)
    index, report = _up_to_date(
        home, found, engine, passage_tokens, rebuild, progress, current, started
    )
    _remember_folders(index, found, times)
    return index, report


def _up_to_date(
    home: Path,
    found: corpus.Scan,
    engine: str,
    passage_tokens: int,
    rebuild: bool,
    progress: indexing.Progress | None,
    current: NewsIndex | None,
    started: float,
) -> tuple[NewsIndex, Report]:
    """``open_index`` once the corpus is scanned."""
    live, note = (None, None) if rebuild else _live(home, current, engine, passage_tokens)
    # A running process's own index fitted when it last changed; only a new process (the
    # setting may have changed) counts the passages of an unchanged corpus.
    fits = live is not None and (live is current or _fits(live, engine))
    if live is not None and _settled(live, found) and fits:
        return live, _report("reused", live, started, found, note)
    home.mkdir(parents=True, exist_ok=True)
    # One process at a time brings the index up to date (the bot and `newsbot index`).
    with exclusive_lock(home / LOCK):
        # Another process may have updated or replaced the index while this one waited.
        if live is not None and not _is_live(home, live):
            live, note = _live(home, None, engine, passage_tokens)
        if live is None:
            index, changes = _build(home, found, engine, passage_tokens, progress)
            return index, _report("built", index, started, found, note, changes)
        try:
            engine_now = _catch_up(live)
            if engine_now is not live.engine:  # rebuilt to finish an interrupted update
                live = NewsIndex(live.catalog, engine_now, live.generation)
            if _settled(live, found):
                live, switched = _fitted(home, live, engine)
                return live, _report("reused", live, started, found, switched or note)
            before = _ids_in_changed_files(live.catalog, found)
            outcome = _indexing().update(live.catalog, found, passage_tokens, _counted(progress))
            checkpoint("catalog-committed")
            known = {doc: terms.split() for doc, terms in outcome.added}
            updated = NewsIndex(live.catalog, _catch_up(live, known), live.generation)
            added, revised = _story_news(live.catalog, before, outcome.changes)
            updated, switched = _fitted(home, updated, engine)
            note = switched or note
        except (CatalogError, sqlite3.DatabaseError, OSError, ValueError) as error:
            if not _is_damage(error):
                raise
            # Pages overwritten, the engine's folder deleted under the running bot...: the
            # corpus is the truth, so a new generation replaces this one. Readers still
            # holding the old one finish their request on it.
            note = _unusable(home, error)
            index, changes = _build(home, found, engine, passage_tokens, progress)
            return index, _report("built", index, started, found, note, changes)
    log.info("index refreshed: %s (%s)", outcome.changes.summary(), home)
    report = _report("refreshed", updated, started, found, note, outcome.changes)
    return updated, replace(report, stories_added=added, stories_updated=revised)


def open_committed(
    corpus_dir: Path, cache_dir: Path, current: NewsIndex | None, seen: float
) -> NewsIndex | None:
    """The index as another process last committed it; never reads the corpus or writes.

    For a process that serves answers while another keeps the index up to date: ``current``
    (opened when the index said it was built at ``seen``) while nothing changed; the same
    catalog with the engine loaded again after an update in place; the new generation after
    a rebuild. While an update is under way (its lock held, or its journal not yet applied)
    ``current`` stays, and the next call looks again.
    """
    home = index_dir(cache_dir, corpus_dir)
    if not (home / CURRENT).exists():
        return current
    with exclusive_lock(home / LOCK, wait=False) as locked:
        if not locked:
            return current
        if current is not None and _is_live(home, current):
            catalog = current.catalog
            with catalog.reading():
                meta, pending = catalog.meta(), catalog.count("pending")
            if pending or float(meta.get("built_at", "0")) == seen:
                return current
            engine = engine_kind(meta["engine"]).load(current.generation)
            return NewsIndex(catalog, engine, current.generation)
        live, _ = _load(home)
        return live or current


def _ids_in_changed_files(catalog: Catalog, found: corpus.Scan) -> set[str]:
    """Ids of the stored articles in files the update will re-read (before it replaces them)."""
    known = catalog.files()
    stale = [path for path in corpus.stale(found, known) if path in known]
    return {p.article_id for p in catalog.in_files(stale)} if stale else set()


def _story_news(
    catalog: Catalog, before: set[str], changes: corpus.Changes
) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """(new stories, updated stories) by newest id, after an update read ``changes``.

    A story is new when none of its versions was stored before this update; an older version
    that arrives after its (LEAD) changes nothing readers see, so only stories whose newest
    version was just read count.
    """
    placed = catalog.in_files([*changes.added, *changes.changed])
    read = {p.article_id for p in placed}
    added: list[str] = []
    revised: list[str] = []
    for newest in sorted({p.article_id for p in placed if p.rank == 0}):
        versions = catalog.story(newest) or (newest,)
        stored_before = any(v in before or v not in read for v in versions)
        (revised if stored_before else added).append(newest)
    return tuple(added), tuple(revised)


_passes: dict[str, int] = {}


def checkpoint(name: str) -> None:
    """A moment a crash must be survivable at; with ``NEWSBOT_TEST_STOP_AT``, stop here.

    Crash tests kill the process when it says it has reached a named moment, instead of
    after a guessed delay that a loaded machine turns into "before it started" or "after
    it finished".
    """
    wanted = os.environ.get(STOP_AT)
    if not wanted:
        return
    target, _, count = wanted.partition(":")
    if target != name:
        return
    _passes[name] = _passes.get(name, 0) + 1
    if _passes[name] == int(count or 1):
        sys.stderr.write(f"newsbot-checkpoint {name}\n")
        sys.stderr.flush()
        threading.Event().wait()  # until the test's kill -9


def _indexing() -> ModuleType:
    """``bot.index.updates``, imported only to write: a process answering from a committed
    index never needs it (nor its worker-pool machinery): ~30 ms of a fresh ask's start."""
    from bot.index import updates

    return updates


def _counted(progress: indexing.Progress | None) -> indexing.Progress | None:
    """``progress`` with a checkpoint per file, when a test asked to stop at one."""
    if not os.environ.get(STOP_AT, "").startswith("file"):
        return progress

    def start(total: int) -> Callable[[str, str], None]:
        tick = progress(total) if progress is not None else None

        def each(name: str, status: str) -> None:
            if tick is not None:
                tick(name, status)
            checkpoint("file")

        return each

    return start


def _settled(index: NewsIndex, found: corpus.Scan) -> bool:
    catalog = index.catalog
    return catalog.meta().get("fingerprint") == found.fingerprint() and not catalog.count("pending")


def _report(
    action: str,
    index: NewsIndex,
    started: float,
    found: corpus.Scan,
    note: str | None,
    changes: corpus.Changes | None = None,
) -> Report:
    catalog = index.catalog
    with catalog.reading():
        return Report(
            action, index.engine.name, catalog.count("stories"), catalog.count("articles"),
            catalog.count("passages"), time.perf_counter() - started,
            changes or corpus.Changes(unchanged=len(found.files)),
            corpus.problems(found, catalog.problems()), note,
        )  # fmt: skip


def _live(
    home: Path, current: NewsIndex | None, engine: str, passage_tokens: int
) -> tuple[NewsIndex | None, str | None]:
    """The live generation if it can serve these settings, or None and why not."""
    if current is not None and current.damage is None and _is_live(home, current):
        live, note = current, None
    else:
        live, note = _load(home)
    if live is None:
        return None, note
    meta = live.catalog.meta()
    wanted = {
        "analyzer": str(analysis.ANALYZER_VERSION),
        "engine": engine,
        "passage_tokens": str(passage_tokens),
    }
    if engine == AUTO:  # either engine serves; _fitted switches when the size says so
        del wanted["engine"]
    if any(meta.get(key) != value for key, value in wanted.items()):
        return None, "index settings or analyzer changed: rebuilding"
    return live, note


def _is_live(home: Path, index: NewsIndex) -> bool:
    try:
        named = index.generation == home / _current_name(home)
    except OSError:
        return False
    # Its folder deleted under a running process, the generation is a ghost held by open
    # file handles: whatever it still answers, nothing can be written to it any more.
    return named and (index.generation / CATALOG_FILE).is_file()


# SQLite's names for a database that is damaged or gone (not merely busy or full).
_DAMAGE_CODES = ("SQLITE_CORRUPT", "SQLITE_NOTADB", "SQLITE_CANTOPEN", "SQLITE_READONLY_DBMOVED")


def _is_damage(error: BaseException) -> bool:
    """Whether an error says the index's files are damaged or missing (not busy, not full)."""
    if isinstance(error, sqlite3.DatabaseError):
        name = getattr(error, "sqlite_errorname", "") or ""
        text = str(error)
        return name.startswith(_DAMAGE_CODES) or "malformed" in text or "not a database" in text
    if isinstance(error, OSError):
        return isinstance(error, (FileNotFoundError, NotADirectoryError, IsADirectoryError))
    # CatalogError, and the ValueError an engine raises over missing or mismatched files.
    return isinstance(error, (CatalogError, ValueError))


def _unusable(home: Path, error: BaseException) -> str:
    reason = f"index at {home} is unusable ({error.__class__.__name__}: {error}); rebuilding"
    log.warning(reason)
    return reason


def check_catalog(generation: Path, read_only: bool = False) -> None:
    """Raise CatalogError when SQLite finds the catalog's pages damaged.

    ``PRAGMA quick_check`` reads every page once without cross-checking indexes against
    tables: about 0.2 s for a 160 MB file on this machine, against minutes of failing answers.
    """
    path = generation / CATALOG_FILE
    try:
        mode = "mode=ro&immutable=1" if read_only else "mode=ro"
        with closing(sqlite3.connect(f"file:{path}?{mode}", uri=True)) as db:
            found = [row[0] for row in db.execute("PRAGMA quick_check(3)")]
    except sqlite3.DatabaseError as error:
        if not _is_damage(error):
            raise
        raise CatalogError(f"catalog is damaged: {error}") from error
    if found != ["ok"]:
        raise CatalogError("catalog is damaged: " + " ".join(" ".join(found).split())[:300])


def _load(home: Path) -> tuple[NewsIndex | None, str | None]:
    """The live generation, or None with the reason it cannot be used."""
    if not (home / CURRENT).exists():
        return None, None
    catalog = None
    try:
        generation = home / _current_name(home)
        # A read-only cache (a read-only mount, a folder without write permission) serves
        # the index it holds; only an update needs to write.
        read_only = not os.access(generation, os.W_OK)
        check_catalog(generation, read_only)
        catalog = Catalog.open(generation, read_only=read_only)
        kind = catalog.meta()["engine"]
        try:
            loaded = engine_kind(kind).load(generation)
        except (OSError, ValueError) as error:
            if not catalog.count("pending"):
                raise
            # Killed while replacing the engine's files one by one, after the catalog
            # committed: the journal says so, and the catalog alone makes the engine again
            # (here in memory; the update that follows saves it and clears the journal).
            loaded = _engine_from_catalog(catalog, kind)
            if isinstance(loaded, IncrementalEngine):  # updated in place, never replaced:
                _close_engine(loaded)  # its files are damaged, not half-replaced
                raise
            log.warning("engine files at %s are mixed (%s); rebuilt from the catalog",
                        generation, error)  # fmt: skip
        return NewsIndex(catalog, loaded, generation), None
    except (CatalogError, sqlite3.Error, OSError, ValueError, KeyError) as error:
        if catalog is not None:
            catalog.close()
        if isinstance(error, sqlite3.Error) and not _is_damage(error) and _is_full(error):
            raise  # a full disk is no damage: rebuilding would only fill it further
        # Any damage means: rebuild from the corpus, which is the truth.
        return None, _unusable(home, error)


def _is_full(error: BaseException) -> bool:
    return "SQLITE_FULL" in (getattr(error, "sqlite_errorname", "") or "")


def _build(
    home: Path,
    found: corpus.Scan,
    engine: str,
    passage_tokens: int,
    progress: indexing.Progress | None,
) -> tuple[NewsIndex, corpus.Changes]:
    """A new generation from every file, switched to when complete."""
    staging = home / f".staging-gen-{time.time_ns()}-{os.getpid()}"
    staging.mkdir()
    try:
        meta = {
            "analyzer": str(analysis.ANALYZER_VERSION),
            "engine": engine,
            "passage_tokens": str(passage_tokens),
        }
        catalog = Catalog.create(staging, meta)
        with _collector_paused(), ThreadPoolExecutor(1) as beside:
            outcome = _indexing().update(
                catalog, found, passage_tokens, _counted(progress), fresh=True
            )
            if engine == AUTO:
                engine = auto_engine(len(outcome.added))
                catalog.set_meta({"engine": engine})
                log.info("engine %s (%s)", engine,
                         engine_choice(AUTO, engine, len(outcome.added)))  # fmt: skip
            # SQLite builds the catalog's indexes without the GIL, while the engine is built.
            sealed = beside.submit(catalog.seal)
            started = time.perf_counter()
            pairs = ((doc, terms.split()) for doc, terms in outcome.added)
            built = engine_kind(engine).build(pairs)
            log.info("engine %s built in %.1f s", engine, time.perf_counter() - started)
            changes = outcome.changes
            del outcome, pairs  # every passage's terms: let them go before the engine is saved
            sealed.result()
        built.save(staging)
        _close_engine(built)
        checkpoint("build-saved")
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    generation = _promote(home, staging)
    checkpoint("build-promoted")
    catalog = Catalog.open(generation)
    return NewsIndex(catalog, engine_kind(engine).load(generation), generation), changes


def _catch_up(index: NewsIndex, known: Mapping[int, list[str]] | None = None) -> Engine:
    """Apply the catalog's journal to the engine, then clear it; returns the engine to use.

    ``known`` holds terms the caller already analyzed; the rest are analyzed again (after a
    crash). An engine that cannot update in place is rebuilt from the catalog and replaced
    file by file: it is small by design (the default for small corpora).
    """
    catalog, engine = index.catalog, index.engine
    added, deleted = catalog.pending()
    if not added and not deleted:
        return engine
    if isinstance(engine, IncrementalEngine):
        engine.delete(deleted)
        missing = [doc for doc in added if known is None or doc not in known]
        terms = dict(_indexing().analyzed_terms(catalog, missing))
        if known:
            terms.update((doc, known[doc]) for doc in added if doc in known)
        engine.add(sorted(terms.items()))
        engine.commit()
        _close_engine(engine)
        checkpoint("engine-committed")
    else:
        engine = _engine_from_catalog(catalog, engine.name)
        _replace_files(index.generation, engine)
        checkpoint("engine-committed")
    with catalog.writing():
        catalog.clear_pending([*added, *deleted])
    return engine


def _engine_from_catalog(catalog: Catalog, kind: str) -> Engine:
    """An engine of ``kind`` over every passage the catalog holds, built in memory."""
    with catalog.reading():
        docs = [
            (doc, analysis.passage_terms(title, passage.text))
            for doc, passage, title in catalog.all_passages()
        ]
    return engine_kind(kind).build(docs)


def _replace_files(generation: Path, engine: Engine) -> None:
    """Save an engine over the generation's copy, each file replaced in one rename."""
    with tempfile.TemporaryDirectory(dir=generation, prefix=".engine-") as scratch:
        engine.save(Path(scratch))
        for entry in Path(scratch).iterdir():
            os.replace(entry, generation / entry.name)
            checkpoint("engine-file")


def _close_engine(engine: Engine) -> None:
    # A writer holds the folder's lock and threads; readers reopen what they need.
    close = getattr(engine, "close", None)
    if close is not None:
        close()


@contextmanager
def _collector_paused() -> Iterator[None]:
    """A build holds millions of objects till its end, none in reference cycles: the cyclic
    garbage collector would only walk them again and again (a fifth of a 1M-passage build)."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def _current_name(home: Path) -> str:
    return (home / CURRENT).read_text().strip()


def _promote(home: Path, staging: Path) -> Path:
    """Make a complete staging folder the live generation; drop the older ones."""
    name = staging.name.removeprefix(".staging-")
    os.replace(staging, home / name)
    atomic_write(home / CURRENT, name.encode())
    for entry in home.iterdir():
        stale = entry.name.startswith("gen-") or entry.name.startswith(".staging-")
        if entry.name != name and stale:
            shutil.rmtree(entry, ignore_errors=True)
    return home / name


# --- engine "auto" -------------------------------------------------------------------------


def _passage_count(index: NewsIndex) -> int:
    with index.catalog.reading():
        return index.catalog.count("passages")


def _fits(index: NewsIndex, setting: str, passages: int | None = None) -> bool:
    """Whether ``index``'s engine is the one the setting asks for at its size."""
    if setting != AUTO:
        return True
    if passages is None:
        passages = _passage_count(index)
    return auto_engine(passages, index.engine.name) == index.engine.name


# What a generation holds beside its catalog and engine that an engine switch keeps: the
# semantic layer's vectors (bot.semantic.layer.FOLDER), keyed by passage numbers, which the
# catalog's copy keeps (embedding them again would take hours at this size).
_CARRIED = ("vectors",)


def _fitted(home: Path, index: NewsIndex, setting: str) -> tuple[NewsIndex, str | None]:
    """``index``, or (under the update lock) a new generation on the engine ``auto`` now wants.

    The catalog is copied (``VACUUM INTO``: one consistent snapshot) and the new engine built
    from it, then promoted like a build: a crash leaves the old generation, and readers
    holding it finish on it. The files are not read again.
    """
    if _fits(index, setting):
        return index, None
    passages = _passage_count(index)
    wanted = auto_engine(passages, index.engine.name)
    reason = (
        f"engine switched from {index.engine.name} to {wanted} "
        f"({engine_choice(AUTO, wanted, passages)})"
    )
    started = time.perf_counter()
    staging = home / f".staging-gen-{time.time_ns()}-{os.getpid()}"
    staging.mkdir()
    try:
        copy = staging / CATALOG_FILE
        with closing(sqlite3.connect(index.catalog.path)) as db:
            db.execute("VACUUM INTO ?", (str(copy),))
        with closing(sqlite3.connect(copy, isolation_level=None)) as db:
            db.execute("PRAGMA journal_mode=WAL")
            db.execute("INSERT OR REPLACE INTO meta VALUES ('engine', ?)", (wanted,))
        with open(copy, "rb") as handle:  # durable before a rename makes it live
            os.fsync(handle.fileno())
        catalog = Catalog.open(staging)
        try:
            built = _engine_from_catalog(catalog, wanted)
        finally:
            catalog.close()
        built.save(staging)
        _close_engine(built)
        for name in _CARRIED:
            if (index.generation / name).is_dir():
                shutil.copytree(index.generation / name, staging / name)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    generation = _promote(home, staging)
    log.info("%s in %.1f s", reason, time.perf_counter() - started)
    catalog = Catalog.open(generation)
    return NewsIndex(catalog, engine_kind(wanted).load(generation), generation), reason


# --- the first answer without a stat per file ---------------------------------------------


@dataclass(frozen=True)
class _Folders:
    """What the catalog recorded of the corpus when it last matched it: the folder times, and
    what a report needs (counts, skipped files), so that a first answer counts no table rows
    (a count over a million passages alone takes a tenth of a second)."""

    fingerprint: str
    times: dict[str, int]
    problems: dict[str, str]  # the scan's and the catalog's, as a full report lists them
    counts: dict[str, int]  # stories, articles, passages, files


def _stored_folders(meta: Mapping[str, str]) -> _Folders | None:
    raw = meta.get(FOLDERS)
    if not raw:
        return None
    try:
        data = json.loads(raw)
        counts = {what: int(data["counts"][what]) for what in _COUNTED}
        return _Folders(
            str(data["fingerprint"]), dict(data["times"]), dict(data["problems"]), counts
        )
    except (ValueError, KeyError, TypeError):
        return None


_COUNTED = ("stories", "articles", "passages", "files")


def _untouched(corpus_dir: Path, index: NewsIndex, setting: str) -> _Folders | None:
    """What the catalog recorded, when ``index`` can answer as it is: nothing pending, no
    folder of the corpus changed since the catalog matched it (no file stat'd), and its
    engine fits the setting. None when the corpus must be scanned."""
    catalog = index.catalog
    with catalog.reading():
        meta, pending = catalog.meta(), catalog.count("pending")
    stored = _stored_folders(meta)
    if pending or stored is None or stored.fingerprint != meta.get("fingerprint"):
        return None
    if not folders.unchanged(corpus_dir, stored.times):
        return None
    return stored if _fits(index, setting, stored.counts["passages"]) else None


def _unscanned_report(
    index: NewsIndex, stored: _Folders, started: float, note: str | None
) -> Report:
    counts = stored.counts
    return Report(
        "reused", index.engine.name, counts["stories"], counts["articles"], counts["passages"],
        time.perf_counter() - started, corpus.Changes(unchanged=counts["files"]),
        dict(stored.problems), note,
    )  # fmt: skip


def _folder_times(corpus_dir: Path, current: NewsIndex | None) -> dict[str, int] | None:
    """The corpus's folder times, taken before its scan.

    A running process's periodic scan usually finds every folder as recorded: then the
    recorded times stand (a stat per folder) instead of a second walk of the corpus.
    """
    if current is not None:
        try:
            with current.catalog.reading():
                meta = current.catalog.meta()
        except sqlite3.Error:
            meta = {}
        stored = _stored_folders(meta)
        if stored is not None and folders.unchanged(corpus_dir, stored.times):
            return stored.times
    return folders.snapshot(corpus_dir)


def _remember_folders(index: NewsIndex, found: corpus.Scan, times: dict[str, int] | None) -> None:
    """Record the folder times taken before ``found`` when the catalog now matches it."""
    if times is None or found.unlisted:
        return
    fingerprint = found.fingerprint()
    catalog = index.catalog
    try:
        with catalog.reading():
            meta = catalog.meta()
            stored = _stored_folders(meta)
            if meta.get("fingerprint") != fingerprint or catalog.count("pending"):
                return
            if stored and stored.fingerprint == fingerprint and stored.times == times:
                return  # as recorded (a periodic scan that found nothing new)
            counts = {what: catalog.count(what) for what in _COUNTED}
            problems = corpus.problems(found, catalog.problems())
        value = {"fingerprint": fingerprint, "times": times, "problems": problems,
                 "counts": counts}  # fmt: skip
        with catalog.writing():
            catalog.set_meta({FOLDERS: json.dumps(value, separators=(",", ":"))})
    except sqlite3.Error as error:  # only a later first answer is slower for it
        log.debug("could not record the corpus's folder times: %s", error)
