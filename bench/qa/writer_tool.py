"""What a blind question writer may use: the stories as newsbot shows them, and a phrase search.

Usage (from the repository root, after ``python -m bench.qa.build_corpus``)::

    python -m bench.qa.writer_tool --corpus bench/out/qa-corpus list SHARE OF
    python -m bench.qa.writer_tool --corpus bench/out/qa-corpus show STEM
    python -m bench.qa.writer_tool --corpus bench/out/qa-corpus grep REGEX
    python -m bench.qa.writer_tool --corpus bench/out/qa-corpus offcorpus x

``list``: the stems of one share of the readable stories (every OF-th in stem order, one stem
per story: copies and versions once). ``show``: a story's body as ``newsbot source`` gives it,
then every question already written on it or its copies, so that a writer asks for other
facts. ``grep``: every paragraph of every story matching REGEX, to check that nothing stored
answers an off-corpus or near-miss question. ``offcorpus``: the off-corpus questions already
written, not to be repeated. No ``ask``, no benchmark, no answer code: the
writers of rounds 5 on used this and ``bench/qa/BRIEF.md``.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import tempfile
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from bench.qa.check import HERE, _newsroom, load


def _files(corpus: Path) -> list[dict[str, Any]]:
    return json.loads((corpus / "manifest.json").read_text(encoding="utf-8"))["files"]


def stories(room: Any, files: list[dict[str, Any]]) -> dict[str, str]:
    """Stem -> the article id newsbot shows for it, one stem per story (first in stem order)."""
    chosen: dict[str, str] = {}
    seen: set[str] = set()
    for f in sorted(files, key=lambda f: f["stem"]):
        view = room.source(f["article_id"])
        if view is None:
            continue
        shown = view.article.article_id
        group = f.get("copy_group") or shown
        if shown in seen or group in seen:
            continue
        seen.update({shown, group})
        chosen[f["stem"]] = shown
    return chosen


def show(room: Any, files: list[dict[str, Any]], stem: str, qa: Path = HERE) -> list[str]:
    """The story's lines as a writer reads them, then the questions already asked of it."""
    by_stem = {f["stem"]: f for f in files}
    view = room.source(by_stem[stem]["article_id"])
    if view is None:
        return [f"newsbot does not read {stem}"]
    article = view.article
    lines = [f"# {article.title}", f"(source {article.source}, shown as {article.article_id})", ""]
    lines += [p.text + "\n" for p in article.paragraphs]
    group = by_stem[stem].get("copy_group")

    def same_story(f: dict[str, Any]) -> bool:
        if group and f.get("copy_group") == group:
            return True
        other = room.source(f["article_id"])
        return other is not None and other.article.article_id == article.article_id

    same = {s for s, f in by_stem.items() if same_story(f)}
    lines.append("## questions already written on this story (do not repeat their facts)")
    asked = [row for name in ("answerable", "nearmiss") for row in load(name, qa)]
    lines += [f"- {row['question']}" for row in asked if row["story"] in same]
    return lines


def grep(room: Any, files: list[dict[str, Any]], pattern: str) -> list[str]:
    """Every paragraph of every readable story matching ``pattern`` (case-insensitive)."""
    found = re.compile(pattern, re.IGNORECASE)
    lines = []
    for f in files:
        view = room.source(f["article_id"])
        for paragraph in view.article.paragraphs if view else ():
            if found.search(paragraph.text):
                lines.append(f"[{f['stem']}] {paragraph.text[:300]}")
    return [*lines, f"{len(lines)} paragraph(s)"]


def main(argv: Sequence[str] | None = None, say: Callable[[str], None] = print) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.qa.writer_tool", description=__doc__)
    parser.add_argument("--corpus", type=Path, required=True)
    parser.add_argument("--cache", type=Path, help="index cache (default: a temporary folder)")
    parser.add_argument("command", choices=("list", "show", "grep", "offcorpus"))
    parser.add_argument("args", nargs="+")
    args = parser.parse_args(argv)
    files = _files(args.corpus)
    with tempfile.TemporaryDirectory() as scratch:
        room = _newsroom(args.corpus, args.cache or Path(scratch))
        if args.command == "list":
            share, of = (int(a) for a in args.args[:2])
            lines = [s for i, s in enumerate(sorted(stories(room, files))) if i % of == share - 1]
        elif args.command == "offcorpus":
            lines = [row["question"] for row in load("offcorpus")]
        elif args.command == "show":
            lines = show(room, files, args.args[0])
        else:
            lines = grep(room, files, args.args[0])
        room.index.close()
    for line in lines:
        say(line)
    return 0


if __name__ == "__main__":
    sys.exit(main())
