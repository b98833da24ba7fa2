"""RSS/Atom feeds pulled politely into story files under ``<corpus>/feeds/``, with state on disk."""

from __future__ import annotations

import asyncio
import calendar
import contextlib
import datetime as dt
import email.utils
import hashlib
import ipaddress
import json
import logging
import os
import re
import socket
import tempfile
import time
from collections.abc import Awaitable, Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import yaml

from bot.ingest.articles import version_rank
from bot.ingest.readers import ArticleError, split_front_matter
from bot.settings import SettingsError

if TYPE_CHECKING:
    import aiohttp

log = logging.getLogger(__name__)

FEEDS_FOLDER = "feeds"  # under the corpus folder
STATE_VERSION = 1
MAX_SEEN = 5000  # keys remembered per feed; far more than any feed carries at once
MAX_ENTRIES = 200  # items read per feed per pull, so a runaway feed cannot flood the corpus

_REDIRECTS = (301, 302, 303, 307, 308)
_SPLIT = re.compile(r"[\s,]+")
_TAG = re.compile(r"\(([^()]{1,60})\)")


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


@dataclass(frozen=True)
class FeedResult:
    """What one pull did for one feed."""

    url: str
    status: str  # "ok", "not-modified", "error", "skipped" (backing off) or "busy"
    new: tuple[str, ...] = ()  # story files written, relative to the corpus folder
    filled: tuple[str, ...] = ()  # stories whose summary was replaced by the article page
    error: str | None = None
    next_attempt: dt.datetime | None = None


@dataclass(frozen=True)
class FetchReport:
    results: tuple[FeedResult, ...] = ()

    @property
    def new(self) -> tuple[str, ...]:
        return tuple(path for r in self.results for path in r.new)

    @property
    def changed(self) -> bool:
        """True when story files were written, so the index needs a refresh."""
        return any(r.new or r.filled for r in self.results)

    @property
    def errors(self) -> tuple[FeedResult, ...]:
        return tuple(r for r in self.results if r.status == "error")

    def summary(self) -> str:
        counts = {s: sum(r.status == s for r in self.results) for s in _STATUSES}
        parts = [f"{len(self.new)} new stor{'y' if len(self.new) == 1 else 'ies'}"]
        filled = sum(len(r.filled) for r in self.results)
        if filled:
            parts.append(f"{filled} completed from article pages")
        parts += [f"{n} {s}" for s, n in counts.items() if n]
        return f"{len(self.results)} feed(s): " + ", ".join(parts)

    def as_json(self) -> dict[str, Any]:
        return {
            "new": list(self.new),
            "feeds": [
                {
                    "url": r.url,
                    "status": r.status,
                    "new": list(r.new),
                    "filled": list(r.filled),
                    "error": r.error,
                    "next_attempt": _iso(r.next_attempt),
                }
                for r in self.results
            ],
        }


_STATUSES = ("ok", "not-modified", "error", "skipped", "busy")


@dataclass(frozen=True)
class FeedStatus:
    """A feed's health for ``/status``: when it last worked, what last failed, when it runs next."""

    url: str
    title: str | None = None
    last_success: dt.datetime | None = None
    last_error: str | None = None
    last_error_at: dt.datetime | None = None
    next_attempt: dt.datetime | None = None
    failures: int = 0
    stories: int = 0
    pending_pages: int = 0

    @property
    def healthy(self) -> bool:
        if self.last_success is None:
            return False
        return self.last_error_at is None or self.last_success >= self.last_error_at

    def describe(self) -> str:
        name = self.title or self.url
        ok = _ago(self.last_success) if self.last_success else "never"
        line = f"{name}: last success {ok}, {self.stories} stories"
        if self.last_error:
            line += f"; last error {_ago(self.last_error_at)}: {self.last_error}"
        if self.next_attempt:
            line += f"; next attempt {self.next_attempt:%Y-%m-%d %H:%M} UTC"
        if self.pending_pages:
            line += f"; {self.pending_pages} article page(s) to retry"
        return line


class FetchError(Exception):
    """A request that did not give a usable response; the message is short and shown to users."""

    def __init__(self, message: str, retry_after: float | None = None) -> None:
        super().__init__(message)
        self.retry_after = retry_after


# --- settings -------------------------------------------------------------------------------


