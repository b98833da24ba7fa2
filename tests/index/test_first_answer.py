"""A new process answers from the committed index at once, yet sees a file added just before it."""

from __future__ import annotations

import os
from collections.abc import Callable, Collection
from pathlib import Path

import pytest

from bot.index import folders, record
from bot.ingest import corpus as corpus_module
from bot.newsroom import Newsroom
from bot.settings import Settings
from tests.helpers import wire_story, write_story

# Folder and file times set this far back are settled (outside the racy window): nothing the
# test does afterwards can land within the same tick of the file system's clock.
LONG_AGO_NS = 10 * folders.RACY_NS


def _story(corpus: Path, name: str, place: str, figure: int) -> None:
    write_story(
        corpus,
        name,
        wire_story(
            f"{place} opens new ferry terminal",
            [
                f"The new ferry terminal in {place} will carry {figure} passengers a day.",
                f"Officials in {place} said the terminal cost less than planned.",
            ],
        ),
    )


def _age(root: Path) -> None:
    """Date every folder and file under ``root`` back past the racy window."""
    past = os.stat(root).st_mtime_ns - LONG_AGO_NS
    for folder, _, files in os.walk(root):
        for name in files:
            os.utime(os.path.join(folder, name), ns=(past, past))
        os.utime(folder, ns=(past, past))


@pytest.fixture
def corpus(tmp_path: Path) -> Path:
    root = tmp_path / "corpus"
    _story(root, "2024/05/incheon.txt", "Incheon", 4200)
    _story(root, "2024/06/busan.txt", "Busan", 3100)
    _age(root)
    return root


@pytest.fixture
def scanned(monkeypatch: pytest.MonkeyPatch) -> tuple[list[Path], list[tuple[str, ...]]]:
    """Every scan of the corpus in order: full ones (a stat of each file), and the folders
    each scan of some folders listed."""
    full: list[Path] = []
    some: list[tuple[str, ...]] = []
    real: Callable[..., corpus_module.Scan] = corpus_module.scan

    def counted(root: Path, only: Collection[str] | None = None) -> corpus_module.Scan:
        if only is None:
            full.append(root)
        else:
            some.append(tuple(sorted(only)))
        return real(root, only)

    monkeypatch.setattr(corpus_module, "scan", counted)
    return full, some


@pytest.fixture
def scans(scanned: tuple[list[Path], list[tuple[str, ...]]]) -> list[Path]:
    """Every full scan of the corpus (a stat of each file), in order."""
    return scanned[0]


@pytest.fixture
def listings(scanned: tuple[list[Path], list[tuple[str, ...]]]) -> list[tuple[str, ...]]:
    """The folders each scan of only the changed folders listed, in order."""
    return scanned[1]


def _settings(corpus: Path, tmp_path: Path) -> Settings:
    return Settings(corpus_dir=corpus, cache_dir=tmp_path / "cache")


def _cited(room: Newsroom, question: str) -> list[str]:
    answer = room.ask(question)
    return [c.article_id for c in answer.citations] if answer.found else []


def test_a_restart_answers_from_the_committed_index_without_a_full_scan(
    corpus: Path, tmp_path: Path, scans: list[Path]
):
    Newsroom(_settings(corpus, tmp_path))  # builds, and records the folder times
    assert len(scans) == 1
    scans.clear()
    room = Newsroom(_settings(corpus, tmp_path), quick=True)
    assert _cited(room, "How many passengers will the Incheon ferry terminal carry?") == ["incheon"]
    assert scans == []  # the answer came before any stat of a file
    assert room.report.action == "reused" and room.report.stories == 2
    room.refresh()  # the full check still happens, after the first answer
    assert len(scans) == 1


def test_a_file_added_just_before_the_command_is_answered_by_it(
    corpus: Path, tmp_path: Path, scans: list[Path], listings: list[tuple[str, ...]]
):
    Newsroom(_settings(corpus, tmp_path))
    scans.clear()
    _story(corpus, "2024/06/mokpo.txt", "Mokpo", 950)  # no waiting: it lands at once
    room = Newsroom(_settings(corpus, tmp_path), quick=True)
    assert _cited(room, "How many passengers will the Mokpo ferry terminal carry?") == ["mokpo"]
    assert room.report.action == "refreshed"
    assert room.report.stories_added == ("mokpo",)
    # Found without a stat of every file: only the folder whose time moved was listed.
    assert scans == [] and listings == [("2024/06",)]


