"""bench.parse_rates runs end to end on a tiny invented data set laid out like the real ones."""

import json
from pathlib import Path

from bench import parse_rates
from tests.helpers import wire_story, write_story


def test_parse_rates_counts_and_checks_dates_against_the_web_id(tmp_path: Path, monkeypatch):
    pages, baram, out = tmp_path / "pages", tmp_path / "baram", tmp_path / "out"
    write_story(
        pages,
        "one.txt",
        wire_story(
            "Ferry resumes", ["The ferry resumed on Tuesday."], dateline="MOKPO, May 5 (Yonhap) -- "
        ),
    )
    write_story(pages, "broken.txt", "")
    write_story(
        pages,
        "manifest.jsonl",
        json.dumps({"slug": "one", "url": "https://en.yna.co.kr/view/AEN20200505000100315"}) + "\n",
    )
    write_story(
        baram,
        "raw/001_1.md",
        "---\ntitle: Rates table\npublished_at: 2025-12-29 09:00\n"
        "---\nSEOUL, Dec. 29 (Yonhap) -- Rates were steady.\n",
    )
    write_story(
        baram,
        "yonhap_en.jsonl",
        json.dumps({"id": "001_1", "dateline": "SEOUL, Dec. 29 (Yonhap) --"}) + "\n",
    )
    monkeypatch.setattr(
        "sys.argv", ["parse_rates", "--pages", str(pages), "--baram", str(baram), "--out", str(out)]
    )
    parse_rates.main()
    report = (out / "parse_rates.md").read_text()
    assert "| yonhap-pages (*.txt) | 2 | 1 (50%) | 1 (50%) | 1 (50%) |" in report
    assert report.count("1 (100%)") >= 1  # the page's date agrees with its web id
    assert "matching the data set's own dateline field: 1 of 1" in report
    assert "broken.txt: empty file" in report
