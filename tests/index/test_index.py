import os
import sqlite3
import time
from pathlib import Path

import pytest

from bot.index.catalog import FILE as CATALOG
from bot.index.newsindex import CURRENT, index_dir, open_index
from tests.helpers import wire_story, write_story

STORY = wire_story(
    "Seoul hosts chip summit",
    [
        "South Korea hosted a semiconductor summit on Tuesday, drawing chipmakers from 12 nations.",
        "Officials pledged to expand research funding for memory chips.",
    ],
)


def _open(corpus: Path, cache: Path, **kw):
    return open_index(corpus, cache, **kw)


def test_unchanged_corpus_reuses_the_persisted_index(tmp_path: Path):
    corpus, cache = tmp_path / "corpus", tmp_path / "cache"
    write_story(corpus, "chips.txt", STORY)
    _, first = _open(corpus, cache)
    _, second = _open(corpus, cache)
    assert first.action == "built"
    assert second.action == "reused"
    assert second.passages == first.passages


def test_the_index_lives_in_the_cache_not_the_corpus(tmp_path: Path):
    corpus, cache = tmp_path / "corpus", tmp_path / "cache"
    write_story(corpus, "chips.txt", STORY)
    _open(corpus, cache)
    assert sorted(p.name for p in corpus.iterdir()) == ["chips.txt"]
    assert (index_dir(cache, corpus) / CURRENT).exists()


def test_a_changed_corpus_refreshes_and_rereads_only_what_changed(tmp_path: Path):
    corpus, cache = tmp_path / "corpus", tmp_path / "cache"
    write_story(corpus, "chips.txt", STORY)
    write_story(corpus, "other.txt", STORY.replace("chip summit", "battery fair"))
    _open(corpus, cache)
    time.sleep(0.01)
    write_story(corpus, "new.txt", wire_story("Busan opens new port", ["Busan opened a port."]))
    (corpus / "other.txt").unlink()
    index, report = _open(corpus, cache)
    assert report.action == "refreshed"
    assert report.changes.added == ("new.txt",)
    assert report.changes.removed == ("other.txt",)
    assert report.changes.unchanged == 1
    assert {a.article_id for a in index.current} == {"chips", "new"}


def test_a_touched_but_identical_file_is_not_reparsed(tmp_path: Path):
    corpus, cache = tmp_path / "corpus", tmp_path / "cache"
    path = write_story(corpus, "chips.txt", STORY)
    _open(corpus, cache)
    os.utime(path, ns=(time.time_ns(), time.time_ns() + 10**9))
    _, report = _open(corpus, cache)
    assert report.changes.changed == ()
    assert report.changes.unchanged == 1


def test_a_corrupt_index_is_detected_and_rebuilt_from_the_corpus(tmp_path: Path):
    corpus, cache = tmp_path / "corpus", tmp_path / "cache"
    write_story(corpus, "chips.txt", STORY)
    _open(corpus, cache)
    home = index_dir(cache, corpus)
    generation = home / (home / CURRENT).read_text()
    (generation / CATALOG).write_bytes(b"not a database" * 100)
    index, report = _open(corpus, cache)
    assert report.action == "built"
    assert report.note and "unusable" in report.note
    assert index.search("semiconductor summit", 1)


def test_an_index_from_another_format_version_is_rebuilt(tmp_path: Path):
    corpus, cache = tmp_path / "corpus", tmp_path / "cache"
    write_story(corpus, "chips.txt", STORY)
    _open(corpus, cache)
    home = index_dir(cache, corpus)
    generation = home / (home / CURRENT).read_text()
    with sqlite3.connect(generation / CATALOG) as db:
        db.execute("UPDATE meta SET value = '-1' WHERE key = 'format'")
    db.close()
    _, report = _open(corpus, cache)
    assert report.action == "built"


def test_only_one_generation_is_kept_after_a_save(tmp_path: Path):
    corpus, cache = tmp_path / "corpus", tmp_path / "cache"
    write_story(corpus, "chips.txt", STORY)
    _open(corpus, cache)
    _open(corpus, cache, rebuild=True)
    home = index_dir(cache, corpus)
    assert len([p for p in home.iterdir() if p.name.startswith("gen-")]) == 1


