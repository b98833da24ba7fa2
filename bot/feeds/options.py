"""Limits and back-off of feed pulls: polite defaults for public feeds, shrunk by tests."""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["FetchOptions", "backoff_delay"]


@dataclass(frozen=True)
class FetchOptions:
    """Limits for one pull; the defaults are polite for public feeds, tests shrink them."""

    timeout: float = 20.0  # seconds for a whole request, redirects and body included
    max_bytes: int = 5 * 2**20
    max_redirects: int = 5
    backoff_base: float = 300.0  # seconds to wait after the first failure, doubled after each
    backoff_cap: float = 6 * 3600.0
    short_text: int = 600  # characters: an item with less text than this carries a summary
    page_attempts: int = 5  # tries to fetch an article page before keeping the summary for good
    page_backoff: float = 600.0
    pages_per_feed: int = 20  # page fetches per feed per pull; the rest wait for the next pull
    concurrency: int = 4
    user_agent: str = "newsbot/0.1 (feed reader; +https://pypi.org/project/feedparser/)"


def backoff_delay(failures: int, options: FetchOptions) -> float:
    """Seconds to wait after ``failures`` failures in a row: base, 2x, 4x ... up to the cap."""
    if failures <= 0:
        return 0.0
    return float(min(options.backoff_cap, options.backoff_base * 2.0 ** min(failures - 1, 30)))
