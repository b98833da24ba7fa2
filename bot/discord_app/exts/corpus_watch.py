"""Keeps answers in step with the corpus folder while the bot runs: events first, scans behind.

File-system events (watchfiles: inotify and its kin) start a refresh as soon as a story file
lands, so a new story is answerable in seconds even in a huge corpus. A periodic scan stays as
the safety net: it stats every story file (no reads) and compares one fingerprint, and it also
sees what events miss (network mounts, changes made while the bot was down, an event queue
that overflowed). Changed files are re-read and the index updated without stopping commands.
"""

from __future__ import annotations

import asyncio
import logging
import time
from pathlib import Path
from typing import TYPE_CHECKING

import watchfiles
from discord.ext import commands, tasks

if TYPE_CHECKING:
    from bot.discord_app.client import NewsBot
    from bot.index.newsindex import Report

log = logging.getLogger(__name__)

SCAN_SHARE = 10  # the scan interval is at least this many times the last scan's duration
# Events arriving within this many milliseconds make one refresh (a feed pull writes many).
DEBOUNCE_MS = 200


class CorpusWatch(commands.Cog):
    """Refreshes the index on file-system events and every ``NEWSBOT_REFRESH_SECONDS``."""

    def __init__(self, bot: NewsBot) -> None:
        self.bot = bot
        self._stop = asyncio.Event()
        self._events: asyncio.Task[None] | None = None

    async def cog_load(self) -> None:
        """Start the periodic scan and the file-system watch (both off when the interval is 0)."""
        seconds = self.bot.settings.refresh_seconds
        if seconds > 0:
            self.refresh.change_interval(seconds=seconds)
            self.refresh.start()
            self._events = asyncio.create_task(self._watch(), name="newsbot-corpus-events")

    async def cog_unload(self) -> None:
        """Stop the scan and the watch, waiting for the watch to end."""
        self.refresh.cancel()
        self._stop.set()
        if self._events is not None:
            self._events.cancel()
            await asyncio.gather(self._events, return_exceptions=True)

    @tasks.loop(seconds=5.0)
    async def refresh(self) -> None:
        """Re-read what changed in the corpus, then stretch the interval on a slow scan."""
        started = time.monotonic()
        try:
            await self._refresh()
        finally:
            # Scanning a huge corpus every few seconds would keep a core busy: never spend
            # more than a tenth of the time scanning (events still bring new stories at once).
            took = time.monotonic() - started
            wanted = max(self.bot.settings.refresh_seconds, took * SCAN_SHARE)
            if abs(wanted - self.refresh.seconds) > 0.5:
                self.refresh.change_interval(seconds=wanted)

    async def _watch(self) -> None:
        folder = self.bot.settings.corpus_dir
        try:
            async for changes in watchfiles.awatch(
                folder, stop_event=self._stop, debounce=DEBOUNCE_MS, ignore_permission_denied=True
            ):
                log.debug("corpus events: %d changes", len(changes))
                # Only the folders whose time changed, and those the events name (a file
                # rewritten in place leaves its folder's time): a story added is answerable
                # in a second however large the corpus; the periodic scan stats every file.
                await self._refresh(full=False, touched={Path(path) for _, path in changes})
        except asyncio.CancelledError:
            raise
        except Exception as error:  # no inotify, a watch limit reached, the folder gone...
            log.warning("no file-system events for %s (%s); relying on scans", folder, error)

    async def _refresh(self, full: bool = True, touched: set[Path] | None = None) -> Report | None:
        try:
            report = await asyncio.to_thread(self.bot.newsroom.refresh, full, touched or set())
        except Exception:  # a bad moment on disk must not stop future refreshes
            log.exception("corpus refresh failed; will try again")
            return None
        if report.action != "reused":
            log.info(
                "corpus changed (%s): %d stories, %d passages",
                report.changes.summary(), report.stories, report.passages,
            )  # fmt: skip
        return report


async def setup(bot: NewsBot) -> None:
    """Add the corpus watch to the bot (discord.py's extension entry point)."""
    await bot.add_cog(CorpusWatch(bot))