def parse_feed_urls(raw: str) -> tuple[str, ...]:
    """Feed URLs from ``NEWSBOT_FEEDS``: http(s) URLs separated by whitespace or commas."""
    urls: list[str] = []
    for item in _SPLIT.split(raw.strip()):
        if not item:
            continue
        problem = _url_problem(item)
        if problem:
            raise SettingsError(
                f"NEWSBOT_FEEDS must list http:// or https:// feed URLs separated by spaces or "
                f"commas; {item[:80]!r} {problem}"
            )
        if item not in urls:
            urls.append(item)
    return tuple(urls)


def _url_problem(url: str) -> str | None:
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


def state_path(cache_dir: Path, corpus_dir: Path) -> Path:
    """Where the feed state of one corpus lives: in the cache, one file per corpus folder."""
    resolved = Path(corpus_dir).resolve()
    digest = hashlib.sha256(str(resolved).encode()).hexdigest()[:12]
    return Path(cache_dir) / f"feeds-{resolved.name or 'corpus'}-{digest}.json"


# --- state ----------------------------------------------------------------------------------


def _now(now: dt.datetime | None) -> dt.datetime:
    if now is None:
        return dt.datetime.now(dt.UTC)
    return now if now.tzinfo else now.replace(tzinfo=dt.UTC)


def _iso(value: dt.datetime | None) -> str | None:
    return value.astimezone(dt.UTC).isoformat(timespec="seconds") if value else None


def _when(value: object) -> dt.datetime | None:
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
        log.warning("feed state %s unreadable (%s); starting afresh", path, error)
        return {"version": STATE_VERSION, "feeds": {}}
    if not isinstance(data, dict) or data.get("version") != STATE_VERSION:
        log.warning("feed state %s is of another version; starting afresh", path)
        return {"version": STATE_VERSION, "feeds": {}}
    if not isinstance(data.get("feeds"), dict):
        data["feeds"] = {}
    return data


def save_state(path: Path, state: Mapping[str, Any]) -> None:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    atomic_write(path, json.dumps(state, ensure_ascii=False, indent=1).encode("utf-8"))


def atomic_write(path: Path, data: bytes) -> None:
    """Write to a hidden temp file beside ``path``, fsync, rename: readers see all or nothing.

    The temp name starts with a dot so a corpus scan running meanwhile skips it.
    """
    fd, temp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name[:40]}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temp)
        raise
    # The rename itself is durable only once the folder is synced (POSIX only).
    with contextlib.suppress(OSError, AttributeError):
        dir_fd = os.open(path.parent, os.O_RDONLY)
        try:
            os.fsync(dir_fd)
        finally:
            os.close(dir_fd)


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
                last_success=_when(entry.get("last_success")),
                last_error=entry.get("last_error"),
                last_error_at=_when(entry.get("last_error_at")),
                next_attempt=_when(entry.get("next_attempt")),
                failures=int(entry.get("failures") or 0),
                stories=int(entry.get("stories") or 0),
                pending_pages=len(entry.get("pending") or ()),
            )
        )
    return statuses


def backoff_delay(failures: int, options: FetchOptions) -> float:
    """Seconds to wait after ``failures`` failures in a row: base, 2x, 4x ... up to the cap."""
    if failures <= 0:
        return 0.0
    return float(min(options.backoff_cap, options.backoff_base * 2.0 ** min(failures - 1, 30)))


# --- HTTP -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Response:
    status: int
    body: bytes
    headers: Mapping[str, str]
    url: str


Check = Callable[[str], Awaitable[None]]


async def _get(
    session: aiohttp.ClientSession,
    url: str,
    options: FetchOptions,
    check: Check,
    headers: Mapping[str, str] | None = None,
) -> _Response:
    """GET with our own redirect handling (every hop checked), a deadline and a size cap."""
    import aiohttp
    from multidict import CIMultiDict
    from yarl import URL

    current = url
    try:
        async with asyncio.timeout(options.timeout):
            for _hop in range(options.max_redirects + 1):
                await check(current)
                async with session.get(
                    current,
                    headers=dict(headers or {}),
                    allow_redirects=False,
                ) as response:
                    if response.status in _REDIRECTS:
                        location = response.headers.get("Location")
                        if not location:
                            raise FetchError(f"HTTP {response.status} without a Location")
                        current = str(response.url.join(URL(location)))
                        continue
                    if response.status == 304:
                        return _Response(304, b"", CIMultiDict(response.headers), current)
                    if response.status >= 400:
                        raise FetchError(
                            f"HTTP {response.status} {response.reason or ''}".strip(),
                            retry_after=_retry_after(response.headers.get("Retry-After")),
                        )
                    body = await _read_capped(response, options.max_bytes)
                    return _Response(response.status, body, CIMultiDict(response.headers), current)
    except TimeoutError:
        raise FetchError(f"timed out after {options.timeout:g} s") from None
    except aiohttp.TooManyRedirects:
        raise FetchError(f"too many redirects (more than {options.max_redirects})") from None
    except (aiohttp.ClientError, ValueError, OSError) as error:
        reason = str(error) or type(error).__name__
        raise FetchError(f"connection failed: {reason[:200]}") from None
    raise FetchError(f"too many redirects (more than {options.max_redirects})")


