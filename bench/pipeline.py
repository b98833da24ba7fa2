"""End-to-end scale check through the corpus folder: index, restart, answer, add a story.

Run: python -m bench.pipeline --reuters ../shared/data/reuters-21578 --sizes 10000,100000 \
         --engine tantivy --out bench/out/pipeline

Unlike bench.scale (engines alone), this goes through newsbot's own path: story files on disk
-> readers -> versions -> passages -> analyzer -> engine -> Newsroom.ask. Reuters stories are
written as Markdown story files, replicated (with distinct titles) when a size needs more
passages than Reuters has: replicated text is for speed and memory, not for quality. Each step
runs in its own process so its peak memory (VmHWM) is its own.
"""

from __future__ import annotations

import argparse
import json
import random
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

QUESTIONS = 300


def _peak_mb() -> float:
    with open("/proc/self/status") as handle:
        for line in handle:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return float("nan")


def _pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round((len(ordered) - 1) * q / 100))]


def write_corpus(reuters: Path, target: int, corpus: Path) -> tuple[int, int, list[str]]:
    """Story files holding about ``target`` paragraphs; returns (files, paragraphs, titles)."""
    records = [
        json.loads(line)
        for line in (reuters / "reuters21578.jsonl").read_text(encoding="utf-8").splitlines()
    ]
    records = [r for r in records if r.get("paragraphs") and r.get("title")]
    files = paragraphs = 0
    titles: list[str] = []
    copy = 0
    while paragraphs < target:
        for record in records:
            if paragraphs >= target:
                break
            title = record["title"].title() + (f" (copy {copy})" if copy else "")
            body = "\n\n".join(record["paragraphs"])
            folder = corpus / f"c{copy}" / record["id"][-2:]
            folder.mkdir(parents=True, exist_ok=True)
            front = json.dumps({"title": title, "published": record["date"], "source": "Reuters"})
            (folder / f"r{record['id']}.md").write_text(
                "---\n" + front + "\n---\n" + body + "\n", encoding="utf-8"
            )
            files += 1
            paragraphs += len(record["paragraphs"])
            if copy == 0:
                titles.append(record["title"].title())
        copy += 1
    return files, paragraphs, titles


def _child(
    step: str, corpus: Path, cache: Path, engine: str, questions: list[str], spawned: float
) -> None:
    from bot.newsroom import Newsroom
    from bot.settings import Settings

    settings = Settings(corpus_dir=corpus, cache_dir=cache, engine=engine)
    started = time.perf_counter()
    room = Newsroom(settings)
    opened = time.perf_counter() - started
    result: dict[str, object] = {"action": room.report.action, "open_s": opened}
    if step == "build":
        result.update(passages=room.report.passages, stories=room.report.stories)
    elif step == "serve":
        room.ask(questions[0])
        result["restart_s"] = time.time() - spawned
        latencies = []
        for question in questions:
            t = time.perf_counter()
            room.ask(question)
            latencies.append((time.perf_counter() - t) * 1000)
        result.update(
            p50_ms=_pct(latencies, 50), p95_ms=_pct(latencies, 95), p99_ms=_pct(latencies, 99)
        )
        # A new story lands in the corpus: how long until an answer cites it?
        story = corpus / "fresh" / "ferry-resumes.md"
        story.parent.mkdir(exist_ok=True)
        written = time.perf_counter()
        story.write_text(
            "---\ntitle: Zyxwv ferry line resumes service\npublished: 2026-11-28\n---\n"
            "The zyxwv ferry line resumed service between the two islands on Saturday.\n",
            encoding="utf-8",
        )
        report = room.refresh()
        answer = room.ask("When did the zyxwv ferry line resume service?")
        result["add_story_s"] = time.perf_counter() - written
        result["add_story_action"] = report.action
        result["add_story_found"] = bool(
            answer.citations and answer.citations[0].article_id == "ferry-resumes"
        )
        story.unlink()
    result["peak_mb"] = _peak_mb()
    print("RESULT " + json.dumps(result), flush=True)


def _run(step: str, corpus: Path, cache: Path, engine: str, questions: Path) -> dict:
    command = [sys.executable, "-m", "bench.pipeline", "--child", step, "--corpus", str(corpus),
               "--cache", str(cache), "--engine", engine, "--questions", str(questions),
               str(time.time())]  # fmt: skip
    started = time.perf_counter()
    done = subprocess.run(command, capture_output=True, text=True, check=True)
    line = next(ln for ln in done.stdout.splitlines() if ln.startswith("RESULT "))
    result = json.loads(line.removeprefix("RESULT "))
    result["wall_s"] = time.perf_counter() - started
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reuters", type=Path)
    parser.add_argument("--sizes", default="10000,100000")
    parser.add_argument("--engine", default="tantivy")
    parser.add_argument("--out", type=Path, default=Path("bench/out/pipeline"))
    parser.add_argument("--child")
    parser.add_argument("--corpus", type=Path)
    parser.add_argument("--cache", type=Path)
    parser.add_argument("--questions", type=Path)
    parser.add_argument("spawned", nargs="?", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        questions = json.loads(args.questions.read_text())
        _child(args.child, args.corpus, args.cache, args.engine, questions, float(args.spawned))
        return
    if args.reuters is None:
        parser.error("--reuters is required")
    rows = []
    for size in (int(s) for s in args.sizes.split(",")):
        work = Path(tempfile.mkdtemp(prefix="newsbot-pipeline-"))
        try:
            corpus = work / "corpus"
            files, paragraphs, titles = write_corpus(args.reuters, size, corpus)
            questions = work / "questions.json"
            random.Random(7).shuffle(titles)
            questions.write_text(json.dumps(titles[:QUESTIONS]))
            print(f"{size}: {files} story files, {paragraphs} paragraphs", flush=True)
            build = _run("build", corpus, work / "cache", args.engine, questions)
            serve = _run("serve", corpus, work / "cache", args.engine, questions)
            rows.append({"size": size, "files": files, "paragraphs": paragraphs,
                         "build": build, "serve": serve})  # fmt: skip
            print(json.dumps(rows[-1]), flush=True)
        finally:
            shutil.rmtree(work, ignore_errors=True)
    lines = [
        f"# newsbot pipeline at scale (engine {args.engine})",
        "",
        "Reuters-21578 stories as story files; sizes past 105k paragraphs repeat the text.",
        "",
        "| target passages | files | passages indexed | index build s | build peak MB | "
        "restart to first answer s | serve peak MB | ask p50 / p95 / p99 ms | new story "
        "searchable after s |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for row in rows:
        b, s = row["build"], row["serve"]
        lines.append(
            f"| {row['size']:,} | {row['files']:,} | {b['passages']:,} | {b['open_s']:.1f} | "
            f"{b['peak_mb']:.0f} | {s['restart_s']:.2f} | {s['peak_mb']:.0f} | "
            f"{s['p50_ms']:.1f} / {s['p95_ms']:.1f} / {s['p99_ms']:.1f} | "
            f"{s['add_story_s']:.2f} ({s['add_story_action']}, "
            f"{'found' if s['add_story_found'] else 'NOT found'}) |"
        )
    report = "\n".join(lines) + "\n"
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "results.md").write_text(report, encoding="utf-8")
    (args.out / "results.json").write_text(json.dumps(rows, indent=2), encoding="utf-8")
    print(report)


if __name__ == "__main__":
    main()
