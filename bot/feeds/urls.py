"""Feed URL rules: which URLs may be fetched, how feeds are named, and secrets kept out of sight.

Standard library only: the settings check feed URLs with these rules and must stay light.
"""

from __future__ import annotations

import re
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from bot.ingest.slugs import slug

__all__ = [
    "FeedURLError",
    "feed_name",
    "feed_slug",
    "normal_link",
    "parse_feed_urls",
    "redact_text",
    "redact_url",
    "url_problem",
]

MASK = "***"

_SPLIT = re.compile(r"[\s,]+")
# Query keys whose values are credentials in the feeds and APIs people paste (api keys,
# tokens, signatures, passwords, sessions): matched at the key's end, so "keyword" is public.
_SECRET_KEY = re.compile(
    r"(?i)(?:key|token|secret|passwd|password|pass|pwd|auth|authorization|sig|signature"
    r"|session|sessionid|credential|credentials)$|(?i:token|secret|password|apikey)"
)
# A value that looks generated (long, letters and digits mixed) is a secret whatever its key.
_TOKEN_LIKE = re.compile(r"^(?=.*[A-Za-z])(?=.*\d)[A-Za-z0-9_\-.~+/=%]{16,}$")
_URL_IN_TEXT = re.compile(r"\b[a-zA-Z][a-zA-Z0-9+.\-]*://[^\s\"'<>]+")


class FeedURLError(ValueError):
    """A feed URL in the settings that cannot be fetched; the message shows it redacted."""


def parse_feed_urls(raw: str) -> tuple[str, ...]:
    """Feed URLs from ``NEWSBOT_FEEDS``: http(s) URLs separated by whitespace or commas."""
    urls: list[str] = []
    for item in _SPLIT.split(raw.strip()):
        if not item:
            continue
        problem = url_problem(item)
        if problem:
            raise FeedURLError(f"{redact_url(item)[:80]!r} {problem}")
        if item not in urls:
            urls.append(item)
    return tuple(urls)


def url_problem(url: str) -> str | None:
    """Why ``url`` may not be fetched (not http(s), no host, malformed), or None."""
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 - raises ValueError on a malformed port
    except ValueError:
        return "is not a valid URL"
    if parts.scheme.lower() not in ("http", "https"):
        return "is not an http(s) URL"
    if not parts.hostname:
        return "has no host name"
    return None


def redact_url(url: str, guess: bool = True) -> str:
    """``url`` fit to show, store or log: user and password, and secret query values, masked.

    Secret values are those of keys named like secrets and, with ``guess``, any value that
    looks generated (long, letters and digits mixed). A URL with nothing to hide comes back
    unchanged, character for character.
    """
    try:
        parts = urlsplit(url)
    except ValueError:
        return _redact_unparsed(url)
    netloc = parts.netloc
    if "@" in netloc:
        netloc = f"{MASK}@{netloc.rsplit('@', 1)[1]}"
    query = parts.query
    if query:
        pairs = parse_qsl(query, keep_blank_values=True)
        if any(_secret(k, v, guess) for k, v in pairs):
            masked = [(k, MASK if _secret(k, v, guess) else v) for k, v in pairs]
            query = urlencode(masked, safe="*")
    if netloc == parts.netloc and query == parts.query:
        return url
    return urlunsplit((parts.scheme, netloc, parts.path, query, parts.fragment))


def redact_text(text: str) -> str:
    """Every URL inside ``text`` (an error message, a log line) redacted."""
    return _URL_IN_TEXT.sub(lambda match: redact_url(match.group(0)), text)


def feed_name(url: str) -> str:
    """What people see for a feed: host and path (``news.example/rss.xml``), never a secret."""
    try:
        parts = urlsplit(url)
        host = parts.hostname or ""
    except ValueError:
        return "(invalid feed URL)"
    path = parts.path.rstrip("/")
    return f"{host}{path}" or "(feed)"


def feed_slug(url: str) -> str:
    """Folder name of a feed: host, path and public query.

    Built from the URL, so it stays put when the feed renames itself; secret query values never
    reach the corpus.
    """
    parts = urlsplit(redact_url(url))
    query = "&".join(p for p in parts.query.split("&") if p and not p.endswith(f"={MASK}"))
    text = f"{parts.hostname or 'feed'}{parts.path}{'-' + query if query else ''}"
    return slug(text, 60, ascii_only=True, digest_of=redact_url(url), empty="feed")


def normal_link(link: str | None) -> str | None:
    """The link as a dedup key: no fragment, no tracking parameters, secrets masked."""
    if not link or url_problem(link):
        return None
    parts = urlsplit(redact_url(link.strip(), guess=False))
    query = [
        (k, v)
        for k, v in parse_qsl(parts.query, keep_blank_values=True)
        if not k.lower().startswith("utm_")
    ]
    return urlunsplit(
        (parts.scheme.lower(), parts.netloc.lower(), parts.path or "/", urlencode(query), "")
    )


def _secret(key: str, value: str, guess: bool) -> bool:
    if not value:
        return False
    return bool(_SECRET_KEY.search(key) or (guess and _TOKEN_LIKE.match(value)))


def _redact_unparsed(text: str) -> str:
    # Not even a URL (a bad port, say): mask anything between "//" and "@", and the query.
    text = re.sub(r"//[^/@\s]*@", f"//{MASK}@", text)
    return text.split("?", 1)[0] + (f"?{MASK}" if "?" in text else "")
