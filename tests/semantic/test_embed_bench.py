"""bench.embed runs end to end on a tiny Reuters-shaped file and prints every figure."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bench import embed


def test_the_embedding_bench_prints_load_throughput_latency_and_search(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    stories = [
        {
            "title": f"Exports rise in month {n}",
            "paragraphs": [
                f"South Korea's exports rose {n} percent in the month, the ministry said.",
                "Shipments of semiconductors led the gain, while car exports fell slightly.",
            ],
        }
        for n in range(6)
    ]
    data = tmp_path / "reuters21578.jsonl"
    data.write_text("".join(json.dumps(story) + "\n" for story in stories), encoding="utf-8")
    embed.main(
        [
            "--reuters",
            str(tmp_path),
            "--passages",
            "10",
            "--questions",
            "3",
            "--search-sizes",
            "200",
            "--searches",
            "3",
            "--candidates",
            "5",
        ]
    )
    out = capsys.readouterr().out
    assert "load (imports onnxruntime" in out
    assert "throughput: 10 Reuters paragraphs" in out
    assert "one question embedded" in out
    assert "200 vectors" in out
    assert "rerank 5 BM25 candidates" in out
