"""The desk cog: /follow, /unfollow and /following, and the posts new stories make in channels.

The rules live in ``bot.desk`` (SQLite state shared by every process of the bot); this cog
turns each claimed piece of work into a Discord message and tells the desk what happened.
A channel that answers 403 (no access or no permission) or 404 Unknown Channel is paused
and shown in /status, never retried on its own.
"""

from __future__ import annotations

import asyncio
import logging
from typing import TYPE_CHECKING

import discord
from discord import app_commands
from discord.ext import commands

from bot.desk.follows import POSTS_PER_MINUTE, Action, Desk, FollowError
from bot.discord_app import embeds

if TYPE_CHECKING:
    from bot.discord_app.client import NewsBot
    from bot.index.newsindex import Report

log = logging.getLogger(__name__)

# Queued posts waiting for a channel's rate limit are looked at this often; news itself is
# dispatched as soon as a refresh reports it.
TICK_SECONDS = 15.0
UNKNOWN_CHANNEL = 10003
UNKNOWN_MESSAGE = 10008


def pause_reason(error: discord.HTTPException) -> str | None:
    """Why a channel should be paused after ``error``, or None for a passing failure."""
    if isinstance(error, discord.Forbidden):
        return f"the bot may not post there (403, code {error.code}: {error.text or 'forbidden'})"
    if isinstance(error, discord.NotFound) and error.code == UNKNOWN_CHANNEL:
        return "the channel no longer exists (404, code 10003)"
    return None


