"""Build the evaluation corpus for the passage-level question sets: shipped corpus + real Yonhap.

Usage: python -m bench.qa.build_corpus --data ../shared/data --out bench/out/qa-corpus

The output folder holds, as files newsbot reads unchanged:

- ``shipped/``: a copy of the repository's ``corpus/`` (the Yonhap sample and 43 Wikinews stories);
- ``yonhap-en-baram/baram-<naver aid>-<slug>.md``: the 194 Naver copies of
  ``DATA/yonhap-en-baram/raw`` (YAML front matter + Markdown body), byte for byte;
- ``yonhap-pages/page-<slug>.txt``: the 103 page texts of ``DATA/yonhap-pages``, byte for byte;
- ``manifest.json`` (not a story suffix, so newsbot ignores it): for every file its source path,
  its article id (= file stem) and its near-duplicate group. The same story reaches the corpus
  more than once (a Naver copy in both Yonhap sets, a Korea Herald reprint of the sample), so a
  benchmark should count any member of the expected story's group as the right story.

New stems are already in newsbot's id form (lower case, hyphens, at most 80 characters), so
their article id is the stem; 15 shipped Wikinews stems are longer, and newsbot gives those an
id cut to 71 characters plus a hash: the question sets name stories by file stem, as
``bench/questions.jsonl`` does, and the manifest maps stem to article id. The
build is deterministic (sorted inputs, no clocks) and refuses to write into a non-empty folder
other than a previous build of its own, so a wrong ``--out`` cannot clobber anything.
"""

from __future__ import annotations

import argparse
import hashlib
import html
import json
import re
import shutil
import sys
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
MANIFEST = "manifest.json"
MAX_ID = 80
# Word 5-grams: long enough that two different wire stories on one topic rarely share many.
SHINGLE = 5
# A copy holds at least this share of the shorter text's shingles (containment, not Jaccard,
# because page copies are often cut short).
COPY_CONTAINMENT = 0.8
NOTICE = (
    "These files are copies of Yonhap News Agency stories (c) Yonhap News Agency and the\n"
    "republishers, from {source}. For internal evaluation only; never commit them to the\n"
    "newsbot repository.\n"
)


@dataclass(frozen=True)
class Entry:
    source: str
    path: str
    stem: str

    @property
    def article_id(self) -> str:
        return newsbot_id(self.stem)


def slug(text: str) -> str:
    """newsbot's id form (``bot.ingest.readers.base_id``), cut under its 80-character cap.

    Past 80 characters newsbot would append a hash to the id, which is neither readable nor
    the file stem; the Naver slugs are already cut mid-word, so cutting a few more is harmless.
    """
    return re.sub(r"[\W_]+", "-", text.lower()).strip("-")[:MAX_ID].rstrip("-")


def newsbot_id(stem: str) -> str:
    """The article id newsbot gives a file of this stem (``bot.ingest.readers.base_id``'s rule).

    Only shipped Wikinews names are long enough to get the hashed form; the check
    (``bench.qa.check``) confirms every id against newsbot itself, so a drift shows at once.
    """
    full = re.sub(r"[\W_]+", "-", stem.lower()).strip("-") or "story"
    if len(full) > MAX_ID:
        digest = hashlib.sha1(stem.encode(), usedforsecurity=False).hexdigest()[:8]
        full = f"{full[:71].rstrip('-')}-{digest}"
    return full


def baram_stem(name: str) -> str:
    # "001_0015816636_sundays_weather_forecast" -> "baram-0015816636-sundays-weather-forecast":
    # the Naver aid keeps stems unique (versions share a slug prefix) and sorts by time.
    stem = Path(name).stem
    parts = stem.split("_", 2)
    if len(parts) == 3 and parts[0].isdigit() and parts[1].isdigit():
        return slug(f"baram-{parts[1]}-{parts[2]}")
    return slug(f"baram-{stem}")


def page_stem(name: str) -> str:
    stem = Path(name).stem
    if stem.startswith("baram_"):
        return "page-" + baram_stem(stem.removeprefix("baram_"))
    return slug(f"page-{stem}")


def _plan(data: Path, shipped: Path) -> list[tuple[Path, Entry]]:
    plan: list[tuple[Path, Entry]] = []
    for path in sorted(p for p in shipped.rglob("*") if p.is_file()):
        relative = path.relative_to(shipped).as_posix()
        target = f"shipped/{relative}"
        plan.append((path, Entry(f"corpus/{relative}", target, path.stem)))
    baram = data / "yonhap-en-baram" / "raw"
    for path in sorted(baram.glob("*.md")):
        stem = baram_stem(path.name)
        source = f"yonhap-en-baram/raw/{path.name}"
        plan.append((path, Entry(source, f"yonhap-en-baram/{stem}.md", stem)))
    pages = data / "yonhap-pages"
    for path in sorted(pages.glob("*.txt")):
        stem = page_stem(path.name)
        source = f"yonhap-pages/{path.name}"
        plan.append((path, Entry(source, f"yonhap-pages/{stem}.txt", stem)))
    return plan


