"""What counts as an answer of the kind a question asks for: a figure, a date, a year, a name."""

from __future__ import annotations

import calendar
import re
from collections.abc import Collection, Iterable
from typing import Literal

from bot.answers import places
from bot.answers.measures import Measure, gives
from bot.ingest.wire_lines import STRONG_DATELINE, WEAK_DATELINE
from bot.text import analysis

Expects = Literal["number", "name", "date", "year", "country"]

# Capitalised words that name no one: a dateline's agency and its months and weekdays.
_NOT_ANSWERS = frozenset(
    {"yonhap", *analysis.MONTHS, *(m.casefold() for m in calendar.month_name[1:])}
    | {d.casefold() for d in calendar.day_name}
)
_FIGURE = re.compile(r"\d[\d,.]*")
# Month and weekday names, years, relative days and times of day; "May" only before a day
# ("may" is a verb).
_DATE = re.compile(
    r"\b(?:jan(?:uary)?|feb(?:ruary)?|march|april|june|july|aug(?:ust)?|sept?(?:ember)?"
    r"|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?|(?:mon|tues|wednes|thurs|fri|satur|sun)day"
    r"|yesterday|today|tomorrow|noon|midnight)\b|\bmay \d|\b(?:1[89]|20)\d\d\b"
    # "At what time": "11:15 a.m.", "4 p.m.", "14:30".
    r"|\b\d{1,2}(?::\d\d)?\s?[ap]\.?m\b|\b\d{1,2}:\d\d\b",
    re.IGNORECASE,
)
_YEAR = re.compile(r"\b(?:1[89]|20)\d\d\b")
# A name: a capitalised word that does not open its sentence (or a run of them).
_NAME = re.compile(r"(?<![.!?]\s)(?<!^)\b[A-Z][\w'’-]*[a-z0-9][\w'’-]*")
_NUMBER_WORDS = re.compile(
    r"\b(?:one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|twenty|thirty|"
    r"forty|fifty|hundred|hundreds|thousand|thousands|million|billion|trillion|dozen|dozens|"
    r"half|percent|pct)\b",
    re.IGNORECASE,
)


def holds_expected(
    text: str,
    expects: Expects | None,
    ignore: Collection[str] = (),
    measure: Measure | None = None,
    names: Collection[str] = (),
) -> bool:
    """Whether ``text`` holds the kind of thing the question asks for.

    Figures in ``ignore`` (the question's own: "in 2018", "Saeul-3") are not an answer. With a
    ``measure``, only a figure of it is ("46.5 trillion won" for "how much money"). A country
    asked for is one not among the question's ``names``.
    """
    if expects == "country":
        return places.names_country(text, names)
    if expects == "number":
        # A dateline's day ("SEOUL, Dec. 31 (Yonhap) --") is when the story was filed, never a
        # figure the story reports.
        dateline = STRONG_DATELINE.match(text) or WEAK_DATELINE.match(text)
        text = text[dateline.end() :] if dateline else text
    if expects == "number" and measure is not None:
        return gives(text, measure, ignore)
    if expects == "number":
        figures = (f.replace(",", "").rstrip(".") for f in _FIGURE.findall(text))
        return any(f not in ignore for f in figures) or bool(_NUMBER_WORDS.search(text))
    if expects == "date":
        return bool(_DATE.search(text))
    if expects == "year":  # "What year did it begin?": a weekday or a month does not answer
        return any(y not in ignore for y in _YEAR.findall(text))
    if expects == "name":
        # A name the question already gives does not answer "who": the answer is another one.
        return any(
            not names or not set(analysis.analyze(m.group(0))).issubset(names)
            for m in _NAME.finditer(text)
            if m.group(0).casefold().rstrip(".") not in _NOT_ANSWERS
            and text[max(0, m.start() - 3) : m.start()] != "-- "  # a dateline's first word
        )
    return False


def gives_kind(
    texts: Iterable[str],
    expects: Expects | None,
    ignore: Collection[str] = (),
    measure: Measure | None = None,
    names: Collection[str] = (),
    dated: bool = False,
) -> bool:
    """Whether any of ``texts`` (what an answer would show) holds the kind of answer asked for.

    The found decision's reading of ``holds_expected``, whose patterns are the ranking's cues
    and, as a reason to refuse, are read more widely: a dated story holds a date; "how much
    will the share of the cost rise?" may be answered by a share, and a country by any name
    besides the question's (countryinfo's one-word names miss "the United States" and "New
    Zealand"). Any text does for a question that asks for no one kind.
    """
    if expects is None or (expects == "date" and dated):
        return True
    wide: tuple[Expects, Measure | None] | None = None
    if measure == "money":
        wide = (expects, "percent")
    elif expects == "country":
        wide = ("name", None)
    for text in texts:
        if holds_expected(text, expects, ignore, measure, names):
            return True
        if wide is not None and holds_expected(text, wide[0], ignore, wide[1], names):
            return True
    return False