def test_changing_the_passage_budget_rebuilds(tmp_path: Path):
    corpus, cache = tmp_path / "corpus", tmp_path / "cache"
    write_story(corpus, "chips.txt", STORY)
    _open(corpus, cache, passage_tokens=200)
    _, report = _open(corpus, cache, passage_tokens=64)
    assert report.action == "built"


def test_bad_files_are_reported_and_good_ones_still_indexed(tmp_path: Path):
    corpus, cache = tmp_path / "corpus", tmp_path / "cache"
    write_story(corpus, "chips.txt", STORY)
    write_story(corpus, "empty.txt", "")
    (corpus / "binary.txt").write_bytes(b"\x00\x01\x02" * 100)
    write_story(corpus, "broken.md", "---\ntitle: [unclosed\n---\nBody.\n")
    (corpus / "folder.txt").mkdir()
    index, report = _open(corpus, cache)
    assert [a.article_id for a in index.current] == ["chips"]
    assert set(report.problems) == {"empty.txt", "binary.txt", "broken.md", "folder.txt"}
    assert "YAML" in report.problems["broken.md"]


def test_same_file_names_in_two_folders_get_distinct_stable_ids(tmp_path: Path):
    corpus, cache = tmp_path / "corpus", tmp_path / "cache"
    write_story(corpus, "a/chips.txt", STORY)
    write_story(corpus, "b/chips.txt", STORY.replace("chip summit", "chip fair"))
    write_story(corpus, "c/chips.txt", STORY.replace("chip summit", "chip expo"))
    index, _ = _open(corpus, cache)
    assert sorted(index.articles) == [
        "chips",
        "chips-txt",
        "chips-txt-2",
    ]


def _ids_and_top(index, question: str) -> tuple[list[str], list[str]]:
    return sorted(index.passages), [p.passage_id for p, _ in index.search(question, 3)]


@pytest.mark.parametrize("engine", ["bm25", "tantivy"])
def test_updates_in_place_agree_with_a_fresh_build(tmp_path: Path, engine: str):
    corpus, cache = tmp_path / "corpus", tmp_path / "cache"
    write_story(corpus, "chips.txt", STORY)
    write_story(corpus, "port.txt", wire_story("Busan opens new port", ["Busan opened a port."]))
    write_story(corpus, "nk.txt", wire_story("N. Korea fires missile", ["It fired one missile."]))
    _open(corpus, cache, engine=engine)
    home = index_dir(cache, corpus)
    first = (home / CURRENT).read_text()

    time.sleep(0.01)
    write_story(corpus, "ferry.txt", wire_story("Jeju ferry resumes", ["The ferry resumed."]))
    write_story(
        corpus,
        "nk-lead.txt",
        wire_story(
            "(LEAD) N. Korea fires missile into East Sea",
            ["It fired one missile into the East Sea.", "Seoul condemned it."],
        ),
    )
    (corpus / "port.txt").unlink()
    index, report = _open(corpus, cache, engine=engine)

    assert report.action == "refreshed"
    assert (home / CURRENT).read_text() == first  # updated in place, not rebuilt
    assert index.catalog.pending() == ([], [])  # the engine caught up with the catalog
    fresh, _ = _open(corpus, tmp_path / "fresh", engine=engine)
    for question in ("ferry resumed", "missile East Sea", "Busan port", "semiconductor summit"):
        assert _ids_and_top(index, question) == _ids_and_top(fresh, question), question
    assert {a.article_id for a in index.current} == {"chips", "ferry", "nk-lead"}


def test_a_reloaded_tantivy_index_serves_after_an_update(tmp_path: Path):
    corpus, cache = tmp_path / "corpus", tmp_path / "cache"
    write_story(corpus, "chips.txt", STORY)
    _open(corpus, cache, engine="tantivy")
    time.sleep(0.01)
    write_story(corpus, "ferry.txt", wire_story("Jeju ferry resumes", ["The ferry resumed."]))
    _open(corpus, cache, engine="tantivy")
    index, report = _open(corpus, cache, engine="tantivy")
    assert report.action == "reused"
    assert index.search("ferry", 1)[0][0].article_id == "ferry"
