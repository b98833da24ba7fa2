"""Parse wire copy (Yonhap style, and AP/Reuters/AFP datelines): headline, tags, byline, dateline,
body paragraphs and captions, cutting everything after the first ``(END)``."""

from __future__ import annotations

import html
import re
from dataclasses import dataclass

from bot.articles import Paragraph
from bot.dates import MONTHS, Published, parse_metadata_date, weekday_in

_MONTH_WORDS = "|".join(sorted(MONTHS, key=len, reverse=True))
_CITY = r"[A-Z][A-Z.'’\-]*(?:[ /][A-Z][A-Z.'’\-]*)*"
_REGION = rf"(?:,\s*(?!(?:{_MONTH_WORDS})\b)[A-Z][A-Za-z.'’\-]*(?:\s[A-Z][A-Za-z.'’\-]*){{0,2}})"
_DATE = rf"(?:,?\s*(?P<month>(?i:{_MONTH_WORDS}))\.?\s+(?P<day>\d{{1,2}}))"
_DASH = r"\s*(?:--|—|–|-)\s*"
_AGENCY = r"\((?P<agency>[A-Z][A-Za-z.&\- ]{1,40})\)"

# "SEOUL, May 5 (Yonhap) -- ": the agency in brackets makes it safe to look beyond the start.
STRONG_DATELINE = re.compile(rf"(?P<city>{_CITY})(?P<region>{_REGION}*){_DATE}?\s*{_AGENCY}{_DASH}")
# "SEOUL -- " (digests, republishers): trusted only where a paragraph begins.
WEAK_DATELINE = re.compile(rf"^(?P<city>{_CITY})(?P<region>{_REGION}*){_DATE}?{_DASH}")

_TAG_RUN = re.compile(r"^\s*((?:\([^()]{1,60}\)\s*)+)")
_TAG = re.compile(r"\(([^()]{1,60})\)")
_NOTE = re.compile(r"\(ATTN:[^()]*\)", re.IGNORECASE)
_BYLINE = re.compile(r"^By\s+(?P<name>[A-Z][\w'’.\-]*(?:\s+[A-Z][\w'’.\-]*){0,4})\s*$")
_GLUED_BYLINE = re.compile(r"By\s+(?P<name>[A-Z][\w'’.\-]*(?:\s+[A-Z][\w'’.\-]*){0,3}?)\s*$")
_REPUBLISHED = re.compile(r"^By\s*(?P<name>\w+?)\s*Published\s*:\s*(?P<date>.+?)\s*(?:-\s*[\d:]+)?$")
_PAGE_STAMP = re.compile(r"^(?:All News\s+)?\d{1,2}:\d{2}\s+(?P<date>[A-Z][a-z]+\.? \d{1,2}, \d{4})$")
_MAILBOX = re.compile(r"\s*[\w.+\-]+@[\w\-]+(?:\.[\w\-]+)+\s*$")
_CHROME = re.compile(
    r"^(?:\(MORE\)|\(C\)\s*Yonhap.*|.*All Rights Reserved\.?|-+|\(END\))$", re.IGNORECASE
)
_CAPTION_START = re.compile(
    r"^(?:This|These|A|The)\s+(?:file\s+)?(?:image|photo|photos|picture|photograph|screenshot|"
    r"graphic|captured image)s?\b",
    re.IGNORECASE,
)
_END = re.compile(r"\(END\)")
_WEB_ID = re.compile(r"AEN(?P<date>\d{8})\d{4}\d{2}")

AGENCY_NAMES = {"AP": "AP", "REUTERS": "Reuters", "AFP": "AFP", "YONHAP": "Yonhap"}


@dataclass(frozen=True)
class WireCopy:
    """What a wire story's text says about itself."""

    headline: str
    paragraphs: tuple[Paragraph, ...]
    tags: tuple[str, ...] = ()
    editor_note: str | None = None
    slug: str | None = None
    byline: str | None = None
    dateline: str | None = None
    month: int | None = None
    day: int | None = None
    agency: str | None = None
    weekday: str | None = None
    published: Published | None = None  # only from a timestamp printed in the page itself
    ended: bool = False  # an (END) was seen; copy without it may be cut short


def split_headline(line: str) -> tuple[tuple[str, ...], str, str | None]:
    """Split ``(LEAD) (News Focus) Title(ATTN: ...)`` into tags, clean title and editor's note."""
    note_match = _NOTE.search(line)
    note = note_match.group(0).strip("()").strip() if note_match else None
    line = _NOTE.sub(" ", line).strip()
    tags: tuple[str, ...] = ()
    run = _TAG_RUN.match(line)
    if run and run.end() < len(line):  # a title that is only brackets keeps them
        tags = tuple(" ".join(t.split()) for t in _TAG.findall(run.group(1)))
        line = line[run.end() :]
    return tags, " ".join(line.split()), note


def web_id_date(text: str | None) -> Published | None:
    """Yonhap's web id (AEN + YYYYMMDD + serial + version) carries the Seoul publication date."""
    match = _WEB_ID.search(text or "")
    if not match:
        return None
    stamp = match.group("date")
    found = parse_metadata_date(f"{stamp[:4]}-{stamp[4:6]}-{stamp[6:]}")
    return None if found is None else Published(
        found.month, found.day, found.year, True, basis="web id"
    )


