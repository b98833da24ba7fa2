"""Publication dates: parsing metadata dates and inferring a dateline's missing year."""

from __future__ import annotations

import calendar
import datetime as dt
import re
from dataclasses import dataclass

from bot.ingest.rfc822 import parse_rfc822

MONTHS: dict[str, int] = {}
for _number in range(1, 13):
    MONTHS[calendar.month_name[_number].lower()] = _number
    MONTHS[calendar.month_abbr[_number].lower()] = _number
MONTHS["sept"] = 9

WEEKDAYS = tuple(day.lower() for day in calendar.day_name)

# Wire stories are not older than this; candidate years before it are noise.
EARLIEST_YEAR = 1990
# A wire story saved as it arrives has a file time within days of its dateline; a longer gap
# means the file was copied later (a checkout, a backup), and its time says nothing.
FILE_TIME_WINDOW = dt.timedelta(days=31)
FILE_TIME = "file time"


@dataclass(frozen=True)
class Published:
    """When a story was published, and how far its year can be trusted.

    ``year_certain`` is True only when the year came from metadata. An inferred year is
    ``probable`` (shown with a question mark); with no clue the year is ``None``.
    """

    month: int
    day: int
    year: int | None = None
    year_certain: bool = False
    candidates: tuple[int, ...] = ()
    time: str | None = None  # "HH:MM" when metadata gave it
    basis: str = ""

    @property
    def probable(self) -> bool:
        """True when the year was inferred, not given by metadata (shown with a "?")."""
        return self.year is not None and not self.year_certain

    def label(self) -> str:
        """Human form: "May 5, 2020", "May 5, 2020?" or "May 5, year unknown"."""
        head = f"{calendar.month_name[self.month]} {self.day}"
        if self.year is None:
            return f"{head}, year unknown"
        if FILE_TIME in self.basis:
            return f"{head}, {self.year}? (year from the file's date)"
        return f"{head}, {self.year}" + ("" if self.year_certain else "?")

    def iso(self) -> str:
        """ISO 8601: "2020-05-05", "2020-05-05?" when only probable, "--05-05" without a year."""
        if self.year is None:
            return f"--{self.month:02d}-{self.day:02d}"
        text = f"{self.year:04d}-{self.month:02d}-{self.day:02d}"
        return text if self.year_certain else text + "?"

    def sort_key(self) -> tuple[int, int, int, str]:
        """Newest-first ordering key; a story without any year sorts with the undated."""
        return (self.year or 0, self.month, self.day, self.time or "")


_ISO_DATE = re.compile(
    r"^\s*(\d{4})-(\d{1,2})-(\d{1,2})(?:[T ](\d{1,2}):(\d{2})(?::\d{2}(?:\.\d+)?)?)?"
)


def parse_metadata_date(value: object) -> Published | None:
    """Read a date from metadata: ISO strings, YAML dates, RFC 822 feed dates."""
    if isinstance(value, dt.datetime):
        return _from_datetime(value, "metadata")
    if isinstance(value, dt.date):
        if not _valid(value.year, value.month, value.day):
            return None
        return Published(value.month, value.day, value.year, True, basis="metadata")
    if not isinstance(value, str) or not value.strip():
        return None
    text = value.strip()
    match = _ISO_DATE.match(text)
    if match:
        year, month, day = (int(g) for g in match.group(1, 2, 3))
        if not _valid(year, month, day):
            return None
        time = None
        if match.group(4) and int(match.group(4)) < 24 and int(match.group(5)) < 60:
            time = f"{int(match.group(4)):02d}:{match.group(5)}"
        return Published(month, day, year, True, time=time, basis="metadata")
    moment = parse_rfc822(text)
    if moment is not None:
        return _from_datetime(moment, "metadata")
    return _parse_written_date(text)


# "May 6, 2020", "Sept. 13, 2023 - 09:10", "July 11, 2023 07:00"; and "29 July 2017".
_WRITTEN = re.compile(
    r"\b([A-Za-z]{3,9})\.?\s+(\d{1,2}),?\s+(\d{4})\b(?:\s*-?\s*(\d{1,2}):(\d{2}))?"
)
_WRITTEN_DAY_FIRST = re.compile(r"\b(\d{1,2})\s+([A-Za-z]{3,9})\.?,?\s+(\d{4})\b")


def _parse_written_date(text: str) -> Published | None:
    for match in _WRITTEN.finditer(text):
        month = month_number(match.group(1))
        year, day = int(match.group(3)), int(match.group(2))
        if month is None or not _valid(year, month, day):
            continue
        time = None
        if match.group(4) and int(match.group(4)) < 24 and int(match.group(5)) < 60:
            time = f"{int(match.group(4)):02d}:{match.group(5)}"
        return Published(month, day, year, True, time=time, basis="metadata")
    for match in _WRITTEN_DAY_FIRST.finditer(text):
        month = month_number(match.group(2))
        year, day = int(match.group(3)), int(match.group(1))
        if month is not None and _valid(year, month, day):
            return Published(month, day, year, True, basis="metadata")
    return None


