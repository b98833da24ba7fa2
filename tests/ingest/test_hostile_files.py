"""Hostile or broken corpus entries: links never reach outside the corpus, never loop, never
make a story count twice; a folder that cannot be listed keeps what was indexed from it."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from bot.index.newsindex import open_index
from bot.ingest import corpus
from tests.helpers import newsroom, wire_story, write_story

SECRET = "DISCORD_TOKEN looks like a headline\nTOKEN=abc.def.ghi-secret-value\n"


@pytest.fixture
def outside(tmp_path: Path) -> Path:
    folder = tmp_path / "outside"
    write_story(folder, "secret.txt", SECRET)
    write_story(folder, ".env", SECRET)
    return folder


@pytest.fixture
def story_corpus(tmp_path: Path) -> Path:
    root = tmp_path / "corpus"
    write_story(
        root / "yonhap", "ferry.txt", wire_story("Ferry service resumes", ["Ferries sail again."])
    )
    return root


def _bounded_scandir(monkeypatch: pytest.MonkeyPatch, limit: int) -> list[str]:
    """Count folder listings: a scan that follows a loop fails here instead of hanging."""
    listed: list[str] = []
    real = os.scandir

    def scandir(path: str) -> os.ScandirIterator[str]:
        listed.append(str(path))
        assert len(listed) <= limit, f"scan listed {len(listed)} folders: it follows a loop"
        return real(path)

    monkeypatch.setattr(os, "scandir", scandir)
    return listed


def test_a_link_to_a_file_outside_the_corpus_is_never_read(
    story_corpus: Path, outside: Path, tmp_path: Path
):
    (story_corpus / "passwd.txt").symlink_to(outside / "secret.txt")
    (story_corpus / "env.txt").symlink_to(outside / ".env")
    room = newsroom(story_corpus, tmp_path / "cache")
    titles = [a.title for a in room.index.current]
    assert titles == ["Ferry service resumes"]
    assert room.source("passwd") is None and room.source("env") is None
    for name in ("passwd.txt", "env.txt"):
        assert "link" in room.report.problems[name], room.report.problems


def test_a_link_to_a_folder_outside_the_corpus_is_not_followed(
    story_corpus: Path, outside: Path, tmp_path: Path
):
    (story_corpus / "mounted").symlink_to(outside, target_is_directory=True)
    found = corpus.scan(story_corpus)
    assert list(found.files) == ["yonhap/ferry.txt"]
    assert "link" in found.problems["mounted"]


def test_links_to_the_corpus_itself_cannot_loop_or_store_a_story_twice(
    story_corpus: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    (story_corpus / "l1").symlink_to(".", target_is_directory=True)
    (story_corpus / "l2").symlink_to(".", target_is_directory=True)
    (story_corpus / "yonhap" / "loop").symlink_to("..", target_is_directory=True)
    (story_corpus / "again.txt").symlink_to(story_corpus / "yonhap" / "ferry.txt")
    _bounded_scandir(monkeypatch, limit=10)
    index, report = open_index(story_corpus, tmp_path / "cache")
    assert [a.path for a in index.current] == ["yonhap/ferry.txt"]
    assert {"l1", "l2", "yonhap/loop", "again.txt"} <= set(report.problems)


def test_a_file_swapped_for_a_link_after_the_scan_is_not_read(
    story_corpus: Path, outside: Path
):
    found = corpus.scan(story_corpus)
    path, size, mtime = found.files["yonhap/ferry.txt"]
    os.unlink(path)
    os.symlink(outside / "secret.txt", path)
    state = corpus.read_file("yonhap/ferry.txt", path, size, mtime)
    assert state.articles == ()
    assert state.problem and "link" in state.problem


def test_a_fifo_named_like_a_story_is_skipped_without_blocking(story_corpus: Path):
    os.mkfifo(story_corpus / "pipe.txt")
    found = corpus.scan(story_corpus)
    assert "pipe.txt" not in found.files
    assert "not a regular file" in found.problems["pipe.txt"]


def _unlistable(monkeypatch: pytest.MonkeyPatch, folder: Path) -> None:
    # Tests run as root, where chmod 000 does not stop a listing: simulate the refusal.
    real = os.scandir
    refused = os.fspath(folder)

    def scandir(path: str) -> os.ScandirIterator[str]:
        if isinstance(path, (str, os.PathLike)) and os.fspath(path) == refused:
            raise PermissionError(13, "Permission denied", refused)
        return real(path)

    monkeypatch.setattr(os, "scandir", scandir)


def test_an_unreadable_subfolder_keeps_the_stories_indexed_from_it(
    story_corpus: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    write_story(story_corpus, "other.txt", wire_story("Rail strike ends", ["Trains run again."]))
    room = newsroom(story_corpus, tmp_path / "cache")
    assert len(room.index.current) == 2
    _unlistable(monkeypatch, story_corpus / "yonhap")
    report = room.refresh()
    titles = sorted(a.title for a in room.index.current)
    assert titles == ["Ferry service resumes", "Rail strike ends"]
    assert report.changes.removed == ()
    assert "cannot list folder" in report.problems["yonhap"]
    assert "kept" in report.problems["yonhap"]
    assert room.ask("When do ferries sail?").found


def test_an_unreadable_corpus_root_keeps_the_whole_index(
    story_corpus: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    room = newsroom(story_corpus, tmp_path / "cache")
    _unlistable(monkeypatch, story_corpus)
    report = room.refresh()
    assert [a.title for a in room.index.current] == ["Ferry service resumes"]
    assert report.changes.removed == ()
    assert "cannot list folder" in report.problems["."]


def test_a_folder_readable_again_is_read_as_before(
    story_corpus: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    room = newsroom(story_corpus, tmp_path / "cache")
    with monkeypatch.context() as patch:
        _unlistable(patch, story_corpus / "yonhap")
        room.refresh()
    (story_corpus / "yonhap" / "ferry.txt").unlink()
    report = room.refresh()
    assert report.changes.removed == ("yonhap/ferry.txt",)
    assert list(room.index.current) == []
    assert "yonhap" not in report.problems
