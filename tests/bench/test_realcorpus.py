"""bench.realcorpus on a small data folder made here: real text once, recombined past it."""

from __future__ import annotations

import csv
import hashlib
import json
import re
from collections import Counter
from pathlib import Path

from bench import realcorpus
from bot.ingest.readers import read_file
from bot.text.passages import sentences, split_article

DATELINE = re.compile(r"^[A-Z][A-Z ]+, \w+\.? \d+ \((?:Reuters|Yonhap)\) -+ ")

# Invented stories, in the shapes of the data sets (never the shared data itself).
WIRE = [
    (
        "COFFEE EXPORTS FALL IN MARCH",
        "SANTOS, March 3 -",
        "1987-03-03",
        [
            "Brazil shipped fewer bags of coffee this month as frost hit the southern farms.",
            "Exporters said the harvest would recover by June. Prices rose two pct on the news.",
            "Shr 12 cts vs 9 cts",
            "Traders expect a firmer market next week, dealers in Santos said.",
        ],
    ),
    (
        "STEEL TARIFF RAISED TO 25 PCT",
        "TOKYO, April 9 -",
        "1987-04-09",
        [
            "The government raised the tariff on imported steel to 25 percent on Thursday.",
            "Mills welcomed the move. Importers said it would raise building costs.",
            "The ministry said the tariff would be reviewed after a year of trading.",
        ],
    ),
    (
        "AIRLINE STRIKE ENDS AFTER PAY DEAL",
        "PARIS, May 2 -",
        "1987-05-02",
        [
            "Pilots ended their strike after the airline agreed to a pay rise of four pct.",
            "Flights will resume on Monday. The union said members voted for the offer.",
            "The strike had grounded half the fleet for nine days, the company said.",
        ],
    ),
]
BBC = [
    (
        "Whale stranded on beach rescued",
        [
            "Rescuers kept a stranded humpback whale wet until the tide came back in.",
            "Volunteers poured sea water over it for six hours. Vets checked its breathing.",
            "The whale swam away at dusk, coastguards said, watched by a crowd on the dunes.",
        ],
    ),
    (
        "Library opens late for exam season",
        [
            "The city library will stay open until midnight during the exam weeks.",
            "Students asked for longer hours in a petition. The council agreed on Tuesday.",
        ],
    ),
]
AG = [
    (
        "Chip maker beats forecasts (AP)",
        "AP - A chip maker posted higher profit as demand\\for memory chips grew in Asia.",
    ),
    (
        "Rain delays final test match",
        "Rain washed out the last day of the final test match in the capital on Sunday.",
    ),
]
BARAM = {
    "id": "001_0000000001_ferry_line",
    "title": "(LEAD) Ferry line to resume island service",
    "published_at": "2025-12-29 09:00",
    "text": "ferry-resume(LEAD) Ferry line to resume island serviceBy Kim Min-ji SEOUL, Dec. 29 "
    "(Yonhap) -- A ferry line linking two southern islands will resume service next week. "
    "The operator said repairs to its only vessel were done. Residents had waited three "
    "months for the boat. Local officials welcomed the news on Monday.(END)",
}
PAGE = """Go to Contents Go to Navigation
Farm exports hit a record high in November
By Park Ji-won
SEOUL, Nov. 30 (Yonhap) -- Farm exports reached a record high in November on strong demand.
Shipments of kimchi and pears led the rise, the ministry said.
(END)
Most viewed stories
"""


def make_data(root: Path) -> Path:
    """A data folder shaped like ../shared/data, with invented text."""
    (root / "reuters-21578").mkdir(parents=True)
    with (root / "reuters-21578" / "reuters21578.jsonl").open("w", encoding="utf-8") as out:
        for n, (title, dateline, date, paragraphs) in enumerate(WIRE, start=1):
            record = {"id": str(n), "title": title, "dateline": dateline,
                      "date": date + "T10:00:00", "paragraphs": paragraphs}  # fmt: skip
            out.write(json.dumps(record) + "\n")
        # The wire's duplicate: the same story sent twice must be written once.
        out.write(json.dumps({"id": "9", "title": WIRE[0][0], "dateline": WIRE[0][1],
                              "date": WIRE[0][2], "paragraphs": WIRE[0][3]}) + "\n")  # fmt: skip
    (root / "bbc-news").mkdir()
    (root / "bbc-news" / "bbc-news.jsonl").write_text(
        "".join(
            json.dumps({"id": f"b/{n}", "title": t, "paragraphs": p}) + "\n"
            for n, (t, p) in enumerate(BBC)
        ),
        encoding="utf-8",
    )
    (root / "ag-news").mkdir()
    with (root / "ag-news" / "test.csv").open("w", encoding="utf-8", newline="") as out:
        writer = csv.writer(out, quoting=csv.QUOTE_ALL)
        for title, text in AG:
            writer.writerow(["3", title, text])
    (root / "yonhap-en-baram").mkdir()
    (root / "yonhap-en-baram" / "yonhap_en.jsonl").write_text(json.dumps(BARAM) + "\n")
    (root / "yonhap-pages").mkdir()
    (root / "yonhap-pages" / "yna_2024_farm_exports.txt").write_text(PAGE, encoding="utf-8")
    return root


