"""Fixtures and helpers that run newsbot's own client (NewsBot) against FakeDiscord.

Test modules import what they use from here; pytest only auto-loads conftest.py.
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import shutil
from collections.abc import AsyncIterator, Iterable
from dataclasses import replace
from pathlib import Path
from typing import Any

from bot.discord_app.client import NewsBot
from bot.newsroom import Newsroom
from bot.settings import Settings
from tests.fake_discord import EPHEMERAL, FakeDiscord, FakeInteraction, SentMessage
from tests.helpers import SEED, write_story

TROOPS = "How many American troops are stationed in South Korea?"
GENERIC_ERROR = "Something went wrong"


class FastNewsBot(NewsBot):
    """NewsBot with only the waits that make sense against a real Discord taken out."""

    def __init__(self, settings: Settings, newsroom: Newsroom, **options: Any) -> None:
        # READY would otherwise wait 2 s for further GUILD_CREATEs before on_ready.
        options.setdefault("guild_ready_timeout", 0.05)
        super().__init__(settings, newsroom, **options)
        self.ready_count = 0
        self.resumed = asyncio.Event()

    async def before_identify_hook(self, shard_id: int | None, *, initial: bool = False) -> None:
        # discord.py sleeps 5 s before a re-IDENTIFY to respect Discord's rate limit; the fake
        # has none, and invalid-session tests would take 5 s each.
        return

    async def on_ready(self) -> None:
        self.ready_count += 1
        await super().on_ready()

    async def on_resumed(self) -> None:
        self.resumed.set()


def bot_settings(room: Newsroom, **overrides: Any) -> Settings:
    """The bot's settings over ``room``'s corpus: no cooldown or live refresh unless asked."""
    values: dict[str, Any] = {"cooldown_seconds": 0.0, "refresh_seconds": 0.0}
    values.update(overrides)
    return replace(room.settings, **values)


def leftover_tasks() -> list[asyncio.Task[Any]]:
    current = asyncio.current_task()
    return [t for t in asyncio.all_tasks() if t is not current and not t.done()]


@contextlib.asynccontextmanager
async def running_bot(
    fake: FakeDiscord, room: Newsroom, **overrides: Any
) -> AsyncIterator[FastNewsBot]:
    """NewsBot logged in to ``fake`` (guild sync to the fake's guild unless overridden).

    On exit the client is closed, and no task of it may still be running: a leak here is what
    shows up as "Task was destroyed but it is pending!" after a real shutdown.
    """
    overrides.setdefault("guild_id", fake.guild_id)
    bot = FastNewsBot(bot_settings(room, **overrides), room)
    async with fake.run_client(bot):
        yield bot
    assert bot.is_closed()
    # Cancelled tasks (a tasks.loop, a view timeout) need a turn of the loop to finish.
    for _ in range(3):
        await asyncio.sleep(0)
    assert leftover_tasks() == [], f"tasks left running after close(): {leftover_tasks()}"


@contextlib.asynccontextmanager
async def newsbot_on_fake(
    room: Newsroom, *, fake_options: dict[str, Any] | None = None, **overrides: Any
) -> AsyncIterator[tuple[FakeDiscord, FastNewsBot]]:
    """A fresh loopback Discord with NewsBot logged in to it: ``(fake, bot)``.

    ``overrides`` are Settings fields. Whatever reaches the event loop's exception handler
    ("Task exception was never retrieved") fails the test: an exception escaping a handler
    task is a bot that crashed a little, even when the test's own checks passed.
    """
    loop = asyncio.get_running_loop()
    seen: list[dict[str, Any]] = []
    previous = loop.get_exception_handler()
    loop.set_exception_handler(lambda _loop, context: seen.append(context))
    try:
        async with FakeDiscord(**(fake_options or {})) as server:
            with server.patch():
                async with running_bot(server, room, **overrides) as bot:
                    yield server, bot
        gc.collect()  # unretrieved task exceptions are reported when the task is collected
        await asyncio.sleep(0)
    finally:
        loop.set_exception_handler(previous)
    assert seen == [], [c.get("message") for c in seen]


def temp_corpus(tmp_path: Path) -> Path:
    """A writable corpus holding the Yonhap seed story, for tests that add or remove stories."""
    folder = tmp_path / "temp-corpus"
    folder.mkdir()
    shutil.copy(SEED, folder / SEED.name)
    return folder


def front_matter_story(title: str, date: str | None, body: str) -> str:
    head = f"---\ntitle: {title}\n" + (f"published: {date}\n" if date else "") + "---\n"
    return head + body + "\n"


def add_story(corpus: Path, name: str, title: str, body: str, date: str | None = None) -> Path:
    return write_story(corpus, name, front_matter_story(title, date, body))


# --------------------------------------------------------------------------- assertions


def button_id(inter_or_message: FakeInteraction | dict[str, Any], label: str) -> str:
    """custom_id of the button labelled ``label`` (discord.py gives views random ids)."""
    message = (
        inter_or_message.original
        if isinstance(inter_or_message, FakeInteraction)
        else inter_or_message
    )
    assert message is not None, "the interaction has no visible message"
    for row in message.get("components") or []:
        for component in row.get("components") or []:
            if component.get("label") == label:
                return str(component["custom_id"])
    raise AssertionError(f"no {label!r} button on message {message.get('id')}")


def buttons(message: dict[str, Any]) -> dict[str, bool]:
    """Label -> disabled, for every button on a message."""
    return {
        c.get("label"): bool(c.get("disabled"))
        for row in message.get("components") or []
        for c in row.get("components") or []
    }


def texts(sent: SentMessage) -> str:
    """Everything a user could read in one sent payload, joined."""
    parts = [sent.content or ""]
    for embed in sent.embeds:
        parts += [embed.get("title") or "", embed.get("description") or ""]
        parts += [(embed.get("footer") or {}).get("text") or ""]
        for f in embed.get("fields") or []:
            parts += [f.get("name") or "", f.get("value") or ""]
    return "\n".join(parts)


def assert_never_pings(messages: Iterable[SentMessage]) -> None:
    """Every payload carries allowed_mentions that allow nobody, users and roles included."""
    checked = 0
    for sent in messages:
        checked += 1
        assert sent.has_allowed_mentions, f"{sent.kind} without allowed_mentions: {sent.payload}"
        allowed = sent.allowed_mentions or {}
        assert allowed.get("parse") == [], allowed
        assert not allowed.get("users") and not allowed.get("roles"), allowed
        assert not allowed.get("replied_user"), allowed
    assert checked, "no message was sent at all"


def assert_no_generic_errors(messages: Iterable[SentMessage]) -> None:
    for sent in messages:
        assert GENERIC_ERROR not in texts(sent), texts(sent)
        assert "Traceback" not in texts(sent), texts(sent)


def is_ephemeral(sent: SentMessage) -> bool:
    flags = int((sent.message or sent.payload).get("flags") or 0)
    return bool(flags & EPHEMERAL)


def answer_embed(inter: FakeInteraction) -> dict[str, Any]:
    """The single embed of a deferred /ask's answer (the follow-up that replaced 'thinking')."""
    assert inter.deferred, inter
    assert inter.followups, inter
    embeds = inter.followups[0].embeds
    assert len(embeds) == 1, inter.followups[0].payload
    return embeds[0]


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]
