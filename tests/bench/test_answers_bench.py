"""bench.answers end to end on a tiny corpus of its own (the real sets live outside the tests)."""

from __future__ import annotations

import json
from pathlib import Path

from bench import answers
from tests.helpers import wire_story, write_story

LIONS = [
    "The Samsung Lions announced Sunday they have retained catcher Kang Min-ho.",
    "The Lions said the 40-year-old catcher will earn 300 million won a year.",
]
PORT = [
    "Busan port handled a record 24 million containers last year.",
    "Officials expect more ships from China this year.",
]


def _sets(folder: Path) -> None:
    rows = {
        "answerable": [
            {"id": "a1", "question": "How much will Kang Min-ho earn a year?", "story": "lions",
             "answer": "300 million won", "kind": "lexical", "round": 1, "split": "tune"},
            {"id": "a2", "question": "How many boxes did Busan port move last year?",
             "story": "port", "answer": "24 million", "kind": "paraphrase", "round": 2,
             "split": "holdout"},
        ],
        "offcorpus": [
            {"id": "o1", "question": "Who won the 2024 Korean Series?", "round": 1,
             "split": "tune"},
            {"id": "o2", "question": "What is the boiling point of water?", "round": 2,
             "split": "holdout"},
        ],
        "nearmiss": [
            {"id": "n1", "question": "Who is the captain of the Samsung Lions?", "story": "lions",
             "why": "no captain", "round": 2, "split": "holdout"},
        ],
    }  # fmt: skip
    for name, lines in rows.items():
        text = "".join(json.dumps(row) + "\n" for row in lines)
        (folder / f"{name}.jsonl").write_text(text, encoding="utf-8")


def test_the_reader_benchmark_reports_each_split_with_questions_typed_in_lower_case(
    tmp_path: Path,
):
    corpus, qa = tmp_path / "corpus", tmp_path / "qa"
    qa.mkdir()
    write_story(corpus, "lions.txt", wire_story("Samsung Lions re-sign catcher Kang Min-ho", LIONS))
    write_story(corpus, "port.txt", wire_story("Busan port sets cargo record", PORT))
    files = [{"stem": s, "article_id": s, "copy_group": s} for s in ("lions", "port")]
    (corpus / "manifest.json").write_text(json.dumps({"files": files}), encoding="utf-8")
    _sets(qa)
    results = answers.run(corpus, tmp_path / "out", qa=qa, say=lambda _: None)
    tune, holdout = results["tune"], results["holdout"]
    assert tune["all"]["newsbot"]["answer@3"] == 1.0
    assert tune["offcorpus"]["not found"] == 1.0
    low = tune["lower case"]
    assert set(low) == {"answer@3", "found", "offcorpus not found", "nearmiss not found", "same"}
    assert 0.0 <= low["same"] <= 1.0 and holdout["lower case"]["answer@3"] in (0.0, 1.0)
    assert "Asked in lower case" in (tmp_path / "out" / "answers.md").read_text(encoding="utf-8")
    # Each held-out round is also reported on its own.
    [(number, figures)] = results["holdout rounds"].items()
    assert number == "2" and figures["answerable"] == 1
    assert figures["offcorpus not found"] == 1.0
    assert "holdout, round by round" in (tmp_path / "out" / "answers.md").read_text("utf-8")
    # And each tune round: a fresh one shows how rules made on the others carry over.
    [(number, figures)] = results["tune rounds"].items()
    assert number == "1" and figures["answer@3"] == 1.0
    assert "tune, round by round" in (tmp_path / "out" / "answers.md").read_text("utf-8")
