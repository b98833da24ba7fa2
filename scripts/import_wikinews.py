"""Convert the GUM Wikinews JSON Lines into newsbot's Markdown story files (with attribution).

Usage: python scripts/import_wikinews.py PATH/TO/wikinews_gum.jsonl corpus/wikinews
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from pathlib import Path

import yaml

LICENSE = "CC BY 2.5 (https://creativecommons.org/licenses/by/2.5/)"
_DATE_LINE = re.compile(
    r"^(?:(?P<title>.*?)\s+)?(?:Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday), "
    r"[A-Z][a-z]+ \d{1,2}, \d{4}\s*(?P<rest>.*)$"
)


def body_paragraphs(title: str, paragraphs: list[str]) -> list[str]:
    """Drop the page's own headline and date line, which GUM keeps as the first paragraphs."""
    kept = list(paragraphs)
    while kept:
        first = kept[0].strip()
        match = _DATE_LINE.match(first)
        if first.lower() == title.lower():
            kept.pop(0)
        elif match and (not match.group("title") or match.group("title").lower() == title.lower()):
            rest = match.group("rest").strip()
            if rest:
                kept[0] = rest
                break
            kept.pop(0)
        else:
            break
    return [p.strip() for p in kept if p.strip()]


def slug(title: str) -> str:
    """The file name stem for a title: lower-case words joined by hyphens, at most 70 chars."""
    return re.sub(r"[^a-z0-9]+", "-", title.lower()).strip("-")[:70].rstrip("-")


def main() -> None:
    """Write one story file per JSON line of ``source`` into ``out``, then say how many."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("source", type=Path)
    parser.add_argument("out", type=Path)
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    count = 0
    for line in args.source.read_text(encoding="utf-8").splitlines():
        record = json.loads(line)
        meta = {
            "title": record["title"],
            "published": record["date_created"],
            "url": record["source_url"],
            "source": "Wikinews",
            "license": LICENSE,
            "genre": record["genre"],
        }
        front = yaml.safe_dump(meta, allow_unicode=True, sort_keys=False, width=1000)
        text = "\n\n".join(body_paragraphs(record["title"], record["paragraphs"]))
        target = args.out / f"{record['date_created']}-{slug(record['title'])}.md"
        target.write_text(f"---\n{front}---\n\n{text}\n", encoding="utf-8")
        count += 1
    sys.stdout.write(f"wrote {count} stories to {args.out}\n")


if __name__ == "__main__":
    main()
