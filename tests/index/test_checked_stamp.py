"""The catalog's page check runs once per state of the file: a stamp skips it, a change voids it."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from bot.index import checked, damage
from bot.index.catalog import FILE as CATALOG
from bot.index.opening import open_index
from tests.helpers import harbour_corpus, wire_story, write_story

PAGE = 4096


@pytest.fixture
def checks(monkeypatch: pytest.MonkeyPatch) -> list[Path]:
    """Every catalog the page check reads, in order."""
    seen: list[Path] = []
    real = damage.quick_check

    def spy(path: Path, read_only: bool) -> list[str]:
        seen.append(path)
        return real(path, read_only)

    monkeypatch.setattr(damage, "quick_check", spy)
    return seen


def _garbage_in_the_middle(catalog: Path, keep_times: bool = False) -> None:
    """A stray write over the catalog's middle pages; the size stays as it was."""
    before = catalog.stat()
    size = before.st_size
    with open(catalog, "r+b") as handle:
        for offset in range(size // PAGE // 2 * PAGE, size, PAGE):
            handle.seek(offset)
            handle.write(os.urandom(PAGE))
    if keep_times:  # as a restore or a careless copy tool would leave it
        os.utime(catalog, ns=(before.st_atime_ns, before.st_mtime_ns))


def test_an_unchanged_catalog_is_opened_without_a_second_page_check(
    tmp_path: Path, checks: list[Path]
):
    corpus, cache = harbour_corpus(tmp_path, 30), tmp_path / "cache"
    index, _ = open_index(corpus, cache, engine="tantivy")
    index.close()
    checks.clear()

    for _ in range(2):
        index, report = open_index(corpus, cache, engine="tantivy", quick=True)
        assert report.action == "reused"
        assert index.search("harbour 7 containers", 1)[0][0].article_id == "story-7"
        index.close()
    assert checks == []


@pytest.mark.parametrize("keep_times", [False, True], ids=["times-changed", "mtime-restored"])
def test_a_catalog_changed_after_its_stamp_is_checked_again_and_rebuilt(
    tmp_path: Path, checks: list[Path], keep_times: bool
):
    corpus, cache = harbour_corpus(tmp_path, 30), tmp_path / "cache"
    index, _ = open_index(corpus, cache, engine="tantivy")
    catalog = index.generation / CATALOG
    index.close()
    assert checked.holds(catalog)  # the build's own file is stamped as written
    _garbage_in_the_middle(catalog, keep_times=keep_times)
    assert not checked.holds(catalog)

    index, report = open_index(corpus, cache, engine="tantivy", quick=True)
    assert set(checks) == {catalog}  # checked (each open of the damaged file checks it)
    assert report.action == "built"
    assert report.note is not None and "damaged" in report.note
    assert index.search("harbour 7 containers", 1)[0][0].article_id == "story-7"
    index.close()


def test_a_write_after_someone_else_changed_the_file_does_not_stamp_it_sound(
    tmp_path: Path, checks: list[Path]
):
    corpus, cache = harbour_corpus(tmp_path, 30), tmp_path / "cache"
    index, _ = open_index(corpus, cache, engine="tantivy")
    catalog = index.generation / CATALOG
    # While this process holds the index, another writer damages the file outside SQLite.
    _garbage_in_the_middle(catalog)
    with index.catalog.writing():
        index.catalog.set_meta({"note": "written after the damage"})
    index.close()
    assert not checked.holds(catalog)

    checks.clear()
    index, report = open_index(corpus, cache, engine="tantivy", quick=True)
    assert set(checks) == {catalog}  # checked (each open of the damaged file checks it)
    assert report.action == "built"
    index.close()


def test_an_update_keeps_the_stamp_so_the_next_open_skips_the_check(
    tmp_path: Path, checks: list[Path]
):
    corpus, cache = harbour_corpus(tmp_path, 30), tmp_path / "cache"
    index, _ = open_index(corpus, cache, engine="tantivy")
    write_story(
        corpus,
        "new/ferry.txt",
        wire_story("Ferry resumes service", ["The Ulleung ferry has 4,812 seats and sails daily."]),
    )
    index, report = open_index(corpus, cache, engine="tantivy", current=index)
    assert report.action == "refreshed"
    index.close()
    checks.clear()

    index, report = open_index(corpus, cache, engine="tantivy", quick=True)
    assert report.action == "reused"
    assert checks == []
    assert index.search("Ulleung ferry seats", 1)[0][0].article_id == "ferry"
    index.close()
