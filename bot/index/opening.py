"""Open the index for a corpus: reuse it, bring it up to date in place, or rebuild it."""

from __future__ import annotations

import logging
import sqlite3
import time
from collections.abc import Collection
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

from bot.index import folders, record
from bot.index.catalog import Catalog, CatalogError
from bot.index.engines.registry import engine_kind
from bot.ingest import corpus
from bot.storage import corpus_cache_path as index_dir  # one index folder per corpus folder
from bot.storage import exclusive_lock

if TYPE_CHECKING:
    from bot.index import updates as indexing
from bot.index import generations
from bot.index.damage import is_damage, unusable
from bot.index.newsindex import NewsIndex, Report

log = logging.getLogger(__name__)


def open_index(
    corpus_dir: Path,
    cache_dir: Path,
    engine: str = "bm25",
    passage_tokens: int = 200,
    rebuild: bool = False,
    progress: indexing.Progress | None = None,
    current: NewsIndex | None = None,
    quick: bool = False,
    touched: Collection[Path] = (),
) -> tuple[NewsIndex, Report]:
    """The index for ``corpus_dir``: reused when the corpus is unchanged, else brought up to date.

    ``current``, the index a running process already holds, saves opening it again; it is
    used only while it is still the live generation. ``engine`` may be ``auto``: bm25 or
    tantivy by the number of passages, switched when the corpus crosses the threshold.

    ``quick``: list only the folders whose time changed since the index last matched the
    corpus (a stat per folder, none per file: ``bot.index.folders``), and read what changed
    in them; with none changed, answer from the committed index at once. A file rewritten in
    place is then seen only by the next full scan. Any added or removed file changes its
    folder's time, so it is read before this returns. ``touched``: paths file-system events
    named, whose folders are listed even if their time stayed.
    """
    started = time.perf_counter()
    home = index_dir(cache_dir, corpus_dir)
    if quick and not rebuild:
        live, quick_note = generations.live_index(home, current, engine, passage_tokens)
        if live is not None:
            also = record.relative_folders(corpus_dir, touched)
            opened = _by_folders(corpus_dir, home, live, engine, passage_tokens, progress, also)
            if opened is not None:
                index, report = opened
                return index, replace(report, seconds=time.perf_counter() - started,
                                      note=report.note or quick_note)  # fmt: skip
            current = live
    times = record.folder_times(corpus_dir, None if rebuild else current)
    found = corpus.scan(corpus_dir)
    index, report = _up_to_date(
        home, found, engine, passage_tokens, rebuild, progress, current, started
    )
    record.remember(index, found, times)
    if report.action == "built":
        record.settle_racy(corpus_dir, index)
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
    live, note = (
        (None, None) if rebuild else generations.live_index(home, current, engine, passage_tokens)
    )
    # A running process's own index was fitted when it last changed; only a new process (the
    # setting may have changed) counts the passages of an unchanged corpus.
    fits = live is not None and (live is current or generations.engine_fits(live, engine))
    if live is not None and _settled(live, found) and fits:
        return live, _report("reused", live, started, found, note)
    home.mkdir(parents=True, exist_ok=True)
    # One process at a time brings the index up to date (the bot and `newsbot index`).
    with exclusive_lock(home / generations.LOCK):
        # Another process may have updated or replaced the index while this one waited.
        if live is not None and not generations.is_live(home, live):
            live, note = generations.live_index(home, None, engine, passage_tokens)
        if live is None:
            index, changes = generations.build(home, found, engine, passage_tokens, progress)
            return index, _report("built", index, started, found, note, changes)
        try:
            engine_now = generations.catch_up(live)
            if engine_now is not live.engine:  # rebuilt to finish an interrupted update
                live = NewsIndex(live.catalog, engine_now, live.generation)
            if _settled(live, found):
                live, switched = generations.fitted(home, live, engine)
                return live, _report("reused", live, started, found, switched or note)
            before = _ids_in_changed_files(live.catalog, found)
            outcome = generations.indexing_module().update(
                live.catalog, found, passage_tokens, generations.counted(progress)
            )
            generations.checkpoint("catalog-committed")
            known = {doc: terms.split() for doc, terms in outcome.added}
            updated = NewsIndex(live.catalog, generations.catch_up(live, known), live.generation)
            added, revised = _story_news(live.catalog, before, outcome.changes)
            updated, switched = generations.fitted(home, updated, engine)
            note = switched or note
        except (CatalogError, sqlite3.DatabaseError, OSError, ValueError) as error:
            if not is_damage(error):
                raise
            # Pages overwritten, the engine's folder deleted under the running bot...: the
            # corpus is the truth, so a new generation replaces this one. Readers still
            # holding the old one finish their request on it.
            note = unusable(home, error)
            index, changes = generations.build(home, found, engine, passage_tokens, progress)
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
    if not (home / generations.CURRENT).exists():
        return current
    with exclusive_lock(home / generations.LOCK, wait=False) as locked:
        if not locked:
            return current
        if current is not None and generations.is_live(home, current):
            catalog = current.catalog
            with catalog.reading():
                meta, pending = catalog.meta(), catalog.count("pending")
            if pending or float(meta.get("built_at", "0")) == seen:
                return current
            engine = engine_kind(meta["engine"]).load(current.generation)
            return NewsIndex(catalog, engine, current.generation)
        live, _ = generations.load(home)
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


