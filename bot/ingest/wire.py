"""Parse wire copy (Yonhap style, and AP/Reuters/AFP datelines) into a story's parts.

The parts are headline, tags, byline, dateline, body paragraphs and captions; everything after
the first ``(END)`` is cut.

Copies come from many places (the wire itself, Yonhap's web pages, republishers, Naver), so the
parser anchors on the one thing they all keep: the dateline opening the lead, ``SEOUL, May 5
(Yonhap) --``. Lines before it are the header (headline, tags, byline, editor's note, page stamps
and site chrome); the headline is the nearest line above the lead that looks like one.
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass, field
from functools import cached_property

from bot.ingest.articles import Paragraph
from bot.ingest.cleaning import clean_text, single_spaced
from bot.ingest.dates import MONTHS, WEEKDAYS, Published, parse_metadata_date, weekday_in
from bot.ingest.wire_header import Header
from bot.ingest.wire_lines import (
    AGENCY_NAMES,
    ARCHIVE_STAMP,
    BYLINE,
    CAPTION_START,
    CATEGORIES,
    CITYLESS_DATELINE,
    END_MATTER,
    HEADER_LIMIT,
    NOTE,
    PICTURE_PLACE,
    STRONG_DATELINE,
    WEAK_DATELINE,
    archive_date,
    is_caption,
    is_chrome,
    is_prose,
    is_trailer,
    strip_mailbox,
)

_CLOSING_CREDIT = re.compile(r"\s*\(Yonhap(?: News)?\)$")


_END = re.compile(r"\(END\)")


# AEN + YYYYMMDD (Seoul date) + 4-digit serial + 2-digit version, then a 3-digit section code.
_WEB_ID = re.compile(r"AEN(?P<date>\d{8})\d{4}\d{2}(?:\d{3})?(?!\d)")


_INDENT = re.compile(r"^[ \t]{2,}\S")


_SENTENCE_END = re.compile(r"[.!?:;][\"”’')\]]*\s*$")


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
    published: Published | None = None  # only from a timestamp printed in the page itself
    ended: bool = False  # an (END) was seen; copy without it may be cut short
    lead_head: str = field(default="", repr=False, compare=False)  # where the weekday is

    @cached_property
    def weekday(self) -> str | None:
        """The weekday the lead says the news was reported on ("tuesday"), if any.

        Found when asked: only a dateline without a year needs it, and most copies carry a
        date in their metadata, so the lead is not searched for every story read.
        """
        text = self.lead_head
        # Both weekday patterns need a weekday's name. Case-insensitive matching also lets
        # a few non-ASCII letters stand for ASCII ones ("ſ" for "s"): only ASCII text is
        # ruled out by a plain search.
        if text.isascii():
            lowered = text.lower()
            if not any(day in lowered for day in WEEKDAYS):
                return None
        return weekday_in(text)


def web_id_date(text: str | None) -> Published | None:
    """Yonhap's web id (AEN + YYYYMMDD + serial + version) carries the Seoul publication date."""
    match = _WEB_ID.search(text or "")
    if not match:
        return None
    stamp = match.group("date")
    found = parse_metadata_date(f"{stamp[:4]}-{stamp[4:6]}-{stamp[6:]}")
    return (
        None
        if found is None
        else Published(found.month, found.day, found.year, True, basis="web id")
    )


def web_id(text: str | None) -> str | None:
    """The whole web id (``AEN20200506000700325``) found in a URL or id, if any."""
    match = _WEB_ID.search(text or "")
    return match.group(0) if match else None


def _paragraphs(text: str) -> list[str]:
    """Split text into paragraphs.

    Web copy has one paragraph per line. Raw wire copy hard-wraps at ~75 characters and indents
    the first line of each paragraph; e-mailed copy may wrap without indents. A line continues
    the one before only in wrapped text, when it is not indented and its first word would not
    have fitted on the line before (that is why the line was broken there). A rule (``----``)
    is a paragraph of its own, glued to text or not.
    """
    lines = [ln.rstrip() for ln in text.split("\n")]
    margin = min((len(ln) - len(ln.lstrip()) for ln in lines if ln.strip()), default=0)
    lines = [ln[margin:] for ln in lines]  # a uniformly indented block is not "indented"
    width = _wrap_width(lines)
    paragraphs: list[str] = []
    previous = ""  # the line before, "" after a blank line
    for line in _unglued_rules(lines):
        stripped = line.strip()
        if not stripped:
            previous = ""
            continue
        if _RULE.fullmatch(stripped):  # a rule stands alone: it ends and starts paragraphs
            paragraphs.append(stripped)
            previous = ""
            continue
        if previous and width and _continues(previous, line, width):
            paragraphs[-1] += " " + stripped
        else:
            paragraphs.append(stripped)
        previous = line
    return [single_spaced(p) for p in paragraphs]


