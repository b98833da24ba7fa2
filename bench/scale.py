"""Scale benchmark: build, memory, restart, latency and throughput per engine, 10k-1M passages.

Run: python -m bench.scale --data ../shared/data --out bench/out/scale

Passages are real, non-repeating news text from bench.realcorpus (no replicated text).

Every engine step runs in its own child process (this module, with a hidden sub-command) so peak
memories never mix; the parent only prepares corpora, collects JSON lines and writes the report.
"""

from __future__ import annotations

import argparse
import json
import os
import pickle
import platform
import random
import shlex
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

ENGINES = ("baseline", "bm25", "tantivy")
LABELS = {
    "baseline": "baseline: rank-bm25 BM25Okapi.get_top_n, lower().split()",
    "bm25": "bm25: newsbot RankBM25Engine (default)",
    "tantivy": "tantivy: newsbot TantivyEngine",
}
MIN_QUERIES = 20  # an engine answers at least these, then stops once past its time budget
K = 10
THREADS = 2
UPDATE_ROUNDS = 5
# Issue 4's targets at 1M passages.
TARGETS = {"p50_ms": 10.0, "p99_ms": 50.0, "speedup": 50.0, "build_s": 60.0}
TARGETS_MB = {"serve_peak_mb": 1024.0}
TARGETS_RESTART_S = 3.0


# --- measurements shared by the children -------------------------------------------------------


def _status_kb(field: str) -> int:
    """A /proc/self/status figure in kB.

    Peak memory is VmHWM, not getrusage's ru_maxrss: Linux carries the parent's high-water mark
    across fork+exec into a child's ru_maxrss, so a child of this (big) parent would report the
    parent's peak rather than its own.
    """
    with open("/proc/self/status") as handle:
        for line in handle:
            if line.startswith(field + ":"):
                return int(line.split()[1])
    raise RuntimeError(f"{field} not in /proc/self/status")


def _mb(kb: int) -> float:
    return kb / 1024


def _dir_mb(path: Path) -> float:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file()) / 1e6


def _emit(result: dict) -> None:
    print("RESULT " + json.dumps(result), flush=True)


def _percentile(sorted_values: Sequence[float], q: float) -> float:
    """Linear-interpolated percentile (numpy's default), without importing numpy here."""
    if len(sorted_values) == 1:
        return sorted_values[0]
    rank = (len(sorted_values) - 1) * q / 100
    low = int(rank)
    high = min(low + 1, len(sorted_values) - 1)
    return sorted_values[low] + (sorted_values[high] - sorted_values[low]) * (rank - low)


# --- child: one engine's build -----------------------------------------------------------------


def _child_build(engine: str, work: Path, index: Path) -> None:
    if engine == "baseline":
        from rank_bm25 import BM25Okapi

        with open(work / "texts.pickle", "rb") as handle:
            texts: list[str] = pickle.load(handle)  # noqa: S301 - this run's own file
        held = _status_kb("VmRSS")
        started = time.perf_counter()
        # The newcomer's path: lower-case split tokens, BM25Okapi, persisted with pickle.
        model = BM25Okapi([t.lower().split() for t in texts])
        built = time.perf_counter()
        # Passage texts live in the catalog, not in the engine: not counted here.
        del texts
        index.mkdir()
        with open(index / "baseline.pickle", "wb") as handle:
            pickle.dump(model, handle, protocol=pickle.HIGHEST_PROTOCOL)
    else:
        with open(work / "terms.pickle", "rb") as handle:
            joined: list[str] = pickle.load(handle)  # noqa: S301 - this run's own file
        docs = [line.split() for line in joined]
        del joined
        held = _status_kb("VmRSS")
        cls = _engine_class(engine)
        started = time.perf_counter()
        model = cls.build(enumerate(docs))
        built = time.perf_counter()
        index.mkdir()
        model.save(index)
    saved = time.perf_counter()
    _emit(
        {
            "build_s": built - started,
            "save_s": saved - built,
            "index_mb": _dir_mb(index),
            "build_peak_mb": _mb(_status_kb("VmHWM")),
            "input_mb": _mb(held),
        }
    )