def web_id(text: str | None) -> str | None:
    match = _WEB_ID.search(text or "")
    return match.group(0) if match else None


def _paragraphs(text: str) -> list[str]:
    """Web copy has one paragraph per line; raw wire copy indents paragraphs and hard-wraps."""
    lines = text.split("\n")
    indented = sum(1 for ln in lines if re.match(r"^ {2,5}\S", ln))
    if indented < 2:
        return [" ".join(ln.split()) for ln in lines if ln.strip()]
    paragraphs: list[list[str]] = []
    for ln in lines:
        if not ln.strip():
            paragraphs.append([])
        elif re.match(r"^\s+\S", ln) or not paragraphs:
            paragraphs.append([ln.strip()])
        else:
            paragraphs[-1].append(ln.strip())
    return [" ".join(" ".join(p).split()) for p in paragraphs if p]


def clean_text(text: str) -> str:
    """Unescape HTML entities (twice: Naver copies escape twice) and normalise newlines."""
    text = text.replace("\r\n", "\n").replace("\r", "\n").lstrip("\ufeff")
    for _ in range(2):
        text = html.unescape(text)
    return text.replace("\xa0", " ")


def parse_wire(text: str, title: str | None = None) -> WireCopy:
    """Parse wire copy. With ``title`` (from metadata) the text is the body alone."""
    text = clean_text(text)
    end = _END.search(text)
    if end:  # everything after the first (END) is site chrome: never indexed, never dated
        text = text[: end.start()]
    paragraphs = _paragraphs(text)

    headline_line = title if title is not None else (paragraphs.pop(0) if paragraphs else "")
    tags, headline, note = split_headline(clean_text(headline_line))
    if title is not None and paragraphs:
        first = paragraphs[0].lstrip("# ").strip()
        if split_headline(first)[1] == headline:  # a Markdown copy repeating its title
            paragraphs.pop(0)

    byline: str | None = None
    published: Published | None = None
    slug: str | None = None
    while paragraphs:
        line = paragraphs[0]
        if _NOTE.fullmatch(line.strip()):
            note = note or line.strip().strip("()").strip()
        elif m := _REPUBLISHED.match(line):
            published = parse_metadata_date(m.group("date"))
        elif m := _BYLINE.match(line):
            byline = m.group("name")
        elif m := _PAGE_STAMP.match(line):
            published = parse_metadata_date(m.group("date"))
        else:
            break
        paragraphs.pop(0)

    city = month = day = agency = None
    if paragraphs:
        lead = paragraphs[0]
        strong = STRONG_DATELINE.search(lead[:600])
        weak = WEAK_DATELINE.match(lead)
        match = strong if strong and (strong.start() == 0 or not weak) else weak
        if match:
            prefix = lead[: match.start()]
            if prefix.strip():  # glued copy: "slug headline(ATTN: ...)By Name SEOUL, ..."
                if n := _NOTE.search(prefix):
                    note = note or n.group(0).strip("()").strip()
                    prefix = prefix[: n.start()] + " " + prefix[n.end() :]
                if b := _GLUED_BYLINE.search(prefix.rstrip()):
                    byline = byline or b.group("name")
                    prefix = prefix[: b.start()]
                slug = _slug_before(prefix, headline)
                paragraphs[0] = lead = lead[match.start() :]
            city = " ".join(match.group("city").split())
            region = match.group("region").strip(", ")
            if region:
                city = f"{city}, {region}"
            if match.group("month"):
                month = MONTHS.get(match.group("month").lower())
                day = int(match.group("day"))
            raw_agency = match.groupdict().get("agency")
            if raw_agency:
                agency = AGENCY_NAMES.get(raw_agency.upper(), raw_agency)

    body: list[Paragraph] = []
    for position, paragraph in enumerate(paragraphs):
        paragraph = _MAILBOX.sub("", paragraph).strip()
        if not paragraph or _CHROME.match(paragraph) or _MAILBOX.fullmatch(paragraph):
            continue
        body.append(Paragraph(paragraph, position > 0 and _is_caption(paragraph)))
    if agency is None and body and body[-1].text.endswith("(Yonhap)") and city:
        agency = "Yonhap"  # Korea Herald copies: "WASHINGTON -- ... (Yonhap)"

    lead_text = body[0].text if body else ""
    return WireCopy(
        headline=headline,
        paragraphs=tuple(body),
        tags=tags,
        editor_note=note,
        slug=slug,
        byline=byline,
        dateline=city,
        month=month,
        day=day,
        agency=agency,
        weekday=weekday_in(lead_text[:400]),
        published=published,
        ended=end is not None,
    )


def _slug_before(prefix: str, headline: str) -> str | None:
    """In glued copies the slug precedes a repeat of the headline: keep what comes before it."""
    prefix = " ".join(prefix.split())
    _, cleaned, _ = split_headline(prefix)
    if headline and headline in prefix:
        cleaned = prefix[: prefix.index(headline)]
        cleaned = _TAG_RUN.sub("", cleaned)
        cleaned = _TAG.sub("", cleaned).strip()
    return cleaned or None


def _is_caption(paragraph: str) -> bool:
    return (
        paragraph.endswith("(Yonhap)")
        or "(PHOTO NOT FOR SALE)" in paragraph
        or bool(_CAPTION_START.match(paragraph))
    )
