"""A build streams each passage's engine terms through a file: the engine gets exactly them."""

from __future__ import annotations

from pathlib import Path

from bot.index.opening import open_index
from bot.index.updates import TERMS_FILE
from bot.text import analysis
from tests.helpers import wire_story, write_story


def test_the_engine_holds_the_newest_versions_passages_and_no_terms_file_is_left(tmp_path: Path):
    corpus, cache = tmp_path / "corpus", tmp_path / "cache"
    write_story(
        corpus,
        "nk.txt",
        wire_story(
            "N. Korea fires missile into East Sea",
            ["It fired one missile into the East Sea.", "Zyxwv officials gave no details."],
        ),
    )
    write_story(
        corpus,
        "nk-lead.txt",
        wire_story(
            "(LEAD) N. Korea fires missile into East Sea",
            ["It fired one missile into the East Sea.", "Seoul condemned the launch."],
        ),
    )
    write_story(corpus, "ferry.txt", wire_story("Jeju ferry resumes", ["The ferry resumed."]))
    index, report = open_index(corpus, cache, engine="tantivy")
    assert report.action == "built"
    assert not (index.generation / TERMS_FILE).exists()
    with index.reading():
        stored = index.catalog.headed_passages(range(100))
    assert {a.article_id for a in index.current} == {"nk-lead", "ferry"}
    searcher = index.engine._index.searcher()  # type: ignore[attr-defined]
    assert searcher.num_docs == len(stored)
    for doc, title, text in stored:  # found by its own terms: the headline's and the text's
        terms = analysis.passage_terms(title, text)
        assert doc in [hit.doc for hit in index.engine.search(terms, 10)]
    assert index.engine.search(["zyxwv"], 10) == []  # the older version stepped back
