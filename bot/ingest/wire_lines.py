"""What a line of wire copy is: datelines, bylines, tags, page stamps, site chrome, captions."""

from __future__ import annotations

import re

from bot.ingest.cleaning import single_spaced
from bot.ingest.dates import MONTHS, Published, parse_metadata_date

MONTH_WORDS = "|".join(sorted(MONTHS, key=len, reverse=True))


CITY = r"[A-Z][A-Z.'’\-]*(?:[ /][A-Z][A-Z.'’\-]*)*"


REGION = rf"(?:,\s*(?!(?:{MONTH_WORDS})\b)[A-Z][A-Za-z.'’\-]*(?:\s[A-Z][A-Za-z.'’\-]*){{0,2}})"


DATE = rf"(?:,?\s*(?P<month>(?i:{MONTH_WORDS}))\.?\s+(?P<day>\d{{1,2}})\b)"


AGENCY = r"\((?P<agency>[A-Z][A-Za-z.&\- ]{1,40})\)"


# "SEOUL, May 5 (Yonhap) -- ": the agency in brackets makes it safe to look beyond the start.
STRONG_DATELINE = re.compile(
    rf"(?P<city>{CITY})(?P<region>{REGION}*){DATE}?\s*{AGENCY}\s*(?:--|—|–|-)\s*"
)


# Glued copies may lose the city: "...training drills: JCS Dec. 29 (Yonhap) -- ".
CITYLESS_DATELINE = re.compile(rf"(?P<city>)(?P<region>){DATE}\s*{AGENCY}\s*(?:--|—|–|-)\s*")


# "SEOUL -- " (digests, republishers): trusted only where a paragraph begins, and a single
# hyphen only with spaces around it, so "LG-made phones" is not a dateline.
WEAK_DATELINE = re.compile(
    rf"^(?P<city>[A-Z][A-Z.'’\-]+(?:[ /][A-Z][A-Z.'’\-]*)*)(?P<region>{REGION}*){DATE}?"
    r"(?:\s*(?:--|—|–)\s*|\s+-\s+)"
)


TAG_RUN = re.compile(r"^\s*((?:\([^()]{1,60}\)\s*)+)")


TAG = re.compile(r"\(([^()]{1,60})\)")


NOTE = re.compile(r"\(ATTN:[^()]*\)", re.IGNORECASE)


NAME = r"[A-Z][\w'’.\-]*"


BYLINE = re.compile(rf"^(?:Photos? )?[Bb]y\s+(?P<name>{NAME}(?:\s+{NAME}){{0,4}})\s*$")


GLUED_BYLINE = re.compile(rf"By\s+(?P<name>{NAME}(?:\s+{NAME}){{0,3}}?)\s*$")


# Korea Herald: "By YonhapPublished : May 6, 2020 - 09:10" (a credit and a timestamp, no name).
REPUBLISHED = re.compile(
    r"^By\s*(?P<name>\w+?)\s*Published\s*:\s*(?P<date>.+?)\s*(?:-\s*(?P<time>\d{1,2}:\d{2}))?$"
)


MONTH_DAY_YEAR = rf"(?:{MONTH_WORDS})\.?\s+\d{{1,2}},?\s+\d{{4}}"


# Page timestamps: "All News 07:00 July 11, 2023", "Art/Culture 07:14 July 29, 2021",
# "09:35 January 23, 2021", "August 27, 2018", "29 July 2017". A label needs a time after it,
# so a headline ending in a date is not taken for a stamp.
PAGE_STAMP = re.compile(
    rf"^(?:(?:[A-Za-z][\w/&.\-]*(?:\s[A-Za-z][\w/&.\-]*){{0,3}}\s+)?(?P<time>\d{{1,2}}:\d{{2}})\s+)?"
    rf"(?P<date>{MONTH_DAY_YEAR}|\d{{1,2}}\s+(?:{MONTH_WORDS})\.?\s+\d{{4}})"
    r"(?:\s*-?\s*(?P<time2>\d{1,2}:\d{2}))?$",
    re.IGNORECASE,
)


