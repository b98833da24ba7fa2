"""The corpus folder: find story files, read only what changed, report the bad ones."""

from __future__ import annotations

import errno
import hashlib
import logging
import os
import re
import stat
from collections.abc import Callable, Collection, Iterable, Mapping
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

from bot.ingest.articles import Article
from bot.ingest.files import MAX_FILE_BYTES, SUFFIXES

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
    """How the corpus differs from the last read: relative paths added, changed and removed."""

    added: tuple[str, ...] = ()
    changed: tuple[str, ...] = ()
    removed: tuple[str, ...] = ()
    unchanged: int = 0

    @property
    def any(self) -> bool:
        """True when a file was added, changed or removed."""
        return bool(self.added or self.changed or self.removed)

    def summary(self) -> str:
        """One line for logs and the CLI: "2 added, 0 changed, 1 removed, 40 unchanged"."""
        return (
            f"{len(self.added)} added, {len(self.changed)} changed, "
            f"{len(self.removed)} removed, {self.unchanged} unchanged"
        )


@dataclass(frozen=True)
class Scan:
    """What is on disk now: candidate files by relative path, and entries that cannot be stories."""

    files: dict[str, tuple[str, int, int]]  # relative path -> (path, size, mtime in ns)
    problems: dict[str, str] = field(default_factory=dict)
    # Folders that could not be listed ("" for the corpus root): their files are not gone,
    # only unseen, so an update keeps what it last read from them.
    unlisted: tuple[str, ...] = ()

    def fingerprint(self) -> str:
        """A digest of every file's path, size and mtime: equal when nothing visibly changed."""
        return self._fingerprint

    @cached_property
    def _fingerprint(self) -> str:
        # Computed once per scan: a refresh compares it up to three times, and at 180k files
        # each computation costs ~0.15 s of the time a new story waits.
        total = sum(_entry(name, size, mtime) for name, (_, size, mtime) in self.files.items())
        total += sum(_entry("unlisted", 0, 0, folder) for folder in self.unlisted)
        return _hex(total)

    def hides(self, relative: str) -> bool:
        """True when ``relative`` lies in a folder this scan could not list."""
        return any(folder == "" or relative.startswith(folder + "/") for folder in self.unlisted)


# A fingerprint is a sum of one digest per file (mod 2**128), not a digest of the sorted list:
# equal for equal sets of files in any order, and shifted by what changed in a few folders
# without going over the other files again (``shifted``).
_FINGERPRINT_BITS = 128
FINGERPRINT_HEX = _FINGERPRINT_BITS // 4  # hex digits in a fingerprint


def _entry(name: str, size: int, mtime: int, unlisted: str = "") -> int:
    data = f"{name}\0{size}\0{mtime}\0{unlisted}".encode()
    return int.from_bytes(hashlib.blake2b(data, digest_size=16).digest(), "little")


def _hex(total: int) -> str:
    return f"{total % (1 << _FINGERPRINT_BITS):0{FINGERPRINT_HEX}x}"


def shifted(
    fingerprint: str, gone: Iterable[tuple[str, int, int]], came: Iterable[tuple[str, int, int]]
) -> str:
    """``fingerprint`` after the files ``gone`` (path, size, mtime) were replaced by ``came``.

    Equal to the fingerprint of a full scan that finds the same files.
    """
    total = int(fingerprint, 16) - sum(_entry(*state) for state in gone)
    return _hex(total + sum(_entry(*state) for state in came))


class CorpusError(Exception):
    """The corpus folder itself is missing or unreadable."""


def _link_problem(path: str, root: str) -> str:
    """Why a symbolic link in the corpus is not followed (links are never read)."""
    target = os.path.realpath(path)
    if target != root and not target.startswith(root + os.sep):
        return "a link to outside the corpus folder: not read"
    return "a link inside the corpus folder: not followed (its target is read at its own path)"


def scan(root: Path, only: Collection[str] | None = None) -> Scan:
    """Stat every story file under ``root`` (hidden entries and notices skipped).

    ``only``: list just these folders (relative, "" for ``root``), not their subfolders.

    Symbolic links below ``root`` are never followed: one to outside would let anyone who can
    drop a file in the corpus publish any file the bot can read, and one to a folder above
    could loop forever or store every story many times. Each is reported with the reason. Only
    regular files are stories (a FIFO would block the reader). ``root`` itself may be a link.

    Plain strings and ``os.scandir`` rather than ``pathlib``: the running bot scans every few
    seconds, and at 100k files pathlib's objects made this the slowest step of a refresh.
    """
    if not root.is_dir():
        raise CorpusError(f"corpus folder {root} does not exist or is not a folder")
    real_root = os.path.realpath(root)
    files: dict[str, tuple[str, int, int]] = {}
    problems: dict[str, str] = {}
    unlisted: list[str] = []
    base = os.fspath(root)
    pending = [(base, "")] if only is None else [
        (os.path.join(base, folder) if folder else base, f"{folder}/" if folder else "")
        for folder in sorted(only, reverse=True)
    ]  # fmt: skip
    while pending:
        folder, prefix = pending.pop()
        try:
            with os.scandir(folder) as entries:
                listed = sorted(entries, key=lambda e: e.name)
        except OSError as error:
            unlisted.append(prefix.rstrip("/"))
            problems[prefix.rstrip("/") or "."] = (
                f"cannot list folder: {error.strerror or error}; "
                "the stories indexed from it are kept until it can be read"
            )
            log.error("cannot list corpus folder %s: %s", folder, error.strerror or error)
            continue
        for entry in listed:
            name = entry.name
            if name.startswith("."):
                continue
            relative = prefix + name
            try:
                if entry.is_symlink():
                    if name.lower().endswith(SUFFIXES) or entry.is_dir():
                        problems[relative] = _link_problem(entry.path, real_root)
                    continue
                if entry.is_dir(follow_symlinks=False):
                    if name.lower().endswith(SUFFIXES):
                        problems[relative] = "a folder, not a story file"
                    elif only is None:
                        pending.append((entry.path, relative + "/"))
                    continue
                if IGNORED.match(name) or not name.lower().endswith(SUFFIXES):
                    continue
                if not entry.is_file(follow_symlinks=False):
                    problems[relative] = "not a regular file (a pipe, socket or device)"
                    continue
                info = entry.stat(follow_symlinks=False)
            except OSError as error:
                problems[relative] = f"cannot read: {error.strerror or error}"
                continue
            files[relative] = (entry.path, info.st_size, info.st_mtime_ns)
    return Scan(dict(sorted(files.items())), problems, tuple(sorted(unlisted)))


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


