"""What a story's date lets it hold: the years and month a question's "in May 2025" can meet."""

from __future__ import annotations

import calendar
import re
from collections.abc import Collection, Iterable

from bot.ingest.dates import Published
from bot.text import analysis

# Years a story names relative to its own date.
_RELATIVE_YEARS = (
    (re.compile(r"\b(?:last|previous|past) year\b"), -1),
    (re.compile(r"\b(?:next|coming) year\b"), 1),
)
_YEAR = re.compile(r"(?:19|20)\d\d")
_YEAR_END = re.compile(r"\b(?:oct(?:ober|\.)|nov(?:ember|\.)|dec(?:ember|\.))(?!\w)")


def dated(published: Published | None, texts: Iterable[str]) -> set[str]:
    """The years and month (as analyzed terms) a story dated ``published`` holds.

    Its year (or the years its weekday fits), the year before or after when its ``texts``
    say "last year" or "next year", or, filed January to March, name a month of the year's end
    ("sales hit a record in November", filed on Jan. 2); and its month. The texts are read
    only for a story whose year is known.
    """
    found = years(published)
    if published is not None and published.year:
        said = " ".join(texts).casefold()
        for pattern, offset in _RELATIVE_YEARS:
            if pattern.search(said):
                found.add(str(published.year + offset))
        if 1 <= published.month <= 3 and _YEAR_END.search(said):
            found.add(str(published.year - 1))
    month = month_term(published)
    if month:
        found.add(month)
    return found


def unchecked_years(
    published: Published | None, names: Collection[str], numbers: Collection[str]
) -> set[str]:
    """The question's years a story cannot be held to: its year is unknown, its month asked.

    A page copy dated "Feb. 9" with no year fits "in February 2022" as far as its date is
    known; a question about another month still finds it wanting.
    """
    if years(published) or month_term(published) not in names:
        return set()
    return {n for n in numbers if _YEAR.fullmatch(n)}


def month_term(published: Published | None) -> str | None:
    """The term of the month a story is dated ("decemb"), as a question's month is analyzed."""
    if published is None or not 1 <= published.month <= 12:
        return None
    return analysis.analyze(calendar.month_name[published.month])[0]


def years(published: Published | None) -> set[str]:
    """The years a story may be dated: a dateline without a year fits several."""
    if published is None:
        return set()
    found = [published.year] if published.year else list(published.candidates)
    return {str(year) for year in found}
