"""A small run of the evaluation harness on data made here (never the shared data sets)."""

import json
from pathlib import Path

import pytest

pytest.importorskip("ir_measures")

from bench import eval as bench_eval

TOPICS = [
    ("Coffee exports fall", "Brazil shipped fewer bags of coffee beans this month as frost hit."),
    ("Steel tariff raised", "The government raised the tariff on imported steel to 25 percent."),
    ("Whale stranded on beach", "Rescuers kept a stranded humpback whale wet until high tide."),
    ("Airline strike ends", "Pilots ended their strike after the airline agreed to a pay rise."),
]


def write_jsonl(path: Path, records: list[dict]) -> Path:
    path.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    return path


def make_data(root: Path) -> dict[str, Path]:
    scifact = root / "scifact"
    (scifact / "qrels").mkdir(parents=True)
    write_jsonl(
        scifact / "corpus.jsonl",
        [{"_id": f"d{n}", "title": t, "text": b} for n, (t, b) in enumerate(TOPICS)],
    )
    write_jsonl(
        scifact / "queries.test.jsonl",
        [{"_id": "1", "text": "frost reduces coffee shipments"}, {"_id": "2", "text": "whale"}],
    )
    (scifact / "qrels" / "test.tsv").write_text(
        "query-id\tcorpus-id\tscore\n1\td0\t1\n2\td2\t1\n", encoding="utf-8"
    )
    news = write_jsonl(
        root / "news.jsonl",
        [
            {"id": f"cat/{n}", "title": t, "paragraphs": [b, "A second paragraph follows."]}
            for n, (t, b) in enumerate(TOPICS)
        ],
    )
    corpus = root / "corpus"
    corpus.mkdir()
    for n, (title, body) in enumerate(TOPICS):
        (corpus / f"story-{n}.md").write_text(
            f"---\ntitle: {title}\nsource: Test\n---\n\n{body}\n\nMore detail came later.\n",
            encoding="utf-8",
        )
    questions = write_jsonl(
        root / "questions.jsonl",
        [
            {"question": "Why did Brazil ship less coffee?", "story": "story-0"},
            {"question": "How high is the tariff on imported steel?", "story": "story-1"},
        ],
    )
    offcorpus = root / "offcorpus.txt"
    offcorpus.write_text("# comment\nWhat is the recipe for kimchi stew?\n", encoding="utf-8")
    return {
        "scifact": scifact,
        "news": news,
        "corpus": corpus,
        "questions": questions,
        "offcorpus": offcorpus,
    }


def test_the_harness_runs_end_to_end_and_writes_its_table(tmp_path: Path, capsys):
    data = make_data(tmp_path / "data")
    out = tmp_path / "out"
    code = bench_eval.main(
        [
            "--scifact", str(data["scifact"]),
            "--reuters", str(data["news"]),
            "--bbc", str(data["news"]),
            "--corpus", str(data["corpus"]),
            "--questions", str(data["questions"]),
            "--offcorpus", str(data["offcorpus"]),
            "--out", str(out),
        ]
    )  # fmt: skip
    assert code == 0
    results = json.loads((out / "results.json").read_text())["results"]
    assert results["scifact"]["queries"] == 2
    assert results["scifact"]["nDCG@10"] == pytest.approx(1.0)
    assert results["reuters"]["MRR@10"] == pytest.approx(1.0)
    assert results["reuters"]["passage MRR@10"] == pytest.approx(1.0)
    assert results["bbc"]["Success@10"] == pytest.approx(1.0)
    assert results["own"]["Ranked@1"] == pytest.approx(1.0)
    assert results["offcorpus-everyday"]["NotFound"] == pytest.approx(1.0)
    table = (out / "results.md").read_text()
    assert "| scifact | nDCG@10 |" in table and "0.6789" in table
    assert "| reuters | MRR@10 |" in capsys.readouterr().out


def test_queries_with_no_hits_count_as_zero():
    qrels = {"a": {"x": 1}, "b": {"y": 1}}
    run = {"a": {"x": 1.0}, "b": {}}
    metrics = bench_eval.evaluate(qrels, run, [bench_eval.RR @ 10])
    assert metrics["RR@10"] == pytest.approx(0.5)
