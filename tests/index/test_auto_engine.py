"""NEWSBOT_ENGINE=auto: rank-bm25 while the corpus is small, tantivy past a threshold, both ways."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from bot.index.engines import names
from bot.index.engines.registry import auto_engine, engine_choice
from bot.newsroom import Newsroom
from bot.settings import load_settings
from tests.helpers import newsroom, wire_story, write_story

# Each story gives one passage per paragraph: two.
PER_STORY = 2


def _stories(corpus: Path, first: int, count: int) -> None:
    for n in range(first, first + count):
        write_story(
            corpus,
            f"s{n}.txt",
            wire_story(
                f"Harbour {n} reports record container traffic",
                [
                    f"Harbour {n} handled {n * 1000 + 17} containers in May, its busiest month.",
                    f"Cranes at harbour {n} ran through the night to clear the backlog of ships.",
                ],
            ),
        )


def _first_cited(room: Newsroom, question: str) -> str | None:
    answer = room.ask(question)
    return answer.citations[0].article_id if answer.found else None


@pytest.fixture
def threshold(monkeypatch: pytest.MonkeyPatch) -> int:
    """A threshold a few stories cross: tantivy above 6 passages, back to bm25 below 3."""
    monkeypatch.setattr(names, "AUTO_TANTIVY_ABOVE", 6)
    return 6


def test_auto_is_the_default_setting():
    assert load_settings({}, env_file=None).engine == names.AUTO == names.DEFAULT_ENGINE


def test_a_small_corpus_gets_bm25_and_status_says_why(tmp_path: Path):
    corpus = tmp_path / "c"
    _stories(corpus, 0, 2)
    room = newsroom(corpus, tmp_path / "cache")
    assert room.report.engine == names.BM25
    status = room.status()
    assert status.engine == names.BM25
    assert status.engine_choice == f"auto: {2 * PER_STORY} passages <= 50k"


def test_a_corpus_over_the_threshold_is_built_on_tantivy(tmp_path: Path, threshold: int):
    corpus = tmp_path / "c"
    _stories(corpus, 0, 4)  # 8 passages > 6
    room = newsroom(corpus, tmp_path / "cache")
    assert room.report.engine == names.TANTIVY
    assert room.status().engine_choice == "auto: 8 passages > 6"
    assert _first_cited(room, "How many containers did harbour 2 handle?") == "s2"


def test_growing_past_the_threshold_switches_to_tantivy_and_shrinking_switches_back(
    tmp_path: Path, threshold: int, caplog: pytest.LogCaptureFixture
):
    corpus = tmp_path / "c"
    _stories(corpus, 0, 2)  # 4 passages
    room = newsroom(corpus, tmp_path / "cache")
    assert room.index.engine.name == names.BM25

    # Vectors of the semantic layer live in the generation, by passage number: kept.
    (room.index.generation / "vectors").mkdir()
    (room.index.generation / "vectors" / "store.npy").write_bytes(b"vectors")
    _stories(corpus, 2, 2)  # 8 passages: over 6
    with caplog.at_level(logging.INFO, logger="bot.index"):
        report = room.refresh()
    assert room.index.engine.name == report.engine == names.TANTIVY
    assert report.note == "engine switched from bm25 to tantivy (auto: 8 passages > 6)"
    switched = [r for r in caplog.records if "engine switched" in r.getMessage()]
    assert len(switched) == 1  # one log line
    assert (room.index.generation / "vectors" / "store.npy").read_bytes() == b"vectors"
    assert _first_cited(room, "How many containers did harbour 3 handle?") == "s3"

    # Down to 4 passages: still at least half the threshold, so tantivy stays (no flapping
    # around the threshold: every switch builds a whole engine).
    for n in (2, 3):
        (corpus / f"s{n}.txt").unlink()
    assert room.refresh().engine == names.TANTIVY
    assert room.status().engine_choice == "auto: 4 passages; back to bm25 below 3"

    (corpus / "s1.txt").unlink()  # 2 passages: below half
    report = room.refresh()
    assert report.engine == room.index.engine.name == names.BM25
    assert report.note == "engine switched from tantivy to bm25 (auto: 2 passages <= 6)"
    assert _first_cited(room, "How many containers did harbour 0 handle?") == "s0"
    assert room.ask("How many containers did harbour 3 handle?").found is False

    # A new process opens the switched index as it is: no second switch.
    again = newsroom(corpus, tmp_path / "cache")
    assert again.report.action == "reused" and again.report.engine == names.BM25


@pytest.mark.parametrize("explicit", [names.BM25, names.TANTIVY])
def test_an_explicit_engine_wins_over_the_size(tmp_path: Path, threshold: int, explicit: str):
    corpus = tmp_path / "c"
    _stories(corpus, 0, 2 if explicit == names.TANTIVY else 4)  # size says the other engine
    room = newsroom(corpus, tmp_path / "cache", engine=explicit)
    assert room.report.engine == explicit
    _stories(corpus, 10, 4)
    assert room.refresh().engine == explicit
    assert room.status().engine_choice == "set by NEWSBOT_ENGINE"


def test_an_index_built_by_an_explicit_engine_is_kept_by_auto_when_it_fits(tmp_path: Path):
    corpus = tmp_path / "c"
    _stories(corpus, 0, 2)
    newsroom(corpus, tmp_path / "cache", engine=names.BM25)
    room = newsroom(corpus, tmp_path / "cache")  # auto: 4 passages fit bm25
    assert room.report.action == "reused" and room.report.engine == names.BM25


def test_the_auto_rule_switches_up_above_the_threshold_and_down_below_half():
    above = names.AUTO_TANTIVY_ABOVE
    assert auto_engine(above) == names.BM25
    assert auto_engine(above + 1) == names.TANTIVY
    assert auto_engine(above // 2, names.TANTIVY) == names.TANTIVY
    assert auto_engine(above // 2 - 1, names.TANTIVY) == names.BM25
    assert auto_engine(above // 2, names.BM25) == names.BM25
    assert engine_choice(names.AUTO, names.TANTIVY, 1_234_567) == "auto: 1.2M passages > 50k"