async def _read_capped(response: aiohttp.ClientResponse, cap: int) -> bytes:
    """The body, streamed so that an endless or huge one costs at most ``cap`` bytes of memory."""
    limit = f"{cap / 2**20:g} MiB" if cap >= 2**20 else f"{cap} bytes"
    if response.content_length is not None and response.content_length > cap:
        response.close()  # drop the connection instead of draining the body
        raise FetchError(f"response of {response.content_length} bytes is over the {limit} cap")
    chunks: list[bytes] = []
    total = 0
    async for chunk in response.content.iter_chunked(64 * 1024):
        total += len(chunk)
        if total > cap:
            response.close()
            raise FetchError(f"response over the {limit} cap; stopped reading")
        chunks.append(chunk)
    return b"".join(chunks)


def _retry_after(value: str | None) -> float | None:
    if not value:
        return None
    if value.strip().isdigit():
        return float(value.strip())
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=dt.UTC)
    return max(0.0, (when - dt.datetime.now(dt.UTC)).total_seconds())


async def _feed_check(url: str) -> None:
    problem = _url_problem(url)
    if problem:
        raise FetchError(f"refused: {url[:80]} {problem}")


def _is_private(address: str) -> bool:
    try:
        ip = ipaddress.ip_address(address.split("%", 1)[0])
    except ValueError:
        return False
    return not ip.is_global or ip.is_multicast


async def _host_is_private(host: str) -> bool:
    if _is_private(host):
        return True
    if host.lower() == "localhost" or host.lower().endswith(".localhost"):
        return True
    try:
        infos = await asyncio.get_running_loop().getaddrinfo(host, None, type=socket.SOCK_STREAM)
    except OSError:
        return False  # the request itself will fail and say so
    return any(_is_private(str(info[4][0])) for info in infos)


def _page_check(private_ok: bool) -> Check:
    """Article links come from the feed, not from settings: only http(s), and never an address
    inside the bot's own network unless the feed itself lives there (its operator chose it)."""

    async def check(url: str) -> None:
        problem = _url_problem(url)
        if problem:
            raise FetchError(f"refused: {url[:80]} {problem}")
        host = urlsplit(url).hostname or ""
        if not private_ok and await _host_is_private(host):
            raise FetchError(f"refused: {host} is a private or local address")

    return check


# --- items to stories -----------------------------------------------------------------------


@dataclass
class _Story:
    title: str
    published: dt.datetime
    dated_by: str  # "feed" or "fetched"
    url: str | None
    guid: str | None
    source: str
    author: str | None
    paragraphs: list[str]
    text_from: str  # "feed" (full content), "summary" or "page"
    keys: tuple[str, ...] = ()

    def front_matter(self, feed_url: str, fetched: dt.datetime) -> dict[str, Any]:
        meta: dict[str, Any] = {
            "title": self.title,
            "published": self.published.isoformat(timespec="seconds"),
            "url": self.url,
            "source": self.source,
            "guid": self.guid,
        }
        if self.author:
            meta["author"] = self.author
        meta.update(
            {
                "feed": feed_url,
                "fetched": _iso(fetched),
                "dated_by": self.dated_by,
                "text_from": self.text_from,
            }
        )
        return {k: v for k, v in meta.items() if v is not None}


def render_story(meta: Mapping[str, Any], paragraphs: Iterable[str]) -> bytes:
    """Markdown with YAML front matter, the format bot.ingest.readers reads."""
    head = yaml.safe_dump(dict(meta), allow_unicode=True, sort_keys=False, width=1000)
    body = "\n\n".join(p for p in paragraphs if p.strip())
    return f"---\n{head}---\n\n{body}\n".encode()


