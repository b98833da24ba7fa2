"""The Discord client: a slash-command bot over the core Newsroom, with clean start and stop."""

from __future__ import annotations

import asyncio
import concurrent.futures
import logging
import os
import queue
import signal
import sys
import threading
from collections.abc import Callable
from typing import Any, TypeVar

import aiohttp
import discord
from discord import app_commands
from discord.ext import commands

from bot.newsroom import Newsroom
from bot.settings import Settings

log = logging.getLogger(__name__)
T = TypeVar("T")

# Searches run on their own few threads, so that slow ones (a huge story, a loaded machine)
# never take the threads that acknowledgements and other commands need. Questions beyond
# the backlog are turned away at once rather than queued for minutes.
SEARCH_THREADS = 2
SEARCH_BACKLOG = 100
# After SIGTERM/SIGINT, work still running in threads (a search, a refresh) may hold the
# process this long; then it exits anyway: the index is crash-safe by design.
STOP_GRACE_SECONDS = 3.0


class Busy(Exception):
    """Too many searches are waiting already: the asker should try again shortly."""


class SearchThreads:
    """A fixed set of daemon threads running searches, with a bounded backlog.

    Not a ThreadPoolExecutor: its threads are joined when the interpreter exits, so one
    search of minutes would hold a stopping bot for minutes. These threads never hold up an
    exit; a search cut short by one loses nothing but its answer.
    """

    def __init__(self, threads: int = SEARCH_THREADS, backlog: int = SEARCH_BACKLOG) -> None:
        self._size = threads
        self._jobs: queue.SimpleQueue[
            tuple[Callable[[], Any], concurrent.futures.Future[Any]] | None
        ] = queue.SimpleQueue()
        self._slots = threading.BoundedSemaphore(threads + backlog)
        self._threads: list[threading.Thread] = []
        self._guard = threading.Lock()
        self._closed = False

    async def run(self, call: Callable[..., T], *args: Any) -> T:
        """``call(*args)`` on a search thread; raises Busy when the backlog is full."""
        if not self._slots.acquire(blocking=False):
            raise Busy
        future: concurrent.futures.Future[T] = concurrent.futures.Future()
        with self._guard:
            if self._closed:
                self._slots.release()
                raise Busy
            if len(self._threads) < self._size:
                thread = threading.Thread(
                    target=self._work, name=f"newsbot-search-{len(self._threads)}", daemon=True
                )
                self._threads.append(thread)
                thread.start()
            self._jobs.put((lambda: call(*args), future))
        return await asyncio.wrap_future(future)

    def _work(self) -> None:
        while (job := self._jobs.get()) is not None:
            call, future = job
            try:
                if future.set_running_or_notify_cancel():
                    try:
                        future.set_result(call())
                    except BaseException as error:  # handed to the awaiting command
                        future.set_exception(error)
            finally:
                self._slots.release()

    def close(self) -> None:
        """Stop taking work; idle threads end, a running search is left to finish or die."""
        with self._guard:
            self._closed = True
            for _ in self._threads:
                self._jobs.put(None)