# "Posted : 2012-11-29 07:19", "연합뉴스 / 2021-07-27 17:23:33", "**연합뉴스** | 2025-12-28 00:00".
ISO_STAMP = re.compile(r"\d{4}-\d{2}-\d{2}(?:[ T]\d{1,2}:\d{2}(?::\d{2})?)?")


# An archive added " date 2019-05-17 " in front of some page copies.
ARCHIVE_STAMP = re.compile(r"\A\s*date\s+(?P<date>\d{4}-\d{2}-\d{2})\b[ \t]*")


DAY_ONLY = re.compile(rf"^(?:{MONTH_WORDS})\.?\s+\d{{1,2}}$", re.IGNORECASE)


MAILBOX = re.compile(r"\s*[\w.+\-]+@[\w\-]+(?:\.[\w\-]+)+\s*$")


CHROME = re.compile(
    r"^(?:\(MORE\)|\(C\)\s*Yonhap.*|.*All Rights Reserved\.?|-+|\(END\))$", re.IGNORECASE
)


def is_chrome(line: str) -> bool:
    """True when a paragraph or bare line is site chrome (``CHROME``): "(MORE)", "---"...

    ``CHROME`` tries "All Rights Reserved" at every position of every paragraph; it can only
    match a line that starts with "(" or "-", or ends in "reserved" with an optional period
    (before an optional line break, as ``$`` allows). No character but the ASCII letters
    matches "r", "v", "e" or "d" case-insensitively (tested), so that test is exact.
    """
    tail = line[-6:].rstrip("\n")
    if line[:1] in ("(", "-") or tail[-4:].lower() == "rved" or tail[-5:-1].lower() == "rved":
        return bool(CHROME.match(line))
    return False


# A line that is only a Markdown link, perhaps labelled: "Source: [원문 보기](https://...)".
LINK_LINE = re.compile(r"(?:[^\W\d_][^\W_]*(?: [^\W_]+){0,3}\s*:\s*)?\[[^\[\]]*\]\([^()\s]+\)")


def is_trailer(paragraph: str) -> bool:
    """True when a paragraph is what a page or crawler puts after a story, not story text.

    Crawlers sign their copies off ("*Crawled at: 2026-01-02 07:45:08*", "*Source: [원문
    보기](https://...)*"): a timestamp with at most a label, or a link with at most a label.
    A story's "(END)" cuts them off; copies that end without one ("(MORE)": a list continued
    in another take, or a copy cut short) kept them as paragraphs.
    """
    bare = bare_line(paragraph)
    if len(bare) > 300:
        return False
    return bool(LINK_LINE.fullmatch(bare)) or page_stamp_date(bare) is not None


NAVIGATION = re.compile(
    r"^(?:Go to (?:Contents|Navigation)\b.*|Home\s*>.*|Keywords?|select languages|"
    r"Read the full story.*)$",
    re.IGNORECASE,
)


CAPTION_START = re.compile(
    r"^(?:This|These|A|The)\s+(?:file\s+)?(?:image|photo|photos|picture|photograph|screenshot|"
    r"graphic|captured image|computer-generated image|map|chart|illustration)s?\b",
    re.IGNORECASE,
)


