"""Tests of tests/fake_discord.py, driven by a real discord.py client running a throwaway bot."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
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

from tests.fake_discord import (
    DEFAULT_CHANNEL_ID,
    DEFAULT_GUILD_ID,
    EPHEMERAL,
    LOADING,
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
        for command in (ask, feed, pager):
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
    assert {c["name"] for c in synced} == {"ask", "feed", "pager"}
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