def _from_datetime(value: dt.datetime, basis: str) -> Published | None:
    if not _valid(value.year, value.month, value.day):
        return None
    return Published(
        value.month, value.day, value.year, True, time=value.strftime("%H:%M"), basis=basis
    )


def _valid(year: int, month: int, day: int) -> bool:
    try:
        dt.date(year, month, day)
    except ValueError:
        return False
    return EARLIEST_YEAR - 100 <= year <= 9999


def month_number(name: str) -> int | None:
    """Month from AP style ("Sept.", "Aug", "March") or full names."""
    return MONTHS.get(name.lower().rstrip("."))


_YEAR_IN_TEXT = re.compile(r"\b(19[5-9]\d|20\d\d)\b")
# "by 2030", "until 2027": targets and deadlines say nothing about when a story was written.
_FUTURE_YEAR = re.compile(
    r"\b(?:by|until|till|target(?:s|ed)?|goal of)\s+(?:the\s+end\s+of\s+)?"
    r"(?:19[5-9]\d|20\d\d)\b",
    re.IGNORECASE,
)


def infer_year(
    month: int,
    day: int,
    weekday: str | None,
    text: str = "",
    today: dt.date | None = None,
    filed: dt.date | None = None,
) -> Published:
    """Infer a dateline's year from the weekday named in the lead and years in the text.

    The weekday leaves a handful of candidate years. Years mentioned in the body narrow them:
    a story is rarely written more than two years after the latest year it mentions. When
    exactly one candidate survives it is *probable*, never certain; otherwise the year stays
    unknown and the candidates are kept so a reader can see them.

    ``filed``, the date of the story's file, decides only when that leaves the year open: the
    latest date with this month and day up to a day after ``filed`` (Seoul runs ahead of
    UTC), if it is within ``FILE_TIME_WINDOW`` and the weekday allows it. It is probable, and
    its label says where the year came from.
    """
    # The host's own calendar date, in its local zone: a dateline cannot be later than that.
    today = today or dt.datetime.now().astimezone().date()
    if weekday is None or weekday.lower() not in WEEKDAYS:
        from_file = _year_filed(month, day, filed)
        if from_file is not None:
            return Published(month, day, from_file, False, basis=FILE_TIME)
        return Published(month, day, basis="dateline")
    wanted = WEEKDAYS.index(weekday.lower())
    candidates = tuple(
        year
        for year in range(EARLIEST_YEAR, today.year + 1)
        if _valid(year, month, day)
        and dt.date(year, month, day) <= today
        and dt.date(year, month, day).weekday() == wanted
    )
    past_text = _FUTURE_YEAR.sub(" ", text)
    mentioned = [int(y) for y in _YEAR_IN_TEXT.findall(past_text) if int(y) <= today.year]
    if mentioned:
        latest = max(mentioned)
        narrowed = tuple(y for y in candidates if latest <= y <= latest + 2)
        if len(narrowed) == 1:
            return Published(
                month, day, narrowed[0], False, candidates, basis="weekday and years in text"
            )
    if len(candidates) == 1:
        return Published(month, day, candidates[0], False, candidates, basis="weekday")
    from_file = _year_filed(month, day, filed)
    if from_file in candidates:
        return Published(month, day, from_file, False, candidates, basis=f"weekday and {FILE_TIME}")
    return Published(month, day, None, False, candidates, basis="weekday")


def _year_filed(month: int, day: int, filed: dt.date | None) -> int | None:
    """The year a story dated ``month``/``day`` has if its file was saved as it arrived."""
    if filed is None:
        return None
    latest = filed + dt.timedelta(days=1)
    for year in (latest.year, latest.year - 1):
        if _valid(year, month, day) and dt.date(year, month, day) <= latest:
            gap = filed - dt.date(year, month, day)
            return year if gap <= FILE_TIME_WINDOW else None
    return None


_ANY_WEEKDAY = re.compile(r"\b(" + "|".join(WEEKDAYS) + r")\b", re.IGNORECASE)
# "organizers said Tuesday", "the ministry announced on Monday", "said in a statement Friday":
# the day the news was reported, i.e. the dateline's day. Other weekdays in a lead ("ended
# Sunday", "will meet Wednesday") are days of the events reported.
_REPORTED_ON = re.compile(
    r"\b(?:said|says|announced|reported|told\s+\w+(?:\s+\w+)?|stated|added|noted|confirmed"
    r"|revealed|disclosed|unveiled|released|warned|claimed|denied|urged)"
    r"(?:\s+in\s+an?\s+(?:statement|release|press\s+release|report|briefing|interview))?"
    r",?\s+(?:on\s+|late\s+|early\s+)?(" + "|".join(WEEKDAYS) + r")\b",
    re.IGNORECASE,
)


def weekday_in(text: str) -> str | None:
    """The weekday a lead paragraph was reported on, if any.

    That is the one after a reporting verb ("said Tuesday"), else the first weekday named.
    """
    match = _REPORTED_ON.search(text) or _ANY_WEEKDAY.search(text)
    return match.group(1).lower() if match else None
