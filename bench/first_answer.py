"""Time a fresh process's first answer: quick open (folder times) against a stat of every file.

Run: python -m bench.first_answer --corpus DIR --cache DIR [--question Q] [--runs 3]

The index must exist (``newsbot index``). Each run is a new process (imports, then
``Newsroom(..., quick=True|False)`` and one ``ask``), alternating the two ways, so both see the
same machine load; the load average is printed before and after.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
from pathlib import Path

PROBE = """
import json, sys, time
started = time.perf_counter()
from pathlib import Path
from bot.ingest import corpus as files
from bot.newsroom import Newsroom
from bot.settings import load_settings
scans = []
real = files.scan
files.scan = lambda root: (scans.append(root), real(root))[1]
imported = time.perf_counter()
corpus, cache, quick, question = sys.argv[1], sys.argv[2], sys.argv[3] == "quick", sys.argv[4]
settings = load_settings({"NEWSBOT_CACHE_DIR": cache}, env_file=None, corpus_dir=Path(corpus))
room = Newsroom(settings, quick=quick)
opened = time.perf_counter()
answer = room.ask(question)
done = time.perf_counter()
print(json.dumps({"imports": imported - started, "open": opened - imported,
                  "ask": done - opened, "first_answer": done - imported,
                  "full_scans": len(scans), "found": answer.found,
                  "passages": room.report.passages, "engine": room.report.engine}))
"""


def _load() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, required=True)
    parser.add_argument("--cache", type=Path, required=True)
    parser.add_argument("--question", default="How many containers did the port handle?")
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args(argv)
    print(f"load average before: {_load()} ({os.cpu_count()} cores)")
    for _ in range(args.runs):
        for way in ("quick", "full"):
            out = subprocess.run(
                [sys.executable, "-c", PROBE, str(args.corpus), str(args.cache), way,
                 args.question],
                capture_output=True, text=True, check=True,
            )  # fmt: skip
            result = json.loads(out.stdout.strip().splitlines()[-1])
            print(
                f"{way:5}  {result['engine']} {result['passages']:,} passages: imports "
                f"{result['imports']:.3f} s, open {result['open']:.3f} s, ask "
                f"{result['ask']:.3f} s, first answer after imports "
                f"{result['first_answer']:.3f} s, full scans {result['full_scans']}"
            )
    print(f"load average after: {_load()}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