class DeskCog(commands.Cog, name="Desk"):
    """Followed topics: new stories posted into channels as the index takes them in."""

    def __init__(self, bot: NewsBot) -> None:
        self.bot = bot
        self.desk = Desk(bot.newsroom.desk_path, posts_per_minute=POSTS_PER_MINUTE)
        self._reports: list[Report] = []
        self._wake = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        # Set whenever all reported news has been dispatched (tests wait on it).
        self.idle = asyncio.Event()
        self.idle.set()

    async def cog_load(self) -> None:
        """Listen for refreshes and start the task that sends queued posts."""
        self._loop = asyncio.get_running_loop()
        self.bot.newsroom.add_listener(self._on_refresh)
        self._task = asyncio.create_task(self._run(), name="newsbot-desk")

    async def cog_unload(self) -> None:
        """Stop listening for refreshes and stop the posting task."""
        self.bot.newsroom.remove_listener(self._on_refresh)
        if self._task is not None:
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)

    def _on_refresh(self, report: Report) -> None:
        # Called in the refreshing thread: hand the news to the event loop.
        if not (report.stories_added or report.stories_updated) or self._loop is None:
            return
        try:
            self._loop.call_soon_threadsafe(self._news, report)
        except RuntimeError:  # the loop closed while a refresh ran
            pass

    def _news(self, report: Report) -> None:
        self._reports.append(report)
        self.idle.clear()
        self._wake.set()

    async def _run(self) -> None:
        while True:
            try:
                await asyncio.wait_for(self._wake.wait(), TICK_SECONDS)
            except TimeoutError:
                pass
            self._wake.clear()
            try:
                await self.dispatch()
            except asyncio.CancelledError:
                raise
            except Exception:  # a bad moment (disk, Discord) must not end the desk
                log.exception("follow dispatch failed; will try again")
            if not self._reports:
                self.idle.set()

    async def dispatch(self) -> None:
        """Queue what the latest refreshes brought, then send whatever the desk says is due."""
        reports, self._reports = self._reports, []
        index = self.bot.newsroom.index
        for report in reports:
            await asyncio.to_thread(
                self.desk.note_news, index, report.stories_added, report.stories_updated
            )
        for action in await asyncio.to_thread(self.desk.due):
            await self._send(action)

    async def _send(self, action: Action) -> None:
        channel = self.bot.get_partial_messageable(action.channel_id, guild_id=action.guild_id)
        topic = action.follow.topic if action.follow else ""
        try:
            if action.kind == "edit" and action.message_id is not None:
                message = channel.get_partial_message(action.message_id)
                await message.edit(embed=embeds.follow_embed(action.cards[0], topic, updated=True))
                return
            if action.kind == "summary":
                embed = embeds.follow_summary(action.cards, action.topics)
            else:
                embed = embeds.follow_embed(action.cards[0], topic)
            sent = await channel.send(embed=embed)
        except discord.HTTPException as error:
            if action.kind == "edit" and error.code == UNKNOWN_MESSAGE:
                await asyncio.to_thread(self.desk.message_gone, action)
                return
            reason = pause_reason(error)
            log.warning(
                "follow %s in channel %s failed: %s%s", action.kind, action.channel_id, error,
                "; channel paused" if reason else "",
            )  # fmt: skip
            await asyncio.to_thread(self.desk.failed, action, reason)
            return
        await asyncio.to_thread(self.desk.sent, action, sent.id)

    # ------------------------------------------------------------------ commands

    @app_commands.command(name="follow", description="Post new stories about a topic here")
    @app_commands.describe(
        topic="Words a story must be about, as you would ask /ask",
        channel="Where to post them (default: this channel)",
    )
    @app_commands.default_permissions(manage_channels=True)
    @app_commands.checks.has_permissions(manage_channels=True)  # Discord's default is a hint
    @app_commands.guild_only()
    async def follow(
        self,
        interaction: discord.Interaction,
        topic: app_commands.Range[str, 1, 100],
        channel: discord.TextChannel | None = None,
    ) -> None:
        """/follow: post new stories about a topic in a channel (this one by default)."""
        target = channel.id if channel is not None else interaction.channel_id
        if interaction.guild_id is None or target is None:
            await interaction.response.send_message("Use /follow in a server.", ephemeral=True)
            return
        try:
            made = await asyncio.to_thread(
                self.desk.follow, interaction.guild_id, target, str(topic), interaction.user.id
            )
        except FollowError as error:
            await interaction.response.send_message(f"Cannot follow that: {error}.", ephemeral=True)
            return
        await interaction.response.send_message(
            f"Following “{embeds.safe(made.topic)}” in <#{target}> (id {made.id}): new stories "
            "about it will be posted there as they arrive. Stop with `/unfollow "
            f"{made.id}`.",
            ephemeral=True,
        )

    @app_commands.command(name="unfollow", description="Stop posting stories for a topic")
    @app_commands.describe(id="The follow's id, from /following")
    @app_commands.default_permissions(manage_channels=True)
    @app_commands.checks.has_permissions(manage_channels=True)
    @app_commands.guild_only()
    async def unfollow(
        self, interaction: discord.Interaction, id: app_commands.Range[int, 1, 2**53]
    ) -> None:
        """/unfollow: stop one of this server's follows, by the id /following shows."""
        guild = interaction.guild_id or 0
        gone = await asyncio.to_thread(self.desk.unfollow, guild, int(id))
        if gone is None:
            await interaction.response.send_message(
                f"This server has no follow with id {int(id)}; see /following.", ephemeral=True
            )
            return
        await interaction.response.send_message(
            f"Stopped following “{embeds.safe(gone.topic)}” in <#{gone.channel_id}>.",
            ephemeral=True,
        )

    @app_commands.command(name="following", description="The topics this server follows")
    @app_commands.guild_only()
    async def following(self, interaction: discord.Interaction) -> None:
        """/following: list this server's follows with their ids, marking paused channels."""
        follows = await asyncio.to_thread(self.desk.following, interaction.guild_id or 0)
        paused = {p.channel_id for p in await asyncio.to_thread(self.desk.paused)}
        if not follows:
            text = "This server follows no topics. Add one with `/follow topic:<words>`."
        else:
            text = "\n".join(
                f"`{f.id}` “{embeds.safe(embeds.trim(f.topic, 100))}” → <#{f.channel_id}>"
                + (" (paused: the bot cannot post there)" if f.channel_id in paused else "")
                for f in follows
            )
        await interaction.response.send_message(embeds.trim(text, embeds.CONTENT), ephemeral=True)


async def setup(bot: NewsBot) -> None:
    """Add the news desk to the bot (discord.py's extension entry point)."""
    await bot.add_cog(DeskCog(bot))
