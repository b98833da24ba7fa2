"""bench.qa.writer_tool: what a blind question writer sees, on a tiny corpus of its own."""

from __future__ import annotations

import json
from pathlib import Path

from bench.qa import writer_tool
from tests.helpers import newsroom, wire_story, write_story

LIONS = ["The Samsung Lions retained catcher Kang Min-ho.", "He will earn 300 million won."]


def test_a_writer_sees_each_story_once_with_the_questions_already_asked_of_it(tmp_path: Path):
    corpus, qa = tmp_path / "corpus", tmp_path / "qa"
    qa.mkdir()
    story = wire_story("Lions re-sign Kang Min-ho", LIONS)
    write_story(corpus, "lions.txt", story)
    write_story(corpus, "lions-copy.txt", story)  # a copy: listed once
    write_story(corpus, "port.txt", wire_story("Busan port record", ["Busan moved 24 boxes."]))
    files = [
        {"stem": "lions", "article_id": "lions", "copy_group": "g1"},
        {"stem": "lions-copy", "article_id": "lions-copy", "copy_group": "g1"},
        {"stem": "port", "article_id": "port", "copy_group": None},
    ]
    asked = {"id": "a1", "question": "What will Kang earn?", "story": "lions-copy"}
    (qa / "answerable.jsonl").write_text(json.dumps(asked) + "\n", encoding="utf-8")
    (qa / "nearmiss.jsonl").write_text("", encoding="utf-8")
    room = newsroom(corpus, tmp_path / "cache")

    assert sorted(writer_tool.stories(room, files)) == ["lions", "port"]
    shown = writer_tool.show(room, files, "lions", qa)
    assert any("He will earn 300 million won." in line for line in shown)
    # The question asked of its copy is listed, so the writer asks for another fact.
    assert shown[-1] == "- What will Kang earn?"
    assert writer_tool.grep(room, files, "busan MOVED") == [
        "[port] SEOUL, June 2 (Yonhap) -- Busan moved 24 boxes.",
        "1 paragraph(s)",
    ]