def _clean(value: object) -> str:
    return " ".join(str(value or "").split())


def html_paragraphs(html: str) -> list[str]:
    """Paragraphs of an HTML fragment (feed summaries and content): block elements and <br>
    break paragraphs, scripts and styles are dropped."""
    if "<" not in html:
        parts = re.split(r"\n\s*\n", html)
        return [p for p in (_clean(x) for x in parts) if p]
    import lxml.html
    from lxml import etree

    try:
        root = lxml.html.fragment_fromstring(html, create_parent="div")
    except (etree.ParserError, ValueError):
        return [p for p in (_clean(x) for x in re.split(r"<[^>]*>", html)) if p]
    for bad in root.xpath("//script|//style|//noscript"):
        bad.drop_tree()
    blocks = {
        "p",
        "div",
        "li",
        "blockquote",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "pre",
        "tr",
        "section",
        "article",
        "figure",
        "figcaption",
        "ul",
        "ol",
        "table",
    }
    marker = "\u2029"  # paragraph separator: cannot occur in sane text, so it marks breaks
    for element in root.iter():
        if not isinstance(element.tag, str):
            continue
        if element.tag == "br":
            element.tail = marker + (element.tail or "")
        elif element.tag in blocks:
            element.text = marker + (element.text or "")
            element.tail = marker + (element.tail or "")
    text = root.text_content()
    return [p for p in (_clean(x) for x in text.split(marker)) if p]


def _normal_link(link: str | None) -> str | None:
    """The link as a dedup key: no fragment, no tracking parameters."""
    if not link or _url_problem(link):
        return None
    parts = urlsplit(link.strip())
    query = [
        (k, v)
        for k, v in parse_qsl(parts.query, keep_blank_values=True)
        if not k.lower().startswith("utm_")
    ]
    return urlunsplit(
        (parts.scheme.lower(), parts.netloc.lower(), parts.path or "/", urlencode(query), "")
    )


def _version_suffix(title: str) -> str:
    rank = version_rank(tuple(" ".join(t.split()) for t in _TAG.findall(title)))
    return "" if rank == 0 else f"#v{rank}"


def _published(entry: Mapping[str, Any]) -> dt.datetime | None:
    """The item's time with its own UTC offset when the raw text has one (so the date in the
    file name is the publisher's date), else feedparser's UTC reading."""
    for raw_key, parsed_key in (
        ("published", "published_parsed"),
        ("updated", "updated_parsed"),
        ("created", "created_parsed"),
    ):
        raw = entry.get(raw_key)
        if isinstance(raw, str) and raw.strip():
            when = None
            with contextlib.suppress(TypeError, ValueError, IndexError):
                when = email.utils.parsedate_to_datetime(raw.strip())
            if when is None:
                with contextlib.suppress(ValueError):
                    when = dt.datetime.fromisoformat(raw.strip().replace("Z", "+00:00"))
            if when is not None:
                return when if when.tzinfo else when.replace(tzinfo=dt.UTC)
        parsed = entry.get(parsed_key)
        if isinstance(parsed, time.struct_time):
            return dt.datetime.fromtimestamp(calendar.timegm(parsed), dt.UTC)
    return None


def story_from_entry(entry: Mapping[str, Any], source: str, fetched: dt.datetime) -> _Story | None:
    """A story from one feed item, or None when the item has no title to show."""
    title = " ".join(html_paragraphs(str(entry.get("title") or "")))
    if not title:
        return None
    link = str(entry.get("link") or "").strip() or None
    guid = _clean(entry.get("id")) or None
    content = entry.get("content") or []
    full = ""
    for part in content if isinstance(content, list) else []:
        value = part.get("value") if isinstance(part, Mapping) else None
        if isinstance(value, str) and len(value) > len(full):
            full = value
    summary = str(entry.get("summary") or "")
    paragraphs = html_paragraphs(full) if full else []
    text_from = "feed"
    if len(" ".join(paragraphs)) < len(_clean(summary)) or not paragraphs:
        paragraphs, text_from = html_paragraphs(summary), "summary"
    published = _published(entry)
    dated_by = "feed"
    if published is None:
        # An undated item is dated when first seen: feeds carry fresh news, and a story
        # with no date at all would sink below every dated one in /latest.
        published, dated_by = fetched, "fetched"
    keys: list[str] = []
    suffix = _version_suffix(title)
    if guid:
        keys.append(f"guid:{guid}{suffix}")
    normal = _normal_link(link)
    if normal:
        keys.append(f"link:{normal}{suffix}")
    if not keys:  # neither guid nor link: the title and date are all that identify it
        keys.append(f"title:{title}|{published.date().isoformat()}")
    author = _clean(entry.get("author")) or None
    return _Story(
        title=title,
        published=published,
        dated_by=dated_by,
        url=link if link and not _url_problem(link) else None,
        guid=guid,
        source=source,
        author=author,
        paragraphs=paragraphs,
        text_from=text_from,
        keys=tuple(keys),
    )


