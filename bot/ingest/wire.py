"""Parse wire copy (Yonhap style, and AP/Reuters/AFP datelines) into a story's parts.

The parts are headline, tags, byline, dateline, body paragraphs and captions; everything after
the first ``(END)`` is cut.

Copies come from many places (the wire itself, Yonhap's web pages, republishers, Naver), so the
parser anchors on the one thing they all keep: the dateline opening the lead, ``SEOUL, May 5
(Yonhap) --``. Lines before it are the header (headline, tags, byline, editor's note, page stamps
and site chrome); the headline is the nearest line above the lead that looks like one.
"""

from __future__ import annotations

import html
import itertools
import re
from dataclasses import dataclass

from bot.ingest.articles import Paragraph
from bot.ingest.dates import MONTHS, Published, parse_metadata_date, weekday_in

_MONTH_WORDS = "|".join(sorted(MONTHS, key=len, reverse=True))
_CITY = r"[A-Z][A-Z.'’\-]*(?:[ /][A-Z][A-Z.'’\-]*)*"
_REGION = rf"(?:,\s*(?!(?:{_MONTH_WORDS})\b)[A-Z][A-Za-z.'’\-]*(?:\s[A-Z][A-Za-z.'’\-]*){{0,2}})"
_DATE = rf"(?:,?\s*(?P<month>(?i:{_MONTH_WORDS}))\.?\s+(?P<day>\d{{1,2}})\b)"
_AGENCY = r"\((?P<agency>[A-Z][A-Za-z.&\- ]{1,40})\)"

# "SEOUL, May 5 (Yonhap) -- ": the agency in brackets makes it safe to look beyond the start.
STRONG_DATELINE = re.compile(
    rf"(?P<city>{_CITY})(?P<region>{_REGION}*){_DATE}?\s*{_AGENCY}\s*(?:--|—|–|-)\s*"
)
# Glued copies may lose the city: "...training drills: JCS Dec. 29 (Yonhap) -- ".
_CITYLESS_DATELINE = re.compile(rf"(?P<city>)(?P<region>){_DATE}\s*{_AGENCY}\s*(?:--|—|–|-)\s*")
# "SEOUL -- " (digests, republishers): trusted only where a paragraph begins, and a single
# hyphen only with spaces around it, so "LG-made phones" is not a dateline.
WEAK_DATELINE = re.compile(
    rf"^(?P<city>[A-Z][A-Z.'’\-]+(?:[ /][A-Z][A-Z.'’\-]*)*)(?P<region>{_REGION}*){_DATE}?"
    r"(?:\s*(?:--|—|–)\s*|\s+-\s+)"
)

