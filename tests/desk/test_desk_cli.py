"""`newsbot feedback` and the paused /follow channels in `newsbot status`."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bot.desk import Desk, FeedbackLog
from bot.desk.feedback import AnsweredQuestion
from bot.terminal.cli import main
from tests.bot_fixtures import temp_corpus
from tests.helpers import newsroom


def test_feedback_lists_reports_and_status_shows_paused_channels(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    corpus, cache = temp_corpus(tmp_path), tmp_path / "cache"
    monkeypatch.setenv("NEWSBOT_CACHE_DIR", str(cache))
    monkeypatch.chdir(tmp_path)
    room = newsroom(corpus, cache)
    log = FeedbackLog(cache, corpus)
    log.record(AnsweredQuestion(5, "How many troops?", ("us-expects:2",)), user_id=99)
    desk = Desk(room.desk_path)
    with desk._writing() as db:
        desk._pause(db, 22, 11, "the channel no longer exists (404, code 10003)")

    assert main(["feedback", "--corpus", str(corpus)]) == 0
    out = capsys.readouterr().out
    assert "How many troops?" in out and "us-expects:2" in out and "99" not in out
    assert main(["feedback", "--json", "--corpus", str(corpus)]) == 0
    [entry] = json.loads(capsys.readouterr().out)["feedback"]
    assert entry["passage_ids"] == ["us-expects:2"]

    assert main(["status", "--corpus", str(corpus)]) == 0
    assert "follow channel 22 paused: the channel no longer exists" in capsys.readouterr().out
    assert main(["status", "--json", "--corpus", str(corpus)]) == 0
    paused = json.loads(capsys.readouterr().out)["paused_channels"]
    assert [p["channel_id"] for p in paused] == ["22"]
