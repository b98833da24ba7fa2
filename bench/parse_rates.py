"""Parse rates on real Yonhap copies: how many stories come out with title, dateline and date.

Usage: python -m bench.parse_rates --pages ../shared/data/yonhap-pages \
           --baram ../shared/data/yonhap-en-baram --out bench/out/parse

Checks against what the data sets themselves know: the web id in each page's URL (manifest.jsonl)
gives the Seoul publication date, so a parsed date can be checked, not only counted (a dateline
abroad may be one day earlier); the Baram JSON Lines give each story's dateline. Version chains
are grouped with newsbot's own logic and listed.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from bot.ingest.articles import Article
from bot.ingest.readers import ArticleError, read_file
from bot.ingest.versions import group_versions
from bot.ingest.wire import web_id_date


@dataclass
class Tally:
    name: str
    files: int = 0
    read: int = 0
    title: int = 0
    dateline: int = 0
    dated: int = 0
    year_certain: int = 0
    year_probable: int = 0
    checkable: int = 0
    date_right: int = 0
    failures: list[str] = field(default_factory=list)

    def row(self) -> str:
        def pct(n: int, of: int) -> str:
            return f"{n} ({100 * n / of:.0f}%)" if of else "-"

        return (
            f"| {self.name} | {self.files} | {pct(self.read, self.files)} | "
            f"{pct(self.title, self.files)} | {pct(self.dateline, self.files)} | "
            f"{pct(self.dated, self.files)} | {pct(self.year_certain, self.files)} | "
            f"{pct(self.year_probable, self.files)} | {pct(self.date_right, self.checkable)} |"
        )


HEADER = (
    "| set | files | read | title | dateline | month+day | year certain | year probable "
    "| date right (of checkable) |\n|---|---:|---:|---:|---:|---:|---:|---:|---:|"
)


def _count(tally: Tally, article: Article, truth: dt.date | None) -> None:
    tally.read += 1
    tally.title += bool(article.title)
    tally.dateline += bool(article.dateline)
    published = article.published
    if published is None:
        return
    tally.dated += 1
    tally.year_certain += published.year_certain
    tally.year_probable += published.probable
    if truth is not None and published.year is not None:
        tally.checkable += 1
        parsed = dt.date(published.year, published.month, published.day)
        tally.date_right += abs((parsed - truth).days) <= 1


def _read_all(
    tally: Tally, paths: Iterable[Path], root: Path, truths: dict[str, dt.date]
) -> list[Article]:
    articles = []
    for path in paths:
        tally.files += 1
        try:
            found = read_file(path, path.relative_to(root).as_posix())
        except ArticleError as error:
            tally.failures.append(f"{path.name}: {error}")
            continue
        for article in found:
            _count(tally, article, truths.get(path.stem))
            articles.append(article)
    return articles


def pages(folder: Path) -> tuple[Tally, list[Article]]:
    truths: dict[str, dt.date] = {}
    manifest = folder / "manifest.jsonl"
    if manifest.exists():
        for line in manifest.read_text(encoding="utf-8").splitlines():
            record = json.loads(line)
            known = web_id_date(record.get("url"))
            if known and known.year:
                truths[record["slug"]] = dt.date(known.year, known.month, known.day)
    tally = Tally("yonhap-pages (*.txt)")
    articles = _read_all(tally, sorted(folder.glob("*.txt")), folder, truths)
    return tally, articles


def baram(folder: Path) -> tuple[Tally, list[Article], int]:
    tally = Tally("yonhap-en-baram (raw/*.md)")
    articles = _read_all(tally, sorted((folder / "raw").glob("*.md")), folder, {})
    cities = {}
    for line in (folder / "yonhap_en.jsonl").read_text(encoding="utf-8").splitlines():
        record = json.loads(line)
        city = re.match(r"([A-Z][A-Z .'/-]*[A-Z])", record.get("dateline") or "")
        if city:
            cities[record["id"]] = city.group(1)
    right = sum(
        1 for a in articles if a.dateline and cities.get(Path(a.path).stem, "\0") in a.dateline
    )
    return tally, articles, right


def chains(articles: list[Article]) -> list[list[Article]]:
    return [story for story in group_versions(articles) if len(story) > 1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=Path, required=True)
    parser.add_argument("--baram", type=Path, required=True)
    parser.add_argument("--out", type=Path, default=Path("bench/out/parse"))
    args = parser.parse_args()

    page_tally, page_articles = pages(args.pages)
    baram_tally, baram_articles, cities_right = baram(args.baram)
    lines = ["# Parse rates on real Yonhap copies", "", HEADER, page_tally.row(), baram_tally.row()]
    lines += [
        "",
        f"Baram datelines matching the data set's own dateline field: {cities_right} of "
        f"{baram_tally.read}.",
        "'date right' compares with the web id in each page's URL (Seoul date; +-1 day allowed).",
        "",
        "## Version chains found (newest first)",
    ]
    for story in chains(page_articles) + chains(baram_articles):
        lines.append("- " + " <- ".join(f"{a.version_tag or 'first'}: {a.path}" for a in story))
    lines += ["", "## Files refused"]
    lines += [f"- {failure}" for failure in page_tally.failures + baram_tally.failures] or ["none"]
    report = "\n".join(lines) + "\n"
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "parse_rates.md").write_text(report, encoding="utf-8")
    print(report)


if __name__ == "__main__":
    main()
