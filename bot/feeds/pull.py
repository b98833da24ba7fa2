"""One pull of every feed: conditional requests, new items to story files, pages to complete."""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from bot.feeds import state as states
from bot.feeds.http import Check, FetchError, Response, feed_check, get, host_is_private, page_check
from bot.feeds.items import clean, extract_text, feed_problem, story_from_entry
from bot.feeds.options import FetchOptions
from bot.feeds.report import FeedResult, FetchReport, iso
from bot.feeds.store import FEEDS_FOLDER, existing_keys, fill_story, write_story
from bot.feeds.urls import feed_name, feed_slug, url_problem
from bot.storage import exclusive_lock

if TYPE_CHECKING:
    import aiohttp

__all__ = ["MAX_ENTRIES", "fetch", "fetch_all"]

log = logging.getLogger(__name__)

MAX_ENTRIES = 200  # items read per feed per pull, so a runaway feed cannot flood the corpus

_ACCEPT_FEED = (
    "application/rss+xml, application/atom+xml, application/xml;q=0.9, text/xml;q=0.9, */*;q=0.5"
)


async def _page_paragraphs(
    session: aiohttp.ClientSession, link: str, options: FetchOptions, check: Check
) -> list[str]:
    response = await get(session, link, options, check, {"Accept": "text/html,*/*;q=0.5"})
    paragraphs = await asyncio.to_thread(extract_text, response.body, response.url)
    if not paragraphs:
        raise FetchError("no article text found on the page")
    return paragraphs


