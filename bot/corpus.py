"""The corpus folder: find story files, read only what changed, report the bad ones."""

from __future__ import annotations

import hashlib
import logging
import os
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path

from bot.articles import Article
from bot.readers import MAX_FILE_BYTES, SUFFIXES, ArticleError, parse_bytes

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


def read_changed(
    found: Scan,
    previous: Mapping[str, FileState],
    progress: Callable[[str, str], None] | None = None,
) -> tuple[dict[str, FileState], Changes]:
    """Read the files that are new or changed; reuse what an earlier read of the same bytes gave.

    ``progress(relative path, what happened)`` is called once per file: "unchanged", "added",
    "changed" or "skipped" (a file that holds no usable story).
    """
    states: dict[str, FileState] = {}
    added: list[str] = []
    changed: list[str] = []
    unchanged = 0
    for relative, (path, size, mtime) in found.files.items():
        old = previous.get(relative)
        status = "unchanged"
        if old and old.size == size and old.mtime_ns == mtime:
            states[relative] = old
            unchanged += 1
        else:
            state = _read(path, relative, size, mtime)
            if old and old.digest == state.digest and old.problem is None:
                state = replace(old, mtime_ns=mtime)  # touched, not changed: keep the parse
                unchanged += 1
            else:
                status = "changed" if old else "added"
                (changed if old else added).append(relative)
                if state.problem:
                    status = "skipped"
            states[relative] = state
        if progress:
            progress(relative, status)
    for relative, _reason in found.problems.items():
        states.pop(relative, None)
    removed = tuple(sorted(set(previous) - set(states)))
    return states, Changes(tuple(added), tuple(changed), removed, unchanged)


def _read(path: str, relative: str, size: int, mtime: int) -> FileState:
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


def all_articles(
    states: Mapping[str, FileState],
) -> tuple[list[Article], dict[str, tuple[str, int]]]:
    """Every article of every good file, with where each came from (file, position in it).

    Ids are made unique where two files share a name: the file sorted first keeps the plain id.
    """
    seen: set[str] = set()
    articles: list[Article] = []
    origins: dict[str, tuple[str, int]] = {}
    for relative in sorted(states):
        for position, article in enumerate(states[relative].articles):
            if article.article_id in seen:
                suffix = Path(relative).suffix.lstrip(".").lower() or "dup"
                base, n = f"{article.article_id}-{suffix}", 2
                candidate = base
                while candidate in seen:
                    candidate, n = f"{base}-{n}", n + 1
                article = replace(article, article_id=candidate)
            seen.add(article.article_id)
            articles.append(article)
            origins[article.article_id] = (relative, position)
    return articles, origins


def problems(found: Scan, states: Mapping[str, FileState]) -> dict[str, str]:
    """Every file that holds no usable story, with the reason."""
    bad = dict(found.problems)
    bad.update({s.path: s.problem for s in states.values() if s.problem})
    return dict(sorted(bad.items()))