# Wikinews and other wikis credit pictures as "... Image: NASA." at the end of the caption
# (also "image: Daly et al." and "Image; Pacific Standard, provided by the owners.").
IMAGE_CREDIT = re.compile(r"\bimage[:;]\s*[^\s.][^.]{0,80}\.?$", re.IGNORECASE)
# Where a person stands in the picture: "Hill (right) with ...", "Lee (2nd from L) ...".
PICTURE_PLACE = re.compile(
    r"\((?:(?:far|second from|2nd from|third from|3rd from|fourth from|4th from)\s+)?"
    r"(?:left|right|cent(?:er|re)|front|back|top|bottom|L|R|C)\)"
)
# A caption is a sentence or two; a paragraph of story text may hold such a place in passing.
PICTURE_PLACE_WORDS = 40
# A story's end matter on wikis and blogs, from its heading to the end: references, links and
# categories, not story text ("Sources", "## External links", "Categories: August 15, 2008 ...").
END_MATTER = re.compile(
    r"^#{0,6}\s*(?:Sources?|References|External links|See also|Related news)\s*:?\s*$",
    re.IGNORECASE,
)
CATEGORIES = re.compile(r"^Categories:\s")


MARKUP = " \t*|▲△■□●•#>_"


# A line wholly in square brackets is an editor's aside ("[Kim, who took these pictures, is a
# reporter at ...]"), a photo credit or a correction: never the headline.
ASIDE = re.compile(r"^\[[^\[\]]+\]$")


PROSE_END = re.compile(r"[a-z]{2,}[.!?][\"”’']?$")


# Past the first paragraphs a dateline belongs to a later item (digests), not this story.
HEADER_LIMIT = 40


AGENCY_NAMES = {"AP": "AP", "REUTERS": "Reuters", "AFP": "AFP", "YONHAP": "Yonhap"}


def split_headline(line: str) -> tuple[tuple[str, ...], str, str | None]:
    """Split ``(LEAD) (News Focus) Title(ATTN: ...)`` into tags, clean title and editor's note."""
    note_match = NOTE.search(line)
    note = note_text(note_match.group(0)) if note_match else None
    line = re.sub(r"^#+\s+", "", NOTE.sub(" ", line).strip())  # "# Title" in Markdown bodies
    tags: tuple[str, ...] = ()
    run = TAG_RUN.match(line)
    if run and run.end() < len(line):  # a title that is only brackets keeps them
        tags = tuple(" ".join(t.split()) for t in TAG.findall(run.group(1)))
        line = line[run.end() :]
    return tags, single_spaced(line), note


def page_stamp_date(bare: str) -> Published | None:
    """The date of a page timestamp line, or None when the line is not one."""
    if len(bare) > 80:
        return None
    if m := PAGE_STAMP.match(bare):
        time = m.group("time") or m.group("time2")
        found = parse_metadata_date(m.group("date") + (f" {time}" if time else ""))
        return as_page_stamp(found)
    iso = ISO_STAMP.search(bare)
    if iso:
        rest = (bare[: iso.start()] + " " + bare[iso.end() :]).strip(" |/:*")
        # A label like "Posted :", "연합뉴스 /", "Photos / 황석주 /"; not a sentence.
        if len(rest.split()) <= 4 and not re.search(r"[.!?]$", rest):
            return as_page_stamp(parse_metadata_date(iso.group(0)))
    return None


def as_page_stamp(found: Published | None) -> Published | None:
    """A page timestamp's date, marked certain (the page printed it), or None."""
    if found is None:
        return None
    return Published(found.month, found.day, found.year, True, time=found.time, basis="page stamp")


def archive_date(match: re.Match[str] | None) -> Published | None:
    """The date of an archive stamp opening the text, marked certain, or None."""
    if match is None:
        return None
    found = parse_metadata_date(match.group("date"))
    if found is None:
        return None
    return Published(found.month, found.day, found.year, True, basis="archive stamp")


def bare_line(line: str) -> str:
    """A header line without the page's markup: bullets, pipes, Markdown emphasis."""
    return single_spaced(line.strip(MARKUP))


def note_text(note: str) -> str:
    """An editor's note without its brackets, whitespace collapsed."""
    return " ".join(note.strip().strip("()").split())


def tags_only(line: str) -> bool:
    """True when a line is nothing but bracketed tags like ``(LEAD) (News Focus)``."""
    bare = bare_line(line)
    run = TAG_RUN.match(bare)
    return bool(run) and run.end() == len(bare) and not NOTE.fullmatch(bare)


