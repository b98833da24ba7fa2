"""Read corpus files into Articles: wire text (.txt), Markdown with YAML front matter (.md),
and JSON Lines for bulk import (.jsonl)."""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterable, Mapping
from pathlib import Path

import yaml

from bot.articles import Article
from bot.dates import Published, infer_year, parse_metadata_date
from bot.wire import WireCopy, clean_text, parse_wire, web_id, web_id_date

SUFFIXES = (".txt", ".md", ".markdown", ".jsonl")
MAX_FILE_BYTES = 20 * 1024 * 1024  # larger files are refused with a reason, not read

# Key names seen in scrapers' front matter and feed exports, most specific first.
KEYS: dict[str, tuple[str, ...]] = {
    "title": ("title", "headline"),
    "date": ("published", "published_at", "pubDate", "pubdate", "date", "versioncreated",
             "updated", "firstcreated"),
    "url": ("url", "link", "uri", "canonical_url", "source_url"),
    "byline": ("byline", "author", "authors"),
    "source": ("source", "agency", "publisher"),
    "body": ("body", "body_text", "text", "content", "paragraphs"),
    "id": ("id", "guid", "web_id"),
    "license": ("license", "licence", "rights"),
}


class ArticleError(ValueError):
    """A file (or a record in it) that cannot be read as a story; the message says why."""


def read_file(path: Path, relative: str) -> list[Article]:
    """All articles in one corpus file. Raises ArticleError with a reason a person can act on."""
    try:
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            raise ArticleError(f"file is {size / 2**20:.0f} MiB, over the {MAX_FILE_BYTES // 2**20} MiB limit")
        raw = path.read_bytes()
    except OSError as error:
        raise ArticleError(f"cannot read: {error.strerror or error}") from error
    text = decode(raw)
    suffix = path.suffix.lower()
    if suffix == ".jsonl":
        return list(_read_jsonl(text, relative))
    if suffix in (".md", ".markdown"):
        meta, body = split_front_matter(text)
        return [article_from_record(meta, body, relative, base_id(relative))]
    return [article_from_wire(parse_wire(text), {}, relative, base_id(relative))]


def decode(raw: bytes) -> str:
    """UTF-8 (with or without BOM), else Windows-1252, which every byte decodes in practice."""
    if not raw.strip():
        raise ArticleError("empty file")
    if b"\x00" in raw[:4096]:
        raise ArticleError("binary data, not text")
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        return raw.decode("cp1252", errors="replace")


def base_id(relative: str) -> str:
    """A stable, readable id from the file's path in the corpus (suffix dropped)."""
    stem = relative.rsplit(".", 1)[0] if "." in Path(relative).name else relative
    slug = re.sub(r"[^a-z0-9]+", "-", stem.lower()).strip("-") or "story"
    if len(slug) > 80:  # Discord choice values stop at 100 characters
        digest = hashlib.sha1(stem.encode()).hexdigest()[:8]
        slug = f"{slug[:71].rstrip('-')}-{digest}"
    return slug


_FRONT = re.compile(r"\A---[ \t]*\n(.*?)\n(?:---|\.\.\.)[ \t]*(?:\n|\Z)", re.DOTALL)


def split_front_matter(text: str) -> tuple[dict[str, object], str]:
    """YAML front matter and the Markdown body after it."""
    match = _FRONT.match(text)
    if not match:
        return {}, text
    try:
        meta = yaml.safe_load(match.group(1))
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        where = f" (line {mark.line + 2})" if mark else ""
        raise ArticleError(f"front matter is not valid YAML{where}") from error
    if meta is None:
        meta = {}
    if not isinstance(meta, dict):
        raise ArticleError("front matter is not a mapping of keys to values")
    return meta, text[match.end() :]


def _read_jsonl(text: str, relative: str) -> Iterable[Article]:
    base = base_id(relative)
    seen: set[str] = set()
    articles = []
    problems = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
            if not isinstance(record, dict):
                raise ArticleError("not a JSON object")
            key = _first(record, "id")
            suffix = re.sub(r"[^a-z0-9]+", "-", str(key).lower()).strip("-") if key else ""
            article_id = f"{base}-{suffix or number}"
            if article_id in seen:
                article_id = f"{base}-{number}"
            seen.add(article_id)
            body = _first(record, "body")
            if isinstance(body, list):
                body = "\n".join(str(p) for p in body)
            articles.append(article_from_record(record, str(body or ""), relative, article_id))
        except (json.JSONDecodeError, ArticleError) as error:
            problems.append(f"line {number}: {error}")
    if problems and not articles:
        raise ArticleError("; ".join(problems[:3]))
    return articles


def _first(meta: Mapping[str, object], field: str) -> object | None:
    lowered = {str(k).lower(): v for k, v in meta.items()}
    for key in KEYS[field]:
        value = lowered.get(key.lower())
        if value not in (None, "", []):
            return value
    return None


def _text(value: object | None) -> str | None:
    if value is None:
        return None
    if isinstance(value, list):
        value = ", ".join(str(v) for v in value)
    if isinstance(value, dict):
        value = value.get("name") or value.get("title")
    text = " ".join(clean_text(str(value)).split())
    return text or None


def article_from_record(
    meta: Mapping[str, object], body: str, relative: str, article_id: str
) -> Article:
    """An article from metadata (front matter or a JSON record) and its body text."""
    title = _text(_first(meta, "title"))
    wire = parse_wire(body, title=title or "")
    if not title:
        # No title in the metadata: the body's first line is the headline, as in wire copy.
        wire = parse_wire(body)
    return article_from_wire(wire, meta, relative, article_id)


def article_from_wire(
    wire: WireCopy, meta: Mapping[str, object], relative: str, article_id: str
) -> Article:
    if not wire.headline:
        raise ArticleError("no headline")
    if not wire.paragraphs:
        raise ArticleError("no body text")
    url = _text(_first(meta, "url"))
    story_web_id = web_id(url) or web_id(_text(_first(meta, "id")))
    published = (
        parse_metadata_date(_first(meta, "date"))
        or web_id_date(story_web_id)
        or wire.published
        or _from_dateline(wire)
    )
    source = _text(_first(meta, "source"))
    if wire.agency and (source is None or not source.isascii()):
        source = wire.agency  # "연합뉴스" in a Naver copy: the dateline names the agency
    byline = _byline(_text(_first(meta, "byline"))) or wire.byline
    return Article(
        article_id=article_id,
        title=wire.headline,
        paragraphs=wire.paragraphs,
        path=relative,
        tags=wire.tags,
        editor_note=wire.editor_note,
        slug=wire.slug or _text(meta.get("slug")),
        byline=byline,
        dateline=wire.dateline,
        source=source or wire.agency,
        url=url,
        published=published,
        web_id=story_web_id,
        license=_text(_first(meta, "license")),
    )


def _from_dateline(wire: WireCopy) -> Published | None:
    if wire.month is None or wire.day is None:
        return None
    text = " ".join(p.text for p in wire.paragraphs if not p.is_caption)
    return infer_year(wire.month, wire.day, wire.weekday, text)


def _byline(value: str | None) -> str | None:
    """Front matter may give "강재은(fairydust@yna.co.kr)": keep the name, drop the mailbox."""
    if not value:
        return None
    value = re.sub(r"\(?[\w.+\-]+@[\w\-.]+\)?", "", value).strip(" ,;")
    value = re.sub(r"^By\s+", "", value)
    return value or None