# A horizontal rule: four hyphens or more. Prose has at most the wire's "--" dash.
_RULE = re.compile(r"-{4,}")


_GLUED_RULE = re.compile(r"[ \t]*(-{4,})[ \t]*")


def _unglued_rules(lines: list[str]) -> list[str]:
    """``lines`` with each rule glued to text put on a line of its own.

    Copies scraped from pages that lost their line breaks (Naver's) keep the separator lines
    between a digest's items, glued to the text on both sides (``"...this week.------N. Korea's
    Kim..."``); left there, two items read as one paragraph, and ``------N.`` as the end of a
    sentence. A line of rules and punctuation only (a table's ``-----+-----``) is left alone.
    """
    if not any("----" in line for line in lines):
        return lines
    out: list[str] = []
    for line in lines:
        if "----" not in line or not re.search(r"[^\W_]", _GLUED_RULE.sub("", line)):
            out.append(line)
            continue
        pieces = _GLUED_RULE.split(line)  # text, rule, text, rule, ..., text
        out.extend(piece for piece in pieces if piece.strip())
    return out


def _wrap_width(lines: list[str]) -> int | None:
    """The width text was hard-wrapped at, or None when lines are whole paragraphs."""
    long_lines = [len(ln) for ln in lines if len(ln.strip()) >= 50]
    wrapped = sorted(n for n in long_lines if n <= 100)
    # Paragraph indents are evidence of raw wire already, so fewer lines will do.
    enough = 2 if sum(1 for ln in lines if _INDENT.match(ln)) >= 2 else 3
    # Web copy has the odd short paragraph; wrapped copy has almost no line over 100.
    if len(wrapped) < enough or len(wrapped) < 0.7 * len(long_lines):
        return None
    # Tables and lists also have even, short lines; but a wrapped sentence mostly goes on with
    # a lowercase word, while a table's next row starts like the one before.
    followers = [
        after.strip()[0]
        for before, after in itertools.pairwise(lines)
        if len(before.strip()) >= 50 and after.strip() and not _INDENT.match(after)
    ]
    if not followers or sum(c.islower() for c in followers) < 0.4 * len(followers):
        return None
    return wrapped[int(0.95 * (len(wrapped) - 1))]


def _continues(previous: str, line: str, width: int) -> bool:
    if _INDENT.match(line):
        return False  # raw wire indents the first line of every paragraph
    stripped = line.strip()
    if BYLINE.match(stripped) or NOTE.match(stripped) or STRONG_DATELINE.match(stripped):
        return False
    if len(previous) + 1 + len(stripped.split()[0]) > width:
        return True
    # Copy re-wrapped by a feed (a "<br/>" per line) breaks lines well short of any width;
    # a line left mid-sentence and one going on in lowercase are still one sentence.
    return stripped[0].islower() and not _SENTENCE_END.search(previous)


