"""A damaged or vanished index is found, logged and rebuilt from the corpus, never served."""

from __future__ import annotations

import logging
import os
import shutil
import sqlite3
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from bot.index.catalog import FILE as CATALOG
from bot.index.newsindex import NewsIndex
from bot.index.opening import open_index
from tests.helpers import harbour_corpus, newsroom, wire_story, write_story

PAGE = 4096


def _overwrite_pages(catalog: Path, first: int = 1) -> None:
    """What a bad disk or a stray write does: garbage over pages from ``first`` on."""
    size = catalog.stat().st_size
    assert size > 4 * PAGE
    with open(catalog, "r+b") as handle:
        for offset in range(first * PAGE, size, PAGE):
            handle.seek(offset)
            handle.write(os.urandom(PAGE))


def _ferry(corpus: Path) -> None:
    write_story(
        corpus,
        "new/ferry.txt",
        wire_story("Ferry resumes service", ["The Ulleung ferry has 4,812 seats and sails daily."]),
    )


@pytest.mark.parametrize("engine", ["bm25", "tantivy"])
def test_a_catalog_with_overwritten_pages_is_rebuilt_on_open_with_a_log_line(
    tmp_path: Path, engine: str, caplog: pytest.LogCaptureFixture
):
    corpus, cache = harbour_corpus(tmp_path), tmp_path / "cache"
    index, _ = open_index(corpus, cache, engine=engine)
    catalog = index.generation / CATALOG
    index.close()
    # The middle of the file: the header and the settings table still read as fine.
    _overwrite_pages(catalog, first=catalog.stat().st_size // PAGE // 2)

    with caplog.at_level(logging.WARNING, logger="bot.index"):
        index, report = open_index(corpus, cache, engine=engine)
    assert report.action == "built"  # was "reused", and every answer then failed
    assert report.note is not None and "damaged" in report.note
    assert any("unusable" in r.getMessage() for r in caplog.records)
    assert index.search("harbour 7 containers", 1)[0][0].article_id == "story-7"


def _read_everything(index: NewsIndex) -> None:
    # A fresh thread has a fresh connection, with no page cached from before the damage.
    def read() -> None:
        with index.reading():
            list(index.passages)

    with ThreadPoolExecutor(1) as pool:
        pool.submit(read).result()


def test_damage_found_while_serving_is_rebuilt_by_the_next_refresh(tmp_path: Path):
    corpus, cache = harbour_corpus(tmp_path), tmp_path / "cache"
    room = newsroom(corpus, cache)
    _overwrite_pages(room.index.generation / CATALOG)
    with pytest.raises(sqlite3.DatabaseError):
        _read_everything(room.index)
    assert room.index.damage is not None

    report = room.refresh()
    assert report.action == "built"
    _read_everything(room.index)
    answer = room.ask("How many containers did harbour 7 handle?")
    assert answer.found and answer.citations[0].article_id == "story-7"


@pytest.mark.parametrize(
    ("engine", "gone"),
    [
        ("tantivy", "tantivy"),  # the engine's own folder inside the generation
        ("tantivy", "."),  # the whole generation
        ("bm25", "."),
    ],
)
def test_an_index_folder_deleted_while_serving_is_repaired_by_the_next_refresh(
    tmp_path: Path, engine: str, gone: str
):
    corpus, cache = harbour_corpus(tmp_path), tmp_path / "cache"
    room = newsroom(corpus, cache, engine=engine)
    shutil.rmtree(room.index.generation / gone)
    _ferry(corpus)

    report = room.refresh()  # failed with every refresh, forever, before
    assert report.action in ("built", "refreshed")
    again = room.refresh()
    assert again.action == "reused"
    answer = room.ask("How many seats does the Ulleung ferry have?")
    assert answer.found and answer.citations[0].article_id == "ferry"
    # /status counts what is searchable: nothing is left waiting for the engine.
    status = room.status()
    assert status.stories == 41
    with room.index.reading():
        assert room.index.catalog.count("pending") == 0
