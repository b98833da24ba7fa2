"""Hostile or broken corpus entries: links never reach outside the corpus, never loop, never
make a story count twice; a folder that cannot be listed keeps what was indexed from it."""

from __future__ import annotations

import os
import unicodedata
from pathlib import Path

import pytest

from bot.index.opening import open_index
from bot.ingest import corpus, readers
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


# 421 bytes that expand to 9**9 strings when every alias is followed.
ALIAS_BOMB = (
    "---\n"
    'a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]\n'
    "b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]\n"
    "c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]\n"
    "d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]\n"
    "e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]\n"
    "f: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]\n"
    "g: &g [*f,*f,*f,*f,*f,*f,*f,*f,*f]\n"
    "h: &h [*g,*g,*g,*g,*g,*g,*g,*g,*g]\n"
    "i: &i [*h,*h,*h,*h,*h,*h,*h,*h,*h]\n"
    "title: *i\n"
    "---\n"
    "Body of the story.\n"
)


def test_a_yaml_alias_bomb_is_refused_with_a_reason_before_anything_expands_it(
    story_corpus: Path, tmp_path: Path
):
    with pytest.raises(readers.ArticleError, match="alias"):
        readers.split_front_matter(ALIAS_BOMB)
    write_story(story_corpus, "bomb.md", ALIAS_BOMB)
    room = newsroom(story_corpus, tmp_path / "cache")
    assert "alias" in room.report.problems["bomb.md"]
    assert [a.title for a in room.index.current] == ["Ferry service resumes"]


def test_front_matter_with_an_asterisk_or_an_unused_anchor_still_loads():
    meta, body = readers.split_front_matter(
        '---\ntitle: "*Breaking* news: fares rise"\ntags: &t [transport]\n---\nBody.\n'
    )
    assert meta == {"title": "*Breaking* news: fares rise", "tags": ["transport"]}
    assert body == "Body.\n"


def _controls(text: str) -> list[str]:
    return [c for c in text if unicodedata.category(c) == "Cc" and c not in "\n\t"]


def test_control_characters_are_removed_from_stored_text_at_ingestion(story_corpus: Path):
    hostile = (
        "Port strike \x1b]0;pwned\x07ends\x1b[2J\n"
        "By Park Min-ji\x9b31m\n"
        "SEOUL, June 2 (Yonhap) -- Dock workers\x1b]52;c;ZXZpbA==\x07 returned to work, the union"
        " said.&#27;[5m Cargo moved again.&#1;\x0cThe strike lasted a week.\n"
        "(END)\n"
    )
    write_story(story_corpus, "strike.txt", hostile)
    md = (
        '---\ntitle: "Fares \\e]0;x\\a rise"\nauthor: "Kim\\x9b"\n---\n'
        "Fares rose\x1b[31m today.\n"
    )
    write_story(story_corpus, "fares.md", md)
    for name in ("strike.txt", "fares.md"):
        found = corpus.scan(story_corpus)
        state = corpus.read_file(name, *found.files[name])
        assert state.problem is None, state.problem
        (article,) = state.articles
        for value in (article.title, article.byline or "", article.text):
            assert _controls(value) == [], (name, value)
    strike = corpus.read_file("strike.txt", *corpus.scan(story_corpus).files["strike.txt"])
    assert strike.articles[0].title == "Port strike ends"
    assert "returned to work, the union said." in strike.articles[0].text
    assert "The strike lasted a week." in strike.articles[0].text
