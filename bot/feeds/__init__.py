"""RSS/Atom feeds pulled politely into story files under ``<corpus>/feeds/``.

``urls`` (the rules the settings check), ``options``, ``http`` (requests with SSRF checks),
``items`` (item to story), ``store`` (story files), ``state`` (JSON in the cache), ``report``
(what people see) and ``pull`` (the orchestrator).
"""

from bot._lazy import exports

__all__ = [
    "FeedResult",
    "FeedStatus",
    "FetchError",
    "FetchOptions",
    "FetchReport",
    "backoff_delay",
    "feed_name",
    "feed_slug",
    "feed_status",
    "fetch",
    "fetch_all",
    "parse_feed_urls",
    "redact_url",
    "state_path",
]
__getattr__ = exports(
    __name__,
    {
        "FeedResult": ".report",
        "FeedStatus": ".report",
        "FetchReport": ".report",
        "FetchError": ".http",
        "FetchOptions": ".options",
        "backoff_delay": ".options",
        "feed_name": ".urls",
        "feed_slug": ".urls",
        "parse_feed_urls": ".urls",
        "redact_url": ".urls",
        "feed_status": ".state",
        "state_path": ".state",
        "fetch": ".pull",
        "fetch_all": ".pull",
    },
)
