"""End-to-end scale check on real news text: index, restart, answer, add a story, baselines.

Run: python -m bench.pipeline --data ../shared/data --sizes 10000,100000,1000000 \
         --engine tantivy --out bench/out/pipeline [--profile]

The corpus comes from ``bench.realcorpus`` (real, non-repeating paragraphs of Reuters, BBC,
AG News and Yonhap stories in ``.txt``, ``.md`` and ``.jsonl`` files over dated folders; past
the real text, new paragraphs recombined from real sentences: see that module). Through
newsbot's own path, each step in its own process:

- index build: ``python -m bot index`` on the fresh corpus (wall time; peak memory as the
  summed PSS of the process and its workers, sampled every 0.2 s, and the main process's VmHWM);
- restart to first answer: a fresh ``python -m bot ask QUESTION`` (wall time, three runs);
- ask p50/p95/p99: in-process ``Newsroom.ask`` over sample headlines (found decision included);
- one new file, then ``python -m bot index`` (wall time);
- new story answerable by a running bot: a process holding a ``Newsroom`` follows the corpus
  the way the bot's corpus watch does (watchfiles events, debounce as in
  ``bot.discord_app.exts.corpus_watch``, ``Newsroom.refresh(full=False)`` in a thread: the
  folders whose time moved); the time from the
  file landing to an answer citing it.

Baselines over the same passages (read back from newsbot's catalog), in the same run: plain
rank-bm25 as a newcomer uses it (``BM25Okapi`` over ``lower().split()``, ``get_top_n``) and raw
tantivy (one text field, its ``en_stem`` tokenizer, ``parse_query``), build and query time.

The machine's core count and the load average before and after every step go into the results:
the build is CPU-bound and moves with whatever else shares the cores.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import re
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Sequence
from pathlib import Path

QUESTIONS = 300
BASELINE_BUDGET_S = 30.0  # a baseline answers at least MIN_BASELINE questions, then stops here
MIN_BASELINE = 20
RESTARTS = 3
SAMPLE_S = 0.2
FRESH_STORY = (
    "---\ntitle: Zyxwv ferry line resumes service\npublished: 2026-11-28\nsource: Bench\n---\n\n"
    "The zyxwv ferry line resumed service between the two islands on Saturday.\n"
)
FRESH_QUESTION = "When did the zyxwv ferry line resume service?"


# --- the machine -------------------------------------------------------------------------------


class LoadLog:
    """The load average before and after each step, and the machine's core count.

    A figure measured on two busy cores is not one measured on two quiet ones: every step's
    load goes into the results beside its numbers.
    """

    def __init__(self) -> None:
        self.cores = os.cpu_count() or 0
        self.steps: list[dict[str, object]] = []

    def step(self, name: str) -> _LoadStep:
        return _LoadStep(self, name)

    def markdown(self) -> str:
        lines = [
            f"Load average (1 / 5 / 15 min) before and after each step; {self.cores} cores.",
            "",
            "| step | before | after | seconds |",
            "|---|---|---|---:|",
        ]
        for s in self.steps:
            before, after = s["before"], s["after"]
            lines.append(
                f"| {s['step']} | {_loads(before)} | {_loads(after)} | {s['seconds']:.1f} |"
            )
        return "\n".join(lines) + "\n"


def _loads(values: object) -> str:
    return " / ".join(f"{v:.2f}" for v in values)  # type: ignore[attr-defined]


class _LoadStep:
    def __init__(self, log: LoadLog, name: str) -> None:
        self.log = log
        self.name = name
        self.started = 0.0
        self.before: tuple[float, float, float] = (0.0, 0.0, 0.0)

    def __enter__(self) -> _LoadStep:
        self.before = os.getloadavg()
        self.started = time.perf_counter()
        return self

    def __exit__(self, *exc: object) -> None:
        self.log.steps.append(
            {
                "step": self.name,
                "before": self.before,
                "after": os.getloadavg(),
                "seconds": time.perf_counter() - self.started,
            }
        )


def _machine() -> str:
    return f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}"


# --- measurements ------------------------------------------------------------------------------


def _status_kb(field: str) -> int:
    """A /proc/self/status figure in kB (VmHWM: this process's own peak, not its parent's)."""
    with open("/proc/self/status") as handle:
        for line in handle:
            if line.startswith(field + ":"):
                return int(line.split()[1])
    raise RuntimeError(f"{field} not in /proc/self/status")


def _pct(values: Sequence[float], q: float) -> float:
    """Linear-interpolated percentile (numpy's default)."""
    ordered = sorted(values)
    if len(ordered) == 1:
        return ordered[0]
    rank = (len(ordered) - 1) * q / 100
    low = int(rank)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (rank - low)


def _latencies(values: Sequence[float]) -> dict[str, float]:
    return {
        "p50_ms": _pct(values, 50),
        "p95_ms": _pct(values, 95),
        "p99_ms": _pct(values, 99),
        "queries": len(values),
    }


class _TreeMemory(threading.Thread):
    """Peak of the summed PSS of a process and all its descendants, sampled.

    PSS splits shared pages between the processes sharing them, so forkserver workers are not
    counted twice for what they share; a peak shorter than the sampling period can be missed.
    """

    def __init__(self, pid: int) -> None:
        super().__init__(daemon=True)
        self.pid = pid
        self.peak_kb = 0
        self.done = threading.Event()

    def run(self) -> None:
        import psutil

        try:
            root = psutil.Process(self.pid)
        except psutil.NoSuchProcess:
            return
        while not self.done.is_set():
            total = 0
            try:
                processes = [root, *root.children(recursive=True)]
            except psutil.NoSuchProcess:
                return
            for process in processes:
                try:
                    total += process.memory_full_info().pss // 1024
                except (psutil.NoSuchProcess, psutil.AccessDenied):
                    pass
            self.peak_kb = max(self.peak_kb, total)
            self.done.wait(SAMPLE_S)


def _run(command: list[str], env: dict[str, str], memory: bool = False) -> dict[str, object]:
    """Run a command; its wall time, output, exit code and (asked) sampled tree memory."""
    started = time.perf_counter()
    process = subprocess.Popen(
        command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env
    )
    sampler = _TreeMemory(process.pid) if memory else None
    if sampler is not None:
        sampler.start()
    out, err = process.communicate()
    wall = time.perf_counter() - started
    if sampler is not None:
        sampler.done.set()
        sampler.join()
    if process.returncode != 0:
        raise RuntimeError(f"{' '.join(command[:6])} failed ({process.returncode}):\n{err[-3000:]}")
    result: dict[str, object] = {"wall_s": wall, "stdout": out, "stderr": err}
    if sampler is not None:
        result["tree_peak_mb"] = sampler.peak_kb / 1024
    for line in out.splitlines():
        if line.startswith("RESULT "):
            result.update(json.loads(line.removeprefix("RESULT ")))
    return result


def _emit(result: dict[str, object]) -> None:
    print("RESULT " + json.dumps(result), flush=True)


# --- children ------------------------------------------------------------------------------------


def _child_build(corpus: Path, profile: Path | None) -> None:
    """``newsbot index`` in this process (its log lines say where the time went)."""
    import logging

    from bot.terminal import cli

    logging.basicConfig(level=logging.INFO, format="LOG %(relativeCreated)d %(message)s")
    argv = ["index", "--corpus", str(corpus), "--json"]
    if profile is None:
        code = cli.main(argv)
    else:
        import cProfile

        profiler = cProfile.Profile()
        code = profiler.runcall(cli.main, argv)
        profiler.dump_stats(profile)
    _emit({"code": code, "main_peak_mb": _status_kb("VmHWM") / 1024})


def _child_serve(corpus: Path, cache: Path, engine: str, questions: list[str]) -> None:
    """In-process asks, then a new story followed the way the running bot follows it."""
    from bot.newsroom import Newsroom
    from bot.settings import Settings

    settings = Settings(corpus_dir=corpus, cache_dir=cache, engine=engine)
    opened = time.perf_counter()
    room = Newsroom(settings)
    result: dict[str, object] = {"open_s": time.perf_counter() - opened}
    room.ask(questions[0])
    latencies = []
    found = 0
    for question in questions:
        started = time.perf_counter()
        answer = room.ask(question)
        latencies.append((time.perf_counter() - started) * 1000)
        found += bool(answer.citations)
    result.update(_latencies(latencies), found=found)
    result.update(asyncio.run(_follow_new_story(room, corpus)))
    result["serve_peak_mb"] = _status_kb("VmHWM") / 1024
    _emit(result)


async def _follow_new_story(room: object, corpus: Path) -> dict[str, object]:
    """The bot's corpus watch without Discord: events start a refresh in a thread."""
    import watchfiles

    from bot.discord_app.exts.corpus_watch import DEBOUNCE_MS

    stop = asyncio.Event()
    refreshed = asyncio.Event()
    refreshes = 0

    async def watch() -> None:
        nonlocal refreshes
        async for _changes in watchfiles.awatch(corpus, stop_event=stop, debounce=DEBOUNCE_MS):
            # As the bot's corpus watch does on events: only the folders whose time moved.
            await asyncio.to_thread(room.refresh, False)  # type: ignore[attr-defined]
            refreshes += 1
            refreshed.set()

    watcher = asyncio.create_task(watch())
    # The watch must be live before the timed file lands: a hidden marker (which newsbot skips)
    # is written until a refresh follows it, i.e. until events arrive.
    marker = corpus / ".bench-watch-ready"
    while not refreshed.is_set():
        marker.write_text(str(time.time()), encoding="utf-8")
        try:
            await asyncio.wait_for(refreshed.wait(), timeout=5)
        except TimeoutError:
            continue
    await asyncio.sleep(0.5)  # let the marker's trailing events drain (a benchmark, not a test)
    refreshed.clear()
    story = corpus / "fresh" / "ferry-resumes.md"
    story.parent.mkdir(exist_ok=True)
    written = time.perf_counter()
    _write_atomically(story, FRESH_STORY)
    answered = False
    while not answered:
        await refreshed.wait()
        refreshed.clear()
        answer = room.ask(FRESH_QUESTION)  # type: ignore[attr-defined]
        answered = bool(answer.citations) and answer.citations[0].article_id == "ferry-resumes"
    took = time.perf_counter() - written
    stop.set()
    await watcher
    story.unlink()
    story.parent.rmdir()
    marker.unlink()
    return {"new_story_answered_s": took, "refreshes": refreshes}


def _write_atomically(path: Path, text: str) -> None:
    temporary = path.with_name("." + path.name + ".part")
    temporary.write_text(text, encoding="utf-8")
    temporary.rename(path)


def _catalog_texts(cache: Path) -> list[str]:
    """Every passage text newsbot indexed, from the live generation's catalog."""
    catalogs = sorted(cache.rglob("catalog.sqlite"), key=lambda p: p.stat().st_mtime)
    if not catalogs:
        raise RuntimeError(f"no catalog under {cache}")
    with sqlite3.connect(f"file:{catalogs[-1]}?mode=ro", uri=True) as connection:
        return [row[0] for row in connection.execute("SELECT text FROM passages ORDER BY doc")]


def _child_baseline(kind: str, cache: Path, work: Path, questions: list[str]) -> None:
    texts = _catalog_texts(cache)
    held = _status_kb("VmRSS")
    # Punctuation and upper-case words ("IN", "OR") are query syntax to a query parser.
    queries = [re.sub(r"[^\w\s]", " ", q).lower() for q in questions]
    latencies: list[float] = []
    budget_end = 0.0
    if kind == "rank-bm25":
        from rank_bm25 import BM25Okapi

        started = time.perf_counter()
        model = BM25Okapi([t.lower().split() for t in texts])
        build_s = time.perf_counter() - started
        budget_end = time.perf_counter() + BASELINE_BUDGET_S
        for query in queries:
            t = time.perf_counter()
            model.get_top_n(query.lower().split(), texts, n=10)
            latencies.append((time.perf_counter() - t) * 1000)
            if len(latencies) >= MIN_BASELINE and time.perf_counter() > budget_end:
                break
    else:
        import tantivy

        schema = tantivy.SchemaBuilder()
        schema.add_text_field("body", stored=False, tokenizer_name="en_stem")
        schema.add_unsigned_field("doc", stored=True)
        built_schema = schema.build()
        folder = work / "raw-tantivy"
        folder.mkdir()
        started = time.perf_counter()
        index = tantivy.Index(built_schema, path=str(folder))
        writer = index.writer()
        for doc, text in enumerate(texts):
            writer.add_document(tantivy.Document(body=text, doc=doc))
        writer.commit()
        writer.wait_merging_threads()
        index.reload()
        build_s = time.perf_counter() - started
        searcher = index.searcher()
        for query in queries:
            t = time.perf_counter()
            searcher.search(index.parse_query(query, ["body"]), 10)
            latencies.append((time.perf_counter() - t) * 1000)
    _emit(
        {
            "passages": len(texts),
            "build_s": build_s,
            "peak_mb": _status_kb("VmHWM") / 1024,
            "texts_mb": held / 1024,
            **_latencies(latencies),
        }
    )


def _child_prepare_profile(corpus: Path, files: int, out: Path) -> None:
    """Where a worker's time goes: ``prepare`` (read, parse, cut, count, analyze) on a sample."""
    import cProfile
    import pstats

    from bot.index import updates

    paths = sorted(p for p in corpus.rglob("*") if p.is_file() and p.suffix in (".txt", ".md"))
    step = max(1, len(paths) // files)
    jobs = []
    for path in paths[::step][:files]:
        stat = path.stat()
        jobs.append(
            (path.relative_to(corpus).as_posix(), str(path), stat.st_size, stat.st_mtime_ns, 200)
        )
    profiler = cProfile.Profile()
    started = time.perf_counter()
    passages = profiler.runcall(
        lambda: sum(sum(len(c) for c in updates.prepare(j).chunks) for j in jobs)
    )
    took = time.perf_counter() - started
    profiler.dump_stats(out)
    stats = pstats.Stats(str(out))
    buckets = _buckets(stats)
    _emit({"files": len(jobs), "passages": passages, "seconds": took, "buckets": buckets})


# Cumulative time of the outermost call into each stage of ``prepare``.
_STAGES = {
    "read + parse (bot.ingest)": ("corpus.py", "read_file"),
    "cut into passages + token counts (bot.text.passages)": ("passages.py", "split_article"),
    "analysis (bot.text.analysis)": ("analysis.py", "article_terms"),
    "tiktoken encode (inside cutting)": ("passages.py", "count_tokens"),
    "sentence splits (inside cutting)": ("passages.py", "sentences"),
}


def _buckets(stats: object) -> dict[str, float]:
    found: dict[str, float] = {}
    for (filename, _line, name), row in stats.stats.items():  # type: ignore[attr-defined]
        for label, (file_end, function) in _STAGES.items():
            if filename.endswith(file_end) and name == function:
                found[label] = found.get(label, 0.0) + row[3]  # cumulative seconds
    encode = sum(
        row[3]
        for (filename, _line, name), row in stats.stats.items()  # type: ignore[attr-defined]
        if name == "encode_ordinary" and "tiktoken" in filename
    )
    found["tiktoken encode_ordinary (all calls)"] = encode
    return found


# --- the parent ----------------------------------------------------------------------------------


def _env(corpus: Path, cache: Path, engine: str) -> dict[str, str]:
    env = dict(os.environ)
    env.update(NEWSBOT_CORPUS_DIR=str(corpus), NEWSBOT_CACHE_DIR=str(cache), NEWSBOT_ENGINE=engine)
    return env


def _me(*args: str) -> list[str]:
    return [sys.executable, "-m", "bench.pipeline", "--child", *args]


def _size(args: argparse.Namespace, size: int, work: Path, load: LoadLog) -> dict[str, object]:
    corpus, cache = work / "corpus", work / "cache"
    env = _env(corpus, cache, args.engine)
    row: dict[str, object] = {"size": size}
    with load.step(f"{size:,}: write corpus"):
        made = _run(
            [
                sys.executable,
                "-m",
                "bench.realcorpus",
                "--data",
                str(args.data),
                "--passages",
                str(size),
                "--out",
                str(corpus),
                "--seed",
                str(args.seed),
                "--questions",
                str(work / "questions.json"),
            ],
            dict(os.environ),
        )
    row["corpus"] = json.loads(str(made["stdout"]))
    row["corpus_s"] = made["wall_s"]
    questions_path = work / "questions.json"
    questions = json.loads(questions_path.read_text(encoding="utf-8"))
    _log(f"{size:,}: corpus written in {made['wall_s']:.0f} s: {row['corpus']['stories']} stories")
    # cProfile slows the process it watches: only on request, and then the build time is not
    # comparable (the build's own log lines give its phases either way).
    profile = args.out / f"build-{size}.prof" if args.profile_build else None
    with load.step(f"{size:,}: index build"):
        build = _run(
            _me(
                "build",
                "--corpus",
                str(corpus),
                *(["--profile-to", str(profile)] if profile else []),
            ),
            env,
            memory=True,
        )
    summary = json.loads(str(build["stdout"]).split("RESULT ")[0])
    row["build"] = {
        "wall_s": build["wall_s"],
        "tree_peak_mb": build["tree_peak_mb"],
        "main_peak_mb": build["main_peak_mb"],
        "seconds_in_newsbot": summary["seconds"],
        "stories": summary["stories"],
        "articles": summary["articles"],
        "passages": summary["passages"],
        "files": len(summary["added"]),
        "skipped": len(summary["skipped"]),
        "log": [ln for ln in str(build["stderr"]).splitlines() if ln.startswith("LOG ")],
    }
    _log(f"{size:,}: built in {build['wall_s']:.1f} s, {summary['passages']:,} passages")
    row["baselines"] = {}
    for kind in args.baselines:
        with load.step(f"{size:,}: baseline {kind}"):
            base = _run(
                _me(
                    "baseline",
                    "--kind",
                    kind,
                    "--cache",
                    str(cache),
                    "--work",
                    str(work),
                    "--questions",
                    str(questions_path),
                ),
                env,
            )
        row["baselines"][kind] = {k: v for k, v in base.items() if k not in ("stdout", "stderr")}
    restarts = []
    for n in range(RESTARTS):
        with load.step(f"{size:,}: fresh newsbot ask #{n + 1}"):
            asked = _run(
                [sys.executable, "-m", "bot", "ask", questions[n], "--json"], env, memory=n == 0
            )
        restarts.append(asked["wall_s"])
        if n == 0:
            row["ask_tree_peak_mb"] = asked["tree_peak_mb"]
            row["ask_found"] = json.loads(str(asked["stdout"]))["found"]
    row["restart_s"] = restarts
    with load.step(f"{size:,}: in-process asks + running bot follows a new story"):
        serve = _run(
            _me(
                "serve",
                "--corpus",
                str(corpus),
                "--cache",
                str(cache),
                "--engine",
                args.engine,
                "--questions",
                str(questions_path),
            ),
            env,
        )
    row["serve"] = {k: v for k, v in serve.items() if k not in ("stdout", "stderr")}
    extra = corpus / "2026" / "11" / "28"
    extra.mkdir(parents=True, exist_ok=True)
    _write_atomically(extra / "ferry-resumes-later.md", FRESH_STORY)
    with load.step(f"{size:,}: one new file, then newsbot index"):
        again = _run([sys.executable, "-m", "bot", "index", "--json"], env)
    report = json.loads(str(again["stdout"]))
    row["one_new_file"] = {
        "wall_s": again["wall_s"],
        "action": report["action"],
        "added": report["added"],
        "seconds_in_newsbot": report["seconds"],
    }
    if args.profile:
        with load.step(f"{size:,}: worker profile (prepare, 1 process)"):
            prof = _run(
                _me(
                    "prepare-profile",
                    "--corpus",
                    str(corpus),
                    "--files",
                    "3000",
                    "--profile-to",
                    str(args.out / f"prepare-{size}.prof"),
                ),
                env,
            )
        row["prepare_profile"] = {k: v for k, v in prof.items() if k not in ("stdout", "stderr")}
    return row


def _now() -> str:
    return time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())


def _log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def _report(rows: list[dict], args: argparse.Namespace, load: LoadLog) -> str:
    lines = [
        f"# newsbot pipeline on real text (engine {args.engine})",
        "",
        f"Command: `python -m bench.pipeline --data {args.data} --sizes {args.sizes} "
        f"--engine {args.engine}`; {_machine()}; {_now()}.",
        "",
        "Corpus: `bench.realcorpus` (real paragraphs once each; past them, paragraphs recombined "
        "from real sentences; see bench/README.md).",
        "",
        "| passages | story files | real / recombined paragraphs | index build s | build peak MB "
        "(tree PSS / main) | restart to first answer s (3 fresh `newsbot ask`) | ask p50 / p95 / "
        "p99 ms | one new file, then `newsbot index` s | new story answerable by a running bot s |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for row in rows:
        b, s, c = row["build"], row["serve"], row["corpus"]
        files = sum(c["files"].values())
        restarts = " / ".join(f"{v:.2f}" for v in row["restart_s"])
        lines.append(
            f"| {b['passages']:,} | {files:,} | {c['paragraphs_real']:,} / "
            f"{c['paragraphs_recombined']:,} | {b['wall_s']:.1f} | {b['tree_peak_mb']:,.0f} / "
            f"{b['main_peak_mb']:,.0f} | {restarts} | {s['p50_ms']:.1f} / {s['p95_ms']:.1f} / "
            f"{s['p99_ms']:.1f} | {row['one_new_file']['wall_s']:.2f} | "
            f"{s['new_story_answered_s']:.2f} |"
        )
    lines += [
        "",
        "Baselines over the same passages (newsbot's catalog), same run:",
        "",
        "| passages | engine | build s | peak MB | p50 / p95 / p99 ms (queries) |",
        "|---:|---|---:|---:|---:|",
    ]
    for row in rows:
        s = row["serve"]
        lines.append(
            f"| {row['build']['passages']:,} | newsbot {args.engine} (`Newsroom.ask`, whole "
            f"path) | {row['build']['wall_s']:.1f} | {s['serve_peak_mb']:,.0f} (serving) | "
            f"{s['p50_ms']:.1f} / {s['p95_ms']:.1f} / {s['p99_ms']:.1f} ({s['queries']}) |"
        )
        for kind, base in row["baselines"].items():
            lines.append(
                f"| {base['passages']:,} | {kind} | {base['build_s']:.1f} | "
                f"{base['peak_mb']:,.0f} | {base['p50_ms']:.1f} / {base['p95_ms']:.1f} / "
                f"{base['p99_ms']:.1f} ({base['queries']}) |"
            )
    lines += ["", "Where the build's time goes (its own log lines, ms since start):", ""]
    for row in rows:
        logged = "; ".join(
            ln.split(" ", 2)[2] + f" (at {ln.split()[1]} ms)" for ln in row["build"]["log"]
        )
        lines.append(f"- {row['build']['passages']:,} passages: {logged}")
        prof = row.get("prepare_profile")
        if prof:
            scale = 1e6 / max(1, prof["passages"])
            parts = ", ".join(f"{k} {v * scale:.0f} s" for k, v in prof["buckets"].items())
            lines.append(
                f"  - one worker's `prepare` under cProfile on {prof['files']:,} sample files "
                f"({prof['passages']:,} passages, {prof['seconds']:.1f} s), per million "
                f"passages on one core: {parts}"
            )
    lines += ["", load.markdown()]
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, help="folder holding the news data sets")
    parser.add_argument("--sizes", default="10000,100000")
    parser.add_argument("--engine", default="tantivy")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--out", type=Path, default=Path("bench/out/pipeline"))
    parser.add_argument(
        "--baselines", default="rank-bm25,raw-tantivy", help="comma-separated; empty for none"
    )
    parser.add_argument(
        "--profile", action="store_true", help="cProfile a worker's prepare on 3,000 files"
    )
    parser.add_argument(
        "--profile-build", action="store_true", help="cProfile the build's main process"
    )
    parser.add_argument("--keep", action="store_true", help="keep the corpus and index")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument("--corpus", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--cache", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--work", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--questions", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--kind", help=argparse.SUPPRESS)
    parser.add_argument("--files", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--profile-to", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        _child(args)
        return
    if args.data is None:
        parser.error("--data is required (the folder holding reuters-21578, bbc-news, ...)")
    args.baselines = [b for b in args.baselines.split(",") if b]
    args.out.mkdir(parents=True, exist_ok=True)
    args.out = args.out.resolve()
    load = LoadLog()
    rows = []
    for size in (int(s) for s in args.sizes.split(",")):
        work = Path(tempfile.mkdtemp(prefix="newsbot-pipeline-"))
        try:
            rows.append(_size(args, size, work, load))
            _log(json.dumps({k: v for k, v in rows[-1].items() if k != "corpus"}, default=str))
        finally:
            if args.keep:
                _log(f"kept {work}")
            else:
                shutil.rmtree(work, ignore_errors=True)
        report = _report(rows, args, load)
        (args.out / "results.md").write_text(report, encoding="utf-8")
        (args.out / "results.json").write_text(
            json.dumps(
                {"machine": _machine(), "cores": load.cores, "rows": rows, "load": load.steps},
                indent=2,
                default=str,
            ),
            encoding="utf-8",
        )
    print(_report(rows, args, load))


def _child(args: argparse.Namespace) -> None:
    if args.child == "build":
        _child_build(args.corpus, args.profile_to)
    elif args.child == "serve":
        questions = json.loads(args.questions.read_text(encoding="utf-8"))
        _child_serve(args.corpus, args.cache, args.engine, questions)
    elif args.child == "baseline":
        questions = json.loads(args.questions.read_text(encoding="utf-8"))
        _child_baseline(args.kind, args.cache, args.work, questions)
    elif args.child == "prepare-profile":
        _child_prepare_profile(args.corpus, args.files, args.profile_to)
    else:
        raise SystemExit(f"unknown child step {args.child}")


if __name__ == "__main__":
    main()
