"""The package's shape: no import cycle, no module over 500 lines, the import contracts kept.

No pickle in ``bot/``: tests/index/test_engines.py; a light settings module: tests/test_settings.py.
"""

from __future__ import annotations

import graphlib
import shutil
import subprocess
import sys
from pathlib import Path

import grimp
import pytest

from tests.helpers import REPO

BOT = REPO / "bot"
MAX_LINES = 500


def _modules() -> list[Path]:
    return sorted(BOT.rglob("*.py"))


def test_no_import_cycle_between_modules() -> None:
    # grimp sees every import, lazy ones inside functions included: a cycle that only a lazy
    # import hides is still a cycle a reader must untangle.
    graph = grimp.build_graph("bot", cache_dir=None)
    edges = {m: graph.find_modules_directly_imported_by(m) for m in graph.modules}
    try:
        graphlib.TopologicalSorter(edges).prepare()
    except graphlib.CycleError as error:
        pytest.fail(f"import cycle: {' -> '.join(error.args[1])}")


def test_every_module_is_at_most_500_lines() -> None:
    long = {
        str(p.relative_to(REPO)): n
        for p in _modules()
        if (n := len(p.read_text().splitlines())) > MAX_LINES
    }
    assert long == {}


def test_import_contracts_are_kept() -> None:
    lint = shutil.which("lint-imports") or str(Path(sys.executable).with_name("lint-imports"))
    run = subprocess.run([lint, "--no-cache"], capture_output=True, text=True, cwd=REPO)
    assert run.returncode == 0, run.stdout[-3000:]