def _is_story(entry: Entry) -> bool:
    name = Path(entry.path).name.lower()
    return name.endswith((".txt", ".md")) and not re.match(r"(readme|notice|license)\b", name)


def _shingles(raw: str) -> frozenset[tuple[str, ...]]:
    body = re.sub(r"\A---\n.*?\n---\n", "", raw, flags=re.DOTALL)
    words = re.findall(r"\w+", html.unescape(body).lower())
    return frozenset(tuple(words[i : i + SHINGLE]) for i in range(len(words) - SHINGLE + 1))


def duplicate_groups(texts: dict[str, str]) -> dict[str, str]:
    """Article id -> its group's smallest id, for stories that are copies of one another.

    All pairs are compared (about 340 stories: 60k pairs of set intersections, a second or two);
    groups are closed transitively with a union-find.
    """
    shingles = {aid: _shingles(text) for aid, text in sorted(texts.items())}
    parent = {aid: aid for aid in shingles}

    def root(aid: str) -> str:
        while parent[aid] != aid:
            parent[aid] = parent[parent[aid]]
            aid = parent[aid]
        return aid

    ids = sorted(shingles)
    for i, a in enumerate(ids):
        for b in ids[i + 1 :]:
            sa, sb = shingles[a], shingles[b]
            small = min(len(sa), len(sb))
            if small and len(sa & sb) / small >= COPY_CONTAINMENT:
                ra, rb = root(a), root(b)
                parent[max(ra, rb)] = min(ra, rb)
    return {aid: root(aid) for aid in ids}


def build(data: Path, out: Path, shipped: Path = REPO / "corpus") -> dict[str, object]:
    plan = _plan(data, shipped)
    ids = [entry.article_id for _, entry in plan if _is_story(entry)]
    clashes = sorted({aid for aid in ids if ids.count(aid) > 1})
    if clashes:
        raise SystemExit(f"two files would share an article id: {', '.join(clashes)}")
    if out.exists() and any(out.iterdir()):
        if not (out / MANIFEST).is_file():
            raise SystemExit(f"{out} is not empty and holds no {MANIFEST}: refusing to write there")
        shutil.rmtree(out)
    out.mkdir(parents=True, exist_ok=True)
    texts: dict[str, str] = {}
    for source, entry in plan:
        target = out / entry.path
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(source, target)
        if _is_story(entry):
            texts[entry.article_id] = source.read_bytes().decode("utf-8", errors="replace")
    for folder, origin in (
        ("yonhap-en-baram", "github.com/hephaex/Baram (Naver copies)"),
        ("yonhap-pages", "Yonhap's sites and republishers"),
    ):
        (out / folder / "NOTICE.md").write_text(NOTICE.format(source=origin), encoding="utf-8")
    groups = duplicate_groups(texts)
    files = [
        {
            "stem": entry.stem,
            "article_id": entry.article_id,
            "path": entry.path,
            "source": entry.source,
            "copy_group": groups[entry.article_id],
        }
        for _, entry in plan
        if _is_story(entry)
    ]
    manifest: dict[str, object] = {
        "about": "built by python -m bench.qa.build_corpus; article id = file stem",
        "shingle_words": SHINGLE,
        "copy_containment": COPY_CONTAINMENT,
        "files": files,
        "copy_groups": {
            group: sorted(aid for aid, g in groups.items() if g == group)
            for group in sorted(set(groups.values()))
            if sum(1 for g in groups.values() if g == group) > 1
        },
    }
    (out / MANIFEST).write_text(json.dumps(manifest, indent=1) + "\n", encoding="utf-8")
    return manifest


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        description=__doc__.splitlines()[0],
        epilog="Then: newsbot index --corpus OUT; python -m bench.qa.check --corpus OUT",
    )
    parser.add_argument(
        "--data", type=Path, required=True, help="folder holding yonhap-en-baram/ and yonhap-pages/"
    )
    parser.add_argument("--out", type=Path, required=True, help="corpus folder to (re)create")
    parser.add_argument(
        "--shipped", type=Path, default=REPO / "corpus", help="the shipped corpus (default: repo)"
    )
    args = parser.parse_args(argv)
    for needed in ("yonhap-en-baram/raw", "yonhap-pages"):
        if not (args.data / needed).is_dir():
            sys.exit(f"{args.data / needed} not found: --data must be the data sets folder")
    manifest = build(args.data, args.out, args.shipped)
    files = manifest["files"]
    assert isinstance(files, list)
    by_folder: dict[str, int] = {}
    for record in files:
        folder = record["path"].split("/", 1)[0]
        by_folder[folder] = by_folder.get(folder, 0) + 1
    groups = manifest["copy_groups"]
    assert isinstance(groups, dict)
    print(
        f"wrote {len(files)} story files to {args.out}: "
        + ", ".join(f"{folder} {n}" for folder, n in sorted(by_folder.items()))
    )
    print(
        f"{len(groups)} groups of copies of one story ({sum(map(len, groups.values()))} files);"
        f" see {args.out / MANIFEST}"
    )


if __name__ == "__main__":
    main()
