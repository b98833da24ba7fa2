"""kill -9 during `newsbot index` never leaves a mixed or unusable index behind."""

import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from bot.index.newsindex import open_index
from tests.helpers import REPO, wire_story, write_story

STORIES = 300


def _grow(corpus: Path, round_: int) -> None:
    for n in range(STORIES):
        write_story(
            corpus,
            f"r{round_}/story-{n}.txt",
            wire_story(
                f"Round {round_} story {n} about harbour {n % 37}",
                [
                    f"Harbour {n % 37} handled {n * 13} containers in round {round_}.",
                    "The port authority expects further growth next year as trade recovers.",
                ]
                * 3,
            ),
        )


@pytest.mark.parametrize("engine", ["bm25", "tantivy"])
def test_kill_9_at_random_moments_leaves_the_old_or_the_new_index(tmp_path: Path, engine: str):
    # tantivy updates a copy of the last generation in place; bm25 rebuilds: both must hold.
    corpus, cache = tmp_path / "corpus", tmp_path / "cache"
    env = {
        **os.environ,
        "NEWSBOT_CACHE_DIR": str(cache),
        "NEWSBOT_ENGINE": engine,
        "PYTHONPATH": str(REPO),
    }
    rng = random.Random(20261128)
    kills = 0
    duration = 0.0
    for round_ in range(5):
        _grow(corpus, round_)  # every round changes the corpus, so indexing has work to do
        started = time.monotonic()
        process = subprocess.Popen(
            [sys.executable, "-m", "bot", "index", "--corpus", str(corpus)],
            cwd=tmp_path,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        if round_ > 0:  # round 0 runs to the end to time a full run on this machine
            time.sleep(rng.uniform(0.15, 0.95) * duration)
            if process.poll() is None:
                process.send_signal(signal.SIGKILL)
                kills += 1
        process.wait(timeout=120)
        if round_ == 0:
            duration = time.monotonic() - started

        # Whatever survived must load cleanly and agree with a from-scratch build.
        index, report = open_index(corpus, cache, engine=engine)
        fresh, _ = open_index(corpus, tmp_path / f"fresh-{round_}", engine=engine)
        assert report.note is None or "unusable" not in report.note
        assert sorted(index.passages) == sorted(fresh.passages)
        assert index.search("containers harbour", 3)
    print(f"{engine}: {kills} of 4 indexing runs killed mid-way; each left a consistent index")
    assert kills >= 2, "too few runs were killed mid-way; the test proved little"


def test_kill_9_during_a_parallel_build_keeps_the_index_and_leaves_no_workers(tmp_path: Path):
    # Enough files for the worker pool (indexing.PARALLEL_FROM): the build's main process is
    # killed while workers read, store or the engine is built.
    corpus, cache = tmp_path / "corpus", tmp_path / "cache"
    for n in range(1200):
        write_story(
            corpus,
            f"s/story-{n}.txt",
            wire_story(f"Harbour {n} report", [f"Harbour {n % 37} handled {n * 13} containers."]),
        )
    env = {**os.environ, "NEWSBOT_CACHE_DIR": str(cache), "NEWSBOT_ENGINE": "tantivy",
           "PYTHONPATH": str(REPO)}  # fmt: skip
    command = [sys.executable, "-m", "bot", "index", "--corpus", str(corpus)]
    started = time.monotonic()
    subprocess.run(command, cwd=tmp_path, env=env, check=True, capture_output=True, timeout=300)
    duration = time.monotonic() - started
    rng = random.Random(1200)
    kills = 0
    for _ in range(3):
        process = subprocess.Popen(
            [*command, "--rebuild"], cwd=tmp_path, env=env,
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip
        time.sleep(rng.uniform(0.3, 0.9) * duration)
        if process.poll() is None:
            process.send_signal(signal.SIGKILL)
            kills += 1
        process.wait(timeout=120)
        index, report = open_index(corpus, cache, engine="tantivy")
        assert report.action == "reused"  # the live generation survived the killed rebuild
        assert len(index.current) == 1200
        assert index.search("harbour 7 report", 1)[0][0].article_id == "story-7"
    assert kills >= 2, "too few rebuilds were killed mid-way; the test proved little"
    # Nor do the killed builds leave worker processes behind.
    deadline = time.monotonic() + 10
    while _processes_mentioning(str(tmp_path)) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert _processes_mentioning(str(tmp_path)) == []


def _processes_mentioning(text: str) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit() and int(entry.name) != os.getpid():
            try:
                command = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode()
            except OSError:
                continue
            if text in command and "multiprocessing" in command:
                found.append(int(entry.name))
    return found