_TAG_RUN = re.compile(r"^\s*((?:\([^()]{1,60}\)\s*)+)")
_TAG = re.compile(r"\(([^()]{1,60})\)")
_NOTE = re.compile(r"\(ATTN:[^()]*\)", re.IGNORECASE)
_NAME = r"[A-Z][\w'’.\-]*"
_BYLINE = re.compile(rf"^(?:Photos? )?[Bb]y\s+(?P<name>{_NAME}(?:\s+{_NAME}){{0,4}})\s*$")
_GLUED_BYLINE = re.compile(rf"By\s+(?P<name>{_NAME}(?:\s+{_NAME}){{0,3}}?)\s*$")
# Korea Herald: "By YonhapPublished : May 6, 2020 - 09:10" (a credit and a timestamp, no name).
_REPUBLISHED = re.compile(
    r"^By\s*(?P<name>\w+?)\s*Published\s*:\s*(?P<date>.+?)\s*(?:-\s*(?P<time>\d{1,2}:\d{2}))?$"
)
_MONTH_DAY_YEAR = rf"(?:{_MONTH_WORDS})\.?\s+\d{{1,2}},?\s+\d{{4}}"
# Page timestamps: "All News 07:00 July 11, 2023", "Art/Culture 07:14 July 29, 2021",
# "09:35 January 23, 2021", "August 27, 2018", "29 July 2017". A label needs a time after it,
# so a headline ending in a date is not taken for a stamp.
_PAGE_STAMP = re.compile(
    rf"^(?:(?:[A-Za-z][\w/&.\-]*(?:\s[A-Za-z][\w/&.\-]*){{0,3}}\s+)?(?P<time>\d{{1,2}}:\d{{2}})\s+)?"
    rf"(?P<date>{_MONTH_DAY_YEAR}|\d{{1,2}}\s+(?:{_MONTH_WORDS})\.?\s+\d{{4}})"
    r"(?:\s*-?\s*(?P<time2>\d{1,2}:\d{2}))?$",
    re.IGNORECASE,
)
# "Posted : 2012-11-29 07:19", "연합뉴스 / 2021-07-27 17:23:33", "**연합뉴스** | 2025-12-28 00:00".
_ISO_STAMP = re.compile(r"\d{4}-\d{2}-\d{2}(?:[ T]\d{1,2}:\d{2}(?::\d{2})?)?")
# An archive added " date 2019-05-17 " in front of some page copies.
_ARCHIVE_STAMP = re.compile(r"\A\s*date\s+(?P<date>\d{4}-\d{2}-\d{2})\b[ \t]*")
_DAY_ONLY = re.compile(rf"^(?:{_MONTH_WORDS})\.?\s+\d{{1,2}}$", re.IGNORECASE)
_MAILBOX = re.compile(r"\s*[\w.+\-]+@[\w\-]+(?:\.[\w\-]+)+\s*$")
_CHROME = re.compile(
    r"^(?:\(MORE\)|\(C\)\s*Yonhap.*|.*All Rights Reserved\.?|-+|\(END\))$", re.IGNORECASE
)
_NAVIGATION = re.compile(
    r"^(?:Go to (?:Contents|Navigation)\b.*|Home\s*>.*|Keywords?|select languages|"
    r"Read the full story.*)$",
    re.IGNORECASE,
)
_CAPTION_START = re.compile(
    r"^(?:This|These|A|The)\s+(?:file\s+)?(?:image|photo|photos|picture|photograph|screenshot|"
    r"graphic|captured image|computer-generated image)s?\b",
    re.IGNORECASE,
)
# Wikinews and other wikis credit pictures as "... Image: NASA." at the end of the caption.
_IMAGE_CREDIT = re.compile(r"\bImage:\s*[^\s.][^.]{0,80}\.?$")
_CLOSING_CREDIT = re.compile(r"\s*\(Yonhap(?: News)?\)$")
_MARKUP = " \t*|▲△■□●•#>_"
_END = re.compile(r"\(END\)")
# AEN + YYYYMMDD (Seoul date) + 4-digit serial + 2-digit version, then a 3-digit section code.
_WEB_ID = re.compile(r"AEN(?P<date>\d{8})\d{4}\d{2}(?:\d{3})?(?!\d)")
_HTML_BREAK = re.compile(r"<(?:br|/p|p|/div|div)\b[^>]*>[ \t]*\n?", re.IGNORECASE)
_HTML_TAG = re.compile(
    r"</?(?:html|head|body|div|p|span|b|i|em|strong|a|font|title|meta|center)\b[^>]*>",
    re.IGNORECASE,
)
_INDENT = re.compile(r"^[ \t]{2,}\S")
_SENTENCE_END = re.compile(r"[.!?:;][\"”’')\]]*\s*$")
# A line wholly in square brackets is an editor's aside ("[Kim, who took these pictures, is a
# reporter at ...]"), a photo credit or a correction: never the headline.
_ASIDE = re.compile(r"^\[[^\[\]]+\]$")
_PROSE_END = re.compile(r"[a-z]{2,}[.!?][\"”’']?$")

# Past the first paragraphs a dateline belongs to a later item (digests), not this story.
_HEADER_LIMIT = 40

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
    note = _note_text(note_match.group(0)) if note_match else None
    line = re.sub(r"^#+\s+", "", _NOTE.sub(" ", line).strip())  # "# Title" in Markdown bodies
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
    return (
        None
        if found is None
        else Published(found.month, found.day, found.year, True, basis="web id")
    )


