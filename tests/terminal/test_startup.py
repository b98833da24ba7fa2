"""A fresh `newsbot ask` loads only what answering needs: no progress bar, feeds, Discord or
writer machinery, and only the engine its index uses."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.helpers import REPO, wire_story, write_story

pytestmark = pytest.mark.slow

# Libraries a question over a committed index never needs (each costs a fresh process tens to
# hundreds of milliseconds to import).
NEVER = [
    "tqdm",
    "discord",
    "trafilatura",
    "feedparser",
    "scipy",
    "onnxruntime",
    "bot.feeds.pull",
    "bot.index.updates",  # writing the index: worker pools, version grouping
    "concurrent.futures.process",
    # The bm25 engine computes its postings with these at a build; a search reads them as
    # they were saved (numpy alone was a third of a fresh ask on the shipped corpus).
    "numpy",
    "rank_bm25",
    "bot.index.engines.bm25_build",
    # Parsers: nothing changed, so no file is read (a changed folder reads its new files).
    "bot.ingest.readers",
    "yaml",
    "email.utils",
    # The desk's feedback log and claim checks (only /follow's paused channels are shown).
    "bot.desk.feedback",
    "bot.desk.claims",
]
# Only the engine the index was built with is loaded.
ENGINE_MODULES = {"bm25": ["bot.index.engines.bm25"], "tantivy": ["tantivy"]}

PROBE = """
import json, sys
from bot.terminal.cli import main

code = main(sys.argv[1:])
print(json.dumps({"code": code, "modules": sorted(sys.modules)}))
"""


def _run(args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", PROBE, *args],
        capture_output=True,
        text=True,
        env=env,
        cwd=REPO,
        check=True,
    )


@pytest.mark.parametrize("engine", ["bm25", "tantivy"])
def test_a_fresh_ask_loads_only_what_answering_needs(tmp_path: Path, engine: str):
    corpus = tmp_path / "corpus"
    write_story(
        corpus,
        "2024/06/ferry.txt",
        wire_story("Mokpo opens new ferry terminal", ["The terminal will carry 950 a day."]),
    )
    env = {
        **os.environ,
        "NEWSBOT_CACHE_DIR": str(tmp_path / "cache"),
        "NEWSBOT_ENGINE": engine,
        "PYTHONPATH": str(REPO),
    }
    _run(["index", "--corpus", str(corpus)], env)
    # Folder times within the racy window are recorded as unknown: date them back so the
    # ask below takes the path a restart normally takes (no stat of each file).
    for folder in (corpus, corpus / "2024", corpus / "2024" / "06"):
        os.utime(folder, ns=(0, 0))
    _run(["index", "--corpus", str(corpus)], env)  # records the settled folder times

    question = "How many will the terminal carry?"
    done = _run(["ask", "--json", "--corpus", str(corpus), question], env)
    last = json.loads(done.stdout.strip().splitlines()[-1])
    assert last["code"] == 0
    loaded = set(last["modules"])
    other = "tantivy" if engine == "bm25" else "bm25"
    unwanted = [m for m in [*NEVER, *ENGINE_MODULES[other]] if m in loaded]
    assert unwanted == []
    assert all(m in loaded for m in ENGINE_MODULES[engine])  # the probe sees real imports