EXTENSIONS = (
    "bot.discord_app.exts.news",
    "bot.discord_app.exts.corpus_watch",
    "bot.discord_app.exts.feed_pulls",
    "bot.discord_app.exts.status",
    "bot.discord_app.exts.desk",
    "bot.discord_app.exts.desk_check",
    "bot.discord_app.exts.feedback",
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
        self.searches = SearchThreads()
        self.tree.on_error = self.on_app_command_error  # type: ignore[method-assign]

    async def close(self) -> None:
        """Stop the search threads, then disconnect from Discord."""
        self.searches.close()
        await super().close()

    async def setup_hook(self) -> None:
        """Load the extensions and sync the slash commands (to the test server when set), once."""
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
        """Log which account the bot is logged in as (again on every reconnect)."""
        log.info("logged in as %s (%s)", self.user, getattr(self.user, "id", "?"))

    async def on_app_command_error(
        self, interaction: discord.Interaction, error: app_commands.AppCommandError
    ) -> None:
        """Users get a short private message; the log gets the traceback."""
        original = getattr(error, "original", error)
        if isinstance(error, app_commands.CommandOnCooldown):
            message = f"Slow down a little: try again in {error.retry_after:.0f} s."
        elif isinstance(original, Busy):
            message = "newsbot is busy answering other questions: please ask again in a minute."
        elif isinstance(error, app_commands.CheckFailure):
            message = "You cannot use this command here."
        else:
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


class ShardedNewsBot(NewsBot, commands.AutoShardedBot):
    """NewsBot over the shards NEWSBOT_SHARD_COUNT and NEWSBOT_SHARD_IDS name.

    Each shard is one connection; several processes, each with its own shards, split a large
    bot's guilds.
    """


def make_bot(settings: Settings, newsroom: Newsroom, **options: Any) -> NewsBot:
    """The client the settings ask for: sharded when NEWSBOT_SHARD_COUNT is set."""
    if settings.shard_count is None:
        return NewsBot(settings, newsroom, **options)
    shards = list(settings.shard_ids) if settings.shard_ids is not None else None
    return ShardedNewsBot(
        settings, newsroom, shard_count=settings.shard_count, shard_ids=shards, **options
    )


async def serve(
    settings: Settings,
    newsroom: Newsroom,
    token: str,
    on_stop: Callable[[], None] | None = None,
) -> None:
    """Run until closed; SIGTERM and SIGINT close the client cleanly (and call ``on_stop``)."""
    bot = make_bot(settings, newsroom)
    loop = asyncio.get_running_loop()
    stopping: list[asyncio.Task[None]] = []

    def stop() -> None:
        log.info("shutting down")
        if not stopping:
            stopping.append(loop.create_task(bot.close()))
            if on_stop is not None:
                on_stop()

    for sig in (signal.SIGTERM, signal.SIGINT):
        try:
            loop.add_signal_handler(sig, stop)
        except (NotImplementedError, RuntimeError):  # not on the main thread / platform
            pass
    async with bot:
        await bot.start(token)
    if stopping:
        await stopping[0]


def _exit_now() -> None:
    log.warning(
        "still busy %.0f s after the stop signal (a search or refresh); exiting anyway",
        STOP_GRACE_SECONDS,
    )
    logging.shutdown()
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(0)


def run_bot(settings: Settings, newsroom: Newsroom, token: str) -> int:
    """Serve until stopped; returns the exit code, with one line on stderr when it fails."""
    # Threads cannot be interrupted: a search or refresh of minutes would hold the exit
    # (asyncio.run waits for its default executor's threads). Past the grace, exit anyway.
    watchdog = threading.Timer(STOP_GRACE_SECONDS, _exit_now)
    watchdog.daemon = True
    try:
        asyncio.run(serve(settings, newsroom, token, on_stop=watchdog.start))
    except discord.LoginFailure:
        return _fail(
            "Discord refused the token (DISCORD_TOKEN); reset it in the developer portal "
            "and update .env"
        )
    except discord.PrivilegedIntentsRequired:
        return _fail("Discord asked for privileged intents, which newsbot does not use")
    except (OSError, aiohttp.ClientError, discord.GatewayNotFound) as error:
        # No network, DNS failing, a proxy or firewall in the way: say which, in one line.
        return _fail(f"cannot reach Discord ({_cause(error)}); check the network connection")
    finally:
        watchdog.cancel()
    return 0


def _fail(message: str) -> int:
    sys.stderr.write(f"newsbot: {message}\n")
    return 1


def _cause(error: BaseException) -> str:
    """The innermost reason of a connection failure, in one short line."""
    while error.__cause__ is not None or getattr(error, "os_error", None) is not None:
        error = getattr(error, "os_error", None) or error.__cause__  # type: ignore[assignment]
    text = " ".join(str(error).split()) or error.__class__.__name__
    return text[:200]
