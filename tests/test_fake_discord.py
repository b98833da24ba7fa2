"""Tests of tests/fake_discord.py, driven by a real discord.py client running a throwaway bot."""

from __future__ import annotations

import asyncio
import json
import os
import sys
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import aiohttp
import discord
import discord.gateway
import discord.http
import pytest
import pytest_asyncio
import yarl
from discord import app_commands
from discord.ext import commands

from tests import fake_discord as fake_discord_module
from tests.fake_discord import (
    DEFAULT_CHANNEL_ID,
    DEFAULT_GUILD_ID,
    EPHEMERAL,
    LOADING,
    MESSAGE_COMMAND,
    SEND_MESSAGES,
    VIEW_CHANNEL,
    FakeDiscord,
    FakeDiscordIncompatible,
    check_discord_internals,
    validate_choices,
    validate_commands,
    validate_message,
)

GUILD = discord.Object(id=DEFAULT_GUILD_ID)
FEEDS = [f"feed-{i:02d}" for i in range(40)]


# --------------------------------------------------------------------------- throwaway bot


class RecordingTree(app_commands.CommandTree):
    """Keeps app command errors for assertions instead of logging them."""

    def __init__(self, client: discord.Client) -> None:
        super().__init__(client)
        self.errors: list[app_commands.AppCommandError] = []

    async def on_error(
        self, interaction: discord.Interaction, error: app_commands.AppCommandError
    ) -> None:
        self.errors.append(error)


class Pager(discord.ui.View):
    def __init__(self) -> None:
        super().__init__(timeout=60)
        self.page = 1

    @discord.ui.button(label="Next", custom_id="pager:next", style=discord.ButtonStyle.primary)
    async def next_page(
        self, interaction: discord.Interaction, button: discord.ui.Button[Pager]
    ) -> None:
        self.page += 1
        await interaction.response.edit_message(content=f"page {self.page}", view=self)


class ThrowawayBot(commands.Bot):
    def __init__(self) -> None:
        super().__init__(
            command_prefix=commands.when_mentioned,
            intents=discord.Intents.default(),
            tree_cls=RecordingTree,
            guild_ready_timeout=0.05,  # READY would otherwise wait 2 s for more guilds
            allowed_mentions=discord.AllowedMentions.none(),
        )
        self.delay_before_ack = 0.0
        self.answer_length = 0
        self.synced: list[app_commands.AppCommand] = []
        self.resumed = asyncio.Event()
        self.ready_count = 0
        self.channel_events: asyncio.Queue[tuple[str, int]] = asyncio.Queue()
        self.seen_messages: asyncio.Queue[discord.Message] = asyncio.Queue()
        for command in (ask, feed, pager, answer, find_in_news, who_is):
            self.tree.add_command(command)

    @property
    def errors(self) -> list[app_commands.AppCommandError]:
        assert isinstance(self.tree, RecordingTree)
        return self.tree.errors

    async def setup_hook(self) -> None:
        # Sync once at login (never in on_ready, which runs again on reconnects).
        self.tree.copy_global_to(guild=GUILD)
        self.synced = await self.tree.sync(guild=GUILD)

    async def before_identify_hook(self, shard_id: int | None, *, initial: bool = False) -> None:
        # discord.py waits 5 s before every re-IDENTIFY to respect Discord's rate limit;
        # pointless against the fake.
        return

    async def on_ready(self) -> None:
        self.ready_count += 1

    async def on_resumed(self) -> None:
        self.resumed.set()

    async def on_guild_channel_update(
        self, before: discord.abc.GuildChannel, after: discord.abc.GuildChannel
    ) -> None:
        await self.channel_events.put(("update", after.id))

    async def on_guild_channel_delete(self, channel: discord.abc.GuildChannel) -> None:
        await self.channel_events.put(("delete", channel.id))

    async def on_message(self, message: discord.Message) -> None:
        await self.seen_messages.put(message)


def _bot(interaction: discord.Interaction) -> ThrowawayBot:
    assert isinstance(interaction.client, ThrowawayBot)
    return interaction.client


@app_commands.command(name="ask", description="Answer a question, deferring first")
async def ask(interaction: discord.Interaction, question: str) -> None:
    bot = _bot(interaction)
    await asyncio.sleep(bot.delay_before_ack)
    await interaction.response.defer(thinking=True)
    answer = "x" * bot.answer_length if bot.answer_length else f"answer to {question}"
    await interaction.followup.send(answer)


async def feed_names(
    interaction: discord.Interaction, current: str
) -> list[app_commands.Choice[str]]:
    return [app_commands.Choice(name=f, value=f) for f in FEEDS if current in f][:25]


@app_commands.command(name="feed", description="Show one feed")
@app_commands.autocomplete(name=feed_names)
async def feed(interaction: discord.Interaction, name: str) -> None:
    await interaction.response.send_message(f"feed {name}", ephemeral=True)


