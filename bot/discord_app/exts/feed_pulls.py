"""Pulls the configured RSS/Atom feeds on a timer and refreshes the index when stories arrive."""

from __future__ import annotations

import asyncio
import logging
from pathlib import Path
from typing import TYPE_CHECKING

from discord.ext import commands, tasks

from bot import feeds

if TYPE_CHECKING:
    from bot.discord_app.client import NewsBot

log = logging.getLogger(__name__)

DEFAULT_MINUTES = 15.0
RESTART_SECONDS = 60.0


class Feeds(commands.Cog):
    """Every ``NEWSBOT_FEED_MINUTES`` (default 15): fetch_all, then Newsroom.refresh in a thread.

    Nothing here may stop the bot: every failure is logged and the next round runs as planned.
    """

    def __init__(
        self,
        bot: NewsBot,
        urls: tuple[str, ...] | None = None,
        minutes: float | None = None,
        options: feeds.FetchOptions | None = None,
    ) -> None:
        self.bot = bot
        settings = bot.settings
        # Settings gain these fields with the feeds feature; getattr keeps older ones working.
        self.urls: tuple[str, ...] = tuple(
            urls if urls is not None else getattr(settings, "feeds", ())
        )
        self.minutes = float(
            minutes if minutes is not None else getattr(settings, "feed_minutes", DEFAULT_MINUTES)
        )
        self.options = options
        self.state_path = feeds.state_path(Path(settings.cache_dir), Path(settings.corpus_dir))
        self.last_report: feeds.FetchReport | None = None
        # One pull at a time inside this process (a forced pull may meet the timer's).
        self._lock = asyncio.Lock()
        self._unloaded = False

    async def cog_load(self) -> None:
        """Start the periodic pulls, unless no feeds are set or pulls are on request only."""
        if not self.urls:
            log.info("no feeds configured (NEWSBOT_FEEDS); feed pulls are off")
            return
        if self.minutes <= 0:
            log.info("NEWSBOT_FEED_MINUTES is 0: feeds are pulled only on request")
            return
        self.pull.change_interval(minutes=self.minutes)
        self.pull.start()
        log.info("pulling %d feed(s) every %g min", len(self.urls), self.minutes)

    async def cog_unload(self) -> None:
        """Stop the periodic pulls (and any restart after an error)."""
        self._unloaded = True
        self.pull.cancel()

    @tasks.loop(minutes=DEFAULT_MINUTES)
    async def pull(self) -> None:
        """One periodic pull of every feed."""
        await self.run_once()

    @pull.error
    async def _pull_error(self, error: BaseException) -> None:
        # run_once catches everything, so this is only the last guard: start the loop again a
        # minute after it stopped (not at once, which could spin on a persistent fault).
        log.error("feed loop stopped by an error; restarting in 60 s", exc_info=error)
        task = self.pull.get_task()
        if task is not None:
            loop = asyncio.get_running_loop()
            task.add_done_callback(lambda _task: loop.call_later(RESTART_SECONDS, self._restart))

    def _restart(self) -> None:
        if not self._unloaded and not self.pull.is_running():
            self.pull.start()

    async def run_once(self, force: bool = False) -> feeds.FetchReport | None:
        """One pull (``force`` ignores back-off, for an admin's refresh); None if it failed."""
        if not self.urls:
            return None
        async with self._lock:
            try:
                report = await feeds.fetch_all(
                    self.urls,
                    Path(self.bot.settings.corpus_dir),
                    self.state_path,
                    options=self.options,
                    force=force,
                )
            except Exception:
                log.exception("feed pull failed; will try again next round")
                return None
            log.info("feeds: %s", report.summary())
            if report.changed:
                try:
                    await asyncio.to_thread(self.bot.newsroom.refresh)
                except Exception:  # the corpus watcher's next scan picks the stories up
                    log.exception("index refresh after the feed pull failed")
            self.last_report = report
            return report

    def status(self) -> list[feeds.FeedStatus]:
        """Per-feed health for ``/status``."""
        try:
            return feeds.feed_status(self.state_path, self.urls)
        except Exception:
            log.exception("could not read the feed state")
            return []


async def setup(bot: NewsBot) -> None:
    """Add the feed pulls to the bot (discord.py's extension entry point)."""
    await bot.add_cog(Feeds(bot))