def web_id(text: str | None) -> str | None:
    """The whole web id (``AEN20200506000700325``) found in a URL or id, if any."""
    match = _WEB_ID.search(text or "")
    return match.group(0) if match else None


# Control characters have no place in news copy, and printed raw they drive the reader's
# terminal (ESC ]0; sets the window title, ESC [2J clears it, OSC 52 writes the clipboard).
# Whole escape sequences go, so no residue like "]0;title" is left; then every other C0/C1
# control (tab and newline excepted) and the bidi overrides that reorder displayed text.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
_ESCAPE_SEQUENCE = re.compile(
    r"(?:\x1b\[|\x9b)[0-?]*[ -/]*[@-~]"  # CSI: colours, cursor moves, clearing
    r"|(?:\x1b[\]PX^_]|[\x90\x98\x9d\x9e\x9f])[^\x07\x1b\x9c]{0,512}(?:\x07|\x1b\\|\x9c)?"  # OSC...
    r"|\x1b[ -/]*[0-~]"  # two- and three-character escapes
)
_LINE_CONTROLS = str.maketrans({"\x0b": "\n", "\x0c": "\n", "\x85": "\n"})


def strip_controls(text: str) -> str:
    """``text`` without terminal escape sequences or control characters.

    Newline and tab are kept; form feeds and vertical tabs become newlines.
    """
    if not _CONTROL.search(text):
        return text
    text = _ESCAPE_SEQUENCE.sub("", text).translate(_LINE_CONTROLS)
    return _CONTROL.sub("", text)


def clean_text(text: str) -> str:
    """Unescape HTML entities, normalise newlines, drop control characters and wrapping tags.

    Entities are unescaped twice because Naver copies escape twice; the tags are the few that
    wire feeds wrap copy in (``<br/>`` ends a line).
    """
    text = text.lstrip("\ufeff")
    for _ in range(2):
        text = html.unescape(text)
    # After unescaping: feeds write "&#13;" for the carriage return of CRLF, "&#27;" for ESC.
    text = strip_controls(text.replace("\r\n", "\n").replace("\r", "\n"))
    if "<" in text:
        text = _HTML_BREAK.sub("\n", text)
        text = _HTML_TAG.sub("", text)
    return text.replace("\xa0", " ")


def _paragraphs(text: str) -> list[str]:
    """Split text into paragraphs.

    Web copy has one paragraph per line. Raw wire copy hard-wraps at ~75 characters and indents
    the first line of each paragraph; e-mailed copy may wrap without indents. A line continues
    the one before only in wrapped text, when it is not indented and its first word would not
    have fitted on the line before (that is why the line was broken there).
    """
    lines = [ln.rstrip() for ln in text.split("\n")]
    margin = min((len(ln) - len(ln.lstrip()) for ln in lines if ln.strip()), default=0)
    lines = [ln[margin:] for ln in lines]  # a uniformly indented block is not "indented"
    width = _wrap_width(lines)
    paragraphs: list[str] = []
    previous = ""  # the line before, "" after a blank line
    for line in lines:
        stripped = line.strip()
        if not stripped:
            previous = ""
            continue
        if previous and width and _continues(previous, line, width):
            paragraphs[-1] += " " + stripped
        else:
            paragraphs.append(stripped)
        previous = line
    return [" ".join(p.split()) for p in paragraphs]


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
    if _BYLINE.match(stripped) or _NOTE.match(stripped) or STRONG_DATELINE.match(stripped):
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
    archive = _ARCHIVE_STAMP.match(text)
    if archive:
        text = text[archive.end() :]
    paragraphs = _paragraphs(text)

    header = _Header()
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
        paragraph = _strip_mailbox(paragraph)
        if not paragraph or _CHROME.match(paragraph):
            continue
        is_lead = position == 0 and match is not None  # the dateline paragraph is never a caption
        body.append(Paragraph(paragraph, not is_lead and _is_caption(paragraph)))
    if agency is None and city and body:
        last = body[-1]
        credit = _CLOSING_CREDIT.search(last.text)
        if credit and not _CAPTION_START.match(last.text):
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
        weekday=weekday_in(lead_text[:400]),
        published=header.published or _archive_date(archive),
        ended=end is not None,
    )


