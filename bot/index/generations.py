"""Index generations on disk: build, load, catch up, promote, and switch engines.

Layout under the cache folder: ``gen-<n>/`` directories, each a catalog (``catalog.sqlite``)
and the engine's files, and a ``CURRENT`` file naming the live one. A full build writes a new
generation beside the old, then replaces ``CURRENT`` in one rename: a crash at any moment
leaves the old index or the new one, never a mix. Later changes update the live generation in
place: the catalog in one transaction that also journals the engine's work (``pending``), then
the engine, then the journal is cleared; an open finishes whatever a crash interrupted.
"""

from __future__ import annotations

import gc
import logging
import os
import shutil
import sqlite3
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator, Mapping
from concurrent.futures import ThreadPoolExecutor
from contextlib import closing, contextmanager
from pathlib import Path
from types import ModuleType
from typing import TYPE_CHECKING

from bot.index.catalog import FILE as CATALOG_FILE
from bot.index.catalog import Catalog, CatalogError
from bot.index.engines.base import Engine, IncrementalEngine
from bot.index.engines.names import AUTO
from bot.index.engines.registry import auto_engine, engine_choice, engine_kind
from bot.ingest import corpus
from bot.storage import atomic_write
from bot.text import analysis

if TYPE_CHECKING:
    from bot.index import updates as indexing
from bot.index.damage import check_catalog, is_damage, is_full, unusable
from bot.index.newsindex import NewsIndex

log = logging.getLogger(__name__)


CURRENT = "CURRENT"


# Test hook: ``name`` or ``name:n`` makes the n-th pass through checkpoint ``name`` announce
# itself on stderr and wait there to be killed (tests/index/test_crash_safety.py).
STOP_AT = "NEWSBOT_TEST_STOP_AT"


LOCK = ".lock"


# Bumped whenever the same file reads as other articles or passages (the parser or the passage
# splitter changed). An update re-reads only the files that changed, so an index built by
# another version is rebuilt instead of keeping the old reading of every other file.
# 1: rules glued into a line split paragraphs, crawler sign-offs dropped, sentences over
# budget cut between words. 2: more captions known (maps, "Image;" credits, "(right)"), a
# wiki story's end matter dropped, a dateless page's closing "(Yonhap)" paragraph is story text.
READING_VERSION = 2


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


def indexing_module() -> ModuleType:
    """``bot.index.updates``, imported only to write.

    A process answering from a committed index never needs it (nor its worker-pool
    machinery): ~30 ms of a fresh ask's start.
    """
    from bot.index import updates

    return updates


def counted(progress: indexing.Progress | None) -> indexing.Progress | None:
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


def live_index(
    home: Path, current: NewsIndex | None, engine: str, passage_tokens: int
) -> tuple[NewsIndex | None, str | None]:
    """The live generation if it can serve these settings, or None and why not."""
    if current is not None and current.damage is None and is_live(home, current):
        live, note = current, None
    else:
        live, note = load(home)
    if live is None:
        return None, note
    meta = live.catalog.meta()
    wanted = {
        "analyzer": str(analysis.ANALYZER_VERSION),
        "reading": str(READING_VERSION),
        "engine": engine,
        "passage_tokens": str(passage_tokens),
    }
    if engine == AUTO:  # either engine serves; fitted switches when the size says so
        del wanted["engine"]
    if any(meta.get(key) != value for key, value in wanted.items()):
        return None, "index settings, analyzer or reading changed: rebuilding"
    return live, note


def is_live(home: Path, index: NewsIndex) -> bool:
    """True when ``index`` is the generation ``home`` names current and its catalog still exists."""
    try:
        named = index.generation == home / current_name(home)
    except OSError:
        return False
    # Its folder deleted under a running process, the generation is a ghost held by open
    # file handles: whatever it still answers, nothing can be written to it any more.
    return named and (index.generation / CATALOG_FILE).is_file()


def load(home: Path) -> tuple[NewsIndex | None, str | None]:
    """The live generation, or None with the reason it cannot be used."""
    if not (home / CURRENT).exists():
        return None, None
    catalog = None
    try:
        generation = home / current_name(home)
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
            loaded = engine_from_catalog(catalog, kind)
            if isinstance(loaded, IncrementalEngine):  # updated in place, never replaced:
                close_engine(loaded)  # its files are damaged, not half-replaced
                raise
            log.warning("engine files at %s are mixed (%s); rebuilt from the catalog",
                        generation, error)  # fmt: skip
        return NewsIndex(catalog, loaded, generation), None
    except (CatalogError, sqlite3.Error, OSError, ValueError, KeyError) as error:
        if catalog is not None:
            catalog.close()
        if isinstance(error, sqlite3.Error) and not is_damage(error) and is_full(error):
            raise  # a full disk is no damage: rebuilding would only fill it further
        # Any damage means: rebuild from the corpus, which is the truth.
        return None, unusable(home, error)