def _read_confined(relative: str, path: str) -> bytes:
    """The bytes of a regular file at ``path``, never through a link.

    The scan skipped links, but a file (or a folder above it) may be swapped for one before
    the read. So the file is reached from the corpus root one step at a time, each step
    opened relative to the last with O_NOFOLLOW (a link at any step fails with ELOOP), which
    costs a few system calls where resolving the whole path cost ~0.2 ms a file. O_NONBLOCK
    keeps a FIFO from blocking the open; only a regular file is read.
    """
    parts = relative.split("/")
    root = path[: len(path) - len(relative)].rstrip(os.sep) or os.sep
    step = os.O_RDONLY | os.O_NOFOLLOW | os.O_CLOEXEC
    folder = os.open(root, os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)  # may be a link
    try:
        for part in parts[:-1]:
            inner = os.open(part, step | os.O_DIRECTORY, dir_fd=folder)
            os.close(folder)
            folder = inner
        fd = os.open(parts[-1], step | os.O_NONBLOCK, dir_fd=folder)
    except OSError as error:
        if error.errno in (errno.ELOOP, errno.ENOTDIR):
            raise _Refused("reached through a link: not read") from error
        raise
    finally:
        os.close(folder)
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise _Refused("not a regular file (a pipe, socket or device)")
        chunks, left = [], MAX_FILE_BYTES + 1
        while left > 0:  # one read for a file that did not grow since its stat
            chunk = os.read(fd, min(left, max(info.st_size + 1, 65536)))
            if not chunk:
                break
            chunks.append(chunk)
            left -= len(chunk)
        return b"".join(chunks)
    finally:
        os.close(fd)


class _Refused(Exception):
    """A corpus entry that must not be read, with the reason."""


def read_file(relative: str, path: str, size: int, mtime: int) -> FileState:
    """Read and parse one file; any failure becomes the file's recorded, logged problem."""
    if size > MAX_FILE_BYTES:  # refused unread: a stray dump must not stall or bloat indexing
        problem = f"file is {size / 2**20:.0f} MiB, over the {MAX_FILE_BYTES // 2**20} MiB limit"
        log.warning("skipped %s: %s", relative, problem)
        return FileState(relative, size, mtime, f"size:{size}", problem=problem)
    try:
        raw = _read_confined(relative, path)
    except _Refused as refused:
        log.warning("skipped %s: %s", relative, refused)
        return FileState(relative, size, mtime, "", problem=str(refused))
    except OSError as error:
        problem = f"cannot read: {error.strerror or error}"
        log.warning("skipped %s: %s", relative, problem)
        return FileState(relative, size, mtime, "", problem=problem)
    if len(raw) > MAX_FILE_BYTES:  # grew since the scan
        problem = f"file is over the {MAX_FILE_BYTES // 2**20} MiB limit"
        log.warning("skipped %s: %s", relative, problem)
        return FileState(relative, size, mtime, f"size:{len(raw)}", problem=problem)
    digest = hashlib.sha256(raw).hexdigest()
    # Here, not at the top: a start-up that finds nothing changed reads no file, and the
    # parsers (YAML, wire copy) cost a fresh `newsbot ask` ~20 ms to import.
    from bot.ingest.readers import ArticleError, parse_file

    try:
        found, notes = parse_file(raw, relative, file_time=mtime / 1e9)
        articles = tuple(found)
    except ArticleError as error:
        log.warning("skipped %s: %s", relative, error)
        return FileState(relative, size, mtime, digest, problem=str(error))
    except Exception as error:  # a parser bug must cost one file, never the whole corpus
        log.exception("skipped %s: unexpected parser error", relative)
        return FileState(relative, size, mtime, digest, problem=f"parser error: {error!r}")
    if notes:  # stories were read, and some records were not: both are kept and shown
        note = "; ".join(notes)
        log.warning("partly read %s: %s", relative, note)
        return FileState(relative, size, mtime, digest, articles, problem=note)
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
    kept = (path for path in known if path in found.files or found.hides(path))
    bad.update({path: known[path] for path in kept})
    return dict(sorted(bad.items()))
