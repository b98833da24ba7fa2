"""A corpus full of broken files still indexes every good story and names each bad file once."""

import logging
import os
from pathlib import Path

import pytest

from bot.index.opening import open_index
from bot.ingest.corpus import MAX_FILE_BYTES
from tests.helpers import wire_story, write_story

GOOD = {
    "good-wire.txt": wire_story(
        "Seoul subway fares rise", ["Subway fares in Seoul rose by 150 won."]
    ),
    "no-dateline.txt": "Busan fireworks draw crowds\nThe festival drew a million people.\n",
    "truncated.txt": "Jeju airport expands\nJEJU, May 3 (Yonhap) -- It will add a runway and",
    "legacy.txt": "Caf\xe9 chain opens in Daegu\nThe caf\xe9 chain opened its first store.\n",
    "front.md": "---\ntitle: Ulsan shipyard wins order\npublished: 2024-02-01\n---\nIt won.\n",
}
BAD = {
    "empty.txt": "empty file",
    "blank.md": "empty file",
    "binary.txt": "binary",
    "huge.txt": "MiB limit",
    "headless.md": "no body",
    "broken-yaml.md": "not valid YAML",
    "folder.txt": "folder",
    "locked.txt": "cannot read",
}


@pytest.fixture
def torture(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    corpus = tmp_path / "corpus"
    for name, text in GOOD.items():
        encoding = "cp1252" if name == "legacy.txt" else "utf-8"
        path = corpus / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(text.encode(encoding))
    write_story(corpus, "empty.txt", "")
    write_story(corpus, "blank.md", "  \n\n ")
    (corpus / "binary.txt").write_bytes(bytes(range(256)) * 64)
    with open(corpus / "huge.txt", "wb") as handle:  # sparse: 50 MB without using the disk
        handle.truncate(50 * 2**20)
    write_story(corpus, "headless.md", "---\ntitle: A title only\n---\n")
    write_story(corpus, "broken-yaml.md", "---\ntitle: [oops\ndate: : :\n---\nBody text.\n")
    (corpus / "folder.txt").mkdir()
    write_story(corpus, "locked.txt", wire_story("Locked", ["Locked story text."]))

    # Tests run as root in CI, where chmod cannot make a file unreadable: simulate the error.
    real = os.open

    def refusing_open(path: str | os.PathLike[str], flags: int, *args: int, **kw: int) -> int:
        if os.fspath(path).endswith("locked.txt"):
            raise PermissionError(13, "Permission denied")
        return real(path, flags, *args, **kw)

    monkeypatch.setattr(os, "open", refusing_open)
    return corpus


def test_every_good_story_is_indexed_and_every_bad_file_reported_with_its_reason(
    torture: Path, tmp_path: Path
):
    assert MAX_FILE_BYTES < 50 * 2**20
    index, report = open_index(torture, tmp_path / "cache")
    assert sorted(a.path for a in index.current) == sorted(GOOD)
    assert set(report.problems) == set(BAD)
    for name, reason in BAD.items():
        assert reason in report.problems[name], (name, report.problems[name])
    legacy = next(a for a in index.current if a.path == "legacy.txt")
    assert legacy.title == "Café chain opens in Daegu"


def test_each_bad_file_is_logged_once_not_on_every_refresh(
    torture: Path, tmp_path: Path, caplog: pytest.LogCaptureFixture
):
    caplog.set_level(logging.WARNING, logger="bot.ingest.corpus")
    open_index(torture, tmp_path / "cache")
    write_story(
        torture, "another.txt", wire_story("Gwangju hosts biennale", ["Art fills the city."])
    )
    _, report = open_index(torture, tmp_path / "cache")
    assert report.changes.added == ("another.txt",)
    logged = [r.getMessage() for r in caplog.records if "skipped" in r.getMessage()]
    readable = [name for name in BAD if name != "folder.txt"]  # a folder is never read
    for name in readable:
        assert sum(f"skipped {name}:" in line for line in logged) == 1, name