def build(
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
            "reading": str(READING_VERSION),
            "engine": engine,
            "passage_tokens": str(passage_tokens),
        }
        catalog = Catalog.create(staging, meta)
        with _collector_paused(), ThreadPoolExecutor(1) as beside:
            outcome = indexing_module().update(
                catalog, found, passage_tokens, counted(progress), fresh=True
            )
            if engine == AUTO:
                engine = auto_engine(len(outcome.added))
                catalog.set_meta({"engine": engine})
                log.info("engine %s (%s)", engine,
                         engine_choice(AUTO, engine, len(outcome.added)))  # fmt: skip
            # SQLite builds the catalog's indexes without the GIL, while the engine is built.
            sealed = beside.submit(catalog.seal)
            started = time.perf_counter()
            kind = engine_kind(engine)
            if kind.build_joined is not None:  # takes the terms as stored, space-joined
                built = kind.build_joined(outcome.added)
            else:
                built = kind.build((doc, terms.split()) for doc, terms in outcome.added)
            log.info("engine %s built in %.1f s", engine, time.perf_counter() - started)
            changes = outcome.changes
            discard = getattr(outcome.added, "discard", None)
            if discard is not None:  # the build's terms file, read: not part of the generation
                discard()
            del outcome  # every passage's terms: let them go before the engine is saved
            sealed.result()
        built.save(staging)
        close_engine(built)
        checkpoint("build-saved")
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    generation = promote(home, staging)
    checkpoint("build-promoted")
    catalog = Catalog.open(generation)
    return NewsIndex(catalog, engine_kind(engine).load(generation), generation), changes


def catch_up(index: NewsIndex, known: Mapping[int, list[str]] | None = None) -> Engine:
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
        terms = dict(indexing_module().analyzed_terms(catalog, missing))
        if known:
            terms.update((doc, known[doc]) for doc in added if doc in known)
        engine.add(sorted(terms.items()))
        engine.commit()
        close_engine(engine)
        checkpoint("engine-committed")
    else:
        engine = engine_from_catalog(catalog, engine.name)
        _replace_files(index.generation, engine)
        checkpoint("engine-committed")
    with catalog.writing():
        catalog.clear_pending([*added, *deleted])
    return engine


def engine_from_catalog(catalog: Catalog, kind: str) -> Engine:
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


def close_engine(engine: Engine) -> None:
    # A writer holds the folder's lock and threads; readers reopen what they need.
    """Close the engine when it holds resources (a writer's lock and threads)."""
    close = getattr(engine, "close", None)
    if close is not None:
        close()


@contextmanager
def _collector_paused() -> Iterator[None]:
    """The cyclic garbage collector off for the duration of a build.

    A build holds millions of objects till its end, none in reference cycles: the collector
    would only walk them again and again (a fifth of a 1M-passage build).
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def current_name(home: Path) -> str:
    """The folder name of the current generation, as recorded in ``home``."""
    return (home / CURRENT).read_text().strip()


def promote(home: Path, staging: Path) -> Path:
    """Make a complete staging folder the live generation; drop the older ones."""
    name = staging.name.removeprefix(".staging-")
    os.replace(staging, home / name)
    atomic_write(home / CURRENT, name.encode())
    for entry in home.iterdir():
        stale = entry.name.startswith("gen-") or entry.name.startswith(".staging-")
        if entry.name != name and stale:
            shutil.rmtree(entry, ignore_errors=True)
    return home / name


def passage_count(index: NewsIndex) -> int:
    """How many passages the index holds, read in one transaction."""
    with index.catalog.reading():
        return index.catalog.count("passages")


def engine_fits(index: NewsIndex, setting: str, passages: int | None = None) -> bool:
    """Whether ``index``'s engine is the one the setting asks for at its size."""
    if setting != AUTO:
        return True
    if passages is None:
        passages = passage_count(index)
    return auto_engine(passages, index.engine.name) == index.engine.name


# What a generation holds beside its catalog and engine that an engine switch keeps: the
# semantic layer's vectors (bot.semantic.layer.FOLDER), keyed by passage numbers, which the
# catalog's copy keeps (embedding them again would take hours at this size).
_CARRIED = ("vectors",)


def fitted(home: Path, index: NewsIndex, setting: str) -> tuple[NewsIndex, str | None]:
    """``index``, or (under the update lock) a new generation on the engine ``auto`` now wants.

    The catalog is copied (``VACUUM INTO``: one consistent snapshot) and the new engine built
    from it, then promoted like a build: a crash leaves the old generation, and readers
    holding it finish on it. The files are not read again.
    """
    if engine_fits(index, setting):
        return index, None
    passages = passage_count(index)
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
            built = engine_from_catalog(catalog, wanted)
        finally:
            catalog.close()
        built.save(staging)
        close_engine(built)
        for name in _CARRIED:
            if (index.generation / name).is_dir():
                shutil.copytree(index.generation / name, staging / name)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    generation = promote(home, staging)
    log.info("%s in %.1f s", reason, time.perf_counter() - started)
    catalog = Catalog.open(generation)
    return NewsIndex(catalog, engine_kind(wanted).load(generation), generation), reason
