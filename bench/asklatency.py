"""In-process ``Newsroom.ask`` latency over a built index, and the answers it gave, for diffing.

Run: python bench/asklatency.py --corpus DIR --cache DIR --questions headlines.json
     [--qa bench/qa] [--engine tantivy] [--rounds 3] [--answers-out answers.json]
     [--profile ask.prof]
     python bench/asklatency.py --compare before.json after.json

Run by path (not ``-m``) so that ``PYTHONPATH=<another checkout>`` times that checkout's
``bot`` with this same script: a before/after pair can then run back to back in one shell
script, the only figures worth comparing on a noisy machine. As in ``bench.pipeline``, one
question warms the process (imports, SQLite pages), then every question is asked and timed,
``--rounds`` times (rounds after the first meet the index's remembered term sets, as a bot
asked the same again would); the answers of the first round are written as JSON (every field
of every Answer) so that ``--compare`` can prove two versions answer identically. The load
average is recorded before and after.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import os
import sys
import time
from collections.abc import Sequence
from pathlib import Path


def _questions(files: Sequence[Path], qa: Path | None) -> list[str]:
    found: list[str] = []
    for path in files:
        found.extend(json.loads(path.read_text(encoding="utf-8")))
    if qa is not None:
        for path in sorted(qa.glob("*.jsonl")):
            for line in path.read_text(encoding="utf-8").splitlines():
                if line.strip():
                    found.append(json.loads(line)["question"])
    return found


def _pct(values: Sequence[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def _plain(value: object) -> object:
    """An Answer (or an error) as JSON-able data, every field kept, floats exact (repr)."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: _plain(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if isinstance(value, float):
        return repr(value)
    return value


def _measure(args: argparse.Namespace) -> None:
    import bot
    from bot.newsroom import Newsroom
    from bot.settings import Settings

    questions = _questions(args.questions, args.qa)
    settings = Settings(corpus_dir=args.corpus, cache_dir=args.cache, engine=args.engine)
    load_before = os.getloadavg()
    opened = time.perf_counter()
    room = Newsroom(settings)
    open_s = time.perf_counter() - opened

    def one(question: str) -> object:
        try:
            return room.ask(question)
        except ValueError as error:  # QuestionError: recorded, it is part of the behaviour
            return f"{type(error).__name__}: {error}"

    one(questions[0])  # warm: imports, SQLite pages
    latencies: list[float] = []
    answers: list[object] = []
    profiler = None
    if args.profile:
        import cProfile

        profiler = cProfile.Profile()
    for round_ in range(args.rounds):
        for question in questions:
            if profiler is not None:
                profiler.enable()
            started = time.perf_counter()
            answer = one(question)
            latencies.append((time.perf_counter() - started) * 1000)
            if profiler is not None:
                profiler.disable()
            if round_ == 0:
                answers.append({"question": question, "answer": _plain(answer)})
    if profiler is not None:
        profiler.dump_stats(args.profile)
    if args.answers_out:
        args.answers_out.write_text(json.dumps(answers, indent=0), encoding="utf-8")
    result = {
        "bot": str(Path(bot.__file__).parent),
        "questions": len(questions),
        "asks": len(latencies),
        "open_s": round(open_s, 3),
        "p50_ms": round(_pct(latencies, 0.5), 3),
        "p95_ms": round(_pct(latencies, 0.95), 3),
        "p99_ms": round(_pct(latencies, 0.99), 3),
        "mean_ms": round(sum(latencies) / len(latencies), 3),
        "found": sum(1 for a in answers if isinstance(a["answer"], dict) and a["answer"]["found"]),
        "load_before": [round(x, 2) for x in load_before],
        "load_after": [round(x, 2) for x in os.getloadavg()],
        "cores": os.cpu_count(),
    }
    print(json.dumps(result))


def _compare(before: Path, after: Path) -> int:
    old = json.loads(before.read_text(encoding="utf-8"))
    new = json.loads(after.read_text(encoding="utf-8"))
    if len(old) != len(new):
        print(f"different question counts: {len(old)} vs {len(new)}")
        return 1
    differ = [(a, b) for a, b in zip(old, new, strict=True) if a != b]
    for a, b in differ[:10]:
        print(f"DIFFERENT: {a['question']!r}\n  before {a['answer']}\n  after  {b['answer']}")
    print(f"{len(old) - len(differ)} of {len(old)} answers identical")
    return 1 if differ else 0


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path)
    parser.add_argument("--cache", type=Path)
    parser.add_argument("--engine", default="tantivy")
    parser.add_argument("--questions", type=Path, action="append", default=[])
    parser.add_argument("--qa", type=Path, help="folder of bench/qa *.jsonl question sets")
    parser.add_argument("--rounds", type=int, default=1)
    parser.add_argument("--answers-out", type=Path)
    parser.add_argument("--profile", type=Path, help="write cProfile stats of the timed asks")
    parser.add_argument("--compare", type=Path, nargs=2, metavar=("BEFORE", "AFTER"))
    args = parser.parse_args(argv)
    if args.compare:
        return _compare(*args.compare)
    if args.corpus is None or args.cache is None:
        parser.error("--corpus and --cache are needed to measure")
    _measure(args)
    return 0


if __name__ == "__main__":
    sys.exit(main())
