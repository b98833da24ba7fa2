"""Read corpus files into Articles: wire text, Markdown with front matter, and JSON Lines.

The suffix decides: ``.txt`` is wire copy, ``.md`` Markdown with YAML front matter, ``.jsonl``
JSON Lines for bulk import.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import os
import re
from collections.abc import Mapping
from pathlib import Path

import yaml

from bot.ingest.articles import Article
from bot.ingest.cleaning import clean_text, single_spaced
from bot.ingest.dates import Published, infer_year, parse_metadata_date
from bot.ingest.files import MAX_FILE_BYTES
from bot.ingest.files import SUFFIXES as SUFFIXES  # re-exported: the readers' suffixes
from bot.ingest.slugs import slug
from bot.ingest.wire import WireCopy, lead_text, parse_wire, web_id, web_id_date

# A headline-less story is titled by its lead sentence, cut to about a headline's length.
DERIVED_TITLE_CHARS = 100

# Key names seen in scrapers' front matter and feed exports, most specific first.
KEYS: dict[str, tuple[str, ...]] = {
    "title": ("title", "headline"),
    "date": (
        "published",
        "published_at",
        "pubDate",
        "pubdate",
        "date",
        "versioncreated",
        "updated",
        "firstcreated",
    ),
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
            limit = MAX_FILE_BYTES // 2**20
            raise ArticleError(f"file is {size / 2**20:.0f} MiB, over the {limit} MiB limit")
        raw = path.read_bytes()
    except OSError as error:
        raise ArticleError(f"cannot read: {error.strerror or error}") from error
    return parse_bytes(raw, relative)


def parse_bytes(raw: bytes, relative: str, *, file_time: float | None = None) -> list[Article]:
    """All articles in a file's bytes; ``relative`` (its corpus path) picks the format and ids.

    ``file_time`` (the file's modification time, epoch seconds) is evidence for the year of a
    dateline that has none: see ``dates.infer_year``.
    """
    return parse_file(raw, relative, file_time=file_time)[0]


def parse_file(
    raw: bytes, relative: str, *, file_time: float | None = None
) -> tuple[list[Article], list[str]]:
    """``parse_bytes``, plus what was skipped inside a file that still held stories.

    What was skipped is the bad lines of a JSON Lines file, by number.
    """
    text = decode(raw)
    # os.path rather than pathlib: this runs once per file, and a million-passage build reads
    # 180k of them.
    suffix = os.path.splitext(relative)[1].lower()
    filed = _filed(file_time)
    if suffix == ".jsonl":
        return _read_jsonl(text, relative, filed)
    if suffix in (".md", ".markdown"):
        meta, body = split_front_matter(text)
        return [article_from_record(meta, body, relative, base_id(relative), filed)], []
    if _FRONT.match(text):
        # Scrapers save Markdown-with-front-matter as .txt too; a "---" block that is not YAML
        # is just part of the wire copy.
        try:
            meta, body = split_front_matter(text)
        except ArticleError:
            pass
        else:
            return [article_from_record(meta, body, relative, base_id(relative), filed)], []
    return [article_from_wire(parse_wire(text), {}, relative, base_id(relative), filed)], []


def _filed(file_time: float | None) -> dt.date | None:
    if file_time is None:
        return None
    try:
        return dt.datetime.fromtimestamp(file_time, dt.UTC).date()
    except (OverflowError, OSError, ValueError):  # a nonsense timestamp is no evidence
        return None


def decode(raw: bytes) -> str:
    """Decode UTF-8 (with or without BOM), UTF-16 with a BOM, else Windows-1252.

    Windows-1252 decodes every byte: the five it leaves undefined become U+FFFD.
    """
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            raw_text = raw.decode("utf-16")
        except UnicodeDecodeError as error:
            raise ArticleError("invalid UTF-16 text") from error
        if not raw_text.strip():
            raise ArticleError("empty file")
        return raw_text
    if not raw.strip():
        raise ArticleError("empty file")
    if b"\x00" in raw[:4096]:
        raise ArticleError("binary data, not text")
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        return raw.decode("cp1252", errors="replace")


def base_id(relative: str) -> str:
    """A stable, readable id from the file's name (folders and suffix dropped).

    Folders only sort the archive; ids stay short enough to type, and the corpus makes them
    unique when two folders hold the same name.
    """
    name = os.path.basename(relative)
    stem = name.rsplit(".", 1)[0] if "." in name else name
    return slug(stem, 80, empty="story")  # 80: Discord choice values stop at 100 characters


_FRONT = re.compile(r"\A---[ \t]*\n(.*?)\n(?:---|\.\.\.)[ \t]*(?:\n|\Z)", re.DOTALL)


def split_front_matter(text: str) -> tuple[dict[str, object], str]:
    """YAML front matter and the Markdown body after it."""
    match = _FRONT.match(text)
    if not match:
        return {}, text
    block = match.group(1)
    try:
        meta = _load_yaml(block)
    except yaml.YAMLError as error:
        # YAML forbids tabs in indentation, yet scrapers write them (Naver's author field
        # arrives as "author: \n\t\t\t강재은(...)"). Expanding leading tabs cannot change
        # what a valid block means, so retry with them expanded before giving up.
        expanded = re.sub(r"(?m)^[ \t]+", lambda m: m.group(0).expandtabs(4), block)
        retried = False
        if expanded != block:
            try:
                meta, retried = _load_yaml(expanded), True
            except yaml.YAMLError:
                pass
        if not retried:
            mark = getattr(error, "problem_mark", None)
            where = f" (line {mark.line + 2})" if mark else ""
            problem = getattr(error, "problem", None)
            reason = f": {problem}" if problem else ""
            raise ArticleError(f"front matter is not valid YAML{where}{reason}") from error
    if meta is None or meta == "":
        meta = {}
    if not isinstance(meta, dict):
        raise ArticleError(
            f"front matter is a {type(meta).__name__}, not a mapping of keys to values"
        )
    return meta, text[match.end() :]


# libyaml's parser (PyYAML's C extension) reads front matter several times faster than the
# pure-Python one and builds values with the same constructors and resolver. The two parsers
# still disagree on a few inputs, and there libyaml is the lenient one: tabs as separators,
# Unicode line breaks and BOMs, "!" as a bare tag, a comment glued to a block scalar header
# ("|#"), "?" inside a flow collection ("[Really?]"). Blocks that may hold any of those go to
# the pure-Python loader, as does every block libyaml refuses: what is accepted, its values and
# the errors reported stay exactly the pure loader's.
_HAS_LIBYAML = bool(yaml.__with_libyaml__)
_PURE_ONLY = re.compile(
    r"[\t\x85\u2028\u2029\ufeff]|[|>][-+0-9]*#|(?:^|[\s\[\]{},:?-])!(?:[\s\[\]{},]|$)"
)


# A "*" where an alias could start. Aliases make a 400-byte block name a billion values (the
# "billion laughs"): PyYAML shares them, but anything that walks the value expands them. Front
# matter has no use for them, so a block that may hold one goes to the pure loader, which
# refuses real aliases (a "*" inside quotes or mid-word is not one) before building anything.
_MAY_ALIAS = re.compile(r"(?:^|[\s\[{,:?-])\*")


class _NoAliasLoader(yaml.SafeLoader):
    """PyYAML's safe loader, refusing aliases at the first one the parser meets."""

    def compose_node(self, parent: yaml.Node | None, index: object) -> yaml.Node | None:
        if self.check_event(yaml.AliasEvent):
            event = self.peek_event()
            raise yaml.composer.ComposerError(
                None, None, "aliases (*name) are not accepted in front matter", event.start_mark
            )
        return super().compose_node(parent, index)  # type: ignore[no-untyped-call]


def _fast_loadable(block: str) -> bool:
    if _PURE_ONLY.search(block) or ("*" in block and _MAY_ALIAS.search(block)):
        return False
    return "?" not in block or ("[" not in block and "{" not in block)


# Front matter as exports and most scrapers write it: one "key: value" a line, each value a
# double-quoted string without escapes, or a date. Read directly it gives what PyYAML builds (a
# key no resolver claims is a str, quoted text is itself, a date a datetime.date) at a fraction of
# the cost; any other block, or one PyYAML would read otherwise, goes to the loaders.
_SIMPLE_LINE = re.compile(r'([A-Za-z_][A-Za-z0-9_]*): +(?:"([ !#-\[\]-~]*)"|(\d{4})-(\d\d)-(\d\d))')
_RESOLVED_WORDS = frozenset(
    ["yes", "Yes", "YES", "no", "No", "NO", "true", "True", "TRUE", "false", "False", "FALSE",
     "on", "On", "ON", "off", "Off", "OFF", "null", "Null", "NULL"]
)  # fmt: skip


def _simple_yaml(block: str) -> dict[str, object] | None:
    """The mapping of a block of plain "key: value" lines, or None for any other block."""
    if not block.isascii():
        return None
    meta: dict[str, object] = {}
    for line in block.split("\n"):
        match = _SIMPLE_LINE.fullmatch(line)
        if match is None:
            return None
        key, text, year, month, day = match.groups()
        if key in _RESOLVED_WORDS:  # a bool or null key to PyYAML, not a str
            return None
        if text is None:
            try:
                meta[key] = dt.date(int(year), int(month), int(day))
            except ValueError:  # the loaders report it as they do
                return None
        else:
            meta[key] = text
    return meta


def _load_yaml(block: str) -> object:
    simple = _simple_yaml(block)
    if simple is not None:
        return simple
    if _HAS_LIBYAML and _fast_loadable(block):
        # Refused (or a value rejected): the pure loader below decides and reports.
        with contextlib.suppress(Exception):
            return yaml.load(block, Loader=yaml.CSafeLoader)
    # yaml.load's two steps, spelled out so that the loader is visibly this SafeLoader subclass
    # (the security lint cannot see through the class to its safe base).
    loader = _NoAliasLoader(block)
    try:
        return loader.get_single_data()
    except (RecursionError, ValueError, OverflowError) as error:
        # Deep nesting, or a value PyYAML's constructors reject (a date like 2020-13-45).
        raise yaml.YAMLError(str(error)) from error
    finally:
        loader.dispose()


def _read_jsonl(text: str, relative: str, filed: dt.date | None) -> tuple[list[Article], list[str]]:
    base = base_id(relative)
    seen: set[str] = set()
    articles = []
    problems = []
    records = 0
    # split("\n"), not splitlines(): line numbers must be the ones an editor shows, and
    # splitlines() also breaks at form feeds and Unicode separators inside a record.
    for number, line in enumerate(text.split("\n"), start=1):
        if not line.strip():
            continue
        records += 1
        try:
            try:
                record = json.loads(line)
            except RecursionError as error:
                raise ArticleError("JSON nested too deeply") from error
            if not isinstance(record, dict):
                raise ArticleError("not a JSON object")
            key = _first(record, "id")
            suffix = re.sub(r"[^a-z0-9]+", "-", str(key).lower()).strip("-") if key else ""
            article_id = f"{base}-{suffix or number}"
            if article_id in seen:
                article_id = f"{base}-{number}"
            seen.add(article_id)
            body = _first(record, "body")
            if isinstance(body, list):  # a list of paragraphs
                body = "\n".join(str(p) for p in body)
            elif body is not None and not isinstance(body, str):
                raise ArticleError("body is not text")
            articles.append(
                article_from_record(record, str(body or ""), relative, article_id, filed)
            )
        except (json.JSONDecodeError, ArticleError) as error:
            # One bad record must not cost the others: keep going, and say which lines failed.
            problems.append(f"line {number}: {error}")
    if problems and not articles:
        raise ArticleError("; ".join(problems[:3]))
    if not articles:
        raise ArticleError("no records")
    if not problems:
        return articles, []
    shown = "; ".join(problems[:5]) + ("; ..." if len(problems) > 5 else "")
    return articles, [f"{len(problems)} of {records} lines skipped: {shown}"]


def _first(meta: Mapping[str, object], field: str) -> object | None:
    return _pick(_lowered(meta), field)


def _lowered(meta: Mapping[str, object]) -> dict[str, object]:
    """Metadata by lowercase key (of keys differing only in case, the last one wins)."""
    return {str(k).lower(): v for k, v in meta.items()}


def _pick(lowered: Mapping[str, object], field: str) -> object | None:
    """The first non-empty value among the field's key names, in ``_lowered`` metadata."""
    for key in KEYS[field]:
        value = lowered.get(key.lower())
        if value not in (None, "", []):
            return value
    return None


def _text(value: object | None) -> str | None:
    if value is None:
        return None
    if isinstance(value, list):  # "authors: [a, b]" or [{"name": a}, ...]
        parts = [_text(v) for v in value]
        value = ", ".join(p for p in parts if p)
    elif isinstance(value, dict):  # ninjs-style {"name": ...}
        value = value.get("name") or value.get("title")
        if value is None:
            return None
    text = single_spaced(clean_text(str(value)))
    return text or None


def article_from_record(
    meta: Mapping[str, object],
    body: str,
    relative: str,
    article_id: str,
    filed: dt.date | None = None,
) -> Article:
    """An article from metadata (front matter or a JSON record) and its body text."""
    title = _text(_first(meta, "title"))
    # No title in the metadata: the body's headline line is the title, as in wire copy.
    wire = parse_wire(body, title=title) if title else parse_wire(body)
    return article_from_wire(wire, meta, relative, article_id, filed)


def article_from_wire(
    wire: WireCopy,
    meta: Mapping[str, object],
    relative: str,
    article_id: str,
    filed: dt.date | None = None,
) -> Article:
    """An Article from parsed copy; metadata (may be empty) wins over what the text says.

    Copy without a headline (pages that open at the dateline or byline) is still a story: it
    is titled by its lead sentence and marked ``title_derived``. ``filed``: the file's date.
    """
    if not wire.paragraphs:  # a photo story's caption alone is body enough
        if not wire.headline:
            raise ArticleError("no headline and no body text")
        raise ArticleError("no body text under the headline")
    title, derived = wire.headline, False
    if not title:
        title, derived = derived_title(lead_text(wire)), True
        if not title:
            raise ArticleError("no headline, and no lead sentence to title the story by")
    lowered = _lowered(meta)  # once for all the fields below
    url = _text(_pick(lowered, "url"))
    story_web_id = web_id(url) or web_id(_text(_pick(lowered, "id")))
    published = (
        parse_metadata_date(_pick(lowered, "date"))
        or web_id_date(story_web_id)
        or wire.published
        or _from_dateline(wire, filed)
    )
    source = _text(_pick(lowered, "source"))
    if wire.agency and (source is None or not source.isascii()):
        source = wire.agency  # "연합뉴스" in a Naver copy: the dateline names the agency
    byline = _byline(_text(_pick(lowered, "byline"))) or wire.byline
    return Article(
        article_id=article_id,
        title=title,
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
        license=_text(_pick(lowered, "license")),
        title_derived=derived,
    )


def derived_title(lead: str) -> str:
    """A title for a story without a headline: its first sentence, cut at a word boundary."""
    lead = " ".join(lead.split())
    if not lead:
        return ""
    from sentencex import segment  # imported here: only headline-less copy needs it

    first = next(iter(segment("en", lead)), lead).strip()
    if len(first) <= DERIVED_TITLE_CHARS:
        return first
    cut = first[: DERIVED_TITLE_CHARS + 1].rsplit(" ", 1)[0].rstrip(" ,;:-—")
    return (cut or first[:DERIVED_TITLE_CHARS]) + "…"


def _from_dateline(wire: WireCopy, filed: dt.date | None = None) -> Published | None:
    if wire.month is None or wire.day is None:
        return None
    text = " ".join(p.text for p in wire.paragraphs if not p.is_caption)
    return infer_year(wire.month, wire.day, wire.weekday, text, filed=filed)


def _byline(value: str | None) -> str | None:
    """Front matter may give "강재은(fairydust@yna.co.kr)": keep the name, drop the mailbox."""
    if not value:
        return None
    value = re.sub(r"\(?[\w.+\-]+@[\w\-.]+\)?", "", value).strip(" ,;")
    value = re.sub(r"^By\s+", "", value)
    return value or None
