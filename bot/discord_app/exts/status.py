"""The status cog: /status for everyone, /refresh for people who may manage the server."""

from __future__ import annotations

import asyncio
import logging
from typing import TYPE_CHECKING

import discord
from discord import app_commands
from discord.ext import commands

from bot.discord_app import embeds

if TYPE_CHECKING:
    from bot.discord_app.client import NewsBot
    from bot.discord_app.exts.feed_pulls import Feeds

log = logging.getLogger(__name__)


class Status(commands.Cog):
    """Health of the index and the feeds."""

    def __init__(self, bot: NewsBot) -> None:
        self.bot = bot

    @app_commands.command(name="status", description="What is indexed, and each feed's health")
    async def status(self, interaction: discord.Interaction) -> None:
        # Acknowledged before any thread work: when every thread is busy, Discord still hears
        # back within its 3 s.
        """/status: what is indexed and each feed's health, shown only to the asker."""
        await interaction.response.defer(ephemeral=True, thinking=True)
        status = await asyncio.to_thread(self.bot.newsroom.status)
        await interaction.edit_original_response(embed=embeds.status_embed(status))

    @app_commands.command(name="refresh", description="Pull the feeds and re-read the corpus now")
    @app_commands.default_permissions(manage_guild=True)
    @app_commands.checks.has_permissions(manage_guild=True)  # Discord's default is only a hint
    @app_commands.guild_only()
    async def refresh(self, interaction: discord.Interaction) -> None:
        """/refresh: pull the feeds and re-read the corpus now (Manage Server only)."""
        await interaction.response.defer(ephemeral=True, thinking=True)
        lines = []
        feeds: Feeds | None = self.bot.get_cog("Feeds")  # type: ignore[assignment]
        if feeds is not None and feeds.urls:
            report = await feeds.run_once(force=True)
            lines.append(f"Feeds: {report.summary()}" if report else "Feeds: the pull failed.")
        report_index = await asyncio.to_thread(self.bot.newsroom.refresh)
        lines.append(f"Corpus: {report_index.action} ({report_index.changes.summary()}).")
        await interaction.followup.send(
            embeds.trim("\n".join(lines), embeds.CONTENT), ephemeral=True
        )


async def setup(bot: NewsBot) -> None:
    """Add /status and /refresh to the bot (discord.py's extension entry point)."""
    await bot.add_cog(Status(bot))
