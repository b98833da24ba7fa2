"""Feed state on disk (JSON in the cache): validators, back-off, dedup keys, pages to retry."""

from __future__ import annotations

import datetime as dt
import json
import logging
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

from bot.feeds.options import FetchOptions, backoff_delay
from bot.feeds.report import FeedStatus, iso
from bot.storage import atomic_write, corpus_cache_path

__all__ = [
    "MAX_SEEN",
    "STATE_VERSION",
    "feed_status",
    "load_state",
    "save_state",
    "state_path",
]

log = logging.getLogger(__name__)

STATE_VERSION = 1
MAX_SEEN = 5000  # keys remembered per feed; far more than any feed carries at once


def state_path(cache_dir: Path, corpus_dir: Path) -> Path:
    """Where the feed state of one corpus lives: in the cache, one file per corpus folder."""
    return corpus_cache_path(cache_dir, corpus_dir, prefix="feeds-", suffix=".json")


def now_utc(now: dt.datetime | None) -> dt.datetime:
    """``now``, or the current time, as an aware UTC datetime."""
    if now is None:
        return dt.datetime.now(dt.UTC)
    return now if now.tzinfo else now.replace(tzinfo=dt.UTC)


def when(value: object) -> dt.datetime | None:
    """A time the state stored (ISO 8601), or None for anything else."""
    if not isinstance(value, str) or not value:
        return None
    try:
        parsed = dt.datetime.fromisoformat(value)
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=dt.UTC)


def load_state(path: Path) -> dict[str, Any]:
    """The saved state, or a fresh one when the file is missing, corrupt or of another version.

    Losing it costs only politeness (one unconditional request per feed): deduplication falls
    back on the story files themselves.
    """
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except FileNotFoundError:
        return {"version": STATE_VERSION, "feeds": {}}
    except (OSError, ValueError) as error:
        log.warning("feed state %s unreadable (%s); starting afresh", path, type(error).__name__)
        return {"version": STATE_VERSION, "feeds": {}}
    if not isinstance(data, dict) or data.get("version") != STATE_VERSION:
        log.warning("feed state %s is of another version; starting afresh", path)
        return {"version": STATE_VERSION, "feeds": {}}
    if not isinstance(data.get("feeds"), dict):
        data["feeds"] = {}
    return data


def save_state(path: Path, state: Mapping[str, Any]) -> None:
    """Write the state as JSON, all or nothing (a crash leaves the previous file)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    atomic_write(path, json.dumps(state, ensure_ascii=False, indent=1).encode("utf-8"))


def feed_status(state_path: Path, urls: Sequence[str] = ()) -> list[FeedStatus]:
    """Health of each feed in the state (and of configured ``urls`` not pulled yet)."""
    feeds = load_state(state_path)["feeds"]
    # Feeds dropped from the settings keep their state (for dedup) but leave the status.
    order = list(urls) if urls else list(feeds)
    statuses = []
    for url in order:
        entry = feeds.get(url) or {}
        statuses.append(
            FeedStatus(
                url=url,
                title=entry.get("title"),
                last_success=when(entry.get("last_success")),
                last_error=entry.get("last_error"),
                last_error_at=when(entry.get("last_error_at")),
                next_attempt=when(entry.get("next_attempt")),
                failures=int(entry.get("failures") or 0),
                stories=int(entry.get("stories") or 0),
                pending_pages=len(entry.get("pending") or ()),
                bad_items=len(entry.get("bad_items") or ()),
            )
        )
    return statuses


def fresh_feed() -> dict[str, Any]:
    """The state of a feed never pulled."""
    return {
        "title": None,
        "etag": None,
        "last_modified": None,
        "last_success": None,
        "last_error": None,
        "last_error_at": None,
        "next_attempt": None,
        "failures": 0,
        "stories": 0,
        "seen": [],
        "pending": [],
        "bad_items": [],
    }


def remember(feed: dict[str, Any], keys: Iterable[str]) -> None:
    """Add dedup keys to a feed's memory, forgetting the oldest past ``MAX_SEEN``."""
    seen: list[str] = feed.setdefault("seen", [])
    present = set(seen)
    fresh = [key for key in dict.fromkeys(keys) if key not in present]
    seen.extend(fresh)
    del seen[:-MAX_SEEN]  # oldest first out: items that old have long left the feed


def fail(
    feed: dict[str, Any],
    error: str,
    now: dt.datetime,
    options: FetchOptions,
    retry_after: float | None = None,
) -> dt.datetime:
    """Record a failed pull and schedule the next attempt; returns its time."""
    feed["failures"] = int(feed.get("failures") or 0) + 1
    feed["last_error"] = error
    feed["last_error_at"] = iso(now)
    delay = backoff_delay(feed["failures"], options)
    if retry_after:  # the server said when; never earlier than our own back-off
        delay = max(delay, min(retry_after, options.backoff_cap))
    next_time = now + dt.timedelta(seconds=delay)
    feed["next_attempt"] = iso(next_time)
    return next_time