@app_commands.command(name="pager", description="Reply with page 1 and a Next button")
async def pager(interaction: discord.Interaction) -> None:
    await interaction.response.send_message("page 1", view=Pager())


class WrongSource(discord.ui.View):
    """One press per user: the first press of each user is recorded, later ones are refused."""

    def __init__(self) -> None:
        super().__init__(timeout=60)
        self.pressed_by: list[int] = []

    @discord.ui.button(label="Wrong source?", custom_id="answer:wrong-source")
    async def wrong_source(
        self, interaction: discord.Interaction, button: discord.ui.Button[WrongSource]
    ) -> None:
        if interaction.user.id in self.pressed_by:
            await interaction.response.send_message("already recorded", ephemeral=True)
            return
        self.pressed_by.append(interaction.user.id)
        await interaction.response.send_message("recorded", ephemeral=True)


@app_commands.command(name="answer", description="Reply with a Wrong source? button")
async def answer(interaction: discord.Interaction) -> None:
    await interaction.response.send_message("an answer", view=WrongSource())


@app_commands.context_menu(name="Find in stored news")
async def find_in_news(interaction: discord.Interaction, message: discord.Message) -> None:
    # Reports exactly what the client received, so the test sees what the fake resolved.
    parts = [message.content] + [f"{e.title}|{e.description}" for e in message.embeds]
    await interaction.response.send_message(
        f"{message.id}:{message.author.id}:" + " / ".join(parts), ephemeral=True
    )


@app_commands.context_menu(name="Who is this")
async def who_is(interaction: discord.Interaction, member: discord.Member) -> None:
    await interaction.response.send_message(f"{member.id}", ephemeral=True)


# --------------------------------------------------------------------------- fixtures


@pytest_asyncio.fixture
async def fake() -> AsyncIterator[FakeDiscord]:
    async with FakeDiscord() as server:
        with server.patch():
            yield server


@pytest_asyncio.fixture
async def bot(fake: FakeDiscord) -> AsyncIterator[ThrowawayBot]:
    client = ThrowawayBot()
    # run_client: bot.login(token), create_task(bot.connect()), wait for ready; on exit
    # bot.close() and await (or cancel) the connect task.
    async with fake.run_client(client):
        yield client
    leftovers = [t for t in asyncio.all_tasks() if t is not asyncio.current_task()]
    assert not [t for t in leftovers if not t.done()], f"tasks left running: {leftovers}"


async def _wait_for(predicate: Any, timeout: float = 2.0) -> None:
    async def poll() -> None:
        while not predicate():
            await asyncio.sleep(0.01)

    await asyncio.wait_for(poll(), timeout)


# --------------------------------------------------------------------------- tests


