"""A stamp beside the catalog saying its pages passed a check, valid while the file is as it was.

``PRAGMA quick_check`` reads every page of the catalog: a second per gigabyte, paid by every
fresh process before its first answer. The stamp records the catalog file's identity (device,
inode, size, modification and change times) after a check found it sound; an open that finds
the file as stamped skips the check. Anything that writes the file outside SQLite (a stray
``dd``, a restored backup, a copy) changes its times, and the next open checks it again.

A process that opened a checked catalog stamps it again after its own SQLite writes (a commit,
a checkpoint on close), as long as the file was still as it last knew it when it began: the
writes SQLite makes are trusted as the check itself trusts SQLite. What no stamp can see is
damage that leaves the file's times alone (a failing disk): SQLite reports that when a request
reads the page, and the next refresh rebuilds the index (``NewsIndex.damage``).
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
import threading
from pathlib import Path

SUFFIX = ".checked"


def identity(path: Path) -> str | None:
    """What the stamp records of the file at ``path``; None when it cannot be stat'd."""
    try:
        found = os.stat(path)
    except OSError:
        return None
    return f"{found.st_dev} {found.st_ino} {found.st_size} {found.st_mtime_ns} {found.st_ctime_ns}"


def _stamp_path(path: Path) -> Path:
    return path.with_name(path.name + SUFFIX)


def stamped(path: Path) -> str | None:
    """The identity the stamp beside ``path`` records, or None without one."""
    try:
        return _stamp_path(path).read_text(encoding="ascii").strip() or None
    except (OSError, UnicodeDecodeError):
        return None


def holds(path: Path) -> bool:
    """True when the file at ``path`` is exactly as it was when last stamped."""
    now = identity(path)
    return now is not None and stamped(path) == now


def stamp(path: Path, seen: str | None) -> bool:
    """Record ``seen`` (the identity taken before the file was checked) as sound.

    Written in a temporary file renamed over the stamp: a reader sees the old stamp or the
    new one. No sync: a stamp lost in a crash costs one check, never a wrong answer. False
    when the stamp cannot be written (a read-only cache): every open then checks.
    """
    if seen is None:
        return False
    target = _stamp_path(path)
    temporary = target.with_name(f".{target.name}.{os.getpid()}")
    try:
        temporary.write_text(seen + "\n", encoding="ascii")
        os.replace(temporary, target)
    except OSError:
        with contextlib.suppress(OSError):
            temporary.unlink(missing_ok=True)
        return False
    return True


class Vouch:
    """One process's word that a catalog file is sound, kept up as its own writes change it."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._sound: str | None = None  # the file's identity when last known sound

    def adopt(self) -> bool:
        """Vouch for the file when its stamp holds (it passed a check as it is now)."""
        seen = identity(self.path)
        self._sound = seen if seen is not None and stamped(self.path) == seen else None
        return self._sound is not None

    def holds(self) -> bool:
        """True when the file is as last vouched for (or as another process stamped it).

        Called before a write or a close, which may change the file through SQLite alone.
        """
        if self._sound is None:
            return False
        now = identity(self.path)
        if now is not None and (now == self._sound or stamped(self.path) == now):
            return True
        self._sound = None  # changed by someone else: the next open checks it
        return False

    def renew(self) -> None:
        """Stamp the file as it is after this process's own SQLite writes."""
        self._sound = identity(self.path)
        if not stamp(self.path, self._sound):
            self._sound = None


def close(connections: list[sqlite3.Connection], guard: threading.Lock, vouch: Vouch) -> None:
    """Close a catalog's connections, then stamp the file as the last one's checkpoint left it.

    Also a catalog's finalizer (``weakref.finalize``), when it is dropped unclosed or the
    interpreter exits: left to themselves, its connections would checkpoint after the stamp,
    and the next process would check every page again.
    """
    sound = vouch.holds()
    with guard:
        opened = list(connections)
        connections.clear()
    for connection in opened:
        connection.close()
    if sound:
        vouch.renew()