def parse_wire(text: str, title: str | None = None) -> WireCopy:
    """Parse wire copy. With ``title`` (from metadata) the text is the body alone."""
    text = clean_text(text)
    end = _END.search(text)
    if end:  # everything after the first (END) is site chrome: never indexed, never dated
        text = text[: end.start()]
    archive = ARCHIVE_STAMP.match(text)
    if archive:
        text = text[archive.end() :]
    paragraphs = _paragraphs(text)

    header = Header()
    if title is not None:
        header.set_headline(clean_text(title))
    found = _find_lead(paragraphs)
    if found is not None:
        lead_index, match = found
        header.read_above(paragraphs[:lead_index], want_headline=title is None)
    else:
        lead_index, match = header.read_from_top(paragraphs, want_headline=title is None), None
    body_lines = paragraphs[lead_index:]

    city = month = day = agency = None
    if body_lines:
        lead = body_lines[0]
        if match is None:
            match = WEAK_DATELINE.match(lead)
        elif header.headline:
            match = _after_headline(lead, match, header.headline)
        if match:
            prefix = lead[: match.start()]
            if prefix.strip():  # glued copy: "slug headline(ATTN: ...)By Name SEOUL, ..."
                header.read_glued(prefix)
                body_lines[0] = lead[match.start() :]
            city = " ".join(match.group("city").split()) or None
            region = match.group("region").strip(", ")
            if city and region:
                city = f"{city}, {' '.join(region.split())}"
            if match.group("month"):
                month = MONTHS.get(match.group("month").lower())
                day = int(match.group("day"))
            raw_agency = match.groupdict().get("agency")
            if raw_agency:
                agency = AGENCY_NAMES.get(raw_agency.upper(), raw_agency)

    body: list[Paragraph] = []
    for position, paragraph in enumerate(body_lines):
        paragraph = strip_mailbox(paragraph)
        if paragraph.endswith("(MORE)"):  # the take goes on in another copy: "...1,300(MORE)"
            paragraph = paragraph[: -len("(MORE)")].rstrip()
        if not paragraph or is_chrome(paragraph):
            continue
        is_lead = position == 0 and match is not None  # the dateline paragraph is never a caption
        body.append(Paragraph(paragraph, not is_lead and is_caption(paragraph)))
    matter = next((i for i, p in enumerate(body) if i and END_MATTER.match(p.text)), len(body))
    del body[matter:]  # "Sources", "External links": the references after a wiki story
    while len(body) > 1 and (is_trailer(body[-1].text) or CATEGORIES.match(body[-1].text)):
        body.pop()  # the crawler's sign-off, a wiki's categories: after the story
    # A copy without a dateline (a page cut short) credits the agency at its end as well.
    closing = city is not None or (match is None and len(body) > 1 and not body[-2].is_caption)
    if agency is None and closing and body:
        last = body[-1]
        credit = _CLOSING_CREDIT.search(last.text)
        if credit and not CAPTION_START.match(last.text) and not PICTURE_PLACE.search(last.text):
            # Korea Herald copies: "WASHINGTON -- ..." and the agency credited at the very end;
            # that paragraph is story text, not a photo caption.
            agency = "Yonhap"
            text_left = last.text[: credit.start()].strip()
            body[-1] = Paragraph(text_left, False)
            if not text_left:
                body.pop()
    # Photos shown above the story are kept, marked, after the lead.
    body[1:1] = [Paragraph(caption, True) for caption in header.captions]

    lead_text = body[0].text if body else ""
    return WireCopy(
        headline=header.headline,
        paragraphs=tuple(body),
        tags=header.tags,
        editor_note=header.note,
        slug=header.slug,
        byline=header.byline,
        dateline=city,
        month=month,
        day=day,
        agency=agency,
        published=header.published or archive_date(archive),
        ended=end is not None,
        lead_head=lead_text[:400],
    )


def lead_text(copy: WireCopy) -> str:
    """The lead paragraph without its dateline (or the first caption of a photo story)."""
    prose = [p.text for p in copy.paragraphs if not p.is_caption]
    text = prose[0] if prose else (copy.paragraphs[0].text if copy.paragraphs else "")
    if copy.dateline or copy.month:
        match = (
            STRONG_DATELINE.match(text) or CITYLESS_DATELINE.match(text)
            or WEAK_DATELINE.match(text)
        )  # fmt: skip
        if match:
            text = text[match.end() :]
    return text.strip()


def _find_lead(paragraphs: list[str]) -> tuple[int, re.Match[str]] | None:
    """The paragraph opening with (or, glued, containing) a full dateline, if before any prose.

    In digests a later item's dateline must not swallow the header.
    """
    for index, paragraph in enumerate(paragraphs[:HEADER_LIMIT]):
        head = paragraph[:600]
        # Every full dateline holds the agency's "(": without one the search cannot match.
        match = STRONG_DATELINE.search(head) if "(" in head else None
        if match:
            return index, match
        if is_prose(paragraph):
            return None
    return None


def _after_headline(lead: str, match: re.Match[str], headline: str) -> re.Match[str]:
    """The dateline, starting after the headline when a glued copy runs the two together.

    "... drills with U.S. SEOUL, Dec. 30 (Yonhap) --" would otherwise read as the city
    "U.S. SEOUL".
    """
    at = lead.find(headline, 0, match.end())
    end = at + len(headline)
    if at < 0 or not match.start() < end <= match.end():
        return match
    while end < len(lead) and lead[end].isspace():
        end += 1
    return STRONG_DATELINE.match(lead, end) or CITYLESS_DATELINE.match(lead, end) or match
