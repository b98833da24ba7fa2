"""The single-core indexing hot path, in process: parse story files, split, analyze.

Run: python -m bench.hotpath --reuters ../shared/data/reuters-21578 [--files 5000]

Reuters stories are written as Markdown story files exactly as bench.pipeline writes them,
read into memory, then each step is timed on its own: parse (``readers.parse_bytes`` on each
file's bytes; a file refused with ArticleError is counted and skipped, as the indexer
skips it), split (``passages.split_article`` on each article) and analyze
(``analysis.passage_terms`` on each passage). Each step runs ``--rounds`` times; the first
round is cold (empty caches), the best round is what a long indexing run settles at. The
digests fingerprint every step's output, so two runs (before and after a change) can be
checked to produce the same articles, passages and terms.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import shutil
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

from bench.pipeline import write_corpus

if TYPE_CHECKING:
    from bot.ingest.articles import Article

T = TypeVar("T")


def _paragraph_target(reuters: Path, files: int) -> int:
    """The paragraph target for which write_corpus writes exactly ``files`` story files."""
    records = [
        json.loads(line)
        for line in (reuters / "reuters21578.jsonl").read_text(encoding="utf-8").splitlines()
    ]
    records = [r for r in records if r.get("paragraphs") and r.get("title")]
    # write_corpus cycles through the records (copies past the first pass) and stops once it
    # holds the target; every record has at least one paragraph.
    return sum(len(records[n % len(records)]["paragraphs"]) for n in range(files))


def _timed(step: Callable[[], T], rounds: int) -> tuple[T, float, float]:
    """The step's result, its first (cold) time and its best time over ``rounds``."""
    times = []
    result: T | None = None
    for _ in range(rounds):
        started = time.perf_counter()
        result = step()
        times.append(time.perf_counter() - started)
    assert result is not None
    return result, times[0], min(times)


def _digest(items: Sequence[object]) -> str:
    sha = hashlib.sha1(usedforsecurity=False)
    for item in items:
        sha.update(repr(item).encode())
        sha.update(b"\0")
    return sha.hexdigest()[:12]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reuters", type=Path, required=True)
    parser.add_argument("--files", type=int, default=5000)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()

    from bot.ingest.readers import ArticleError, parse_bytes
    from bot.text.analysis import passage_terms
    from bot.text.passages import encoding, split_article

    work = Path(tempfile.mkdtemp(prefix="newsbot-hotpath-"))
    try:
        corpus = work / "corpus"
        files, _, _ = write_corpus(
            args.reuters, _paragraph_target(args.reuters, args.files), corpus
        )
        raw = [
            (path.read_bytes(), path.relative_to(corpus).as_posix())
            for path in sorted(corpus.rglob("*.md"))
        ]
    finally:
        shutil.rmtree(work, ignore_errors=True)
    encoding()  # loading the tiktoken table is start-up, not splitting

    def parse() -> tuple[list[Article], list[str]]:
        articles: list[Article] = []
        refused: list[str] = []  # a story the indexer would report and skip
        for data, relative in raw:
            try:
                articles.extend(parse_bytes(data, relative))
            except ArticleError as error:
                refused.append(f"{relative}: {error}")
        return articles, refused

    (articles, refused), parse_first, parse_best = _timed(parse, args.rounds)
    passages, split_first, split_best = _timed(
        lambda: [(a.title, p) for a in articles for p in split_article(a)], args.rounds
    )
    terms, analyze_first, analyze_best = _timed(
        lambda: [passage_terms(title, p.text) for title, p in passages], args.rounds
    )

    rows = [
        ("parse", len(raw), "files", parse_first, parse_best, _digest([*articles, *refused])),
        ("split", len(articles), "articles", split_first, split_best, _digest(passages)),
        ("analyze", len(passages), "passages", analyze_first, analyze_best, _digest(terms)),
    ]
    print(
        f"{files} story files ({len(refused)} refused), {len(passages)} passages, "
        f"best of {args.rounds} rounds"
    )
    print()
    print("| step | items | first s | best s | best µs/item | output digest |")
    print("|---|---:|---:|---:|---:|---|")
    for step, count, unit, first, best, digest in rows:
        per_item = best / count * 1e6 if count else 0.0
        print(
            f"| {step} | {count:,} {unit} | {first:.2f} | {best:.2f} | {per_item:,.0f} | {digest} |"
        )
    total_first = sum(row[3] for row in rows)
    total_best = sum(row[4] for row in rows)
    print(f"| total | | {total_first:.2f} | {total_best:.2f} | | |")


if __name__ == "__main__":
    main()