def _engine_class(engine: str):
    if engine == "bm25":
        from bot.index.engines.bm25 import RankBM25Engine

        return RankBM25Engine
    from bot.index.engines.tantivy import TantivyEngine

    return TantivyEngine


# --- child: restart, latency, throughput ------------------------------------------------------


def _child_serve(engine: str, work: Path, index: Path, budget: float, spawned: float) -> None:
    from concurrent.futures import ThreadPoolExecutor

    questions: list[str] = json.loads((work / "queries.json").read_text())
    if engine == "baseline":
        from rank_bm25 import BM25Okapi

        with open(index / "baseline.pickle", "rb") as handle:
            model: BM25Okapi = pickle.load(handle)  # noqa: S301 - this run's own file
        ids = list(range(model.corpus_size))

        def answer(question: str) -> list:
            return model.get_top_n(question.lower().split(), ids, n=K)

    else:
        from bot.text.analysis import analyze

        engine_obj = _engine_class(engine).load(index)

        def answer(question: str) -> list:
            # End to end as NewsIndex.search does it: analyzer, then the engine.
            return engine_obj.search(analyze(question), K)

    answer(questions[0])
    # Restart = process spawn (time.time() in the parent) to first answer: interpreter start,
    # imports, loading the persisted index, one query.
    restart = time.time() - spawned
    loaded_mb = _mb(_status_kb("VmRSS"))
    latencies = []
    begun = time.perf_counter()
    for question in questions:
        # The baseline takes seconds a query at 1M: a time budget keeps the run short, and
        # the table says how many queries each figure rests on.
        if len(latencies) >= MIN_QUERIES and time.perf_counter() - begun > budget:
            break
        started = time.perf_counter()
        answer(question)
        latencies.append(time.perf_counter() - started)
    questions = questions[: len(latencies)]
    latencies.sort()
    # Threads, as the bot runs searches (asyncio.to_thread): they overlap only where the
    # engine releases the GIL (tantivy's Rust search does; rank-bm25's Python loop does not).
    with ThreadPoolExecutor(THREADS) as pool:
        started = time.perf_counter()
        list(pool.map(answer, questions))
        parallel = time.perf_counter() - started
    _emit(
        {
            "restart_s": restart,
            "loaded_mb": loaded_mb,
            "serve_peak_mb": _mb(_status_kb("VmHWM")),
            "queries": len(questions),
            "p50_ms": _percentile(latencies, 50) * 1e3,
            "p95_ms": _percentile(latencies, 95) * 1e3,
            "p99_ms": _percentile(latencies, 99) * 1e3,
            "qps_1": len(latencies) / sum(latencies),
            "qps_2": len(questions) / parallel,
        }
    )


# --- child: incremental add on the tantivy index ----------------------------------------------


def _child_update(work: Path, index: Path) -> None:
    from bot.index.engines.tantivy import TantivyEngine
    from bot.text.analysis import analyze

    stories: list[list[str]] = json.loads((work / "stories.json").read_text())
    engine = TantivyEngine.load(index)
    size = engine.document_frequencies([])[0]
    rounds = []
    for n, story in enumerate(stories):
        marker = f"zzfreshstory{n}"  # a term no passage has, to tell when the story is live
        started = time.perf_counter()
        passages = [(size + n * 100 + i, [*analyze(text), marker]) for i, text in enumerate(story)]
        engine.add(passages)
        engine.commit()
        hits = engine.search([marker], 100)
        searchable = time.perf_counter() - started
        assert len(hits) == len(passages), (len(hits), len(passages))
        started = time.perf_counter()
        engine.delete([doc for doc, _ in passages])
        engine.commit()
        gone = not engine.search([marker], 100)
        deleted = time.perf_counter() - started
        assert gone
        rounds.append({"passages": len(passages), "add_s": searchable, "delete_s": deleted})
    engine.close()
    _emit({"rounds": rounds, "index_passages": size, "peak_mb": _mb(_status_kb("VmHWM"))})


# --- parent ------------------------------------------------------------------------------------


