"""The Discord client: a slash-command bot over the core Newsroom, with clean start and stop."""

from __future__ import annotations

import asyncio
import logging
import signal
from typing import Any

import discord
from discord import app_commands
from discord.ext import commands

from bot.newsroom import Newsroom
from bot.settings import Settings

log = logging.getLogger(__name__)

EXTENSIONS = (
    "bot.discord_app.exts.news",
    "bot.discord_app.exts.corpus_watch",
    "bot.discord_app.exts.feed_pulls",
    "bot.discord_app.exts.status",
)


class NewsBot(commands.Bot):
    """Slash commands only: no message content intent, no mentions ever pinged."""

    def __init__(self, settings: Settings, newsroom: Newsroom, **options: Any) -> None:
        # ``options`` reach commands.Bot unchanged (tests pass a short guild_ready_timeout).
        super().__init__(
            command_prefix=commands.when_mentioned,
            intents=discord.Intents.default(),
            allowed_mentions=discord.AllowedMentions.none(),
            help_command=None,
            **options,
        )
        self.settings = settings
        self.newsroom = newsroom
        self.tree.on_error = self.on_app_command_error  # type: ignore[method-assign]

    async def setup_hook(self) -> None:
        for extension in EXTENSIONS:
            await self.load_extension(extension)
        # Syncing here (once per start) and never in on_ready keeps clear of Discord's daily
        # limit on command creates; on_ready fires again on every reconnect.
        if self.settings.guild_id:
            guild = discord.Object(id=self.settings.guild_id)
            self.tree.copy_global_to(guild=guild)
            synced = await self.tree.sync(guild=guild)
            log.info("synced %d commands to guild %s", len(synced), self.settings.guild_id)
        else:
            synced = await self.tree.sync()
            log.info("synced %d global commands (may take up to an hour to appear)", len(synced))

    async def on_ready(self) -> None:
        log.info("logged in as %s (%s)", self.user, getattr(self.user, "id", "?"))

    async def on_app_command_error(
        self, interaction: discord.Interaction, error: app_commands.AppCommandError
    ) -> None:
        """Users get a short private message; the log gets the traceback."""
        if isinstance(error, app_commands.CommandOnCooldown):
            message = f"Slow down a little: try again in {error.retry_after:.0f} s."
        elif isinstance(error, app_commands.CheckFailure):
            message = "You cannot use this command here."
        else:
            original = getattr(error, "original", error)
            log.error(
                "command %s failed", getattr(interaction.command, "name", "?"), exc_info=original
            )
            message = "Something went wrong while answering. It has been logged; please try again."
        thinking = discord.InteractionResponseType.deferred_channel_message
        try:
            if interaction.response.type == thinking:
                # After a public "thinking" defer, Discord turns the first follow-up into that
                # public message whatever its flags: remove it so the notice stays private.
                try:
                    await interaction.delete_original_response()
                except discord.HTTPException:
                    pass
            if interaction.response.is_done():
                await interaction.followup.send(message, ephemeral=True)
            else:
                await interaction.response.send_message(message, ephemeral=True)
        except discord.HTTPException:
            # The interaction may have expired (10062) or the channel vanished: nothing to tell.
            log.warning("could not deliver an error message for interaction %s", interaction.id)


async def serve(settings: Settings, newsroom: Newsroom, token: str) -> None:
    """Run until closed; SIGTERM and SIGINT close the client cleanly."""
    bot = NewsBot(settings, newsroom)
    loop = asyncio.get_running_loop()
    stopping: list[asyncio.Task[None]] = []

    def stop() -> None:
        log.info("shutting down")
        if not stopping:
            stopping.append(loop.create_task(bot.close()))

    for sig in (signal.SIGTERM, signal.SIGINT):
        try:
            loop.add_signal_handler(sig, stop)
        except (NotImplementedError, RuntimeError):  # not on the main thread / platform
            pass
    async with bot:
        await bot.start(token)
    if stopping:
        await stopping[0]


def run_bot(settings: Settings, newsroom: Newsroom, token: str) -> int:
    try:
        asyncio.run(serve(settings, newsroom, token))
    except discord.LoginFailure:
        print(
            "newsbot: Discord refused the token (DISCORD_TOKEN); reset it in the developer "
            "portal and update .env"
        )
        return 1
    except discord.PrivilegedIntentsRequired:
        print("newsbot: Discord asked for privileged intents, which newsbot does not use")
        return 1
    return 0
