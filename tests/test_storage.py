"""bot.storage: durable writes are all or nothing, locks exclude other processes, cache paths."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from bot.storage import atomic_write, corpus_cache_path, exclusive_lock, write_atomically
from tests.helpers import REPO


def test_an_atomic_write_replaces_the_whole_file(tmp_path: Path):
    target = tmp_path / "story.md"
    target.write_bytes(b"old")
    atomic_write(target, b"new text")
    assert target.read_bytes() == b"new text"
    assert [p.name for p in tmp_path.iterdir()] == ["story.md"]


def test_a_failed_write_keeps_the_old_file_and_leaves_no_temp_file(tmp_path: Path):
    target = tmp_path / "story.md"
    target.write_bytes(b"old")

    def half_then_fail(handle):
        handle.write(b"half of the new")
        raise OSError(28, "No space left on device")

    with pytest.raises(OSError, match="No space left"):
        write_atomically(target, half_then_fail)
    assert target.read_bytes() == b"old"
    assert [p.name for p in tmp_path.iterdir()] == ["story.md"]


def test_a_failed_rename_leaves_no_temp_file(tmp_path: Path, monkeypatch):
    target = tmp_path / "story.md"

    def no_rename(src: str, dst: str) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", no_rename)
    with pytest.raises(OSError):
        atomic_write(target, b"data")
    assert list(tmp_path.iterdir()) == []


def test_a_held_lock_refuses_a_second_holder_until_released(tmp_path: Path):
    lock = tmp_path / "index.lock"
    with exclusive_lock(lock) as first:
        assert first
        with exclusive_lock(lock, wait=False) as second:
            assert not second
    with exclusive_lock(lock, wait=False) as again:
        assert again


def test_a_lock_held_by_a_process_is_released_when_that_process_dies(tmp_path: Path):
    lock = tmp_path / "index.lock"
    code = (
        "import sys\n"
        "from bot.storage import exclusive_lock\n"
        f"with exclusive_lock({str(lock)!r}):\n"
        "    print('locked', flush=True)\n"
        "    sys.stdin.read()\n"  # holds the lock until killed
    )
    holder = subprocess.Popen(
        [sys.executable, "-c", code],
        cwd=REPO,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout is not None
        assert holder.stdout.readline().strip() == "locked"  # the holder says when it holds it
        with exclusive_lock(lock, wait=False) as got:
            assert not got
        holder.kill()
        holder.wait()
        with exclusive_lock(lock, wait=False) as got:
            assert got  # no stale lock after a kill -9
    finally:
        if holder.poll() is None:
            holder.kill()
            holder.wait()


def test_each_corpus_folder_gets_its_own_cache_entry(tmp_path: Path):
    one, two = tmp_path / "a" / "corpus", tmp_path / "b" / "corpus"
    cache = tmp_path / "cache"
    assert corpus_cache_path(cache, one) != corpus_cache_path(cache, two)
    assert corpus_cache_path(cache, one) == corpus_cache_path(cache, one / ".." / "corpus")
    assert corpus_cache_path(cache, one).name.startswith("corpus-")
    feeds = corpus_cache_path(cache, one, prefix="feeds-", suffix=".json")
    assert feeds.name == f"feeds-{corpus_cache_path(cache, one).name}.json"