def slugify(text: str, limit: int = 60) -> str:
    slug = re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")
    if not slug:  # a title in another script: a digest keeps names short and stable
        return hashlib.sha1(text.encode()).hexdigest()[:12]
    if len(slug) > limit:
        slug = slug[:limit].rsplit("-", 1)[0] or slug[:limit]
    return slug


def feed_slug(url: str) -> str:
    """Folder name of a feed: its host and path, so it stays put when the feed renames itself."""
    parts = urlsplit(url)
    text = f"{parts.hostname or 'feed'}{parts.path}{'-' + parts.query if parts.query else ''}"
    slug = re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-") or "feed"
    if len(slug) > 60:
        slug = f"{slug[:51].rstrip('-')}-{hashlib.sha1(url.encode()).hexdigest()[:8]}"
    return slug


def _keys_in_file(path: Path) -> set[str]:
    """Dedup keys of a story file written earlier (by us, or before the state was lost)."""
    try:
        with open(path, "rb") as handle:
            head = handle.read(16 * 1024).decode("utf-8", errors="replace")
        meta, _ = split_front_matter(head)
    except (OSError, ArticleError):
        return set()
    title = _clean(meta.get("title"))
    suffix = _version_suffix(title)
    keys = set()
    if meta.get("guid"):
        keys.add(f"guid:{_clean(meta['guid'])}{suffix}")
    normal = _normal_link(str(meta.get("url") or ""))
    if normal:
        keys.add(f"link:{normal}{suffix}")
    return keys


def _existing_keys(folder: Path) -> set[str]:
    keys: set[str] = set()
    if folder.is_dir():
        for path in folder.rglob("*.md"):
            if not path.name.startswith("."):
                keys |= _keys_in_file(path)
    return keys


def _write_story(folder: Path, story: _Story, feed_url: str, fetched: dt.datetime) -> Path | None:
    """Write a new story file; None when a file of the same name already holds this item."""
    folder.mkdir(parents=True, exist_ok=True)
    stem = f"{story.published.date().isoformat()}-{slugify(story.title)}"
    data = render_story(story.front_matter(feed_url, fetched), story.paragraphs or [story.title])
    for n in range(1, 100):
        path = folder / (f"{stem}.md" if n == 1 else f"{stem}-{n}.md")
        if path.exists():
            if _keys_in_file(path) & set(story.keys):
                return None  # written before a crash or a lost state: already stored
            continue
        atomic_write(path, data)
        return path
    raise OSError(f"too many stories named {stem} in {folder}")


def _fill_story(path: Path, paragraphs: Sequence[str]) -> bool:
    """Replace a stored summary with the article's full text; False if the file is gone."""
    try:
        meta, _ = split_front_matter(path.read_text(encoding="utf-8"))
    except (OSError, ArticleError, UnicodeDecodeError):
        return False
    meta["text_from"] = "page"
    atomic_write(path, render_story(meta, paragraphs))
    return True


# --- article pages --------------------------------------------------------------------------


def extract_text(html: bytes, url: str | None = None) -> list[str]:
    """Main text of an article page, as paragraphs, by trafilatura (boilerplate dropped)."""
    import trafilatura

    text = trafilatura.extract(
        html,
        url=url,
        output_format="txt",
        include_comments=False,
        include_tables=False,
        include_images=False,
        deduplicate=True,
    )
    if not text:
        return []
    return [p for p in (_clean(line) for line in text.splitlines()) if p]


async def _page_paragraphs(
    session: aiohttp.ClientSession, link: str, options: FetchOptions, check: Check
) -> list[str]:
    response = await _get(session, link, options, check, {"Accept": "text/html,*/*;q=0.5"})
    paragraphs = await asyncio.to_thread(extract_text, response.body, response.url)
    if not paragraphs:
        raise FetchError("no article text found on the page")
    return paragraphs


