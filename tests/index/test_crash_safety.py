"""kill -9 during `newsbot index` never leaves a mixed or unusable index behind.

Each run is killed at a moment the indexer announces (``NEWSBOT_TEST_STOP_AT``: it says it
reached the named checkpoint and waits there), never after a guessed delay: on a loaded
machine a delay lands before the work started or after it ended, and proves nothing.
"""

import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from bot.index.generations import STOP_AT
from bot.index.opening import open_index
from tests.helpers import REPO, wire_story, write_story

pytestmark = pytest.mark.slow

STORIES = 300


def _grow(corpus: Path, round_: int) -> None:
    _add_stories(corpus, round_)
    # Folder times an hour old, each round's its own: a folder changed within the file system's
    # clock tick counts as changed until it is older (bot.index.folders), and then an update
    # would list last round's folder too, and its files would come first among the ticks.
    past = time.time_ns() - 3600 * 10**9 + round_
    for folder in (corpus, corpus / f"r{round_}"):
        os.utime(folder, ns=(past, past))


def _add_stories(corpus: Path, round_: int) -> None:
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


def _kill_at(command: list[str], env: dict[str, str], cwd: Path, stop: str) -> None:
    """Run ``command`` until it announces checkpoint ``stop``, then kill -9 it there."""
    marker = f"newsbot-checkpoint {stop.partition(':')[0]}"
    process = subprocess.Popen(
        command, cwd=cwd, env={**env, STOP_AT: stop},
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
    )  # fmt: skip
    assert process.stderr is not None
    said = []
    for raw in process.stderr:
        line = raw.decode(errors="replace")
        said.append(line)
        if marker in line:
            process.send_signal(signal.SIGKILL)
            break
    process.wait(timeout=300)
    assert process.returncode == -signal.SIGKILL, f"never reached {stop}: {''.join(said)[-2000:]}"


# The moments of an update in place, per engine: reading files (nothing committed yet), the
# catalog committed with its journal, the engine's files being replaced (bm25 saves a whole
# new engine) or committed (tantivy adds in place), the journal not yet cleared.
UPDATE_STOPS = {
    "bm25": ["file", "catalog-committed", "engine-file", "engine-committed"],
    "tantivy": ["file", "catalog-committed", "engine-committed", "file"],
}


@pytest.mark.parametrize("scan", ["folders", "full"])
@pytest.mark.parametrize("engine", ["bm25", "tantivy"])
def test_kill_9_at_each_moment_of_an_update_leaves_the_old_or_the_new_index(
    tmp_path: Path, engine: str, scan: str
):
    # tantivy updates the live generation in place; bm25 rebuilds its files: both must hold,
    # whether the update listed only the changed folders (the default) or every file (--full).
    corpus, cache = tmp_path / "corpus", tmp_path / "cache"
    env = {
        **os.environ,
        "NEWSBOT_CACHE_DIR": str(cache),
        "NEWSBOT_ENGINE": engine,
        "PYTHONPATH": str(REPO),
    }
    command = [sys.executable, "-m", "bot", "index", "--json", "--corpus", str(corpus)]
    if scan == "full":
        command.append("--full")
    rng = random.Random(20261128)
    _grow(corpus, 0)
    subprocess.run(command, cwd=tmp_path, env=env, check=True, capture_output=True, timeout=300)
    for round_, stop in enumerate(UPDATE_STOPS[engine], start=1):
        _grow(corpus, round_)  # every round changes the corpus, so indexing has work to do
        if stop == "file":  # somewhere among this round's new files (a full scan's unchanged
            # ones come first; listing the changed folders finds only this round's new folder)
            stop = f"file:{STORIES * round_ * (scan == 'full') + rng.randint(1, STORIES)}"
        _kill_at(command, env, tmp_path, stop)

        # Whatever survived must load cleanly and agree with a from-scratch build.
        index, report = open_index(corpus, cache, engine=engine)
        fresh, _ = open_index(corpus, tmp_path / f"fresh-{round_}", engine=engine)
        assert report.note is None or "unusable" not in report.note, (stop, report.note)
        assert sorted(index.passages) == sorted(fresh.passages), stop
        assert index.search("containers harbour", 3)
        index.close()
        fresh.close()


def test_kill_9_during_a_parallel_build_keeps_the_index_and_leaves_no_workers(tmp_path: Path):
    # Enough files for the worker pool (indexing.PARALLEL_FROM): the build's main process is
    # killed while workers read, after the new generation is saved, and after it went live.
    corpus, cache = tmp_path / "corpus", tmp_path / "cache"
    for n in range(1200):
        write_story(
            corpus,
            f"s/story-{n}.txt",
            wire_story(f"Harbour {n} report", [f"Harbour {n % 37} handled {n * 13} containers."]),
        )
    env = {**os.environ, "NEWSBOT_CACHE_DIR": str(cache), "NEWSBOT_ENGINE": "tantivy",
           "PYTHONPATH": str(REPO)}  # fmt: skip
    command = [sys.executable, "-m", "bot", "index", "--json", "--corpus", str(corpus)]
    subprocess.run(command, cwd=tmp_path, env=env, check=True, capture_output=True, timeout=300)
    for stop in ("file:400", "build-saved", "build-promoted"):
        _kill_at([*command, "--rebuild"], env, tmp_path, stop)
        index, report = open_index(corpus, cache, engine="tantivy")
        assert report.action == "reused", stop  # the old generation, or the complete new one
        assert len(index.current) == 1200
        assert index.search("harbour 7 report", 1)[0][0].article_id == "story-7"
        index.close()
    # Nor do the killed builds leave worker processes behind (they notice within a second;
    # the bound is only there so that a leak fails instead of hanging).
    deadline = time.monotonic() + 60
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
