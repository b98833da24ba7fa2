"""Files that survive crashes: durable writes, cross-process locks and per-corpus cache paths."""

from __future__ import annotations

import contextlib
import hashlib
import os
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import BinaryIO

__all__ = ["atomic_write", "corpus_cache_path", "exclusive_lock", "write_atomically"]


def corpus_cache_path(
    cache_dir: Path, corpus_dir: Path, prefix: str = "", suffix: str = ""
) -> Path:
    """The cache entry of one corpus folder: ``<cache>/<prefix><folder name>-<digest><suffix>``.

    The digest of the resolved path keeps two corpora with the same folder name apart; the name
    keeps the cache readable to a person looking in it.
    """
    resolved = Path(corpus_dir).resolve()
    digest = hashlib.sha256(str(resolved).encode()).hexdigest()[:12]
    return Path(cache_dir) / f"{prefix}{resolved.name or 'corpus'}-{digest}{suffix}"


def write_atomically(path: Path, write: Callable[[BinaryIO], object]) -> None:
    """Let ``write`` fill a hidden temp file beside ``path``, fsync it, rename it over ``path``.

    Readers see the old file or the new one, never a part; a crash leaves at most a hidden
    ``.*.tmp`` file, which corpus scans skip because its name starts with a dot.
    """
    path = Path(path)
    fd, temp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name[:40]}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as handle:
            write(handle)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temp)
        raise
    _sync_folder(path.parent)


def atomic_write(path: Path, data: bytes) -> None:
    """``write_atomically`` for data already in memory."""
    write_atomically(path, lambda handle: handle.write(data))


def _sync_folder(folder: Path) -> None:
    # A rename is durable only once its folder is synced; Windows cannot open folders, and
    # there the rename is as durable as the file system makes it.
    with contextlib.suppress(OSError, AttributeError):
        fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


@contextlib.contextmanager
def exclusive_lock(path: Path, wait: bool = True) -> Iterator[bool]:
    """Hold an exclusive lock on the file ``path`` (created if missing) for the ``with`` block.

    Yields True once locked; with ``wait=False`` yields False at once when another process (or
    another open of the file in this one) holds it. The OS drops the lock when the holder dies,
    so a killed process never leaves a stale lock behind.
    """
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        locked = _lock(fd, wait)
        try:
            yield locked
        finally:
            if locked:
                _unlock(fd)
    finally:
        os.close(fd)


if os.name == "nt":  # pragma: no cover - exercised on Windows only
    import msvcrt

    def _lock(fd: int, wait: bool) -> bool:
        # LK_LOCK gives up after ten one-second retries; keep trying to block like flock.
        while True:
            try:
                msvcrt.locking(fd, msvcrt.LK_LOCK if wait else msvcrt.LK_NBLCK, 1)
            except OSError:
                if not wait:
                    return False
                continue
            return True

    def _unlock(fd: int) -> None:
        os.lseek(fd, 0, os.SEEK_SET)
        msvcrt.locking(fd, msvcrt.LK_UNLCK, 1)

else:
    import fcntl

    def _lock(fd: int, wait: bool) -> bool:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX if wait else fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return False
        return True

    def _unlock(fd: int) -> None:
        fcntl.flock(fd, fcntl.LOCK_UN)
