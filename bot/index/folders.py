"""Folder times of the corpus: a test, without a stat per file, that no file was added or removed.

Adding, removing or renaming a file changes the modification time of the folder holding it
(POSIX), and creating a folder changes its parent's. So when every folder of the corpus still
has the time it had when the index was last brought up to date, no story file came or went,
and a process can answer from the committed index at once: a stat per folder (thousands)
instead of one per file (hundreds of thousands).

What this cannot see: a file rewritten in place (``>``, ``>>``, an editor that overwrites
instead of saving a new file and renaming it) changes only the file's own time. Such an edit is
seen by the next full scan: ``newsbot index``, ``newsbot status`` and a running bot's periodic
scan. Tools that write a new file and rename it over the old one (newsbot's feeds, rsync, most
sync clients and many editors) change the folder's time and are seen at once.
"""

from __future__ import annotations

import os
import stat
import time
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from pathlib import Path

# A folder changed this recently may change again within the same tick of the file system's
# clock (Linux stamps times from a coarse clock, milliseconds apart; network mounts skew): a
# file added after the listing could leave the time as recorded. Such folders are recorded as
# unknown (-1), which later counts as changed, as git treats "racily clean" index entries.
RACY_NS = 2_000_000_000
UNKNOWN = -1


def snapshot(root: Path) -> dict[str, int] | None:
    """Every folder under ``root`` (relative path, "" for ``root``) -> its time in ns.

    Each folder's time is taken before it is listed, so any change after the listing moves
    the time past the recorded one. Hidden folders and links are skipped, as the corpus scan
    skips them (``root`` itself may be a link). None when a folder cannot be read: then only a
    full scan can tell what is there.
    """
    now = time.time_ns()
    times: dict[str, int] = {}
    pending = [(os.fspath(root), "")]
    while pending:
        folder, relative = pending.pop()
        try:
            mtime = os.stat(folder, follow_symlinks=not relative).st_mtime_ns
            inside = _subfolders(folder, relative)
        except OSError:
            return None
        times[relative] = UNKNOWN if mtime >= now - RACY_NS else mtime
        pending.extend(inside)
    return times


def unchanged(root: Path, times: Mapping[str, int]) -> bool:
    """True when every folder in ``times`` still has its recorded time (none unknown)."""
    base = os.fspath(root)
    for relative, recorded in times.items():
        if recorded == UNKNOWN:
            return False
        try:
            found = os.stat(os.path.join(base, relative) if relative else base,
                            follow_symlinks=not relative)  # fmt: skip
        except OSError:
            return False
        if found.st_mtime_ns != recorded or not stat.S_ISDIR(found.st_mode):
            return False
    return bool(times)


@dataclass(frozen=True)
class Moved:
    """The folders to list again since ``times`` were recorded, and the times to record next."""

    listed: tuple[str, ...]  # folders whose time moved (or was unknown), and new folders
    gone: tuple[str, ...]  # recorded folders that are no longer folders
    times: dict[str, int]  # every folder's time now, each taken before it is listed

    @property
    def any(self) -> bool:
        """True when some folder must be listed, or is gone."""
        return bool(self.listed or self.gone)


def moved(root: Path, times: Mapping[str, int], also: Collection[str] = ()) -> Moved | None:
    """Which folders changed since ``times``: a stat per recorded folder, a listing per changed one.

    A folder not in ``times`` can only appear inside one whose time moved (creating it changed
    its parent's), so only those are searched for new folders, whose whole trees are new. None
    when a folder cannot be read (only a full scan can tell then) or the corpus folder is gone.
    ``also``: folders to list even if their time stayed (where file-system events said a file
    changed: a rewrite in place leaves the folder's time alone).
    """
    now = time.time_ns()
    base = os.fspath(root)
    found: dict[str, int] = {}
    listed: list[str] = []
    gone: list[str] = []
    for relative, recorded in times.items():
        try:
            info = os.stat(os.path.join(base, relative) if relative else base,
                           follow_symlinks=not relative)  # fmt: skip
        except OSError:
            info = None
        if info is None or not stat.S_ISDIR(info.st_mode):
            if not relative:
                return None
            gone.append(relative)
            continue
        mtime = info.st_mtime_ns
        found[relative] = UNKNOWN if mtime >= now - RACY_NS else mtime
        if recorded == UNKNOWN or mtime != recorded or relative in also:
            listed.append(relative)
    for relative in list(listed):
        try:
            new = _subfolders(os.path.join(base, relative) if relative else base, relative)
        except OSError:
            return None
        for path, child in new:
            if child in times:
                continue
            below = snapshot(Path(path))
            if below is None:
                return None
            for inner, mtime in below.items():
                name = f"{child}/{inner}" if inner else child
                found[name] = mtime
                listed.append(name)
    return Moved(tuple(listed), tuple(gone), found)


def _subfolders(path: str, relative: str) -> list[tuple[str, str]]:
    """The folders directly in ``path`` (links and dot-folders left out): (path, relative)."""
    with os.scandir(path) as entries:
        return [
            (entry.path, f"{relative}/{entry.name}" if relative else entry.name)
            for entry in entries
            if not entry.name.startswith(".") and entry.is_dir(follow_symlinks=False)
        ]