def lead_text(copy: WireCopy) -> str:
    """The lead paragraph without its dateline (or the first caption of a photo story)."""
    prose = [p.text for p in copy.paragraphs if not p.is_caption]
    text = prose[0] if prose else (copy.paragraphs[0].text if copy.paragraphs else "")
    if copy.dateline or copy.month:
        match = (
            STRONG_DATELINE.match(text) or _CITYLESS_DATELINE.match(text)
            or WEAK_DATELINE.match(text)
        )  # fmt: skip
        if match:
            text = text[match.end() :]
    return text.strip()


def _find_lead(paragraphs: list[str]) -> tuple[int, re.Match[str]] | None:
    """The paragraph opening with (or, glued, containing) a full dateline, if before any prose.

    In digests a later item's dateline must not swallow the header.
    """
    for index, paragraph in enumerate(paragraphs[:_HEADER_LIMIT]):
        head = paragraph[:600]
        # Every full dateline holds the agency's "(": without one the search cannot match.
        match = STRONG_DATELINE.search(head) if "(" in head else None
        if match:
            return index, match
        if _is_prose(paragraph):
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
    return STRONG_DATELINE.match(lead, end) or _CITYLESS_DATELINE.match(lead, end) or match


class _Header:
    """What the lines above the lead say: headline, tags, note, byline, slug, page date."""

    def __init__(self) -> None:
        self.headline = ""
        self.tags: tuple[str, ...] = ()
        self.note: str | None = None
        self.byline: str | None = None
        self.slug: str | None = None
        self.published: Published | None = None
        self.captions: list[str] = []

    def set_headline(self, line: str) -> None:
        tags, headline, note = split_headline(line)
        self.headline, self.tags = headline, tags
        self.note = self.note or note

    def read_above(self, lines: list[str], want_headline: bool) -> None:
        """Lines above a dateline: the headline is the nearest one that looks like one."""
        headline_at = None
        if want_headline:
            for index in range(len(lines) - 1, -1, -1):
                line = lines[index]
                if _tags_only(line) or self._is_header_only(line) or not _headline_like(line):
                    continue
                headline_at = index
                break
        for index, line in enumerate(lines):
            if index == headline_at:
                self._take_headline(line)
                above = lines[index - 1] if index > 0 else ""
                if above and _tags_only(above):
                    self.tags = _all_tags(above) + self.tags
                    above = lines[index - 2] if index > 1 else ""
                if above and _slug_like(above):
                    self.slug = split_headline(above)[1]
            elif self._read_meta(line):
                continue
            elif _is_caption(_bare(line)):
                self.captions.append(_bare(line))
            elif _tags_only(line) and headline_at is not None and index < headline_at - 1:
                self.tags = _all_tags(line) + self.tags

    def read_from_top(self, lines: list[str], want_headline: bool) -> int:
        """Read a header that has no full dateline; returns the index of the lead paragraph.

        Chrome at the top is skipped, the first headline-like line taken, then the meta lines
        under it.
        """
        index = 0
        pending_tags: tuple[str, ...] = ()
        limit = min(len(lines), _HEADER_LIMIT)
        while index < limit:
            line = lines[index]
            skip = (
                self._read_meta(line)
                or _is_chrome_line(line, bullets=want_headline)
                or bool(_DAY_ONLY.match(_bare(line)))  # "June 26": a date label with no year
                or bool(_ASIDE.match(line.strip()))  # a photo credit or editor's aside
                or self._repeats_headline(line)
            )
            if skip:
                pass
            elif want_headline and not self.headline and _tags_only(line):
                pending_tags += _all_tags(line)  # "(EDITORIAL from Korea Times on July 29)"
            elif want_headline and not self.headline and _is_caption(_bare(line)):
                self.captions.append(_bare(line))
            elif want_headline and not self.headline and _headline_like(line):
                self._take_headline(line)
                self.tags = pending_tags + self.tags
            elif want_headline and not self.headline and len(line) < 60:
                pass  # a label above the headline: "Mon, 05/25/2009 - 11:47", "Photos"
            else:
                break
            index += 1
        if want_headline and not self.headline and pending_tags:
            self.tags = pending_tags
        return index

    def read_glued(self, prefix: str) -> None:
        """Naver copies glue slug, headline, note and byline in front of the dateline."""
        note = _NOTE.search(prefix)
        if note:
            self.note = self.note or _note_text(note.group(0))
            prefix = prefix[: note.start()] + " " + prefix[note.end() :]
        byline = _GLUED_BYLINE.search(prefix.rstrip())
        if byline:
            self.byline = self.byline or byline.group("name")
            prefix = prefix[: byline.start()]
        prefix = " ".join(prefix.split())
        if not prefix:
            return
        if self.headline:
            slug, tags = _slug_before(prefix, self.headline)
            self.slug = self.slug or slug
            self.tags = self.tags or tags
            return
        # No headline anywhere else: "slug (LEAD) headline" splits at the tags; without tags
        # the slug cannot be told from the headline, so all of it is the headline.
        tag = _TAG.search(prefix)
        if tag and tag.start() > 0:
            self.slug = prefix[: tag.start()].strip() or None
            prefix = prefix[tag.start() :]
        self._take_headline(prefix)

    def _take_headline(self, line: str) -> None:
        tags, headline, note = split_headline(_bare(line))
        self.headline = headline
        self.tags = self.tags + tags
        self.note = self.note or note

    def _repeats_headline(self, line: str) -> bool:
        return bool(self.headline) and split_headline(_bare(line))[1] == self.headline

    def _is_header_only(self, line: str) -> bool:
        """A line that can never be the headline (meta, stamp, chrome, caption)."""
        bare = _bare(line)
        return (
            bool(_NOTE.fullmatch(bare) or _REPUBLISHED.match(bare) or _BYLINE.match(bare))
            or _stamp_date(bare) is not None
            or _is_chrome_line(line)
            or bool(_DAY_ONLY.match(bare))
            or _is_caption(bare)
            or bool(_ASIDE.match(line.strip()))
        )

    def _read_meta(self, line: str) -> bool:
        """Take a note, byline or page date from a header line; True if the line was one."""
        bare = _bare(line)
        if _NOTE.fullmatch(bare):
            self.note = self.note or _note_text(bare)
        elif m := _REPUBLISHED.match(bare):
            stamp = m.group("date") + (f" {m.group('time')}" if m.group("time") else "")
            self.published = self.published or parse_metadata_date(stamp)
            if m.group("name").lower() not in ("yonhap", "yna"):  # a credit, not a reporter
                self.byline = self.byline or m.group("name")
        elif m := _BYLINE.match(bare):
            self.byline = self.byline or m.group("name")
        elif (stamp_date := _stamp_date(bare)) is not None:
            self.published = self.published or stamp_date
        else:
            return False
        return True


