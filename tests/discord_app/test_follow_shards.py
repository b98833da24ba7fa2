"""Two newsbot processes, each serving its own shard, share one index: one updates it."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from pathlib import Path

import pytest

from tests.bot_fixtures import TROOPS, add_story, temp_corpus
from tests.fake_discord import FakeDiscord, FakeInteraction
from tests.helpers import REPO, newsroom

pytestmark = pytest.mark.slow

# `newsbot run` as the CLI starts it, over shard argv[4] of two.
CHILD = """
import sys
from pathlib import Path

from tests.fake_discord import patch_from_environment

patch_from_environment()
from bot.discord_app.client import run_bot
from bot.newsroom import Newsroom
from bot.settings import Settings

corpus, cache, token, shard = sys.argv[1:5]
settings = Settings(
    corpus_dir=Path(corpus), cache_dir=Path(cache), cooldown_seconds=0.0,
    refresh_seconds=0.2, log_level="WARNING", shard_count=2, shard_ids=(int(shard),),
)
sys.exit(run_bot(settings, Newsroom(settings), token))
"""
NEW_QUESTION = "When did the Gimpo ferry terminal reopen?"


async def _ask(fake: FakeDiscord, question: str, guild: int) -> FakeInteraction:
    inter = await fake.invoke("ask", {"question": question}, guild_id=guild, timeout=30)
    await inter.wait_done(timeout=60)
    return inter


def _answer(inter: FakeInteraction) -> str:
    return str(inter.followups[0].embeds[0].get("description")) if inter.followups else ""


async def test_two_sharded_processes_answer_from_one_index_that_one_of_them_updates(
    tmp_path: Path,
) -> None:
    corpus, cache = temp_corpus(tmp_path), tmp_path / "cache"
    newsroom(corpus, cache)  # built here, so both children start serving at once
    async with FakeDiscord(shard_count=2) as fake:
        guilds = [fake.add_guild(f"shard {n}", shard=(n, 2)) for n in (0, 1)]
        env = {**os.environ, **fake.client_environment(), "PYTHONPATH": str(REPO)}
        children = [
            await asyncio.create_subprocess_exec(
                sys.executable,
                "-c",
                CHILD,
                str(corpus),
                str(cache),
                fake.token,
                str(n),
                cwd=tmp_path,
                env=env,
                stderr=asyncio.subprocess.PIPE,
            )
            for n in (0, 1)
        ]
        try:
            connections = await fake.wait_for_shards([0, 1], count=2, timeout=120)
            assert len({c.shard for c in connections}) == 2  # one process per shard
            for guild in guilds:
                assert "28,500" in _answer(await _ask(fake, TROOPS, guild))

            add_story(corpus, "gimpo.md", "Gimpo ferry terminal reopens",
                      "The Gimpo ferry terminal reopened on Friday after repairs.")  # fmt: skip
            # Each answer is a round trip; the new story must reach both processes' answers.
            for guild in guilds:
                for _ in range(200):
                    if "Gimpo" in _answer(await _ask(fake, NEW_QUESTION, guild)):
                        break
                else:
                    raise AssertionError(f"the new story never reached guild {guild}")

            statuses = []
            for guild in guilds:
                inter = await fake.invoke("status", {}, guild_id=guild, timeout=30)
                await inter.wait_done(timeout=60)
                assert inter.original is not None
                statuses.append(str(inter.original["embeds"]))
            following = ["another process (shard) keeps the index" in s for s in statuses]
            assert sorted(following) == [False, True], statuses  # exactly one indexes
        finally:
            for child in children:
                if child.returncode is None:
                    child.send_signal(signal.SIGTERM)
            codes = [await asyncio.wait_for(child.wait(), 30) for child in children]
        errors = [(await c.stderr.read()).decode() for c in children if c.stderr is not None]
        assert codes == [0, 0], errors
        assert not any("Traceback" in e for e in errors), errors