def all_tags(line: str) -> tuple[str, ...]:
    """Every bracketed tag in a line, whitespace collapsed."""
    return tuple(" ".join(t.split()) for t in TAG.findall(line))


def is_chrome_line(line: str, bullets: bool = True) -> bool:
    """Navigation, share buttons, image links, separators and labels around a page's story.

    Bulleted lines are share buttons and headline lists on web pages, but may be content at the
    top of a scraped Markdown body, hence ``bullets``.
    """
    stripped = line.strip()
    bare = bare_line(line)
    words = bare.split()
    return (
        not re.search(r"[^\W\d_]", bare)  # "62274", "---", "|"
        or stripped.startswith(("![", "[!"))
        or (bullets and stripped.startswith(("•", "- ")))
        or bool(NAVIGATION.match(bare))
        or (bare.endswith(":") and len(words) <= 3)  # "ID :", "Auther :"
        or is_chrome(bare)
    )


def headline_like(line: str) -> bool:
    """True when a line could be a headline: two worded words or more, short, not prose."""
    bare = bare_line(line)
    if ASIDE.match(line.strip()):
        return False
    worded = [w for w in bare.split() if re.search(r"[^\W\d_]", w)]
    return len(worded) >= 2 and len(bare) <= 300 and not is_prose(bare)


def slug_like(line: str) -> bool:
    """Yonhap's slug line ("Yoon-NK threat", "US-N Korea-poll") sits above some headlines."""
    bare = split_headline(bare_line(line))[1]
    return (
        0 < len(bare.split()) <= 6
        and bool(re.search(r"\w-\w", bare))
        and not re.search(r"[.!?:]$", bare)
        and not is_chrome_line(line)
    )


def is_prose(paragraph: str) -> bool:
    """A body sentence rather than a headline, label or caption."""
    if is_caption(bare_line(paragraph)):
        return False
    if len(paragraph) >= 200:
        return True
    if len(paragraph) < 60 or not PROSE_END.search(paragraph):
        return False
    # Headlines end in a period only after an abbreviation: "... : State Dept.", "... Corp."
    last = paragraph.split()[-1].rstrip("\"”’'")
    return not ("." in last[:-1] or (last[0].isupper() and len(last) <= 6))


def slug_before(prefix: str, headline: str) -> tuple[str | None, tuple[str, ...]]:
    """A glued copy's slug, which precedes a repeat of the headline, and any tags between them.

    The slug is what comes before the repeat.
    """
    at = prefix.find(headline) if headline else -1
    if at < 0:
        at = prefix.lower().find(headline.lower()) if headline else -1
    if at < 0:
        return None, ()
    before = prefix[:at]
    tags = all_tags(before)
    slug = TAG.sub(" ", before)
    slug = " ".join(slug.split())
    return slug or None, tags


def strip_mailbox(paragraph: str) -> str:
    """Drop the reporter's mailbox ending the story (also glued: "...leak. me@yna.co.kr")."""
    if "@" not in paragraph[-120:]:
        return paragraph.strip()
    tail_start = max(0, len(paragraph) - 120)  # look at the tail only: bounded regex work
    tail = MAILBOX.sub("", paragraph[tail_start:])
    return (paragraph[:tail_start] + tail).strip()


def is_caption(paragraph: str) -> bool:
    """True when a paragraph is a photo caption or image credit, not story text."""
    return (
        paragraph.endswith("(Yonhap)")
        or "(PHOTO NOT FOR SALE)" in paragraph
        or bool(CAPTION_START.match(paragraph))
        # "mage": "Image" or "image", found before the regex is tried.
        or ("mage" in paragraph[-100:] and bool(IMAGE_CREDIT.search(paragraph[-100:])))
        or (len(paragraph.split()) <= PICTURE_PLACE_WORDS and bool(PICTURE_PLACE.search(paragraph)))
    )