# --- pulling --------------------------------------------------------------------------------


def _fresh_feed() -> dict[str, Any]:
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
    }


def _remember(feed: dict[str, Any], keys: Iterable[str]) -> None:
    seen: list[str] = feed.setdefault("seen", [])
    present = set(seen)
    fresh = [key for key in dict.fromkeys(keys) if key not in present]
    seen.extend(fresh)
    del seen[:-MAX_SEEN]  # oldest first out: items that old have long left the feed


def _fail(
    feed: dict[str, Any], error: FetchError | str, now: dt.datetime, options: FetchOptions
) -> dt.datetime:
    feed["failures"] = int(feed.get("failures") or 0) + 1
    feed["last_error"] = str(error)
    feed["last_error_at"] = _iso(now)
    delay = backoff_delay(feed["failures"], options)
    retry_after = getattr(error, "retry_after", None)
    if retry_after:  # the server said when; never earlier than our own back-off
        delay = max(delay, min(retry_after, options.backoff_cap))
    when = now + dt.timedelta(seconds=delay)
    feed["next_attempt"] = _iso(when)
    return when


def _malformed(parsed: Any, body: bytes) -> str | None:
    """Why a parsed document is not a feed we trust, or None.

    feedparser recovers from broken XML, but a document cut short can yield a half item that
    dedup would then keep for good; so recovered items are accepted only when the document is
    complete (its root element closes) and merely sloppy, like a stray "&".
    """
    if not parsed.get("version") and not parsed.entries:
        problem = parsed.get("bozo_exception")
        return f"not an RSS or Atom feed ({problem or 'no feed elements'})"
    if parsed.get("bozo"):
        problem = parsed.get("bozo_exception")
        import xml.sax

        if isinstance(problem, xml.sax.SAXException):
            tail = body.rstrip()[-64:].lower()
            if not re.search(rb"</(?:[\w.-]+:)?(?:rss|feed|rdf)>$", tail):
                return f"malformed feed (cut short or broken XML: {problem})"
            log.info("feed has sloppy XML (%s); its complete items are used", problem)
    return None


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
            self._scan = asyncio.ensure_future(asyncio.to_thread(_existing_keys, folder))
        self.known |= await asyncio.shield(self._scan)

    def save(self) -> None:
        try:
            save_state(self.state_file, self.state)
        except OSError as error:  # stories are on disk; the next pull dedups from the files
            log.error("could not save feed state %s: %s", self.state_file, error)

    async def feed(self, url: str) -> FeedResult:
        async with self.semaphore:
            feed = self.state["feeds"].setdefault(url, _fresh_feed())
            try:
                result = await self._feed(url, feed)
            except OSError as error:  # disk full, permissions: nothing was marked stored
                log.error("feed %s: could not store stories: %s", url, error)
                message = f"could not store stories: {error.strerror or error}"
                when = _fail(feed, message, self.now, self.options)
                result = FeedResult(url, "error", error=message, next_attempt=when)
            except Exception as error:  # a bug on one feed must not stop the others
                log.exception("feed %s: unexpected error", url)
                when = _fail(feed, f"internal error: {error!r}"[:300], self.now, self.options)
                result = FeedResult(url, "error", error=feed["last_error"], next_attempt=when)
            self.save()
            return result

    async def _feed(self, url: str, feed: dict[str, Any]) -> FeedResult:
        folder = self.corpus_dir / FEEDS_FOLDER / feed_slug(url)
        filled = await self._retry_pages(feed, folder, url)
        problem = _url_problem(url)
        if problem:
            feed["last_error"] = f"refused: not fetched, the URL {problem}"
            feed["last_error_at"] = _iso(self.now)
            return FeedResult(url, "error", filled=filled, error=feed["last_error"])
        next_attempt = _when(feed.get("next_attempt"))
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
        headers = {
            "Accept": "application/rss+xml, application/atom+xml, application/xml;q=0.9,"
            " text/xml;q=0.9, */*;q=0.5"
        }
        if feed.get("etag"):
            headers["If-None-Match"] = feed["etag"]
        if feed.get("last_modified"):
            headers["If-Modified-Since"] = feed["last_modified"]
        try:
            response = await _get(self.session, url, self.options, _feed_check, headers)
        except FetchError as error:
            when = _fail(feed, error, self.now, self.options)
            log.warning("feed %s: %s; next attempt %s", url, error, _iso(when))
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
        malformed = _malformed(parsed, response.body)
        if malformed:
            when = _fail(feed, malformed, self.now, self.options)
            log.warning("feed %s: %s", url, malformed)
            return FeedResult(url, "error", filled=filled, error=malformed, next_attempt=when)
        source = _clean(parsed.feed.get("title")) or urlsplit(url).hostname or url
        feed["title"] = source
        private_ok = await _host_is_private(urlsplit(url).hostname or "")
        new = await self._entries(
            feed, folder, url, parsed.entries[:MAX_ENTRIES], source, private_ok
        )
        # Validators are kept only once every item is handled, so a pull cut short by a
        # crash sends an unconditional request next time and sees the items again.
        self._succeeded(feed, response)
        if new:
            log.info("feed %s: %d new stories", url, len(new))
        return FeedResult(url, "ok", new=tuple(new), filled=filled)

    def _succeeded(self, feed: dict[str, Any], response: _Response) -> None:
        if response.status != 304:
            feed["etag"] = response.headers.get("ETag")
            feed["last_modified"] = response.headers.get("Last-Modified")
        feed["last_success"] = _iso(self.now)
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
    ) -> list[str]:
        new: list[str] = []
        pages_left = self.options.pages_per_feed
        check = _page_check(private_ok)
        # Oldest first, so that a (LEAD) lands after the story it supersedes.
        for entry in reversed(entries):
            story = story_from_entry(entry, source, self.now)
            if story is None:
                continue
            if self.known & set(story.keys):
                _remember(feed, story.keys)
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
            path = await asyncio.to_thread(_write_story, folder, story, url, self.now)
            _remember(feed, story.keys)
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
                        "next_attempt": _iso(self.now + dt.timedelta(seconds=delay)),
                    }
                )
                log.info("feed %s: kept the summary of %s (%s)", url, relative, reason)
        return new

    async def _retry_pages(self, feed: dict[str, Any], folder: Path, url: str) -> tuple[str, ...]:
        """Fetch again the article pages that failed before; fill in their stories."""
        filled: list[str] = []
        keep: list[dict[str, Any]] = []
        private_ok = await _host_is_private(urlsplit(url).hostname or "")
        check = _page_check(private_ok)
        budget = self.options.pages_per_feed
        for item in feed.get("pending") or []:
            due = _when(item.get("next_attempt"))
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
                item["next_attempt"] = _iso(self.now + dt.timedelta(seconds=delay))
                keep.append(item)
                continue
            if await asyncio.to_thread(_fill_story, path, paragraphs):
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
    with _Lock(state_path.with_name(state_path.name + ".lock")) as locked:
        if not locked:  # another process (CLI beside the bot) is pulling right now
            return FetchReport(tuple(FeedResult(u, "busy") for u in urls))
        state = load_state(state_path)
        own = session is None
        client = session or aiohttp.ClientSession(
            headers={"User-Agent": options.user_agent},
            connector=aiohttp.TCPConnector(limit_per_host=2),
        )
        try:
            pull = _Pull(client, Path(corpus_dir), state, state_path, _now(now), options, force)
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


class _Lock:
    """An exclusive, non-blocking lock file; the OS drops it if the process dies."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.fd: int | None = None

    def __enter__(self) -> bool:
        try:
            import fcntl
        except ImportError:  # not POSIX: no cross-process guard
            return True
        self.fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(self.fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            os.close(self.fd)
            self.fd = None
            return False
        return True

    def __exit__(self, *exc: object) -> None:
        if self.fd is not None:
            os.close(self.fd)  # closing releases the lock
            self.fd = None


def _ago(when: dt.datetime | None) -> str:
    if when is None:
        return "never"
    seconds = (dt.datetime.now(dt.UTC) - when).total_seconds()
    if seconds < 0:
        return f"{when:%Y-%m-%d %H:%M} UTC"
    for unit, size in (("d", 86400), ("h", 3600), ("min", 60)):
        if seconds >= size:
            return f"{seconds / size:.0f} {unit} ago"
    return f"{seconds:.0f} s ago"


__all__ = [
    "FeedResult",
    "FeedStatus",
    "FetchError",
    "FetchOptions",
    "FetchReport",
    "backoff_delay",
    "feed_slug",
    "feed_status",
    "fetch",
    "fetch_all",
    "parse_feed_urls",
    "state_path",
]
