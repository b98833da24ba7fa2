"""An unusable cache folder is one line naming NEWSBOT_CACHE_DIR and a non-zero exit; a
read-only cache that holds a valid index still answers."""

from __future__ import annotations

import array
import contextlib
import fcntl
import os
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.index.catalog import Catalog
from bot.terminal import cli
from tests.helpers import SEED, newsroom

QUESTION = "How many American troops are stationed in South Korea?"
# Linux's "immutable" inode flag (chattr +i): the one way to make a folder unwritable for
# root too, which these tests may run as.
_GET_FLAGS, _SET_FLAGS, _IMMUTABLE = 0x80086601, 0x40086602, 0x10


def _set_immutable(path: Path, on: bool) -> None:
    fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW)
    try:
        flags = array.array("l", [0])
        fcntl.ioctl(fd, _GET_FLAGS, flags, True)
        flags[0] = flags[0] | _IMMUTABLE if on else flags[0] & ~_IMMUTABLE
        fcntl.ioctl(fd, _SET_FLAGS, flags, True)
    finally:
        os.close(fd)


@contextlib.contextmanager
def read_only(folder: Path) -> Iterator[None]:
    """Nothing under ``folder`` can be created, changed or removed, by anyone, until exit."""
    paths = [*sorted(folder.rglob("*"), reverse=True), folder]  # children before parents
    if os.geteuid() == 0:
        try:
            for path in paths:
                _set_immutable(path, True)
        except OSError as error:
            for path in paths:
                with contextlib.suppress(OSError):
                    _set_immutable(path, False)
            pytest.skip(f"running as root where the immutable flag is refused ({error})")
        try:
            yield
        finally:
            for path in paths:
                _set_immutable(path, False)
    else:
        modes = {path: path.stat().st_mode for path in paths}
        for path in paths:
            path.chmod(modes[path] & ~0o222)
        try:
            yield
        finally:
            for path in reversed(paths):
                path.chmod(modes[path])


@pytest.fixture
def corpus(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "corpus"
    folder.mkdir()
    (folder / SEED.name).write_text(SEED.read_text(encoding="utf-8"), encoding="utf-8")
    monkeypatch.chdir(tmp_path)  # no .env of the working folder
    return folder


def _run(argv: list[str], cache: Path, monkeypatch, capsys) -> tuple[int, str, str]:
    monkeypatch.setenv("NEWSBOT_CACHE_DIR", str(cache))
    code = cli.main(argv)
    out, err = capsys.readouterr()
    return code, out, err


def _one_line(err: str) -> str:
    lines = [line for line in err.splitlines() if line.strip()]
    assert len(lines) == 1, err
    assert "Traceback" not in err
    return lines[0]


def test_a_cache_path_that_is_a_file_is_one_line_naming_the_setting(
    corpus: Path, tmp_path: Path, monkeypatch, capsys
):
    cache = tmp_path / "not-a-folder"
    cache.write_text("oops")
    code, _, err = _run(["ask", "--corpus", str(corpus), QUESTION], cache, monkeypatch, capsys)
    assert code != 0
    line = _one_line(err)
    assert "NEWSBOT_CACHE_DIR" in line and str(cache) in line


def test_an_unwritable_empty_cache_is_one_line_naming_the_setting(
    corpus: Path, tmp_path: Path, monkeypatch, capsys
):
    cache = tmp_path / "cache"
    cache.mkdir()
    with read_only(cache):
        code, _, err = _run(["index", "--corpus", str(corpus)], cache, monkeypatch, capsys)
    assert code != 0
    line = _one_line(err)
    assert "NEWSBOT_CACHE_DIR" in line and str(cache) in line


def test_a_read_only_cache_with_a_valid_index_still_answers(
    corpus: Path, tmp_path: Path, monkeypatch, capsys
):
    cache = tmp_path / "cache"
    newsroom(corpus, cache).index.close()
    with read_only(cache):
        code, out, err = _run(
            ["ask", "--corpus", str(corpus), QUESTION], cache, monkeypatch, capsys
        )
    assert code == 0, err
    assert "28,500" in out


def test_a_full_disk_is_reported_as_such_not_as_a_failed_rollback(
    corpus: Path, tmp_path: Path, monkeypatch, capsys
):
    real = Catalog.add_passages

    def full(self: Catalog, *args, **kwargs):
        # What SQLite does on SQLITE_FULL: it rolls the transaction back itself, then raises.
        real(self, *args, **kwargs)
        self._db().execute("ROLLBACK")
        raise sqlite3.OperationalError("database or disk is full")

    monkeypatch.setattr(Catalog, "add_passages", full)
    cache = tmp_path / "cache"
    argv = ["index", "--json", "--corpus", str(corpus)]  # --json: no progress bar on stderr
    code, _, err = _run(argv, cache, monkeypatch, capsys)
    assert code != 0
    line = _one_line(err)
    assert "database or disk is full" in line and "NEWSBOT_CACHE_DIR" in line