def corpus_paragraphs(corpus: Path) -> tuple[Counter[str], list[str], int]:
    """Files by suffix, every paragraph newsbot reads, and the passages it would cut."""
    suffixes: Counter[str] = Counter()
    paragraphs: list[str] = []
    passages = 0
    for path in sorted(p for p in corpus.rglob("*") if p.is_file()):
        suffixes[path.suffix] += 1
        for article in read_file(path, path.relative_to(corpus).as_posix()):
            assert article.title
            paragraphs += [p.text for p in article.paragraphs]
            passages += len(split_article(article))
    return suffixes, paragraphs, passages


def sentence_count(text: str, known: set[str]) -> int:
    """How many known sentences, joined by spaces, make up ``text`` exactly (0: it is not)."""
    if not text:
        return 0
    for sentence in known:
        if text == sentence:
            return 1
        if text.startswith(sentence + " "):
            rest = sentence_count(text[len(sentence) + 1 :], known)
            if rest:
                return rest + 1
    return 0


def digest(corpus: Path) -> str:
    hashed = hashlib.sha256()
    for path in sorted(p for p in corpus.rglob("*") if p.is_file()):
        hashed.update(path.relative_to(corpus).as_posix().encode() + path.read_bytes())
    return hashed.hexdigest()


def test_real_text_is_written_once_in_the_formats_newsbot_reads(tmp_path: Path) -> None:
    data = make_data(tmp_path / "data")
    stats = realcorpus.write_corpus(
        data, tmp_path / "corpus", passages_target=10_000, seed=3, recombine=False
    )
    _, paragraphs, _ = corpus_paragraphs(tmp_path / "corpus")
    assert stats.paragraphs_recombined == 0 and stats.sentence_passes == 0
    assert set(stats.stories_by_source) == {"Reuters", "BBC", "AG News", "Yonhap"}
    assert stats.stories_real == len(WIRE) + len(BBC) + len(AG) + 2  # the duplicate is skipped
    assert len(paragraphs) == len(set(paragraphs)) == stats.paragraphs_real
    assert "Shipments of kimchi and pears led the rise, the ministry said." in paragraphs
    # AG News wraps lines with a backslash: that is one paragraph, not two.
    assert "AP - A chip maker posted higher profit as demand for memory chips grew in Asia." in (
        paragraphs
    )
    assert not any("Most viewed" in p or "(END)" in p for p in paragraphs)


def test_every_format_appears_in_dated_folders(tmp_path: Path) -> None:
    data = make_data(tmp_path / "data")
    realcorpus.write_corpus(
        data, tmp_path / "corpus", passages_target=3_000, seed=3, recombine=False
    )
    corpus = tmp_path / "corpus"
    suffixes, _, _ = corpus_paragraphs(corpus)
    assert {".txt", ".md", ".jsonl"} <= set(suffixes)
    for path in corpus.rglob("*.txt"):
        year, month, day = path.relative_to(corpus).parts[:3]
        article = read_file(path, path.relative_to(corpus).as_posix())[0]
        assert article.published is not None
        assert (article.published.month, article.published.day) == (int(month), int(day))
        assert 1980 < int(year) < 2030


def test_past_the_real_text_paragraphs_are_new_combinations_of_real_sentences(
    tmp_path: Path,
) -> None:
    data = make_data(tmp_path / "data")
    real = realcorpus.write_corpus(
        data, tmp_path / "real", passages_target=10_000, seed=3, recombine=False
    )
    stats = realcorpus.write_corpus(data, tmp_path / "big", passages_target=120, seed=3)
    _, real_paragraphs, _ = corpus_paragraphs(tmp_path / "real")
    _, paragraphs, passages = corpus_paragraphs(tmp_path / "big")
    assert stats.sentence_passes >= 2 and stats.paragraphs_recombined > 0
    assert len(paragraphs) == len(set(paragraphs))  # no paragraph text twice, ever
    real_sentences = {s for p in real_paragraphs for s in sentences(DATELINE.sub("", p))}
    recombined = [p for p in paragraphs if p not in set(real_paragraphs)]
    assert len(recombined) == stats.paragraphs_recombined
    for paragraph in recombined:
        # newsbot keeps a wire lead's dateline in its text; the rest: two or more real sentences
        assert sentence_count(DATELINE.sub("", paragraph), real_sentences) >= 2, paragraph
    assert real.paragraphs_real == stats.paragraphs_real  # all real text comes first
    assert abs(passages - stats.passages_estimated) <= 0.1 * passages


def test_the_same_seed_writes_the_same_corpus_and_another_seed_another(tmp_path: Path) -> None:
    data = make_data(tmp_path / "data")
    for name, seed in (("a", 5), ("b", 5), ("c", 6)):
        realcorpus.write_corpus(data, tmp_path / name, passages_target=80, seed=seed)
    assert digest(tmp_path / "a") == digest(tmp_path / "b")
    assert digest(tmp_path / "a") != digest(tmp_path / "c")


def test_the_command_refuses_a_folder_that_is_not_empty(tmp_path: Path) -> None:
    data = make_data(tmp_path / "data")
    out = tmp_path / "corpus"
    assert realcorpus.main(["--data", str(data), "--passages", "20", "--out", str(out)]) == 0
    try:
        realcorpus.main(["--data", str(data), "--passages", "20", "--out", str(out)])
    except SystemExit as stop:
        assert stop.code == 2
    else:
        raise AssertionError("a second run into the same folder went ahead")
