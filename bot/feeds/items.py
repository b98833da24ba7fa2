"""Feed items to stories: HTML to paragraphs, the item's time, its dedup keys, the file text."""

from __future__ import annotations

import calendar
import contextlib
import datetime as dt
import logging
import re
import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import yaml

from bot.feeds.report import iso
from bot.feeds.urls import normal_link, redact_text, redact_url, url_problem
from bot.ingest.articles import version_rank
from bot.ingest.rfc822 import parse_rfc822

__all__ = [
    "Story",
    "clean",
    "extract_text",
    "feed_problem",
    "html_paragraphs",
    "render_story",
    "story_from_entry",
    "version_suffix",
]

log = logging.getLogger(__name__)

_TAG = re.compile(r"\(([^()]{1,60})\)")
# C0 controls but tab and newlines, DEL and C1: lxml refuses them, terminals obey them.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
_BLOCKS = frozenset(
    {
        "p", "div", "li", "blockquote", "h1", "h2", "h3", "h4", "h5", "h6", "pre", "tr",
        "section", "article", "figure", "figcaption", "ul", "ol", "table",
    }
)  # fmt: skip
_BREAK = "\u2029"  # paragraph separator: cannot occur in sane text, so it marks breaks


@dataclass
class Story:
    """A feed item on its way to a story file."""

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
        """The story file's YAML keys: the item's metadata and where and when it was fetched."""
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
                "feed": redact_url(feed_url),  # story files are shown to anyone who asks
                "fetched": iso(fetched),
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


def clean(value: object) -> str:
    """One line of plain text: control characters dropped, white space folded."""
    return " ".join(_CONTROL.sub(" ", str(value or "")).split())


def html_paragraphs(html: str) -> list[str]:
    """Paragraphs of an HTML fragment (feed summaries and content).

    Block elements and <br> break paragraphs; scripts and styles are dropped.
    """
    html = _CONTROL.sub(" ", html)
    if "<" not in html:
        parts = re.split(r"\n\s*\n", html)
        return [p for p in (clean(x) for x in parts) if p]
    import lxml.html
    from lxml import etree

    try:
        root = lxml.html.fragment_fromstring(html, create_parent="div")
    except (etree.ParserError, ValueError):
        return [p for p in (clean(x) for x in re.split(r"<[^>]*>", html)) if p]
    for bad in root.xpath("//script|//style|//noscript"):
        bad.drop_tree()
    for element in root.iter():
        if not isinstance(element.tag, str):
            continue
        if element.tag == "br":
            element.tail = _BREAK + (element.tail or "")
        elif element.tag in _BLOCKS:
            element.text = _BREAK + (element.text or "")
            element.tail = _BREAK + (element.tail or "")
    text = root.text_content()
    return [p for p in (clean(x) for x in text.split(_BREAK)) if p]


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
    return [p for p in (clean(line) for line in text.splitlines()) if p]


def version_suffix(title: str) -> str:
    """``#v<rank>`` for a re-sent version ("(LEAD)", "(2nd LD)"), so it is a new item."""
    rank = version_rank(tuple(" ".join(t.split()) for t in _TAG.findall(title)))
    return "" if rank == 0 else f"#v{rank}"


def _published(entry: Mapping[str, Any]) -> dt.datetime | None:
    """The item's time, with its own UTC offset when the raw text has one.

    Keeping the offset makes the date in the file name the publisher's date; without one it is
    feedparser's UTC reading.
    """
    for raw_key, parsed_key in (
        ("published", "published_parsed"),
        ("updated", "updated_parsed"),
        ("created", "created_parsed"),
    ):
        raw = entry.get(raw_key)
        if isinstance(raw, str) and raw.strip():
            moment = parse_rfc822(raw)
            if moment is None:
                with contextlib.suppress(ValueError):
                    moment = dt.datetime.fromisoformat(raw.strip().replace("Z", "+00:00"))
            if moment is not None:
                return moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)
        parsed = entry.get(parsed_key)
        if isinstance(parsed, time.struct_time):
            return dt.datetime.fromtimestamp(calendar.timegm(parsed), dt.UTC)
    return None


def story_from_entry(entry: Mapping[str, Any], source: str, fetched: dt.datetime) -> Story | None:
    """A story from one feed item, or None when the item has no title to show."""
    title = " ".join(html_paragraphs(str(entry.get("title") or "")))
    if not title:
        return None
    raw_link = str(entry.get("link") or "").strip()
    # Some feeds put their own API key into every item link: it must not reach the corpus.
    # Only named secrets are masked: a long article id must stay, or links would collide.
    link = redact_url(raw_link, guess=False) if raw_link and not url_problem(raw_link) else None
    guid = redact_text(clean(entry.get("id"))) or None
    content = entry.get("content") or []
    full = ""
    for part in content if isinstance(content, list) else []:
        value = part.get("value") if isinstance(part, Mapping) else None
        if isinstance(value, str) and len(value) > len(full):
            full = value
    summary = str(entry.get("summary") or "")
    paragraphs = html_paragraphs(full) if full else []
    text_from = "feed"
    if len(" ".join(paragraphs)) < len(clean(summary)) or not paragraphs:
        paragraphs, text_from = html_paragraphs(summary), "summary"
    published = _published(entry)
    dated_by = "feed"
    if published is None:
        # An undated item is dated when first seen: feeds carry fresh news, and a story
        # with no date at all would sink below every dated one in /latest.
        published, dated_by = fetched, "fetched"
    keys: list[str] = []
    suffix = version_suffix(title)
    if guid:
        keys.append(f"guid:{guid}{suffix}")
    normal = normal_link(link)
    if normal:
        keys.append(f"link:{normal}{suffix}")
    if not keys:  # neither guid nor link: the title and date are all that identify it
        keys.append(f"title:{title}|{published.date().isoformat()}")
    return Story(
        title=title,
        published=published,
        dated_by=dated_by,
        url=link,
        guid=guid,
        source=source,
        author=clean(entry.get("author")) or None,
        paragraphs=paragraphs,
        text_from=text_from,
        keys=tuple(keys),
    )


def feed_problem(parsed: Any, body: bytes) -> str | None:
    """Why a parsed document is not a feed we trust (short, fit for /status), or None.

    feedparser recovers from broken XML, but a document cut short can yield a half item that
    dedup would then keep for good; so recovered items are accepted only when the document is
    complete (its root element closes) and merely sloppy, like a stray "&".
    """
    problem = parsed.get("bozo_exception")
    if not parsed.get("version") and not parsed.entries:
        log.info("not a feed: %s", redact_text(str(problem or "no feed elements")))
        return "not an RSS or Atom feed"
    if parsed.get("bozo"):
        import xml.sax

        if isinstance(problem, xml.sax.SAXException):
            tail = body.rstrip()[-64:].lower()
            if not re.search(rb"</(?:[\w.-]+:)?(?:rss|feed|rdf)>$", tail):
                log.info("feed cut short or broken: %s", redact_text(str(problem)))
                return "malformed feed (cut short or broken XML)"
            log.info("feed has sloppy XML (%s); its complete items are used", problem)
    return None
