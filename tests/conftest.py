"""Fixtures shared by the whole suite."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from bot.newsroom import Newsroom
from tests.helpers import SEED, SHIPPED_CORPUS, newsroom


@pytest.fixture(autouse=True)
def _no_user_settings(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """Tests never see the developer's .env, cache or Discord token."""
    for name in (
        "DISCORD_TOKEN",
        "DISCORD_GUILD_ID",
        "NEWSBOT_CORPUS_DIR",
        "NEWSBOT_CACHE_DIR",
        "NEWSBOT_ENGINE",
        "NEWSBOT_PASSAGE_TOKENS",
        "NEWSBOT_ASK_COUNT",
        "NEWSBOT_COOLDOWN_SECONDS",
        "NEWSBOT_REFRESH_SECONDS",
        "NEWSBOT_FEEDS",
        "NEWSBOT_FEED_MINUTES",
        "NEWSBOT_LOG_LEVEL",
    ):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg-cache"))


@pytest.fixture
def seed_corpus(tmp_path: Path) -> Path:
    folder = tmp_path / "seed-corpus"
    folder.mkdir()
    shutil.copy(SEED, folder / SEED.name)
    return folder


@pytest.fixture
def seed_room(seed_corpus: Path, tmp_path: Path) -> Newsroom:
    return newsroom(seed_corpus, tmp_path / "cache")


@pytest.fixture(scope="session")
def shipped_room(tmp_path_factory: pytest.TempPathFactory) -> Newsroom:
    return newsroom(SHIPPED_CORPUS, tmp_path_factory.mktemp("shipped-cache"))
