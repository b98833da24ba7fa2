"""Start, reconnect, live refresh and stop of the real NewsBot against the loopback Discord."""

from __future__ import annotations

import asyncio
import os
import signal
import threading
from pathlib import Path
from typing import Any

import discord
import pytest

import bot.discord_app.client
from bot.discord_app.client import serve
from bot.index.newsindex import Report
from bot.newsroom import Newsroom
from tests.bot_fixtures import (
    TROOPS,
    FastNewsBot,
    add_story,
    answer_embed,
    bot_settings,
    leftover_tasks,
    newsbot_on_fake,
    temp_corpus,
)
from tests.fake_discord import PRIVILEGED_INTENTS, FakeDiscord
from tests.helpers import newsroom


def _options(command: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {o["name"]: o for o in command.get("options") or []}


# --------------------------------------------------------------------------- startup


async def test_start_logs_in_and_syncs_commands_once_to_the_configured_guild(
    seed_room: Newsroom,
) -> None:
    async with newsbot_on_fake(seed_room) as (fake, newsbot):
        assert newsbot.user is not None and newsbot.user.id == fake.bot_user_id
        assert fake.requests_to("/users/@me", "GET")
        # One sync per start, to the guild only (instant), never globally as well.
        assert fake.synced_scopes == [fake.guild_id]
        [put] = fake.requests_to("/commands", "PUT")
        assert put.path.endswith(f"/guilds/{fake.guild_id}/commands")
        sent = {c["name"]: c for c in put.json}

    # Superset: a later extension may add commands; these three must be there as specified.
    assert {"ask", "latest", "source"} <= set(sent)
    for command in sent.values():
        # Slash commands carry a description; message menus (type 3) have none, by Discord's rule.
        if command["type"] == 1:
            assert 1 <= len(command["description"]) <= 100
        else:
            assert command["type"] == 3 and not command.get("description"), command

    ask = _options(sent["ask"])
    assert set(ask) == {"question", "count"}
    assert ask["question"]["type"] == 3 and ask["question"]["required"] is True
    assert (ask["question"]["min_length"], ask["question"]["max_length"]) == (1, 500)
    assert ask["count"]["type"] == 4 and not ask["count"].get("required")
    assert (ask["count"]["min_value"], ask["count"]["max_value"]) == (1, 5)

    latest = _options(sent["latest"])
    assert set(latest) == {"count", "topic"}
    assert latest["count"]["type"] == 4 and latest["topic"]["type"] == 3
    assert (latest["count"]["min_value"], latest["count"]["max_value"]) == (1, 25)
    assert not any(o.get("required") for o in latest.values())

    source = _options(sent["source"])
    assert set(source) == {"id"}
    assert source["id"]["type"] == 3 and source["id"]["required"] is True
    assert source["id"]["autocomplete"] is True
    for options in (ask, latest, source):
        assert all(1 <= len(o["description"]) <= 100 for o in options.values())
    assert fake.rejections == [] and fake.unknown_routes == []


async def test_start_without_guild_id_syncs_globally_once(seed_room: Newsroom) -> None:
    async with newsbot_on_fake(seed_room, guild_id=None) as (fake, _):
        assert fake.synced_scopes == [None]
        assert {c["name"] for c in fake.commands[None]} == {
            "ask",
            "latest",
            "source",
            "status",
            "refresh",
            "follow",
            "unfollow",
            "following",
            "Find in stored news",
        }
        inter = await fake.invoke("ask", {"question": TROOPS})
        await inter.wait_done()
    assert "28,500" in answer_embed(inter)["description"]


async def test_identify_asks_for_default_intents_and_nothing_privileged(
    seed_room: Newsroom,
) -> None:
    async with newsbot_on_fake(seed_room) as (fake, _):
        assert fake.identify_count == 1
        intents = fake.intents
    assert intents is not None and intents & PRIVILEGED_INTENTS == 0
    assert intents == discord.Intents.default().value
    assert not discord.Intents._from_value(intents).message_content


# --------------------------------------------------------------------------- gateway trouble


async def test_gateway_reconnect_resumes_and_keeps_serving_without_resync(
    seed_room: Newsroom,
) -> None:
    async with newsbot_on_fake(seed_room) as (fake, newsbot):
        await fake.send_reconnect()
        await asyncio.wait_for(newsbot.resumed.wait(), 5)
        assert fake.resume_count == 1 and fake.identify_count == 1
        inter = await fake.invoke("ask", {"question": TROOPS})
        await inter.wait_done()
        assert fake.sync_count == 1
    assert "28,500" in answer_embed(inter)["description"]
    assert fake.rejections == []


async def test_invalid_session_reidentifies_but_never_syncs_again(seed_room: Newsroom) -> None:
    async with newsbot_on_fake(seed_room) as (fake, newsbot):
        await fake.send_invalid_session(resumable=False)
        async with asyncio.timeout(5):
            while newsbot.ready_count < 2:  # on_ready runs again after a fresh IDENTIFY
                await asyncio.sleep(0.01)
        assert fake.identify_count == 2
        inter = await fake.invoke("ask", {"question": TROOPS})
        await inter.wait_done()
        assert fake.sync_count == 1  # syncing in on_ready would show 2 here
    assert "28,500" in answer_embed(inter)["description"]


# --------------------------------------------------------------------------- live refresh


@pytest.mark.parametrize(
    "refresh_seconds",
    [
        pytest.param(0.2, id="found-by-a-scan"),
        # Scans an hour apart: only a file-system event can bring the story in time.
        pytest.param(3600.0, id="found-by-an-event"),
    ],
)
async def test_story_added_while_running_is_answered_after_the_refresh_it_starts(
    tmp_path: Path, refresh_seconds: float
) -> None:
    corpus = temp_corpus(tmp_path)
    room = newsroom(corpus, tmp_path / "cache")
    question = "How many seats does the Ulleung ferry have?"
    # Synchronise on the refresh that reads the new file (the bot's own signal), never on a
    # wall-clock budget that a loaded machine blows.
    picked_up = threading.Event()
    refresh = room.refresh

    def signalled_refresh(*args: object) -> Report:
        report = refresh(*args)  # type: ignore[arg-type]
        if any(path.endswith("ferry.md") for path in report.changes.added):
            picked_up.set()
        return report

    room.refresh = signalled_refresh  # type: ignore[method-assign]
    async with newsbot_on_fake(room, refresh_seconds=refresh_seconds) as (fake, _):
        before = await fake.invoke("ask", {"question": question})
        await before.wait_done()
        assert "4,812" not in str(answer_embed(before))
        add_story(
            corpus,
            "ferry.md",
            "Ulleung ferry returns",
            "The new Ulleung island ferry has 4,812 seats and sails daily from Pohang.",
            "2024-06-01",
        )
        # The bound only turns a bot that never notices into a failure instead of a hang;
        # with scans an hour apart, only the file-system event can bring the story in it.
        assert await asyncio.to_thread(picked_up.wait, 120), "the new story was never read"
        inter = await fake.invoke("ask", {"question": question})
        await inter.wait_done()
        assert "4,812" in answer_embed(inter)["description"]
    assert fake.rejections == []


# --------------------------------------------------------------------------- shutdown


async def test_close_stops_refresh_loop_pager_and_gateway_without_leftover_tasks(
    shipped_room: Newsroom,
) -> None:
    # A running refresh loop and a live pager are what could outlive close().
    async with newsbot_on_fake(shipped_room, refresh_seconds=0.05) as (fake, newsbot):
        inter = await fake.invoke("latest", {"count": 25})
        await inter.wait_done()
        watch = newsbot.get_cog("CorpusWatch")
        assert watch is not None and watch.refresh.is_running()
        await asyncio.sleep(0.15)  # let the refresh loop run a few times
    # newsbot_on_fake asserted that no task of the client is left running.
    assert newsbot.is_closed()
    assert not watch.refresh.is_running()
    assert all(c.closed for c in fake.gateway_connections)


async def test_sigterm_makes_serve_close_the_bot_and_return(
    seed_room: Newsroom, monkeypatch: pytest.MonkeyPatch
) -> None:
    started: list[FastNewsBot] = []

    class RecordedBot(FastNewsBot):
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            started.append(self)

    # serve() builds its own NewsBot: give it the fast test subclass, to reach it from here.
    monkeypatch.setattr(bot.discord_app.client, "NewsBot", RecordedBot)
    loop = asyncio.get_running_loop()
    # If serve() installed no handler, this one catches the signal instead of killing pytest,
    # and the test fails on the timeout below.
    stray: list[int] = []
    previous = signal.signal(signal.SIGTERM, lambda signum, _frame: stray.append(signum))
    task: asyncio.Task[None] | None = None
    try:
        async with FakeDiscord() as fake:
            with fake.patch():
                settings = bot_settings(seed_room, guild_id=fake.guild_id)
                task = asyncio.create_task(serve(settings, seed_room, fake.token))
                async with asyncio.timeout(5):
                    while not (started and started[0].is_ready()):
                        assert not task.done(), task
                        await asyncio.sleep(0.01)
                served = await fake.invoke("ask", {"question": TROOPS})
                await served.wait_done()

                os.kill(os.getpid(), signal.SIGTERM)
                await asyncio.wait_for(asyncio.shield(task), 5)
                assert task.result() is None
                assert stray == []
                assert started[0].is_closed()
                assert all(c.closed for c in fake.gateway_connections)
                for _ in range(3):
                    await asyncio.sleep(0)
                assert leftover_tasks() == []
    finally:
        if task is not None and not task.done():
            if started:
                await started[0].close()
            task.cancel()
        for sig in (signal.SIGTERM, signal.SIGINT):
            loop.remove_signal_handler(sig)
        signal.signal(signal.SIGTERM, previous)
    assert "28,500" in answer_embed(served)["description"]