class _Pull:
    """One pull of all feeds: shared session, options, clock and dedup keys."""

    def __init__(
        self,
        session: aiohttp.ClientSession,
        corpus_dir: Path,
        state: dict[str, Any],
        state_file: Path,
        now: dt.datetime,
        options: FetchOptions,
        force: bool,
    ) -> None:
        self.session = session
        self.corpus_dir = Path(corpus_dir)
        self.state = state
        self.state_file = state_file
        self.now = now
        self.options = options
        self.force = force
        # Keys of every feed: the same story in two feeds of one site is stored once.
        self.known: set[str] = {k for f in state["feeds"].values() for k in f.get("seen", ())}
        self.semaphore = asyncio.Semaphore(max(1, options.concurrency))
        self._scan: asyncio.Future[set[str]] | None = None

    async def _scan_files(self) -> None:
        """Read the dedup keys of every stored feed story, once per pull, whichever feed asks."""
        if self._scan is None:
            folder = self.corpus_dir / FEEDS_FOLDER
            self._scan = asyncio.ensure_future(asyncio.to_thread(existing_keys, folder))
        self.known |= await asyncio.shield(self._scan)

    def save(self) -> None:
        try:
            states.save_state(self.state_file, self.state)
        except OSError as error:  # stories are on disk; the next pull dedups from the files
            log.error("could not save feed state %s: %s", self.state_file, error)

    async def feed(self, url: str) -> FeedResult:
        async with self.semaphore:
            feed = self.state["feeds"].setdefault(url, states.fresh_feed())
            try:
                result = await self._feed(url, feed)
            except OSError as error:  # disk full, permissions: nothing was marked stored
                log.error("feed %s: could not store stories: %s", feed_name(url), error)
                message = f"could not store stories: {error.strerror or type(error).__name__}"
                when = states.fail(feed, message, self.now, self.options)
                result = FeedResult(url, "error", error=message, next_attempt=when)
            except Exception as error:  # a bug on one feed must not stop the others
                log.exception("feed %s: unexpected error", feed_name(url))
                message = f"internal error ({type(error).__name__})"
                when = states.fail(feed, message, self.now, self.options)
                result = FeedResult(url, "error", error=message, next_attempt=when)
            self.save()
            return result

    async def _feed(self, url: str, feed: dict[str, Any]) -> FeedResult:
        folder = self.corpus_dir / FEEDS_FOLDER / feed_slug(url)
        filled = await self._retry_pages(feed, url)
        problem = url_problem(url)
        if problem:
            feed["last_error"] = f"refused: not fetched, the URL {problem}"
            feed["last_error_at"] = iso(self.now)
            return FeedResult(url, "error", filled=filled, error=feed["last_error"])
        next_attempt = states.when(feed.get("next_attempt"))
        if next_attempt and next_attempt > self.now and not self.force:
            return FeedResult(
                url,
                "skipped",
                filled=filled,
                error=feed.get("last_error"),
                next_attempt=next_attempt,
            )
        if not feed.get("seen"):
            # No memory of this feed (first pull, or the state was lost): the files written
            # earlier are the record of what is stored.
            await self._scan_files()
        headers = {"Accept": _ACCEPT_FEED}
        if feed.get("etag"):
            headers["If-None-Match"] = feed["etag"]
        if feed.get("last_modified"):
            headers["If-Modified-Since"] = feed["last_modified"]
        try:
            response = await get(self.session, url, self.options, feed_check, headers)
        except FetchError as error:
            when = states.fail(feed, str(error), self.now, self.options, error.retry_after)
            log.warning(
                "feed %s: %s%s; next attempt %s",
                feed_name(url),
                error,
                f" ({error.detail})" if error.detail else "",
                iso(when),
            )
            return FeedResult(url, "error", filled=filled, error=str(error), next_attempt=when)
        if response.status == 304:
            self._succeeded(feed, response)
            return FeedResult(url, "not-modified", filled=filled)

        import feedparser

        parsed = await asyncio.to_thread(
            feedparser.parse,
            response.body,
            response_headers={
                "content-type": response.headers.get("Content-Type", "application/xml"),
                "content-location": response.url,
            },
        )
        malformed = feed_problem(parsed, response.body)
        if malformed:
            when = states.fail(feed, malformed, self.now, self.options)
            log.warning("feed %s: %s", feed_name(url), malformed)
            return FeedResult(url, "error", filled=filled, error=malformed, next_attempt=when)
        source = clean(parsed.feed.get("title")) or urlsplit(url).hostname or feed_name(url)
        feed["title"] = source
        private_ok = await host_is_private(urlsplit(url).hostname or "")
        new, bad = await self._entries(
            feed, folder, url, parsed.entries[:MAX_ENTRIES], source, private_ok
        )
        feed["bad_items"] = bad
        # Validators are kept only once every item is handled, so a pull cut short by a
        # crash sends an unconditional request next time and sees the items again.
        self._succeeded(feed, response)
        if new:
            log.info("feed %s: %d new stories", feed_name(url), len(new))
        return FeedResult(url, "ok", new=tuple(new), filled=filled, bad_items=tuple(bad))

    def _succeeded(self, feed: dict[str, Any], response: Response) -> None:
        if response.status != 304:
            feed["etag"] = response.headers.get("ETag")
            feed["last_modified"] = response.headers.get("Last-Modified")
        feed["last_success"] = iso(self.now)
        feed["failures"] = 0
        feed["next_attempt"] = None

    async def _entries(
        self,
        feed: dict[str, Any],
        folder: Path,
        url: str,
        entries: Sequence[Any],
        source: str,
        private_ok: bool,
    ) -> tuple[list[str], list[str]]:
        """Store the new items; returns the files written and the unreadable items skipped."""
        new: list[str] = []
        bad: list[str] = []
        pages_left = self.options.pages_per_feed
        check = page_check(private_ok)
        # Oldest first, so that a (LEAD) lands after the story it supersedes.
        for number, entry in reversed(list(enumerate(entries, 1))):
            try:
                story = story_from_entry(entry, source, self.now)
            except Exception as error:  # one hostile item must not cost the feed its others
                reason = f"item {number}: unreadable ({type(error).__name__})"
                log.warning("feed %s: %s skipped: %s", feed_name(url), reason, error)
                bad.append(reason)
                continue
            if story is None:
                continue
            if self.known & set(story.keys):
                states.remember(feed, story.keys)
                continue
            self.known |= set(story.keys)  # claimed now: another feed may carry the same item
            # Full content from the feed is taken as it is; only a short summary sends us to
            # the article page.
            wants_page = (
                story.text_from == "summary"
                and len(" ".join(story.paragraphs)) < self.options.short_text
            )
            # A page to fetch later: (reason, tries so far, seconds to wait), or None.
            retry: tuple[str, int, float] | None = None
            if wants_page and story.url:
                if pages_left > 0:
                    pages_left -= 1
                    try:
                        paragraphs = await _page_paragraphs(
                            self.session, story.url, self.options, check
                        )
                    except FetchError as error:
                        if not str(error).startswith("refused"):  # refusals stay refused
                            retry = (str(error), 1, self.options.page_backoff)
                    else:
                        if len(" ".join(paragraphs)) > len(" ".join(story.paragraphs)):
                            story.paragraphs, story.text_from = paragraphs, "page"
                else:
                    retry = ("waiting: this pull's page budget is spent", 0, 0.0)
            path = await asyncio.to_thread(write_story, folder, story, url, self.now)
            states.remember(feed, story.keys)
            if path is None:
                continue
            relative = path.relative_to(self.corpus_dir).as_posix()
            new.append(relative)
            feed["stories"] = int(feed.get("stories") or 0) + 1
            if retry is not None:
                reason, attempts, delay = retry
                feed.setdefault("pending", []).append(
                    {
                        "link": story.url,
                        "path": relative,
                        "attempts": attempts,
                        "error": reason,
                        "next_attempt": iso(self.now + dt.timedelta(seconds=delay)),
                    }
                )
                log.info("feed %s: kept the summary of %s (%s)", feed_name(url), relative, reason)
        return new, bad

    async def _retry_pages(self, feed: dict[str, Any], url: str) -> tuple[str, ...]:
        """Fetch again the article pages that failed before; fill in their stories."""
        filled: list[str] = []
        keep: list[dict[str, Any]] = []
        private_ok = await host_is_private(urlsplit(url).hostname or "")
        check = page_check(private_ok)
        budget = self.options.pages_per_feed
        for item in feed.get("pending") or []:
            due = states.when(item.get("next_attempt"))
            path = self.corpus_dir / str(item.get("path") or "")
            if not item.get("link") or not path.is_file():
                continue  # the story was removed: nothing to complete
            if budget <= 0 or (due and due > self.now and not self.force):
                keep.append(item)
                continue
            budget -= 1
            try:
                paragraphs = await _page_paragraphs(self.session, item["link"], self.options, check)
            except FetchError as error:
                item["attempts"] = int(item.get("attempts") or 0) + 1
                item["error"] = str(error)
                if item["attempts"] >= self.options.page_attempts:
                    log.info("gave up on the page of %s: %s", item["path"], error)
                    continue
                delay = min(
                    self.options.backoff_cap,
                    self.options.page_backoff * 2 ** (item["attempts"] - 1),
                )
                item["next_attempt"] = iso(self.now + dt.timedelta(seconds=delay))
                keep.append(item)
                continue
            if await asyncio.to_thread(fill_story, path, paragraphs):
                filled.append(str(item["path"]))
        feed["pending"] = keep
        return tuple(filled)


