import ast
import dataclasses
import logging
import os
import pickle
import sqlite3
import time
from pathlib import Path

import pytest

import bot
from bot.index import catalog, rows
from bot.index.catalog import FILE as CATALOG
from bot.index.engines import bm25
from bot.index.engines.base import idf
from bot.index.generations import CURRENT
from bot.index.opening import open_index
from bot.ingest.articles import Article, Paragraph
from bot.ingest.dates import Published
from bot.storage import corpus_cache_path as index_dir
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


def _reopened_after_meta_edit(tmp_path: Path, statement: str) -> str:
    """Build an index, change its stored settings with ``statement``, open it again: the action."""
    corpus, cache = tmp_path / "corpus", tmp_path / "cache"
    write_story(corpus, "chips.txt", STORY)
    _open(corpus, cache)
    home = index_dir(cache, corpus)
    generation = home / (home / CURRENT).read_text()
    with sqlite3.connect(generation / CATALOG) as db:
        db.execute(statement)
    db.close()
    _, report = _open(corpus, cache)
    return report.action


def test_an_index_from_another_format_version_is_rebuilt(tmp_path: Path):
    action = _reopened_after_meta_edit(
        tmp_path, "UPDATE meta SET value = '-1' WHERE key = 'format'"
    )
    assert action == "built"


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


def test_an_index_whose_files_were_read_by_an_older_parser_is_rebuilt(tmp_path: Path):
    # Unchanged files are never read again: only a rebuild gives them the parser's new reading.
    # An index from before the reading version has none.
    action = _reopened_after_meta_edit(tmp_path, "DELETE FROM meta WHERE key = 'reading'")
    assert action == "built"


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


# --- nothing in the cache is code: no pickle anywhere in bot/ -------------------------------

_PICKLERS = {"pickle", "_pickle", "cPickle", "dill", "cloudpickle", "shelve", "joblib", "marshal"}


