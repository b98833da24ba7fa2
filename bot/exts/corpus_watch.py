"""Keeps answers in step with the corpus folder while the bot runs, by a cheap periodic scan.

A scan stats every story file (no reads) and compares one fingerprint, so an idle corpus costs
little; changed files are re-read and the new index swapped in without stopping commands. A
scan also sees changes that file-system events miss (network mounts, editors that replace
files, changes made while the bot was down).
"""

from __future__ import annotations

import asyncio
import logging
import time
from typing import TYPE_CHECKING

from discord.ext import commands, tasks

if TYPE_CHECKING:
    from bot.client import NewsBot

log = logging.getLogger(__name__)

SCAN_SHARE = 10  # the interval is at least this many times the last scan's duration


class CorpusWatch(commands.Cog):
    """Refreshes the index every ``NEWSBOT_REFRESH_SECONDS``."""

    def __init__(self, bot: NewsBot) -> None:
        self.bot = bot

    async def cog_load(self) -> None:
        seconds = self.bot.settings.refresh_seconds
        if seconds > 0:
            self.refresh.change_interval(seconds=seconds)
            self.refresh.start()

    async def cog_unload(self) -> None:
        self.refresh.cancel()

    @tasks.loop(seconds=5.0)
    async def refresh(self) -> None:
        started = time.monotonic()
        try:
            report = await asyncio.to_thread(self.bot.newsroom.refresh)
        except Exception:  # a bad moment on disk must not stop future refreshes
            log.exception("corpus refresh failed; will try again")
            return
        finally:
            # Scanning a huge corpus every few seconds would keep a core busy: never spend
            # more than a tenth of the time scanning.
            took = time.monotonic() - started
            wanted = max(self.bot.settings.refresh_seconds, took * SCAN_SHARE)
            if abs(wanted - self.refresh.seconds) > 0.5:
                self.refresh.change_interval(seconds=wanted)
        if report.action != "reused":
            log.info(
                "corpus changed (%s): %d stories, %d passages",
                report.changes.summary(), report.stories, report.passages,
            )


async def setup(bot: NewsBot) -> None:
    await bot.add_cog(CorpusWatch(bot))
