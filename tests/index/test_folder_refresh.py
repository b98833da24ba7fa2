"""A quick open lists only the folders whose time moved, and ends as a full scan would."""

from __future__ import annotations

import contextlib
import json
import os
import random
import shutil
from collections.abc import Callable, Collection, Iterator
from pathlib import Path

import pytest

from bot.index import folders, opening, record
from bot.index.newsindex import NewsIndex
from bot.index.opening import open_index
from bot.ingest import corpus as corpus_module
from tests.helpers import missile_versions, wire_story, write_story


def _texts(topic: int, tags: list[str]) -> list[str]:
    """Texts of versions of one story: the plain one, then (LEAD), (2nd LD)..."""
    return list(missile_versions(topic, tags).values())


def _settle(root: Path) -> None:
    """Date every folder back past the racy window, so an unchanged one reads as unchanged."""
    past = os.stat(root).st_mtime_ns - 10 * folders.RACY_NS
    for folder, _, _ in os.walk(root):
        os.utime(folder, ns=(past, past))


@pytest.fixture
def full_scans(monkeypatch: pytest.MonkeyPatch) -> list[Path]:
    """Every full scan of a corpus (a stat of each file)."""
    seen: list[Path] = []
    real: Callable[..., corpus_module.Scan] = corpus_module.scan

    def counted(root: Path, only: Collection[str] | None = None) -> corpus_module.Scan:
        if only is None:
            seen.append(root)
        return real(root, only)

    monkeypatch.setattr(corpus_module, "scan", counted)
    return seen


def _shape(index: NewsIndex) -> dict[str, object]:
    """Everything a user could see of an index, by id."""
    return {
        "current": [a.article_id for a in index.current],
        "stories": {a: index.story[a] for a in sorted(index.articles)},
        "passages": {p: index.passages[p].text for p in sorted(index.passages)},
    }


def test_a_resend_removed_in_one_folder_brings_back_the_version_in_another(
    tmp_path: Path, full_scans: list[Path]
):
    corpus, cache = tmp_path / "corpus", tmp_path / "cache"
    first, lead = _texts(1, ["", "LEAD"])
    write_story(corpus, "2024/06/01/nk1.txt", first)
    write_story(corpus, "2024/06/02/nk1-lead.txt", lead)
    _settle(corpus)
    index, _ = open_index(corpus, cache, engine="tantivy")
    assert [a.article_id for a in index.current] == ["nk1-lead"]
    full_scans.clear()

    (corpus / "2024/06/02/nk1-lead.txt").unlink()
    index, report = open_index(corpus, cache, engine="tantivy", current=index, quick=True)

    assert full_scans == []
    assert report.action == "refreshed" and report.changes.removed == ("2024/06/02/nk1-lead.txt",)
    assert [a.article_id for a in index.current] == ["nk1"]
    # Its passages come from its own file, in a folder that was not listed: read again.
    assert index.search("missile number 1", 1)[0][0].article_id == "nk1"
    index.close()


@pytest.mark.slow
@pytest.mark.parametrize("engine", ["bm25", "tantivy"])
def test_any_sequence_of_folder_changes_ends_as_a_fresh_build_and_a_full_scan_agree(
    tmp_path: Path, engine: str, full_scans: list[Path]
):
    corpus, cache = tmp_path / "corpus", tmp_path / "cache"
    pool = {}
    for topic in range(4):
        for n, text in enumerate(_texts(topic, ["", "LEAD", "2nd LD"])):
            pool[f"{2020 + topic}/{n}/nk{topic}-{n}.txt"] = text
    pool["port/busan.txt"] = wire_story("Busan opens new port", ["Busan opened a port."])
    rng = random.Random(11)
    index = None
    for step in range(10):
        for name in rng.sample(sorted(pool), 3):
            path = corpus / name
            if path.exists() and rng.random() < 0.5:
                path.unlink()
            else:  # written beside and renamed over, as feeds, rsync and editors save
                part = write_story(corpus, f"{name}.part", pool[name] + "\n" * rng.randint(0, 2))
                part.replace(path)
        if step % 3 == 2:  # a whole folder gone, with what is in it
            shutil.rmtree(corpus / rng.choice(["2020", "2021", "port"]), ignore_errors=True)
        if not any(corpus.iterdir()):
            continue
        if index is None:
            index, _ = open_index(corpus, cache, engine=engine)
            continue
        full_scans.clear()
        index, report = open_index(corpus, cache, engine=engine, current=index, quick=True)
        assert full_scans == [], f"step {step}: {report.note}"
        fresh, _ = open_index(corpus, tmp_path / f"fresh-{step}", engine=engine)
        assert _shape(index) == _shape(fresh), f"step {step}"
        fresh.close()
        # What the quick open recorded is what a stat of every file finds: nothing to do.
        index, report = open_index(corpus, cache, engine=engine, current=index)
        assert report.action == "reused", f"step {step}"
    assert index is not None
    index.close()


