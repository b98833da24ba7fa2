"""What a "how much / how many" question measures, and whether a text gives a figure of it.

"How much money ..." is answered by "46.5 trillion won", not by "84 percent" or "6.14 million
accounts"; "How heavy ..." by "1,200-ton", not by "633,000 kilometers". Each measure is a
figure with its unit; a question with no measure named here keeps the plain figure cue.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Collection
from typing import Literal

Measure = Literal[
    "money", "percent", "weight", "speed", "length", "size", "age", "duration", "count", "score"
]

_WORD_NUMBER = (
    r"\b(?:one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|fifteen|twenty|"
    r"thirty|forty|fifty|sixty|seventy|eighty|ninety|a hundred|hundreds of|a dozen|dozens of|"
    r"several|a few)\b"
)
# A figure as news writes it: "1,200", "46.5", "6 million", "2.3 trillion", "six hundred".
_FIGURE = (
    rf"(?:\d[\d,]*(?:\.\d+)?|{_WORD_NUMBER})"
    r"(?:\s*(?:hundred|thousand|million|billion|trillion|mln|bln|tln|tril))?"
)
_CURRENCY = (
    r"won|dollars?|euros?|yen|yuan|pounds? sterling|rupees?|rubles?|roubles?|francs?|"
    r"pesos?|dong|baht|ringgit|rupiah|riyals?"
)
_UNITS: dict[str, str] = {
    "money": rf"(?:US\$|\$|€|£|¥|₩|USD |KRW |EUR )\s?{_FIGURE}|{_FIGURE}\s*(?:{_CURRENCY})\b",
    "percent": rf"{_FIGURE}\s*(?:%|percent\b|per cent\b|pct\b|percentage points?\b)",
    "weight": rf"{_FIGURE}[- ]?(?:tons?|tonnes?|kilograms?|kg|grams?|pounds?|lbs?)\b",
    "speed": (
        rf"{_FIGURE}\s*(?:km\s*/\s*h\b|kph|mph|knots?\b|(?:kilomet(?:er|re)s?|km|miles?)"
        r"\s+(?:per|an|a)\s+hour\b)"
        # A missile's or a jet's speed: "Mach 5".
        r"|\bMach\s?\d+(?:\.\d+)?\b"
    ),
    "length": (
        rf"{_FIGURE}[- ]?(?:kilomet(?:er|re)s?|km|met(?:er|re)s?|m|miles?|feet|foot|ft|"
        r"inches|inch|centimet(?:er|re)s?|cm|light[- ]years?)\b"
    ),
    "area": (
        rf"{_FIGURE}[- ]?(?:square (?:kilomet(?:er|re)s?|met(?:er|re)s?|miles?|feet)|sq\.? ?km|"
        r"hectares?|acres?|pyeong)\b"
    ),
    "capacity": rf"{_FIGURE}[- ]?(?:seats?|beds?|rooms?|passengers?|-seat|-bed|-room|TEU)\b",
    "age": (
        r"\b(?:aged?|age of)\s+\d{1,3}\b|\d{1,3}[- ]years?[- ]old\b"
        r"|[A-Z][\w'-]+,\s*\d{1,3},|\b(?:I am|I'm|turned|turns|turning)\s+\d{1,3}\b"
        r"|\bin (?:his|her|their) (?:early |mid-|late )?\d0s\b"
    ),
    "duration": (
        rf"{_FIGURE}[- ]?(?:years?|months?|weeks?|days?|hours?|minutes?|seconds?|decades?|"
        r"centur(?:y|ies))\b"
        # "How long has he led it?" -> "since 2019".
        r"|\bsince (?:19|20)\d\d\b"
    ),
}
# Compiled when first asked for: a fresh `newsbot ask` compiles only the measure it needs
# (all of them at import cost ~14 ms of a start-up budgeted at 350).
_SOURCES: dict[Measure, str] = {
    "money": _UNITS["money"],
    "percent": _UNITS["percent"],
    "weight": _UNITS["weight"],
    "speed": _UNITS["speed"],
    "length": _UNITS["length"],
    # A ship's, a building's or a site's size: tons, metres, area or what it holds.
    "size": "|".join(_UNITS[k] for k in ("weight", "length", "area", "capacity")),
    "age": _UNITS["age"],
    "duration": _UNITS["duration"] + "|" + _UNITS["length"],
    # A match's result ("4-3", "2–0") or a judged total ("277.84 points").
    "score": rf"(?<![-–\d])\b\d{{1,3}}\s?[-–]\s?\d{{1,3}}\b(?![-–]\d)|{_FIGURE}\s*points?\b",
}


@functools.cache
def _pattern(measure: Measure) -> re.Pattern[str]:
    # The "Kim, 61," of a news story is cased: only the units are read without case.
    return re.compile(_SOURCES[measure], 0 if measure == "age" else re.IGNORECASE)


# What the question's wording asks to measure, checked in order (money before the rest: "how
# much did the 5-ton statue cost" asks a price).
_ASKS: tuple[tuple[re.Pattern[str], Measure], ...] = (
    (
        re.compile(
            r"\bhow much\b.*\b(?:money|cost|costs|pay|paid|pays|paying|spend|spent|spending|"
            r"earn|earned|earns|worth|price|priced|budget|fund|funds|funding|salary|wage|"
            r"revenue|revenues|sales|profit|profits|loss|losses|fine|fined|compensation|"
            r"donate|donated|donation|invest|invested|investment|raise|raised|owe|owed|debt|"
            r"deposits?|give|gave|giving|award|awarded|won|dollars)\b"
            r"|\bwhat (?:was |is |were |are )?the (?:price|cost|budget|value|fine|salary)\b",
            re.IGNORECASE,
        ),
        "money",
    ),
    (
        re.compile(
            r"\bwhat (?:percentage|percent|share|proportion)\b|\bby how much\b|\bhow much of\b"
            # Ratings, turnouts and these rates are given in percent (an exchange rate is not).
            r"|\bwhat (?:is|was|are|were) .*\b(?:ratings?|turnout|(?:inflation|unemployment|"
            r"jobless|growth|interest) rates?)\b",
            re.IGNORECASE,
        ),
        "percent",
    ),
    (re.compile(r"\bhow heavy\b|\bhow much does .* weigh\b", re.IGNORECASE), "weight"),
    (re.compile(r"\bhow fast\b|\bwhat speed\b", re.IGNORECASE), "speed"),
    (re.compile(r"\bhow (?:far|tall|high|deep|wide)\b", re.IGNORECASE), "length"),
    (re.compile(r"\bhow (?:big|large)\b|\bwhat size\b", re.IGNORECASE), "size"),
    (re.compile(r"\bhow old\b|\bwhat age\b|\bat what age\b", re.IGNORECASE), "age"),
    (re.compile(r"\bhow long\b", re.IGNORECASE), "duration"),
    (re.compile(r"\bhow many\b", re.IGNORECASE), "count"),
    (re.compile(r"\bscore\b", re.IGNORECASE), "score"),
)
# A count is a figure that is not a share, a sum of money, a year, a day of the month or a
# time of day: "2,009 adults", "127 times", "six hundred", not "53.2 percent", "2024",
# "Dec. 29" or "4 p.m.".
_NOT_COUNTS = (
    "|".join((_UNITS["percent"], _UNITS["money"]))
    + r"|\b(?:1[89]|20)\d\ds?\b(?![,\d])"  # "2024", and decades: "the 1990s"
    # A month's name or its short form, not any word it opens ("marking 62", "Mayor 2").
    + r"|\b(?:Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|June?|July?|Aug(?:ust)?"
    + r"|Sept?(?:ember)?|Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?)\.? \d{1,2}\b"
    # A time of day: "4 p.m.", "11:15 a.m.", "14:30".
    + r"|\b\d{1,2}(?::\d\d)?\s?[ap]\.?m\b\.?|\b\d{1,2}:\d\d\b"
)


@functools.cache
def _count_patterns() -> tuple[re.Pattern[str], re.Pattern[str]]:
    """Any figure, and what a figure in it is when it is not a count."""
    return re.compile(_FIGURE, re.IGNORECASE), re.compile(_NOT_COUNTS, re.IGNORECASE)


_DIGITS = re.compile(r"\d[\d,]*(?:\.\d+)?")


def asks_measure(question: str) -> Measure | None:
    """The measure a figure question asks for, or None (a plain count or figure)."""
    return next((measure for pattern, measure in _ASKS if pattern.search(question)), None)


def gives(text: str, measure: Measure, ignore: Collection[str] = ()) -> bool:
    """Whether ``text`` holds a figure of ``measure`` other than the question's own."""
    if measure == "count":
        return _counts(text, ignore)
    for match in _pattern(measure).finditer(text):
        figures = [f.replace(",", "").rstrip(".") for f in _DIGITS.findall(match.group())]
        if not figures or any(f not in ignore for f in figures):
            return True
    return False


def _counts(text: str, ignore: Collection[str]) -> bool:
    any_figure, not_counts = _count_patterns()
    # What is not a count is read only as far as the figures weighed need (a span starting
    # after a figure ends cannot hold it): most texts give a count early, and the rest of
    # them is never scanned for shares, sums and dates.
    spans = not_counts.finditer(text)
    pending = next(spans, None)
    taken: list[tuple[int, int]] = []
    for match in any_figure.finditer(text):
        start, end = match.span()
        while pending is not None and pending.start() < end:
            taken.append(pending.span())
            pending = next(spans, None)
        if any(a <= start < b or a < end <= b for a, b in taken):
            continue
        figures = [f.replace(",", "").rstrip(".") for f in _DIGITS.findall(match.group())]
        if not figures or any(f not in ignore for f in figures):
            return True
    return False
