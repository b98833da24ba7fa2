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
from collections.abc import Mapping
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
            with os.scandir(folder) as entries:
                inside = [
                    (entry.path, f"{relative}/{entry.name}" if relative else entry.name)
                    for entry in entries
                    if not entry.name.startswith(".") and entry.is_dir(follow_symlinks=False)
                ]
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