def _stamp_date(bare: str) -> Published | None:
    """The date of a page timestamp line, or None when the line is not one."""
    if len(bare) > 80:
        return None
    if m := _PAGE_STAMP.match(bare):
        time = m.group("time") or m.group("time2")
        found = parse_metadata_date(m.group("date") + (f" {time}" if time else ""))
        return _as_page_stamp(found)
    iso = _ISO_STAMP.search(bare)
    if iso:
        rest = (bare[: iso.start()] + " " + bare[iso.end() :]).strip(" |/:*")
        # A label like "Posted :", "연합뉴스 /", "Photos / 황석주 /"; not a sentence.
        if len(rest.split()) <= 4 and not re.search(r"[.!?]$", rest):
            return _as_page_stamp(parse_metadata_date(iso.group(0)))
    return None


def _as_page_stamp(found: Published | None) -> Published | None:
    if found is None:
        return None
    return Published(found.month, found.day, found.year, True, time=found.time, basis="page stamp")


def _archive_date(match: re.Match[str] | None) -> Published | None:
    if match is None:
        return None
    found = parse_metadata_date(match.group("date"))
    if found is None:
        return None
    return Published(found.month, found.day, found.year, True, basis="archive stamp")


def _bare(line: str) -> str:
    """A header line without the page's markup: bullets, pipes, Markdown emphasis."""
    return " ".join(line.strip(_MARKUP).split())