def _by_folders(
    corpus_dir: Path,
    home: Path,
    live: NewsIndex,
    engine: str,
    passage_tokens: int,
    progress: indexing.Progress | None,
    also: Collection[str] = (),
) -> tuple[NewsIndex, Report] | None:
    """``open_index(quick=True)`` from the catalog's folder record; None: scan every file.

    Without a changed folder the index answers as it is (after a stat per folder). Otherwise
    the changed folders alone are listed and their files compared with the catalog's; what
    changed is read, under the update lock, as a full scan would read it.
    """
    stored = record.recorded(live)
    moved = folders.moved(corpus_dir, stored.times, also) if stored is not None else None
    if stored is None or moved is None:
        return None
    if not generations.engine_fits(live, engine, stored.counts["passages"]):
        return None
    if not moved.any:
        return live, _unscanned_report(live, stored)
    try:
        look = record.Look.take(corpus_dir, live, stored, moved)
        if look is None:
            return None
        if not look.changed:  # folders touched, no story file changed: record their times
            record.record_unchanged(live, moved, look)
            return live, _unscanned_report(live, stored)
        with exclusive_lock(home / generations.LOCK):
            if not generations.is_live(home, live):
                return None  # replaced meanwhile: the full path opens the new one
            # Another process may have brought the catalog up to date while this one waited
            # (then look again, without the lock); if not, the listing stands (a snapshot of
            # those folders, as any scan is).
            if record.recorded(live) == stored:
                return _read_moved(corpus_dir, home, live, stored, moved, look, engine,
                                   passage_tokens, progress)  # fmt: skip
    except (CatalogError, sqlite3.DatabaseError, OSError, ValueError) as error:
        if not is_damage(error):
            raise
        return None  # the full path finds the damage again and rebuilds
    return _by_folders(corpus_dir, home, live, engine, passage_tokens, progress, also)


def _read_moved(
    corpus_dir: Path,
    home: Path,
    live: NewsIndex,
    stored: record.Record,
    moved: folders.Moved,
    look: record.Look,
    engine: str,
    passage_tokens: int,
    progress: indexing.Progress | None,
) -> tuple[NewsIndex, Report]:
    """Under the lock: read what changed in the moved folders, then record the folder times."""
    catalog, known = live.catalog, look.known
    stale = corpus.stale(look.found, known)
    before = {p.article_id for p in catalog.in_files([p for p in stale if p in known])}
    part = generations.indexing_module().Part(known, look.fingerprint, record.locator(corpus_dir))
    outcome = generations.indexing_module().update(
        catalog, look.found, passage_tokens, generations.counted(progress), part=part
    )
    generations.checkpoint("catalog-committed")
    terms = {doc: text.split() for doc, text in outcome.added}
    updated = NewsIndex(catalog, generations.catch_up(live, terms), live.generation)
    added, revised = _story_news(catalog, before, outcome.changes)
    updated, switched = generations.fitted(home, updated, engine)
    changes = outcome.changes
    with updated.reading():
        counts = updated.counts()
        counts["files"] = stored.counts["files"] + len(changes.added) - len(changes.removed)
        problems = look.problems(updated.catalog.files(look.scope))
    record.store(updated.catalog, look.fingerprint, moved.times, problems, counts)
    unchanged = counts["files"] - len(changes.added) - len(changes.changed)
    log.info("index refreshed: %s (%s)", changes.summary(), home)
    report = Report(
        "refreshed", updated.engine.name, counts["stories"], counts["articles"],
        counts["passages"], 0.0, replace(changes, unchanged=unchanged), problems, switched,
        added, revised,
    )  # fmt: skip
    return updated, report


def _unscanned_report(index: NewsIndex, stored: record.Record) -> Report:
    counts = stored.counts
    return Report(
        "reused", index.engine.name, counts["stories"], counts["articles"], counts["passages"],
        0.0, corpus.Changes(unchanged=counts["files"]), dict(stored.problems),
    )  # fmt: skip