async def fetch_all(
    urls: Sequence[str],
    corpus_dir: Path,
    state_path: Path,
    now: dt.datetime | None = None,
    session: aiohttp.ClientSession | None = None,
    options: FetchOptions | None = None,
    force: bool = False,
) -> FetchReport:
    """Pull every feed once (those backing off are skipped unless ``force``)."""
    import aiohttp

    options = options or FetchOptions()
    state_path = Path(state_path)
    state_path.parent.mkdir(parents=True, exist_ok=True)
    with exclusive_lock(state_path.with_name(state_path.name + ".lock"), wait=False) as locked:
        if not locked:  # another process (CLI beside the bot) is pulling right now
            return FetchReport(tuple(FeedResult(u, "busy") for u in urls))
        state = states.load_state(state_path)
        own = session is None
        client = session or aiohttp.ClientSession(
            headers={"User-Agent": options.user_agent},
            connector=aiohttp.TCPConnector(limit_per_host=2),
        )
        try:
            pull = _Pull(
                client, Path(corpus_dir), state, state_path, states.now_utc(now), options, force
            )
            results = await asyncio.gather(*(pull.feed(url) for url in urls))
        finally:
            if own:
                await client.close()
        return FetchReport(tuple(results))


def fetch(
    urls: Sequence[str],
    corpus_dir: Path,
    state_path: Path,
    now: dt.datetime | None = None,
    options: FetchOptions | None = None,
    force: bool = False,
) -> FetchReport:
    """``fetch_all`` for synchronous callers (the CLI)."""
    return asyncio.run(fetch_all(urls, corpus_dir, state_path, now, None, options, force))