def _note_text(note: str) -> str:
    return " ".join(note.strip().strip("()").split())


def _tags_only(line: str) -> bool:
    bare = _bare(line)
    run = _TAG_RUN.match(bare)
    return bool(run) and run.end() == len(bare) and not _NOTE.fullmatch(bare)


def _all_tags(line: str) -> tuple[str, ...]:
    return tuple(" ".join(t.split()) for t in _TAG.findall(line))


def _is_chrome_line(line: str, bullets: bool = True) -> bool:
    """Navigation, share buttons, image links, separators and labels around a page's story.

    Bulleted lines are share buttons and headline lists on web pages, but may be content at the
    top of a scraped Markdown body, hence ``bullets``.
    """
    stripped = line.strip()
    bare = _bare(line)
    words = bare.split()
    return (
        not re.search(r"[^\W\d_]", bare)  # "62274", "---", "|"
        or stripped.startswith(("![", "[!"))
        or (bullets and stripped.startswith(("•", "- ")))
        or bool(_NAVIGATION.match(bare))
        or (bare.endswith(":") and len(words) <= 3)  # "ID :", "Auther :"
        or bool(_CHROME.match(bare))
    )


def _headline_like(line: str) -> bool:
    bare = _bare(line)
    if _ASIDE.match(line.strip()):
        return False
    worded = [w for w in bare.split() if re.search(r"[^\W\d_]", w)]
    return len(worded) >= 2 and len(bare) <= 300 and not _is_prose(bare)


def _slug_like(line: str) -> bool:
    """Yonhap's slug line ("Yoon-NK threat", "US-N Korea-poll") sits above some headlines."""
    bare = split_headline(_bare(line))[1]
    return (
        0 < len(bare.split()) <= 6
        and bool(re.search(r"\w-\w", bare))
        and not re.search(r"[.!?:]$", bare)
        and not _is_chrome_line(line)
    )


def _is_prose(paragraph: str) -> bool:
    """A body sentence rather than a headline, label or caption."""
    if _is_caption(_bare(paragraph)):
        return False
    if len(paragraph) >= 200:
        return True
    if len(paragraph) < 60 or not _PROSE_END.search(paragraph):
        return False
    # Headlines end in a period only after an abbreviation: "... : State Dept.", "... Corp."
    last = paragraph.split()[-1].rstrip("\"”’'")
    return not ("." in last[:-1] or (last[0].isupper() and len(last) <= 6))


def _slug_before(prefix: str, headline: str) -> tuple[str | None, tuple[str, ...]]:
    """A glued copy's slug, which precedes a repeat of the headline, and any tags between them.

    The slug is what comes before the repeat.
    """
    at = prefix.find(headline) if headline else -1
    if at < 0:
        at = prefix.lower().find(headline.lower()) if headline else -1
    if at < 0:
        return None, ()
    before = prefix[:at]
    tags = _all_tags(before)
    slug = _TAG.sub(" ", before)
    slug = " ".join(slug.split())
    return slug or None, tags


def _strip_mailbox(paragraph: str) -> str:
    """Drop the reporter's mailbox ending the story (also glued: "...leak. me@yna.co.kr")."""
    if "@" not in paragraph[-120:]:
        return paragraph.strip()
    tail_start = max(0, len(paragraph) - 120)  # look at the tail only: bounded regex work
    tail = _MAILBOX.sub("", paragraph[tail_start:])
    return (paragraph[:tail_start] + tail).strip()


def _is_caption(paragraph: str) -> bool:
    return (
        paragraph.endswith("(Yonhap)")
        or "(PHOTO NOT FOR SALE)" in paragraph
        or bool(_CAPTION_START.match(paragraph))
        or ("Image:" in paragraph[-100:] and bool(_IMAGE_CREDIT.search(paragraph[-100:])))
    )
