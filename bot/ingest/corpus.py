"""The corpus folder: find story files, read only what changed, report the bad ones."""

from __future__ import annotations

import hashlib
import logging
import os
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

from bot.ingest.articles import Article
from bot.ingest.readers import MAX_FILE_BYTES, SUFFIXES, ArticleError, parse_bytes

log = logging.getLogger(__name__)

# Notices that live beside the stories (attribution, licences) are not stories.
IGNORED = re.compile(r"^(readme|license|licence|notice|attribution|copying)\b", re.IGNORECASE)


@dataclass(frozen=True)
class FileState:
    """One corpus file as last read: enough to tell whether it changed, and what it held."""

    path: str
    size: int
    mtime_ns: int
    digest: str
    articles: tuple[Article, ...] = ()
    problem: str | None = None


@dataclass(frozen=True)
class Changes:
    added: tuple[str, ...] = ()
    changed: tuple[str, ...] = ()
    removed: tuple[str, ...] = ()
    unchanged: int = 0

    @property
    def any(self) -> bool:
        return bool(self.added or self.changed or self.removed)

    def summary(self) -> str:
        return (
            f"{len(self.added)} added, {len(self.changed)} changed, "
            f"{len(self.removed)} removed, {self.unchanged} unchanged"
        )


@dataclass(frozen=True)
class Scan:
    """What is on disk now: candidate files by relative path, and entries that cannot be stories."""

    files: dict[str, tuple[str, int, int]]  # relative path -> (path, size, mtime in ns)
    problems: dict[str, str] = field(default_factory=dict)

    def fingerprint(self) -> str:
        return self._fingerprint

    @cached_property
    def _fingerprint(self) -> str:
        # Computed once per scan: a refresh compares it up to three times, and at 180k files
        # each computation costs ~0.15 s of the time a new story waits.
        digest = hashlib.sha256()
        for name in sorted(self.files):
            _, size, mtime = self.files[name]
            digest.update(f"{name}\0{size}\0{mtime}\n".encode())
        return digest.hexdigest()


class CorpusError(Exception):
    """The corpus folder itself is missing or unreadable."""


def scan(root: Path) -> Scan:
    """Stat every story file under ``root`` (hidden entries and notices skipped).

    Plain strings and ``os.scandir`` rather than ``pathlib``: the running bot scans every few
    seconds, and at 100k files pathlib's objects made this the slowest step of a refresh.
    """
    if not root.is_dir():
        raise CorpusError(f"corpus folder {root} does not exist or is not a folder")
    files: dict[str, tuple[str, int, int]] = {}
    problems: dict[str, str] = {}
    pending = [(os.fspath(root), "")]
    while pending:
        folder, prefix = pending.pop()
        try:
            with os.scandir(folder) as entries:
                listed = sorted(entries, key=lambda e: e.name)
        except OSError as error:
            problems[prefix.rstrip("/") or "."] = f"cannot list folder: {error.strerror or error}"
            continue
        for entry in listed:
            name = entry.name
            if name.startswith("."):
                continue
            relative = prefix + name
            try:
                if entry.is_dir():
                    if name.lower().endswith(SUFFIXES):
                        problems[relative] = "a folder, not a story file"
                    else:
                        pending.append((entry.path, relative + "/"))
                    continue
                if IGNORED.match(name) or not name.lower().endswith(SUFFIXES):
                    continue
                info = entry.stat()
            except OSError as error:
                problems[relative] = f"cannot read: {error.strerror or error}"
                continue
            files[relative] = (entry.path, info.st_size, info.st_mtime_ns)
    return Scan(dict(sorted(files.items())), problems)


def stale(found: Scan, known: Mapping[str, FileState]) -> list[str]:
    """Files new since ``known`` or whose size or modification time changed: these are read."""
    stale: list[str] = []
    for relative, (_, size, mtime) in found.files.items():
        old = known.get(relative)
        if old is None or old.size != size or old.mtime_ns != mtime:
            stale.append(relative)
    return stale


def status(old: FileState | None, state: FileState) -> str:
    """What reading a stale file found: "unchanged" (same bytes), "added", "changed", "skipped"."""
    if old is not None and old.problem is None and old.digest == state.digest:
        return "unchanged"  # touched, not changed: what was read before still stands
    if state.problem:
        return "skipped"
    return "changed" if old is not None else "added"


def read_file(relative: str, path: str, size: int, mtime: int) -> FileState:
    """Read and parse one file; any failure becomes the file's recorded, logged problem."""
    if size > MAX_FILE_BYTES:  # refused unread: a stray dump must not stall or bloat indexing
        problem = f"file is {size / 2**20:.0f} MiB, over the {MAX_FILE_BYTES // 2**20} MiB limit"
        log.warning("skipped %s: %s", relative, problem)
        return FileState(relative, size, mtime, f"size:{size}", problem=problem)
    try:
        raw = Path(path).read_bytes()
    except OSError as error:
        problem = f"cannot read: {error.strerror or error}"
        log.warning("skipped %s: %s", relative, problem)
        return FileState(relative, size, mtime, "", problem=problem)
    digest = hashlib.sha256(raw).hexdigest()
    try:
        articles = tuple(parse_bytes(raw, relative))
    except ArticleError as error:
        log.warning("skipped %s: %s", relative, error)
        return FileState(relative, size, mtime, digest, problem=str(error))
    except Exception as error:  # a parser bug must cost one file, never the whole corpus
        log.exception("skipped %s: unexpected parser error", relative)
        return FileState(relative, size, mtime, digest, problem=f"parser error: {error!r}")
    return FileState(relative, size, mtime, digest, articles)


def unique_id(article_id: str, relative: str, free: Callable[[str], bool]) -> str:
    """``article_id``, or a variant of it when another file holds it: "chips-txt", "chips-txt-2".

    The file that claimed an id first keeps it, so ids never move while their file stays.
    """
    if free(article_id):
        return article_id
    suffix = os.path.splitext(relative)[1].lstrip(".").lower() or "dup"
    base, n = f"{article_id}-{suffix}", 2
    candidate = base
    while not free(candidate):
        candidate, n = f"{base}-{n}", n + 1
    return candidate


def problems(found: Scan, known: Mapping[str, str]) -> dict[str, str]:
    """Every file that holds no usable story, with the reason (``known``: path -> problem)."""
    bad = dict(found.problems)
    bad.update({path: problem for path, problem in known.items() if path in found.files})
    return dict(sorted(bad.items()))
