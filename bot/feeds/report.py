"""What a pull did and how each feed is doing, in words and JSON fit to show anyone.

Every URL and error here is redacted on construction: these objects reach /status, the
terminal and logs, and a feed URL may carry a password or an API key.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from bot.feeds.urls import feed_name, redact_text, redact_url

__all__ = ["FeedResult", "FeedStatus", "FetchReport", "ago", "iso"]

_STATUSES = ("ok", "not-modified", "error", "skipped", "busy")


def iso(value: dt.datetime | None) -> str | None:
    """UTC ISO 8601 to the second, as the state file and JSON output keep times."""
    return value.astimezone(dt.UTC).isoformat(timespec="seconds") if value else None


def ago(when: dt.datetime | None) -> str:
    """"5 min ago", or the time itself when it lies in the future."""
    if when is None:
        return "never"
    seconds = (dt.datetime.now(dt.UTC) - when).total_seconds()
    if seconds < 0:
        return f"{when:%Y-%m-%d %H:%M} UTC"
    for unit, size in (("d", 86400), ("h", 3600), ("min", 60)):
        if seconds >= size:
            return f"{seconds / size:.0f} {unit} ago"
    return f"{seconds:.0f} s ago"


def _redact(shown: FeedResult | FeedStatus, error_field: str) -> None:
    # Frozen dataclasses: set once, at construction, so no copy ever holds the secret.
    object.__setattr__(shown, "url", redact_url(shown.url))
    error = getattr(shown, error_field)
    if error is not None:
        object.__setattr__(shown, error_field, redact_text(error))


@dataclass(frozen=True)
class FeedResult:
    """What one pull did for one feed."""

    url: str  # redacted
    status: str  # "ok", "not-modified", "error", "skipped" (backing off) or "busy"
    new: tuple[str, ...] = ()  # story files written, relative to the corpus folder
    filled: tuple[str, ...] = ()  # stories whose summary was replaced by the article page
    error: str | None = None
    next_attempt: dt.datetime | None = None
    bad_items: tuple[str, ...] = ()  # items skipped because they could not be read, and why

    def __post_init__(self) -> None:
        _redact(self, "error")

    @property
    def name(self) -> str:
        """Host and path: what identifies the feed to people, never a secret."""
        return feed_name(self.url)


@dataclass(frozen=True)
class FetchReport:
    """The results of one pull of every feed."""

    results: tuple[FeedResult, ...] = ()

    @property
    def new(self) -> tuple[str, ...]:
        """Every story file written, relative to the corpus folder."""
        return tuple(path for r in self.results for path in r.new)

    @property
    def changed(self) -> bool:
        """True when story files were written, so the index needs a refresh."""
        return any(r.new or r.filled for r in self.results)

    @property
    def errors(self) -> tuple[FeedResult, ...]:
        """The feeds whose pull failed (not those skipped while backing off)."""
        return tuple(r for r in self.results if r.status == "error")

    def summary(self) -> str:
        """One line: new stories, pages filled in, unreadable items, and feeds by status."""
        counts = {s: sum(r.status == s for r in self.results) for s in _STATUSES}
        parts = [f"{len(self.new)} new stor{'y' if len(self.new) == 1 else 'ies'}"]
        filled = sum(len(r.filled) for r in self.results)
        if filled:
            parts.append(f"{filled} completed from article pages")
        bad = sum(len(r.bad_items) for r in self.results)
        if bad:
            parts.append(f"{bad} unreadable item(s) skipped")
        parts += [f"{n} {s}" for s, n in counts.items() if n]
        return f"{len(self.results)} feed(s): " + ", ".join(parts)

    def as_json(self) -> dict[str, Any]:
        """The report for ``newsbot fetch --json``: new files, and each feed's outcome."""
        return {
            "new": list(self.new),
            "feeds": [
                {
                    "url": r.url,
                    "name": r.name,
                    "status": r.status,
                    "new": list(r.new),
                    "filled": list(r.filled),
                    "bad_items": list(r.bad_items),
                    "error": r.error,
                    "next_attempt": iso(r.next_attempt),
                }
                for r in self.results
            ],
        }


@dataclass(frozen=True)
class FeedStatus:
    """A feed's health for ``/status``: when it last worked, what last failed, when it runs next."""

    url: str  # redacted
    title: str | None = None
    last_success: dt.datetime | None = None
    last_error: str | None = None
    last_error_at: dt.datetime | None = None
    next_attempt: dt.datetime | None = None
    failures: int = 0
    stories: int = 0
    pending_pages: int = 0
    bad_items: int = 0  # items of the last pull skipped as unreadable

    def __post_init__(self) -> None:
        _redact(self, "last_error")

    @property
    def name(self) -> str:
        """Host and path: what identifies the feed to people, never a secret."""
        return feed_name(self.url)

    @property
    def healthy(self) -> bool:
        """True when the feed has worked, and not failed since."""
        if self.last_success is None:
            return False
        return self.last_error_at is None or self.last_success >= self.last_error_at

    def describe(self) -> str:
        """One line for ``/status`` and ``newsbot status``: successes, errors, next attempt."""
        name = f"{self.title} ({self.name})" if self.title else self.name
        ok = ago(self.last_success) if self.last_success else "never"
        line = f"{name}: last success {ok}, {self.stories} stories"
        if self.last_error:
            line += f"; last error {ago(self.last_error_at)}: {self.last_error}"
        if self.next_attempt:
            line += f"; next attempt {self.next_attempt:%Y-%m-%d %H:%M} UTC"
        if self.pending_pages:
            line += f"; {self.pending_pages} article page(s) to retry"
        if self.bad_items:
            line += f"; {self.bad_items} unreadable item(s) skipped"
        return line