def _pickle_uses(source: str) -> list[str]:
    """Imports of a pickling module, ``pickle.`` calls, and ``allow_pickle=True``, in a module."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found += [a.name for a in node.names if a.name.split(".")[0] in _PICKLERS]
        elif isinstance(node, ast.ImportFrom) and (node.module or "").split(".")[0] in _PICKLERS:
            found.append(f"from {node.module}")
        elif isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name):
            if node.value.id in _PICKLERS:
                found.append(f"{node.value.id}.{node.attr}")
        elif isinstance(node, ast.keyword) and node.arg == "allow_pickle":
            pinned_off = isinstance(node.value, ast.Constant) and node.value.value is False
            found += [] if pinned_off else ["allow_pickle not False"]
    return found


def test_the_pickle_check_catches_what_it_looks_for():
    assert _pickle_uses("import pickle\npickle.loads(b'')") == ["pickle", "pickle.loads"]
    assert _pickle_uses("from pickle import loads") == ["from pickle"]
    assert _pickle_uses("import numpy as np\nnp.load('x', allow_pickle=True)")
    assert _pickle_uses("import numpy as np\nnp.load('x', allow_pickle=False)") == []


def test_no_module_in_bot_imports_or_calls_pickle():
    package = Path(bot.__file__).parent
    modules = sorted(package.rglob("*.py"))
    assert len(modules) > 20  # the whole package, not an empty glob
    offenders = {
        str(path.relative_to(package)): uses
        for path in modules
        if (uses := _pickle_uses(path.read_text(encoding="utf-8")))
    }
    assert offenders == {}


def test_a_stored_article_reads_back_field_for_field(tmp_path: Path):
    assert {f.name for f in dataclasses.fields(Article)} == rows.ARTICLE_FIELDS
    article = Article(
        article_id="seoul-chips",
        title="Seoul hosts chip summit",
        paragraphs=(Paragraph("Lead 'quoted' — text."), Paragraph("A photo (Yonhap)", True)),
        path="yonhap/seoul-chips.txt",
        tags=("LEAD", "2nd LD"),
        editor_note="ATTN: ADDS details",
        slug="seoul-chips",
        byline="By Kim",
        dateline="SEOUL",
        source="Yonhap",
        url="https://example.org/a?b=1",
        published=Published(5, 5, 2020, False, (2009, 2015, 2020), "09:30", "weekday"),
        web_id="AEN20200505000100315",
        license="CC BY 2.5",
        title_derived=True,
    )
    bare = Article("bare", "Bare", (), "bare.md")
    store = catalog.Catalog.create(tmp_path, {})
    with store.writing():
        store.put_articles(
            rows.ArticleRow(a, a.path, 0, None, None, a.article_id, 0, "0") for a in (article, bare)
        )
    store.seal()
    reopened = catalog.Catalog.open(tmp_path)
    assert reopened.article("seoul-chips") == article
    assert reopened.articles(["bare"]) == {"bare": bare}
    assert reopened.title("seoul-chips") == article.title
    reopened.close()


class _Trap:
    """Unpickling this creates a file: proof that something unpickled it."""

    def __init__(self, marker: Path) -> None:
        self.marker = marker

    def __reduce__(self) -> tuple[object, tuple[str, str]]:
        return (open, (str(self.marker), "w"))


def test_an_old_pickled_cache_is_rebuilt_from_the_corpus_never_unpickled(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
):
    corpus, cache = tmp_path / "corpus", tmp_path / "cache"
    write_story(corpus, "chips.txt", STORY)
    _open(corpus, cache)
    home = index_dir(cache, corpus)
    generation = home / (home / CURRENT).read_text()
    # Make the live generation look like a format-3 cache: articles with a pickled record
    # and a pickled rank-bm25 engine, each a payload that leaves a file when unpickled.
    marker = tmp_path / "unpickled"
    trap = pickle.dumps(_Trap(marker))
    with sqlite3.connect(generation / CATALOG) as db:
        db.execute("UPDATE meta SET value = '3' WHERE key = 'format'")
        db.execute("ALTER TABLE articles ADD COLUMN record BLOB")
        db.execute("UPDATE articles SET record = ?", (trap,))
    db.close()
    (generation / bm25.FILE).unlink()
    (generation / "rank_bm25.pickle").write_bytes(trap)

    with caplog.at_level(logging.WARNING, logger="bot.index"):
        index, report = _open(corpus, cache)
    assert report.action == "built"
    assert report.note and "another version" in report.note
    assert any("rebuilding" in r.getMessage() for r in caplog.records)
    assert not marker.exists()
    assert not generation.exists()  # the old generation is gone with its pickles
    assert index.search("semiconductor summit", 1)


# --- what answers and the newsroom ask of the index -----------------------------------------


def test_the_index_gives_story_terms_and_weights_without_its_catalog(tmp_path: Path):
    corpus, cache = tmp_path / "corpus", tmp_path / "cache"
    write_story(corpus, "chips.txt", STORY)
    write_story(corpus, "port.txt", wire_story("Busan opens new port", ["Busan opened a port."]))
    index, _ = _open(corpus, cache)
    with index.reading():
        story = index.story_terms("chips")
        assert {"seoul", "semiconductor", "memori", "chip"} <= story
        assert "busan" not in story
        assert index.story_terms("chips") is story  # remembered for this open index
        assert all(index.passage_terms(p) <= story for p in index.by_article["chips"])
        [port] = index.by_article["port"]
        assert "new" in index.passage_terms(port)  # the headline's terms count too
        size, counts = index.engine.document_frequencies(["seoul", "busan", "zzz"])
        assert index.term_weights(["seoul", "busan", "zzz", "seoul"]) == {
            t: idf(size, counts[t]) for t in ("seoul", "busan", "zzz")
        }
        passages = len(index.by_article["chips"]) + 1
        assert index.counts() == {"stories": 2, "articles": 2, "passages": passages}
        assert index.suggest("port", 25) == [("port", "Busan opens new port")]
        assert [a.article_id for a in index.latest_among(["chips", "gone"])] == ["chips"]


def test_story_terms_are_read_again_by_the_index_an_update_opens(tmp_path: Path):
    corpus, cache = tmp_path / "corpus", tmp_path / "cache"
    path = write_story(corpus, "chips.txt", STORY)
    first, _ = _open(corpus, cache)
    with first.reading():
        assert "batteri" not in first.story_terms("chips")
    path.write_text(STORY.replace("memory chips", "battery cells"), encoding="utf-8")
    second, report = _open(corpus, cache, current=first)
    assert report.action == "refreshed" and second is not first
    with second.reading():
        assert "batteri" in second.story_terms("chips")