def test_a_skipped_file_in_a_listed_folder_is_reported_until_it_is_removed(
    tmp_path: Path, full_scans: list[Path]
):
    corpus, cache = tmp_path / "corpus", tmp_path / "cache"
    write_story(corpus, "2024/05/port.txt", wire_story("Port opens", ["Busan opened a port."]))
    _settle(corpus)
    index, _ = open_index(corpus, cache, engine="tantivy")
    full_scans.clear()

    write_story(corpus, "2024/06/empty.md", "---\ntitle: x\n---\n")  # no body: skipped
    index, report = open_index(corpus, cache, engine="tantivy", current=index, quick=True)
    assert list(report.problems) == ["2024/06/empty.md"]
    index.close()
    index, report = open_index(corpus, cache, engine="tantivy", quick=True)
    assert list(report.problems) == ["2024/06/empty.md"]  # kept in the folder record

    (corpus / "2024/06/empty.md").unlink()
    index, report = open_index(corpus, cache, engine="tantivy", current=index, quick=True)
    assert report.problems == {}
    assert full_scans == []
    index.close()


def test_an_update_committed_while_waiting_for_the_lock_is_looked_at_again(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    corpus, cache = tmp_path / "corpus", tmp_path / "cache"
    write_story(corpus, "2024/05/port.txt", wire_story("Port opens", ["Busan opened a port."]))
    _settle(corpus)
    index, _ = open_index(corpus, cache, engine="tantivy")
    real_lock = opening.exclusive_lock
    entered: list[Path] = []

    @contextlib.contextmanager
    def lock_after_another_writer(path: Path, wait: bool = True) -> Iterator[bool]:
        if not entered:  # what another process did while this one waited: a new record
            with index.catalog.writing():
                meta = index.catalog.meta()
                written = json.loads(meta[record.FOLDERS])
                written["times"]["2024"] = folders.UNKNOWN
                index.catalog.set_meta({record.FOLDERS: json.dumps(written)})
        entered.append(path)
        with real_lock(path, wait) as locked:
            yield locked

    monkeypatch.setattr(opening, "exclusive_lock", lock_after_another_writer)
    ferry = wire_story("Ferry sails", ["The ferry has 812 seats."])
    write_story(corpus, "2024/06/ferry.txt", ferry)
    index, report = open_index(corpus, cache, engine="tantivy", current=index, quick=True)
    assert len(entered) == 2  # looked again, with the other writer's record
    assert report.action == "refreshed" and report.changes.added == ("2024/06/ferry.txt",)
    assert index.search("ferry seats", 1)[0][0].article_id == "ferry"
    index.close()


def test_a_build_lists_again_the_folders_it_took_as_unknown_so_the_first_answer_need_not(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    corpus, cache = tmp_path / "corpus", tmp_path / "cache"
    for n in range(3):
        write_story(corpus, f"2024/0{n + 1}/port.txt", wire_story("Port", [f"Busan {n}."]))
    _settle(corpus)
    real = folders.snapshot

    def just_written(root: Path) -> dict[str, int] | None:
        # As for a corpus written just before its build: every folder within the racy window.
        times = real(root)
        return None if times is None else dict.fromkeys(times, folders.UNKNOWN)

    monkeypatch.setattr(folders, "snapshot", just_written)
    index, report = open_index(corpus, cache, engine="tantivy")
    assert report.action == "built"
    with index.reading():
        stored = record.recorded(index)
    assert stored is not None and folders.UNKNOWN not in stored.times.values()
    index.close()

    listed: list[object] = []
    real_scan = corpus_module.scan
    monkeypatch.setattr(corpus_module, "scan", lambda root, only=None: (
        listed.append(only), real_scan(root, only))[1])  # fmt: skip
    index, report = open_index(corpus, cache, engine="tantivy", quick=True)
    assert report.action == "reused" and listed == []
    index.close()
