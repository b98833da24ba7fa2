"""The catalog's folder record: what it last matched of the corpus, and the folders since.

The record (catalog meta ``folders``) holds every corpus folder's time when the catalog last
matched the corpus (``bot.index.folders``), with the fingerprint, counts and skipped files a
report shows. ``Look`` lists the folders whose time moved and sets what they hold beside what
the catalog holds of them; ``bot.index.opening`` reads what changed.
"""

from __future__ import annotations

import json
import logging
import os
import sqlite3
import stat
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass
from pathlib import Path

from bot.index import folders
from bot.index.catalog import Catalog
from bot.index.newsindex import NewsIndex
from bot.ingest import corpus
from bot.ingest.corpus import FileState

log = logging.getLogger(__name__)

# Catalog meta key: the corpus's folder times when the catalog last matched it (bot.index.folders).
FOLDERS = "folders"


@dataclass(frozen=True)
class Record:
    """What the catalog recorded of the corpus when it last matched it.

    The folder times, and what a report needs (counts, skipped files), so that a first answer
    counts no table rows (a count over a million passages alone takes a tenth of a second).
    """

    fingerprint: str
    times: dict[str, int]
    problems: dict[str, str]  # the scan's and the catalog's, as a full report lists them
    counts: dict[str, int]  # stories, articles, passages, files


def parse(meta: Mapping[str, str]) -> Record | None:
    """The record in the catalog's ``meta``, or None when there is none or it is malformed."""
    raw = meta.get(FOLDERS)
    if not raw:
        return None
    try:
        data = json.loads(raw)
        counts = {what: int(data["counts"][what]) for what in COUNTED}
        return Record(str(data["fingerprint"]), dict(data["times"]), dict(data["problems"]), counts)
    except (ValueError, KeyError, TypeError):
        return None


COUNTED = ("stories", "articles", "passages", "files")


def record_unchanged(live: NewsIndex, moved: folders.Moved, look: Look) -> None:
    """Record the folder times when the listed folders held what the catalog holds."""
    try:
        store(live.catalog, look.fingerprint, moved.times, look.problems(), look.stored.counts)
    except (sqlite3.OperationalError, OSError) as error:  # a read-only cache
        log.debug("could not record the corpus's folder times: %s", error)


def settle_racy(corpus_dir: Path, index: NewsIndex) -> None:
    """After a build: list again the folders recorded as unknown, and record their times.

    A corpus written just before its build leaves many folders changed within the racy window
    when their times were taken (thousands at 1M passages); listed now, minutes later, they
    spare the first answer that work. What changed meanwhile is left for the next open.
    """
    try:
        stored = recorded(index)
        if stored is None or folders.UNKNOWN not in stored.times.values():
            return
        moved = folders.moved(corpus_dir, stored.times)
        look = Look.take(corpus_dir, index, stored, moved) if moved is not None else None
        if moved is not None and look is not None and not look.changed:
            record_unchanged(index, moved, look)
    except (sqlite3.DatabaseError, OSError) as error:  # only the next open is slower for it
        log.debug("could not settle the corpus's folder times: %s", error)


def relative_folders(corpus_dir: Path, paths: Collection[Path]) -> set[str]:
    """The folders holding ``paths``, relative to the corpus ("" for its own); others left out."""
    if not paths:
        return set()
    root = os.path.realpath(corpus_dir)
    found = set()
    for path in paths:
        folder = os.path.relpath(os.path.realpath(os.path.dirname(path)), root)
        if folder == ".":
            found.add("")
        elif not folder.startswith(".."):
            found.add(Path(folder).as_posix())
    return found