@pytest.mark.asyncio
async def test_patch_points_discord_py_at_fake_and_restores(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    check_discord_internals()
    base, gateway = discord.http.Route.BASE, discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY
    async with FakeDiscord() as server:
        with server.patch():
            patched_base = discord.http.Route.BASE
            patched_gateway = discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY
    assert patched_base == f"http://127.0.0.1:{server.port}/api/v10"
    assert patched_gateway == yarl.URL(f"ws://127.0.0.1:{server.port}/")
    restored = (discord.http.Route.BASE, discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY)
    assert restored == (base, gateway)
    monkeypatch.setattr(discord.gateway.DiscordWebSocket, "DEFAULT_GATEWAY", "wss://x/")
    with pytest.raises(FakeDiscordIncompatible, match="DEFAULT_GATEWAY"):
        check_discord_internals()


@pytest.mark.asyncio
async def test_login_and_guild_sync(bot: ThrowawayBot, fake: FakeDiscord) -> None:
    assert bot.user is not None and bot.user.id == fake.application_id
    assert bot.application_id == fake.application_id
    assert bot.get_guild(fake.guild_id) is not None
    assert bot.get_channel(DEFAULT_CHANNEL_ID) is not None
    assert fake.synced_scopes == [fake.guild_id] and fake.sync_count == 1
    synced = fake.commands[fake.guild_id]
    assert {(c["type"], c["name"]) for c in synced} == {
        (1, "ask"),
        (1, "feed"),
        (1, "pager"),
        (1, "answer"),
        (3, "Find in stored news"),
        (2, "Who is this"),
    }
    assert {c.id for c in bot.synced} == {int(c["id"]) for c in synced}
    assert fake.identify_count == 1 and fake.resume_count == 0
    assert fake.intents == discord.Intents.default().value
    assert fake.requests_to("/oauth2/applications/@me", "GET")
    assert fake.unknown_routes == [] and fake.rejections == []


@pytest.mark.asyncio
async def test_slash_command_defer_then_followup(bot: ThrowawayBot, fake: FakeDiscord) -> None:
    inter = await fake.invoke("ask", {"question": "what's new?"})
    assert inter.payload["data"]["options"] == [
        {"name": "question", "type": 3, "value": "what's new?"}
    ]
    await inter.wait_done()
    assert inter.response_type == 5
    assert inter.ack_latency is not None and inter.ack_latency < 1.0
    followup = inter.followups[0]
    assert followup.content == "answer to what's new?"
    assert followup.has_allowed_mentions and followup.allowed_mentions["parse"] == []
    # The first follow-up after a thinking defer becomes the loading message itself.
    original = inter.original
    assert original is not None and original["content"] == "answer to what's new?"
    assert not original["flags"] & (LOADING | EPHEMERAL)
    assert inter.rejections == [] and bot.errors == []


@pytest.mark.asyncio
async def test_message_over_2000_chars_gets_50035(bot: ThrowawayBot, fake: FakeDiscord) -> None:
    bot.answer_length = 2001
    inter = await fake.invoke("ask", {"question": "long"})
    rejection = await inter.wait_for_rejection(50035)
    assert rejection.status == 400 and "content" in rejection.reason
    await _wait_for(lambda: bot.errors)
    original = getattr(bot.errors[0], "original", None)
    assert isinstance(original, discord.HTTPException) and original.code == 50035

    bot.answer_length = 2000
    ok = await fake.invoke("ask", {"question": "exactly at the limit"})
    assert len((await ok.wait_for_followup()).content or "") == 2000


@pytest.mark.asyncio
async def test_late_first_response_gets_10062(bot: ThrowawayBot, fake: FakeDiscord) -> None:
    fake.ack_deadline = 0.1
    bot.delay_before_ack = 0.25
    inter = await fake.invoke("ask", {"question": "slow"})
    rejection = await inter.wait_for_rejection(10062)
    assert rejection.status == 404 and not inter.acknowledged and inter.dead
    await _wait_for(lambda: bot.errors)
    original = getattr(bot.errors[0], "original", None)
    assert isinstance(original, discord.NotFound) and original.code == 10062


@pytest.mark.asyncio
async def test_second_callback_gets_40060(bot: ThrowawayBot, fake: FakeDiscord) -> None:
    inter = await fake.invoke("pager")
    await inter.wait_for_response()
    # discord.py refuses a second response client-side, so post it like a second process would.
    url = f"{fake.base_url}/interactions/{inter.id}/{inter.token}/callback?with_response=1"
    async with aiohttp.ClientSession() as session:
        resp = await session.post(url, json={"type": 4, "data": {"content": "again"}})
        body = await resp.json()
    assert resp.status == 400 and body["code"] == 40060
    assert resp.headers["Content-Type"] == "application/json"
    assert [r.code for r in inter.rejections] == [40060] and len(inter.responses) == 1


@pytest.mark.asyncio
async def test_autocomplete_choices(bot: ThrowawayBot, fake: FakeDiscord) -> None:
    inter = await fake.autocomplete("feed", {"name": "feed-1"})
    assert inter.payload["data"]["options"] == [
        {"name": "name", "type": 3, "value": "feed-1", "focused": True}
    ]
    response = await inter.wait_for_response()
    assert response.type == 8
    assert [c["name"] for c in inter.choices or []] == [f"feed-{i}" for i in range(10, 20)]

    capped = await fake.autocomplete("feed", {"name": ""})
    await capped.wait_for_response()
    assert len(capped.choices or []) == 25 and capped.rejections == []


@pytest.mark.asyncio
async def test_button_click_routed_to_view(bot: ThrowawayBot, fake: FakeDiscord) -> None:
    inter = await fake.invoke("pager")
    await inter.wait_done()
    original = inter.original
    assert original is not None and original["content"] == "page 1"
    for expected in ("page 2", "page 3"):
        click = await fake.click(inter, "pager:next", user_id=fake.user_id)
        response = await click.wait_for_response()
        assert response.type == 7 and click.payload["message"]["id"] == original["id"]
        assert fake.messages[int(original["id"])]["content"] == expected
    with pytest.raises(LookupError, match="pager:next"):
        await fake.click(inter, "pager:missing")
    assert fake.rejections == [] and bot.errors == []


@pytest.mark.asyncio
async def test_reconnect_resumes_without_identify_or_resync(
    bot: ThrowawayBot, fake: FakeDiscord
) -> None:
    await fake.send_reconnect()
    await asyncio.wait_for(bot.resumed.wait(), 5)
    assert fake.identify_count == 1 and fake.resume_count == 1
    assert fake.gateway_connections[-1].path == "/resume"  # READY's resume_gateway_url
    assert fake.sync_count == 1 and len(fake.identify_payloads) == 1
    inter = await fake.invoke("ask", {"question": "still there?"})
    await inter.wait_done()
    assert inter.followups[0].content == "answer to still there?"


@pytest.mark.asyncio
async def test_invalid_session_forces_identify_but_setup_hook_sync_stays_single(
    bot: ThrowawayBot, fake: FakeDiscord
) -> None:
    await fake.send_invalid_session(resumable=False)
    assert fake.identify_count == 2 and fake.resume_count == 0
    await _wait_for(lambda: bot.ready_count == 2)  # on_ready fires again after a re-IDENTIFY
    assert fake.sync_count == 1  # setup_hook ran once; syncing in on_ready would show 2
    inter = await fake.invoke("pager")
    assert (await inter.wait_for_response()).type == 4


@pytest.mark.asyncio
async def test_channel_messages(bot: ThrowawayBot, fake: FakeDiscord) -> None:
    channel = bot.get_channel(DEFAULT_CHANNEL_ID)
    assert isinstance(channel, discord.TextChannel)
    sent = await channel.send("news", embed=discord.Embed(title="Item", description="body"))
    assert fake.channel_messages[0].message is not None
    assert int(fake.channel_messages[0].message["id"]) == sent.id
    with pytest.raises(discord.HTTPException) as excinfo:
        await channel.send(embed=discord.Embed(description="d" * 4097))
    assert excinfo.value.code == 50035


@pytest.mark.asyncio
async def test_sync_validation_over_http(fake: FakeDiscord) -> None:
    url = f"{fake.base_url}/applications/{fake.application_id}/guilds/{fake.guild_id}/commands"
    headers = {"Authorization": f"Bot {fake.token}"}
    bad = [{"name": "Ask", "description": "upper case name", "type": 1}]
    async with aiohttp.ClientSession() as session:
        resp = await session.put(url, json=bad, headers=headers)
        body = await resp.json()
        assert resp.status == 400 and body["code"] == 50035
        unauthorized = await session.put(url, json=[], headers={"Authorization": "Bot nope"})
        assert unauthorized.status == 401
    assert fake.sync_count == 0 and [r.status for r in fake.rejections] == [400, 401]


def _embed(**fields: Any) -> dict[str, Any]:
    return {"title": "t", **fields}


@pytest.mark.parametrize(
    ("payload", "fragment"),
    [
        ({"content": "x" * 2001}, "content"),
        ({"embeds": [_embed()] * 11}, "embeds"),
        ({"embeds": [_embed(title="t" * 257)]}, "title"),
        ({"embeds": [_embed(description="d" * 4097)]}, "description"),
        ({"embeds": [_embed(fields=[{"name": "n", "value": "v"}] * 26)]}, "fields"),
        ({"embeds": [_embed(fields=[{"name": "n" * 257, "value": "v"}])]}, "name"),
        ({"embeds": [_embed(fields=[{"name": "n", "value": "v" * 1025}])]}, "value"),
        ({"embeds": [_embed(fields=[{"name": "", "value": "v"}])]}, "name"),
        ({"embeds": [_embed(footer={"text": "f" * 2049})]}, "footer"),
        ({"embeds": [_embed(author={"name": "a" * 257})]}, "author"),
        ({"embeds": [_embed(description="d" * 4000)] * 2}, "6000"),
        ({"components": [{"type": 1, "components": []}] * 6}, "components"),
        (
            {
                "components": [
                    {
                        "type": 1,
                        "components": [
                            {"type": 2, "style": 1, "custom_id": f"b{i}"} for i in range(6)
                        ],
                    }
                ]
            },
            "components",
        ),
        (
            {
                "components": [
                    {
                        "type": 1,
                        "components": [
                            {"type": 2, "style": 1, "label": "l" * 81, "custom_id": "b"}
                        ],
                    }
                ]
            },
            "label",
        ),
        (
            {
                "components": [
                    {"type": 1, "components": [{"type": 2, "style": 1, "custom_id": "c" * 101}]}
                ]
            },
            "custom_id",
        ),
        (
            {
                "components": [
                    {
                        "type": 1,
                        "components": [{"type": 2, "style": 5, "url": "https://e.x/" + "u" * 501}],
                    }
                ]
            },
            "url",
        ),
        (
            {
                "components": [
                    {
                        "type": 1,
                        "components": [
                            {"type": 2, "style": 1, "custom_id": "same"},
                            {"type": 2, "style": 1, "custom_id": "same"},
                        ],
                    }
                ]
            },
            "duplicated",
        ),
    ],
)
def test_message_limits(payload: dict[str, Any], fragment: str) -> None:
    problems = validate_message(payload)
    assert problems and fragment in " ".join(problems), problems


def test_valid_payloads_pass() -> None:
    assert (
        validate_message(
            {
                "content": "x" * 2000,
                "embeds": [
                    _embed(description="d" * 4096, fields=[{"name": "n", "value": "v"}] * 25)
                ],
                "components": [
                    {
                        "type": 1,
                        "components": [
                            {"type": 2, "style": 1, "label": "l" * 80, "custom_id": f"b{i}"}
                            for i in range(5)
                        ],
                    }
                ]
                * 1,
            }
        )
        == []
    )
    assert (
        validate_commands(
            [
                {
                    "name": "schlagzeilen-übersicht",
                    "description": "d" * 100,
                    "type": 1,
                    "options": [
                        {
                            "name": "q",
                            "description": "d",
                            "type": 3,
                            "required": True,
                            "choices": [{"name": f"c{i}", "value": f"v{i}"} for i in range(25)],
                        }
                    ],
                }
            ]
        )
        == []
    )
    assert validate_choices([{"name": "n" * 100, "value": "v"}] * 25) == []


@pytest.mark.parametrize(
    "command",
    [
        {"name": "Ask", "description": "d"},
        {"name": "a" * 33, "description": "d"},
        {"name": "has space", "description": "d"},
        {"name": "ask", "description": ""},
        {"name": "ask", "description": "d" * 101},
        {
            "name": "ask",
            "description": "d",
            "options": [{"name": "o", "description": "d", "type": 12}],
        },
        {
            "name": "ask",
            "description": "d",
            "options": [
                {
                    "name": "o",
                    "description": "d",
                    "type": 3,
                    "choices": [{"name": f"c{i}", "value": f"v{i}"} for i in range(26)],
                }
            ],
        },
        {
            "name": "ask",
            "description": "d",
            "options": [
                {"name": "a", "description": "d", "type": 3},
                {"name": "b", "description": "d", "type": 3, "required": True},
            ],
        },
    ],
)
def test_command_limits(command: dict[str, Any]) -> None:
    assert validate_commands([{"type": 1, **command}])


def test_choice_limits() -> None:
    assert validate_choices([{"name": "n", "value": "v"}] * 26)
    assert validate_choices([{"name": "n" * 101, "value": "v"}])
    assert validate_choices([{"name": "", "value": "v"}])


# --------------------------------------------------------------------------- issue 13 features


async def _channel(
    bot: discord.Client, channel_id: int = DEFAULT_CHANNEL_ID
) -> discord.TextChannel:
    channel = bot.get_channel(channel_id)
    assert isinstance(channel, discord.TextChannel), channel
    return channel


@pytest.mark.asyncio
async def test_channel_post_is_stored_and_an_edit_keeps_every_version(
    bot: ThrowawayBot, fake: FakeDiscord
) -> None:
    channel = await _channel(bot)
    first = discord.Embed(title="Missile launch", description="first version")
    sent = await channel.send(embed=first)
    post = fake.posts(DEFAULT_CHANNEL_ID)[0]
    assert post.message_id == sent.id and post.channel_id == DEFAULT_CHANNEL_ID
    assert post.embeds[0]["title"] == "Missile launch"
    assert [int(m["id"]) for m in fake.messages_in(DEFAULT_CHANNEL_ID)] == [sent.id]

    updated = discord.Embed(title="Missile launch (updated)", description="second version")
    edited = await sent.edit(embed=updated)
    assert edited.id == sent.id and edited.edited_at is not None
    assert [int(m["id"]) for m in fake.messages_in(DEFAULT_CHANNEL_ID)] == [sent.id]
    versions = fake.history(sent.id)
    assert [v["embeds"][0]["description"] for v in versions] == [
        "first version",
        "second version",
    ]
    assert versions[0]["edited_timestamp"] is None and versions[1]["edited_timestamp"]
    assert (await fake.wait_for_message_edit(sent.id)).embeds[0]["title"].endswith("(updated)")
    assert len(fake.posts()) == 1  # an edit is not a new post

    with pytest.raises(discord.HTTPException) as too_long:
        await sent.edit(embed=discord.Embed(description="d" * 4097))
    assert too_long.value.code == 50035 and len(fake.history(sent.id)) == 2
    assert fake.unknown_routes == []


@pytest.mark.asyncio
async def test_bot_cannot_edit_a_members_message(bot: ThrowawayBot, fake: FakeDiscord) -> None:
    theirs = await fake.add_message(content="a member wrote this")
    channel = await _channel(bot)
    partial = channel.get_partial_message(int(theirs["id"]))
    with pytest.raises(discord.Forbidden) as excinfo:
        await partial.edit(content="rewritten")
    assert excinfo.value.code == 50005
    assert fake.messages[int(theirs["id"])]["content"] == "a member wrote this"


@pytest.mark.asyncio
async def test_allowed_mentions_decide_who_a_post_pings(
    bot: ThrowawayBot, fake: FakeDiscord
) -> None:
    channel = await _channel(bot)
    text = "<@123456789012345678> <@&223456789012345678> @everyone"
    # The client default (AllowedMentions.none()) pings nobody, though the text names all.
    await channel.send(text)
    await channel.send(text, allowed_mentions=discord.AllowedMentions(users=True))
    await channel.send(text, allowed_mentions=discord.AllowedMentions.all())
    quiet, users_only, everything = (p.pings for p in fake.posts())
    assert not quiet and fake.posts()[0].message is not None
    assert fake.posts()[0].message["mentions"] == []
    assert users_only.users == (123456789012345678,) and not users_only.roles
    assert not users_only.everyone
    assert everything.roles == (223456789012345678,) and everything.everyone

    url = f"{fake.base_url}/channels/{DEFAULT_CHANNEL_ID}/messages"
    both = {"content": text, "allowed_mentions": {"parse": ["users"], "users": ["1"]}}
    async with aiohttp.ClientSession() as session:
        resp = await session.post(url, json=both, headers={"Authorization": f"Bot {fake.token}"})
        body = await resp.json()
    assert resp.status == 400 and body["code"] == 50035
    assert "mutually exclusive" in json.dumps(body["errors"])
    assert len(fake.posts()) == 3


@pytest.mark.asyncio
async def test_channel_cache_and_fetch_carry_permission_overwrites(
    bot: ThrowawayBot, fake: FakeDiscord
) -> None:
    second = fake.add_channel("news-desk")  # after READY: only REST knows it
    assert bot.get_channel(second) is None
    fetched = await bot.fetch_channel(second)
    assert isinstance(fetched, discord.TextChannel) and fetched.name == "news-desk"

    guild = bot.get_guild(DEFAULT_GUILD_ID)
    assert guild is not None
    channel = await _channel(bot)
    assert channel.permissions_for(guild.me).send_messages
    await fake.revoke_send(DEFAULT_CHANNEL_ID)
    assert await asyncio.wait_for(bot.channel_events.get(), 5) == ("update", DEFAULT_CHANNEL_ID)
    perms = channel.permissions_for(guild.me)
    assert not perms.send_messages and perms.view_channel
    refetched = await bot.fetch_channel(DEFAULT_CHANNEL_ID)
    assert isinstance(refetched, discord.TextChannel)
    assert guild.me in refetched.overwrites
    assert refetched.overwrites[guild.me].send_messages is False


@pytest.mark.asyncio
async def test_revoked_send_permission_answers_50013_until_restored(
    bot: ThrowawayBot, fake: FakeDiscord
) -> None:
    channel = await _channel(bot)
    await fake.revoke_send(DEFAULT_CHANNEL_ID, notify=False)
    with pytest.raises(discord.Forbidden) as excinfo:
        await channel.send("story")
    assert excinfo.value.code == 50013 and excinfo.value.status == 403
    assert (await fake.wait_for_rejection(50013)).path.endswith("/messages")
    assert fake.posts() == []
    # An interaction in that channel tells the bot what it may do there.
    inter = await fake.invoke("pager")
    assert not int(inter.payload["app_permissions"]) & SEND_MESSAGES

    await fake.restore_permissions(DEFAULT_CHANNEL_ID)
    await channel.send("story")
    assert len(fake.posts(DEFAULT_CHANNEL_ID)) == 1

    await fake.set_bot_overwrite(DEFAULT_CHANNEL_ID, deny=VIEW_CHANNEL, notify=False)
    with pytest.raises(discord.Forbidden) as hidden:
        await channel.send("story")
    assert hidden.value.code == 50001


@pytest.mark.asyncio
async def test_deleted_channel_answers_10003_and_client_hears_channel_delete(
    bot: ThrowawayBot, fake: FakeDiscord
) -> None:
    doomed = fake.add_channel("doomed")
    channel = bot.get_partial_messageable(doomed, guild_id=DEFAULT_GUILD_ID)
    posted = await channel.send("first story")
    await fake.delete_channel(doomed)
    with pytest.raises(discord.NotFound) as on_post:
        await channel.send("second story")
    assert on_post.value.code == 10003
    with pytest.raises(discord.NotFound) as on_edit:
        await posted.edit(content="updated")
    assert on_edit.value.code == 10003
    assert fake.messages_in(doomed) == [] and doomed in fake.deleted_channels

    await fake.delete_channel(DEFAULT_CHANNEL_ID)  # a channel the client has cached
    assert await asyncio.wait_for(bot.channel_events.get(), 5) == ("delete", DEFAULT_CHANNEL_ID)
    assert bot.get_channel(DEFAULT_CHANNEL_ID) is None


@pytest.mark.asyncio
async def test_message_context_menu_on_text_and_on_embed(
    bot: ThrowawayBot, fake: FakeDiscord
) -> None:
    menu = fake.command("Find in stored news", DEFAULT_GUILD_ID, type=MESSAGE_COMMAND)
    assert menu is not None and menu["description"] == ""

    text = await fake.add_message(content="North Korea fired a missile", author_id=42)
    inter = await fake.invoke_message_command("Find in stored news", text)
    data = inter.payload["data"]
    assert data["type"] == MESSAGE_COMMAND and data["target_id"] == text["id"]
    assert data["id"] == menu["id"]
    assert data["resolved"]["messages"][text["id"]]["content"] == "North Korea fired a missile"
    response = await inter.wait_for_response()
    assert response.type == 4 and inter.contents == [f"{text['id']}:42:North Korea fired a missile"]

    embed = {"title": "Launch", "description": "A missile flew 600 km"}
    other_bot = await fake.add_message(embeds=[embed], author_id=77, author_bot=True)
    on_embed = await fake.invoke_message_command("Find in stored news", other_bot)
    await on_embed.wait_for_response()
    assert on_embed.contents == [f"{other_bot['id']}:77: / Launch|A missile flew 600 km"]

    # The bot's own post works the same way.
    own = await (await _channel(bot)).send(embed=discord.Embed(title="Own", description="post"))
    on_own = await fake.invoke_message_command("Find in stored news", own.id)
    await on_own.wait_for_response()
    assert on_own.contents == [f"{own.id}:{fake.bot_user_id}: / Own|post"]
    assert bot.errors == [] and fake.rejections == []


@pytest.mark.asyncio
async def test_members_messages_reach_the_client_without_content_unless_it_is_mentioned(
    bot: ThrowawayBot, fake: FakeDiscord
) -> None:
    # Intents.default() has guild messages but not the privileged message content intent.
    await fake.add_message(content="breaking: a launch", author_id=42)
    plain = await asyncio.wait_for(bot.seen_messages.get(), 5)
    assert plain.author.id == 42 and plain.content == ""
    # The stored message keeps its text: a context menu on it resolves the whole message.
    assert fake.messages[plain.id]["content"] == "breaking: a launch"
    await fake.add_message(content=f"<@{fake.bot_user_id}> what happened?", author_id=42)
    mentioned = await asyncio.wait_for(bot.seen_messages.get(), 5)
    assert mentioned.content.endswith("what happened?")


@pytest.mark.asyncio
async def test_user_context_menu_resolves_the_member(bot: ThrowawayBot, fake: FakeDiscord) -> None:
    inter = await fake.invoke_user_command("Who is this", 555_000_000_000_000_001)
    await inter.wait_for_response()
    assert inter.payload["data"]["type"] == 2 and inter.contents == ["555000000000000001"]


def test_context_menu_commands_are_validated() -> None:
    ok = [{"type": 3, "name": "Find in stored news"}, {"type": 2, "name": "Who is this"}]
    assert validate_commands(ok) == []
    assert validate_commands([{"type": 3, "name": "Find", "description": "no"}])
    assert validate_commands([{"type": 3, "name": "m" * 33}])
    assert validate_commands([{"type": 3, "name": f"menu {i}"} for i in range(6)])
    assert validate_commands([{"type": 5, "name": "what"}])


@pytest.mark.asyncio
async def test_context_menu_on_a_missing_message_is_refused(fake: FakeDiscord) -> None:
    with pytest.raises(LookupError):
        await fake.invoke_message_command("Find in stored news", 12345)


@pytest.mark.asyncio
async def test_different_users_press_the_same_button(bot: ThrowawayBot, fake: FakeDiscord) -> None:
    inter = await fake.invoke("answer")
    await inter.wait_done()
    alice, bob = 900_000_000_000_000_001, 900_000_000_000_000_002
    replies = []
    for user in (alice, bob, alice):
        press = await fake.click(inter, "answer:wrong-source", user_id=user)
        await press.wait_for_response()
        assert press.payload["member"]["user"]["id"] == str(user)
        assert press.source_message_id == inter.original_id
        replies.append((press.contents, press.messages[0]["flags"] & EPHEMERAL))
    assert replies == [
        (["recorded"], EPHEMERAL),
        (["recorded"], EPHEMERAL),
        (["already recorded"], EPHEMERAL),
    ]
    assert bot.errors == [] and fake.rejections == []


# --------------------------------------------------------------------------- shards


class ShardedBot(commands.AutoShardedBot):
    """AutoShardedBot answering /where with the shard discord.py filed the guild under."""

    def __init__(self, **options: Any) -> None:
        super().__init__(
            command_prefix=commands.when_mentioned,
            intents=discord.Intents.default(),
            guild_ready_timeout=0.05,
            allowed_mentions=discord.AllowedMentions.none(),
            **options,
        )
        self.tree.add_command(where)

    async def before_identify_hook(self, shard_id: int | None, *, initial: bool = False) -> None:
        return  # discord.py waits 5 s between shards' IDENTIFYs; pointless here


@app_commands.command(name="where", description="Which shard serves this guild")
async def where(interaction: discord.Interaction) -> None:
    guild = interaction.guild
    await interaction.response.send_message(f"shard {None if guild is None else guild.shard_id}")


def _guild_on_other_shard(fake: FakeDiscord, count: int) -> tuple[int, int]:
    """Add a guild on the shard the default guild is not on; return (its id, its shard)."""
    home = fake.shard_of(DEFAULT_GUILD_ID, count)
    other_shard = (home + 1) % count
    gid = fake.add_guild("Second Guild", shard=(other_shard, count))
    assert fake.shard_of(gid, count) == other_shard
    return gid, other_shard


@pytest.mark.asyncio
async def test_sharded_client_gets_each_guild_on_its_own_shard() -> None:
    async with FakeDiscord(shard_count=2) as fake:
        with fake.patch():
            other, other_shard = _guild_on_other_shard(fake, 2)
            home_shard = 1 - other_shard
            async with fake.run_client(ShardedBot()) as client:
                assert fake.requests_to("/gateway/bot", "GET")  # asked how many shards
                assert fake.open_shards() == [(0, 2), (1, 2)]
                assert sorted(p["shard"] for p in fake.identify_payloads) == [[0, 2], [1, 2]]
                for shard, gid in ((home_shard, DEFAULT_GUILD_ID), (other_shard, other)):
                    conn = fake.connection_for_shard(shard)
                    assert conn is not None and conn.shard == (shard, 2)
                    (ready,) = conn.events("READY")
                    assert [g["id"] for g in ready["guilds"]] == [str(gid)]
                    assert [g["id"] for g in conn.events("GUILD_CREATE")] == [str(gid)]
                    guild = client.get_guild(gid)
                    assert guild is not None and guild.shard_id == shard

                    inter = await fake.invoke("where", guild_id=gid)
                    await inter.wait_for_response()
                    assert inter.shard_id == shard and inter.connection is conn
                    assert inter.contents == [f"shard {shard}"]
                    assert conn.events("INTERACTION_CREATE")[-1]["id"] == str(inter.id)
                    assert inter.payload["channel_id"] == str(fake.guild_channels(gid)[0])
            await fake.wait_until(lambda: fake.open_shards() == [], what="all shards closed")


CHILD_CLIENT = """
import asyncio, importlib, os, signal, sys
import discord

async def main() -> None:
    importlib.import_module(sys.argv[1]).patch_from_environment()
    client = discord.AutoShardedClient(
        intents=discord.Intents.default(),
        shard_ids=[int(s) for s in sys.argv[2].split(",")],
        shard_count=int(sys.argv[3]),
        guild_ready_timeout=0.05,
    )

    @client.event
    async def on_interaction(interaction: discord.Interaction) -> None:
        # A guild this process was not given would not be cached: shard None.
        guild = interaction.guild
        shard = None if guild is None else guild.shard_id
        await interaction.response.send_message(f"pid {os.getpid()} shard {shard}")

    closing = []  # keeps the close task referenced until it ran
    loop = asyncio.get_running_loop()
    stop = lambda: closing.append(loop.create_task(client.close()))
    loop.add_signal_handler(signal.SIGTERM, stop)
    async with client:
        await client.start(sys.argv[4])

asyncio.run(main())
"""


@pytest.mark.asyncio
async def test_two_processes_each_serve_their_own_shard() -> None:
    module = fake_discord_module.__name__
    root = Path(fake_discord_module.__file__).resolve().parents[module.count(".")]
    async with FakeDiscord(shard_count=2) as fake:
        other, _ = _guild_on_other_shard(fake, 2)
        env = {**os.environ, **fake.client_environment(), "PYTHONPATH": str(root)}
        procs = [
            await asyncio.create_subprocess_exec(
                sys.executable,
                "-c",
                CHILD_CLIENT,
                module,
                str(shard),
                "2",
                fake.token,
                cwd=root,
                env=env,
                stdout=asyncio.subprocess.PIPE,
                stderr=asyncio.subprocess.PIPE,
            )
            for shard in (0, 1)
        ]
        try:
            await fake.wait_for_shards([0, 1], count=2, timeout=60)
            assert fake.open_shards() == [(0, 2), (1, 2)]
            for gid in (DEFAULT_GUILD_ID, other):
                shard = fake.shard_of(gid)
                inter = await fake.invoke("where", guild_id=gid)
                await inter.wait_for_response(timeout=10)
                assert inter.contents == [f"pid {procs[shard].pid} shard {shard}"]
        finally:
            for proc in procs:
                if proc.returncode is None:
                    proc.terminate()
            outputs = [await asyncio.wait_for(p.communicate(), 30) for p in procs]
        assert [p.returncode for p in procs] == [0, 0], [o[1].decode()[-2000:] for o in outputs]
        # Not asserting close code 1000: discord.py's close() can race and send 4000.
        await fake.wait_until(lambda: fake.open_shards() == [], what="both processes gone")