def test_a_file_in_a_new_folder_and_a_removed_file_are_seen_too(corpus: Path, tmp_path: Path):
    Newsroom(_settings(corpus, tmp_path))
    _story(corpus, "2025/01/02/yeosu.txt", "Yeosu", 780)  # new folders, three deep
    (corpus / "2024" / "06" / "busan.txt").unlink()
    room = Newsroom(_settings(corpus, tmp_path), quick=True)
    assert _cited(room, "How many passengers will the Yeosu ferry terminal carry?") == ["yeosu"]
    assert _cited(room, "How many passengers will the Busan ferry terminal carry?") == []


def test_a_folder_changed_within_the_racy_window_is_scanned_again(
    corpus: Path, tmp_path: Path, scans: list[Path], listings: list[tuple[str, ...]]
):
    # Written and indexed in the same instant: a file added in the same clock tick could
    # leave the folder's time as recorded, so the folder is recorded as unknown.
    _story(corpus, "2024/07/ulsan.txt", "Ulsan", 600)
    Newsroom(_settings(corpus, tmp_path))
    scans.clear()
    room = Newsroom(_settings(corpus, tmp_path), quick=True)
    assert room.report.action == "reused"
    # Listed again, alone (with the folders that hold it, changed by its creation just now).
    assert scans == [] and listings and "2024/07" in listings[0]


def test_an_in_place_edit_waits_for_the_full_scan(corpus: Path, tmp_path: Path, scans: list[Path]):
    # The documented trade-off: rewriting a file in place leaves its folder's time alone.
    Newsroom(_settings(corpus, tmp_path))
    path = corpus / "2024" / "05" / "incheon.txt"
    folder_time = os.stat(path.parent).st_mtime_ns
    path.write_text(path.read_text().replace("4200", "5300"))
    os.utime(path.parent, ns=(folder_time, folder_time))  # as an in-place write leaves it
    room = Newsroom(_settings(corpus, tmp_path), quick=True)
    question = "How many passengers will the Incheon ferry terminal carry?"
    assert "4200" in room.ask(question).citations[0].text
    assert scans[1:] == []
    room.refresh()
    assert "5300" in room.ask(question).citations[0].text


def test_an_in_place_edit_named_by_a_file_event_is_read_without_a_full_scan(
    corpus: Path, tmp_path: Path, scans: list[Path], listings: list[tuple[str, ...]]
):
    room = Newsroom(_settings(corpus, tmp_path))
    path = corpus / "2024" / "05" / "incheon.txt"
    folder_time = os.stat(path.parent).st_mtime_ns
    path.write_text(path.read_text().replace("4200", "5300"))
    os.utime(path.parent, ns=(folder_time, folder_time))  # as an in-place write leaves it
    scans.clear()
    room.refresh(full=False)  # the folder's time alone says nothing changed
    question = "How many passengers will the Incheon ferry terminal carry?"
    assert "4200" in room.ask(question).citations[0].text
    room.refresh(full=False, touched={path})  # as the bot's corpus watch passes its events
    assert "5300" in room.ask(question).citations[0].text
    assert scans == [] and listings == [("2024/05",)]


def test_an_index_without_recorded_folder_times_is_checked_in_full(
    corpus: Path, tmp_path: Path, scans: list[Path]
):
    room = Newsroom(_settings(corpus, tmp_path))
    with room.index.catalog.writing():
        room.index.catalog.set_meta({record.FOLDERS: ""})  # as an index from an older newsbot
    scans.clear()
    Newsroom(_settings(corpus, tmp_path), quick=True)
    assert len(scans) == 1
    scans.clear()
    Newsroom(_settings(corpus, tmp_path), quick=True)  # recorded by the previous open
    assert scans == []


def test_a_quick_start_reports_the_skipped_files_a_full_scan_lists(
    corpus: Path, tmp_path: Path, scans: list[Path]
):
    write_story(corpus, "2024/06/empty.md", "---\ntitle: x\n---\n")  # no body: skipped
    (corpus / "2024" / "06" / "elsewhere.txt").symlink_to("/etc/hostname")  # never followed
    _age(corpus)
    full = Newsroom(_settings(corpus, tmp_path)).report
    assert len(full.problems) == 2
    scans.clear()
    quick = Newsroom(_settings(corpus, tmp_path), quick=True).report
    assert scans == []
    assert quick.problems == full.problems
    assert (quick.stories, quick.articles, quick.passages) == (
        full.stories, full.articles, full.passages,
    )  # fmt: skip