@dataclass(frozen=True)
class Look:
    """The moved folders listed, beside what the catalog holds of them."""

    stored: Record
    scope: list[str]  # the folders listed, and those gone
    found: corpus.Scan
    known: dict[str, FileState]
    fingerprint: str  # the corpus's, with the listed folders as found
    changed: bool  # a story file in them was added, removed or has another size or time

    @classmethod
    def take(
        cls, corpus_dir: Path, live: NewsIndex, stored: Record, moved: folders.Moved
    ) -> Look | None:
        """List the moved folders of ``corpus_dir``; None when one cannot be listed."""
        found = corpus.scan(corpus_dir, only=moved.listed)
        if found.unlisted:
            return None
        scope = [*moved.listed, *moved.gone]
        with live.catalog.reading():
            known = live.catalog.files(scope)
        fingerprint = corpus.shifted(
            stored.fingerprint,
            ((path, state.size, state.mtime_ns) for path, state in known.items()),
            ((path, size, mtime) for path, (_, size, mtime) in found.files.items()),
        )
        changed = bool(corpus.stale(found, known)) or known.keys() != found.files.keys()
        return cls(stored, scope, found, known, fingerprint, changed)

    def problems(self, files: Mapping[str, FileState] | None = None) -> dict[str, str]:
        """The skipped files: the record's, with those in the listed folders as now found."""
        inside = set(self.scope)
        kept = {
            path: why
            for path, why in self.stored.problems.items()
            if path.rpartition("/")[0] not in inside
        }
        files = self.known if files is None else files
        now = corpus.problems(self.found, {p: s.problem for p, s in files.items() if s.problem})
        return dict(sorted({**kept, **now}.items()))


def recorded(index: NewsIndex) -> Record | None:
    """The catalog's folder record, when it still describes the catalog (nothing pending)."""
    catalog = index.catalog
    with catalog.reading():
        meta, pending = catalog.meta(), catalog.count("pending")
    stored = parse(meta)
    if pending or stored is None or stored.fingerprint != meta.get("fingerprint"):
        return None
    # A fingerprint of another kind (an older newsbot's digest) cannot be shifted by what
    # changed: the next full scan records one of this kind.
    return stored if len(stored.fingerprint) == corpus.FINGERPRINT_HEX else None


def locator(corpus_dir: Path) -> Callable[[str], tuple[str, int, int] | None]:
    """(path, size, mtime) of a corpus file by relative path; None unless a regular file."""

    def locate(relative: str) -> tuple[str, int, int] | None:
        path = os.path.join(corpus_dir, relative)
        try:
            info = os.stat(path, follow_symlinks=False)
        except OSError:
            return None
        return (path, info.st_size, info.st_mtime_ns) if stat.S_ISREG(info.st_mode) else None

    return locate


def folder_times(corpus_dir: Path, current: NewsIndex | None) -> dict[str, int] | None:
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
        stored = parse(meta)
        if stored is not None and folders.unchanged(corpus_dir, stored.times):
            return stored.times
    return folders.snapshot(corpus_dir)


def remember(index: NewsIndex, found: corpus.Scan, times: dict[str, int] | None) -> None:
    """Record the folder times taken before ``found`` when the catalog now matches it."""
    if times is None or found.unlisted:
        return
    fingerprint = found.fingerprint()
    catalog = index.catalog
    try:
        with catalog.reading():
            meta = catalog.meta()
            stored = parse(meta)
            if meta.get("fingerprint") != fingerprint or catalog.count("pending"):
                return
            if stored and stored.fingerprint == fingerprint and stored.times == times:
                return  # as recorded (a periodic scan that found nothing new)
            counts = {what: catalog.count(what) for what in COUNTED}
            problems = corpus.problems(found, catalog.problems())
        store(catalog, fingerprint, times, problems, counts)
    except sqlite3.Error as error:  # only a later first answer is slower for it
        log.debug("could not record the corpus's folder times: %s", error)


def store(
    catalog: Catalog,
    fingerprint: str,
    times: Mapping[str, int],
    problems: Mapping[str, str],
    counts: Mapping[str, int],
) -> None:
    """Store the folder record: what the catalog matched, as of the folder times taken."""
    value = {"fingerprint": fingerprint, "times": times, "problems": problems, "counts": counts}
    with catalog.writing():
        if catalog.meta().get("fingerprint") == fingerprint:  # not updated by another meanwhile
            catalog.set_meta({FOLDERS: json.dumps(value, separators=(",", ":"))})