def _run_child(*args: str) -> dict:
    spawned = time.time()
    command = [sys.executable, "-m", "bench.scale", "_child", *args, "--spawned", repr(spawned)]
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"{' '.join(args)} failed:\n{done.stderr[-3000:]}")
    for line in done.stdout.splitlines():
        if line.startswith("RESULT "):
            return json.loads(line[len("RESULT ") :])
    raise RuntimeError(f"{' '.join(args)} printed no result:\n{done.stdout[-2000:]}")


def _log(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def _read_real(data: Path, size: int) -> tuple[list[str], list[str], list[list[str]]]:
    """Paragraphs (real ones first, then recombined), real headlines, and long stories.

    The text of ``bench.realcorpus``: every paragraph distinct, no replication; a smaller size
    is a prefix of a larger one, so sizes up to ~125k are real paragraphs only.
    """
    from bench.realcorpus import collect_stories

    # A paragraph is a passage here: ask for a little more than newsbot's passage estimate.
    made, stats = collect_stories(data, int(size * 1.05) + 10)
    paragraphs = [p for story in made for p in story.paragraphs][:size]
    seen: set[str] = set()
    titles = []
    for story in made[: stats.stories_real]:
        if story.title.casefold() not in seen:
            seen.add(story.title.casefold())
            titles.append(story.title)
    stories = [s.paragraphs for s in made[: stats.stories_real] if 8 <= len(s.paragraphs) <= 12]
    _log(
        f"real text: {stats.paragraphs_real:,} real and {stats.paragraphs_recombined:,} "
        f"recombined paragraphs ({stats.sentence_passes} passes over "
        f"{stats.sentence_pool:,} real sentences)"
    )
    return paragraphs, titles, stories


def _fmt(value: float) -> str:
    if value >= 100:
        return f"{value:,.0f}"
    if value >= 10:
        return f"{value:.1f}"
    if value >= 1:
        return f"{value:.2f}"
    return f"{value:.3g}"


def _ratio(value: float, base: float) -> str:
    return f"{value / base:.3g}×" if base else "-"


COLUMNS = (
    ("build_total_s", "build+save s"),
    ("index_mb", "index on disk MB"),
    ("build_peak_mb", "build peak MB"),
    ("input_mb", "of which input MB"),
    ("serve_peak_mb", "serve peak MB"),
    ("restart_s", "restart s"),
    ("p50_ms", "p50 ms"),
    ("p95_ms", "p95 ms"),
    ("p99_ms", "p99 ms"),
    ("qps_1", "q/s 1 thread"),
    ("qps_2", "q/s 2 threads"),
)


def _tables(results: dict[int, dict[str, dict]]) -> tuple[str, str]:
    head = "| passages | engine | " + " | ".join(title for _, title in COLUMNS) + " | queries |"
    rule = "|---|---|" + "---:|" * (len(COLUMNS) + 1)
    absolute = [head, rule]
    ratios = [
        "| passages | engine | " + " | ".join(title for _, title in COLUMNS) + " | p50 speed-up |",
        rule,
    ]
    for size, by_engine in results.items():
        base = by_engine["baseline"]
        for engine, row in by_engine.items():
            cells = " | ".join(_fmt(row[key]) for key, _ in COLUMNS)
            absolute.append(f"| {size:,} | {engine} | {cells} | {row['queries']} |")
            if engine != "baseline":
                cells = " | ".join(_ratio(row[key], base[key]) for key, _ in COLUMNS)
                speedup = base["p50_ms"] / row["p50_ms"]
                ratios.append(f"| {size:,} | {engine} | {cells} | {speedup:,.0f}× |")
    return "\n".join(absolute), "\n".join(ratios)


def _targets(row: dict, base: dict) -> list[str]:
    checks = [
        ("query p50", row["p50_ms"], TARGETS["p50_ms"], "ms", True),
        ("query p99", row["p99_ms"], TARGETS["p99_ms"], "ms", True),
        (
            "speed-up vs baseline (p50)",
            base["p50_ms"] / row["p50_ms"],
            TARGETS["speedup"],
            "×",
            False,
        ),
        ("build (analysis excluded)", row["build_total_s"], TARGETS["build_s"], "s", True),
        ("serving peak memory", row["serve_peak_mb"], TARGETS_MB["serve_peak_mb"], "MB", True),
        ("restart to first answer", row["restart_s"], TARGETS_RESTART_S, "s", True),
    ]
    lines = []
    for name, value, target, unit, at_most in checks:
        met = value <= target if at_most else value >= target
        bound = "<=" if at_most else ">="
        lines.append(
            f"- {name}: {_fmt(value)} {unit} (target {bound} {_fmt(target)} {unit}): "
            + ("met" if met else "NOT met")
        )
    return lines


def _plot(results: dict[int, dict[str, dict]], target: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    sizes = sorted(results)
    figure, (latency, memory) = plt.subplots(1, 2, figsize=(12, 4.8))
    colours = {"baseline": "tab:red", "bm25": "tab:orange", "tantivy": "tab:blue"}
    for engine in ENGINES:
        xs = [s for s in sizes if engine in results[s]]
        p50 = [results[s][engine]["p50_ms"] for s in xs]
        p99 = [results[s][engine]["p99_ms"] for s in xs]
        latency.plot(xs, p50, "o-", color=colours[engine], label=f"{engine} p50")
        latency.plot(xs, p99, "s--", color=colours[engine], alpha=0.6, label=f"{engine} p99")
        serve = [results[s][engine]["serve_peak_mb"] for s in xs]
        build = [results[s][engine]["build_peak_mb"] for s in xs]
        memory.plot(xs, serve, "o-", color=colours[engine], label=f"{engine} serving peak")
        memory.plot(
            xs, build, "s--", color=colours[engine], alpha=0.6, label=f"{engine} build peak"
        )
    latency.axhline(TARGETS["p50_ms"], color="grey", lw=0.8, ls=":", label="target p50 10 ms")
    latency.axhline(TARGETS["p99_ms"], color="black", lw=0.8, ls=":", label="target p99 50 ms")
    memory.axhline(1024, color="black", lw=0.8, ls=":", label="target serving 1 GB")
    latency.set(title="Query latency (analyzer included, k=10)", ylabel="ms")
    memory.set(title="Peak resident memory (VmHWM)", ylabel="MB")
    for axes in (latency, memory):
        axes.set(xscale="log", yscale="log", xlabel="passages")
        axes.grid(True, which="both", alpha=0.3)
        axes.legend(fontsize=7)
    figure.suptitle("newsbot scale benchmark, real news paragraphs (bench.realcorpus)")
    figure.tight_layout()
    figure.savefig(target, dpi=110)
    plt.close(figure)


def _machine() -> str:
    cpu = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo") as handle:
            cpu = next(line.split(":", 1)[1].strip() for line in handle if "model name" in line)
    except (OSError, StopIteration):
        pass
    from importlib.metadata import version

    packages = ", ".join(f"{p} {version(p)}" for p in ("tantivy", "rank-bm25", "numpy"))
    return f"{os.cpu_count()} CPUs ({cpu}), Python {platform.python_version()}, {packages}"


def main(argv: Sequence[str] | None = None) -> None:
    args = _parser().parse_args(argv)
    if args.command == "_child":
        _child(args)
        return
    _run(args)


def _run(args: argparse.Namespace) -> None:
    from bot.text.analysis import analyze

    if args.data is None or not args.data.is_dir():
        raise SystemExit("--data must name the folder holding the news data sets")
    try:  # fail now, not after minutes of measuring
        import matplotlib  # noqa: F401
    except ImportError:
        raise SystemExit("the plot needs matplotlib: pip install -e '.[bench]'") from None
    begun = time.perf_counter()
    sizes = sorted(int(s) for s in args.sizes.split(","))
    out: Path = args.out
    out.mkdir(parents=True, exist_ok=True)
    scratch = Path(tempfile.mkdtemp(prefix="newsbot-scale-", dir=args.work))
    from bench.pipeline import LoadLog

    load = LoadLog()  # the machine's load beside every figure: two busy cores are not two quiet
    paragraphs, titles, stories = _read_real(args.data, sizes[-1])
    random.Random(4).shuffle(titles)  # a fixed, topic-mixed set of real questions
    questions = titles[: args.queries]
    notes: list[str] = []
    analysis_rows: list[str] = []
    results: dict[int, dict[str, dict]] = {}
    update: dict | None = None
    try:
        for size in sizes:
            texts = paragraphs[:size]
            if len(texts) < size:
                notes.append(f"{size:,} passages asked, {len(texts):,} made (the text ran out).")
            _log(f"{size:,} passages: analysing")
            started = time.perf_counter()
            terms = [analyze(t) for t in texts]
            analysed = time.perf_counter() - started
            analysis_rows.append(
                f"| {size:,} | {analysed:.1f} | {size / analysed:,.0f} | "
                f"{sum(map(len, terms)) / size:.1f} |"
            )
            work = scratch / str(size)
            work.mkdir()
            with open(work / "terms.pickle", "wb") as handle:
                pickle.dump([" ".join(t) for t in terms], handle, pickle.HIGHEST_PROTOCOL)
            with open(work / "texts.pickle", "wb") as handle:
                pickle.dump(texts, handle, pickle.HIGHEST_PROTOCOL)
            del terms, texts
            (work / "queries.json").write_text(json.dumps(questions))
            (work / "stories.json").write_text(json.dumps(stories[:UPDATE_ROUNDS]))
            results[size] = {}
            for engine in ENGINES:
                index = work / f"index-{engine}"
                _log(f"{size:,} passages: {engine} build")
                with load.step(f"{size:,}: {engine} build"):
                    row = _run_child("build", engine, str(work), str(index))
                row["build_total_s"] = row["build_s"] + row["save_s"]
                _log(f"{size:,} passages: {engine} serve")
                budget = str(args.budget)
                with load.step(f"{size:,}: {engine} serve"):
                    row |= _run_child("serve", engine, str(work), str(index), "--budget", budget)
                results[size][engine] = row
                _log(f"  {engine}: {json.dumps({k: round(v, 4) for k, v in row.items()})}")
            if size == sizes[-1]:
                _log(f"{size:,} passages: tantivy incremental add")
                update = _run_child("update", "tantivy", str(work), str(work / "index-tantivy"))
            for entry in work.glob("index-*"):
                shutil.rmtree(entry)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    elapsed = time.perf_counter() - begun
    report = _report(args, results, analysis_rows, notes, update, questions, elapsed)
    report += "\n" + load.markdown()
    (out / "results.md").write_text(report)
    (out / "results.json").write_text(
        json.dumps(
            {"results": results, "update": update, "seconds": elapsed, "load": load.steps},
            indent=1,
        )
    )
    _plot(results, out / "scale.png")
    print(report)
    _log(f"wrote {out / 'results.md'}, {out / 'scale.png'} in {elapsed / 60:.1f} min")


def _report(
    args: argparse.Namespace,
    results: dict[int, dict[str, dict]],
    analysis_rows: list[str],
    notes: list[str],
    update: dict | None,
    questions: list[str],
    elapsed: float,
) -> str:
    absolute, ratios = _tables(results)
    sizes = sorted(results)
    largest = sizes[-1]
    command = " ".join(["python -m bench.scale", *map(shlex.quote, sys.argv[1:])])
    lines = [
        "# Scale benchmark",
        "",
        f"Command: `{command}` ({elapsed / 60:.1f} min)",
        "",
        f"Machine: {_machine()}.",
        "",
        "Passages are bench.realcorpus paragraphs (Reuters, BBC, AG News, Yonhap; real ones "
        "first, then paragraphs recombined from real sentences; none repeats).",
        *(f"**Note:** {note}" for note in notes),
        "",
        "## Results",
        "",
        absolute,
        "",
        "Every figure as a ratio to the baseline at the same size (below 1× is less time or "
        "memory; above 1× is more queries per second):",
        "",
        ratios,
        "",
        "## Targets at the largest size (issue 4), tantivy",
        "",
        *_targets(results[largest]["tantivy"], results[largest]["baseline"]),
        "",
        "## How it was measured",
        "",
        f"- Engines: {'; '.join(LABELS[e] for e in ENGINES)}.",
        f"- Queries: {len(questions)} distinct real headlines, shuffled with a fixed seed; top "
        f"{K}. Each engine answers them in order and stops early once it has answered "
        f"{MIN_QUERIES} and spent {args.budget:g} s (the queries column): the slow baseline rests "
        "on few queries, so its p95/p99 are close to its maximum. newsbot engines are timed end "
        "to end (analyzer + engine.search); the baseline times lower().split() + get_top_n.",
        f"- Throughput: the same queries over {THREADS} threads in one process "
        "(ThreadPoolExecutor), as the bot would run searches off its event loop; threads only "
        "overlap where the engine releases the GIL.",
        "- Build: the engine's build + save, from analyzed terms (analysis timed apart, below); "
        "the baseline's build includes its own lower().split() tokenising. "
        "Build peak includes the input the build process holds (analyzed term lists, or texts "
        "for the baseline; 'of which input' is the process size with the input loaded, before "
        "building).",
        "- Each build and each serve runs in a fresh child process. Peak memory is the child's "
        "VmHWM from /proc/self/status; getrusage's ru_maxrss is not used because Linux carries "
        "the parent's high-water mark into a child across fork+exec.",
        "- Restart: from spawning a new process to its first answer (interpreter start, imports, "
        "loading the persisted index, one query). Passage texts live in newsbot's catalog, not "
        "in the engine, so they are excluded for every engine; the baseline gets passage "
        "numbers as its `documents`.",
        "",
        "## Analysis (bot.text.analysis.analyze, one process, before any engine)",
        "",
        "| passages | seconds | passages/s | terms/passage |",
        "|---:|---:|---:|---:|",
        *analysis_rows,
        "",
    ]
    if update is not None:
        adds = sorted(r["add_s"] for r in update["rounds"])
        deletes = sorted(r["delete_s"] for r in update["rounds"])
        first = update["rounds"][0]["add_s"]
        counts = ", ".join(str(r["passages"]) for r in update["rounds"])
        lines += [
            f"## Incremental add on the {update['index_passages']:,}-passage tantivy index",
            "",
            f"real stories of 8-12 passages ({counts}) "
            "added in turn to the loaded index (a new process), committed, and searched until "
            "all their passages are found; each then deleted again.",
            "",
            f"- add + commit until searchable: first {first * 1e3:.0f} ms (opens the writer), "
            f"median {_percentile(adds, 50) * 1e3:.0f} ms, max {adds[-1] * 1e3:.0f} ms",
            f"- delete + commit until gone: median {_percentile(deletes, 50) * 1e3:.0f} ms, "
            f"max {deletes[-1] * 1e3:.0f} ms",
            "",
        ]
    lines += ["![latency and memory vs corpus size](scale.png)", ""]
    return "\n".join(lines)


def _child(args: argparse.Namespace) -> None:
    step, engine, work = args.step, args.engine, Path(args.work)
    if step == "build":
        _child_build(engine, work, Path(args.path))
    elif step == "serve":
        _child_serve(engine, work, Path(args.path), args.budget, args.spawned)
    elif step == "update":
        _child_update(work, Path(args.path))


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m bench.scale", description=__doc__)
    sub = parser.add_subparsers(dest="command")
    parser.add_argument(
        "--data", type=Path, help="folder holding the news data sets (see bench.realcorpus)"
    )
    parser.add_argument("--out", type=Path, default=Path("bench/out/scale"))
    parser.add_argument("--sizes", default="10000,100000,1000000")
    parser.add_argument("--queries", type=int, default=500, help="headlines used as questions")
    parser.add_argument(
        "--budget", type=float, default=15.0, help="seconds of querying per engine and size"
    )
    parser.add_argument("--work", type=Path, default=None, help="scratch folder (default: tmp)")
    child = sub.add_parser("_child")  # internal: one measured step in a fresh process
    child.add_argument("step")
    child.add_argument("engine")
    child.add_argument("work")
    child.add_argument("path")
    child.add_argument("--budget", type=float, default=15.0)
    child.add_argument("--spawned", type=float, default=0.0)
    return parser


if __name__ == "__main__":
    main()
