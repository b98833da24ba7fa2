"""Publication dates (bot.ingest.dates): metadata dates, and the dateline's missing year."""

from __future__ import annotations

import datetime as dt

import pytest

from bot.ingest.dates import (
    Published,
    infer_year,
    month_number,
    parse_metadata_date,
    weekday_in,
)

TODAY = dt.date(2026, 11, 28)  # fixed, so candidate lists do not move with the calendar


# --- Published -------------------------------------------------------------------------------


def test_certain_year_is_shown_plainly():
    published = Published(5, 6, 2020, True)
    assert published.label() == "May 6, 2020"
    assert published.iso() == "2020-05-06"
    assert not published.probable


def test_probable_year_carries_a_question_mark():
    published = Published(5, 5, 2020, False, (2015, 2020))
    assert published.label() == "May 5, 2020?"
    assert published.iso() == "2020-05-05?"
    assert published.probable


def test_unknown_year_is_said_not_guessed():
    published = Published(5, 5, None, False, (2015, 2020))
    assert published.label() == "May 5, year unknown"
    assert published.iso() == "--05-05"
    assert not published.probable


def test_sort_key_puts_later_stories_higher_and_undated_years_lowest():
    keys = [
        Published(5, 5, 2020, True, time="09:00").sort_key(),
        Published(5, 5, 2020, True, time="18:30").sort_key(),
        Published(1, 2, 2021, True).sort_key(),
        Published(12, 31, None).sort_key(),
    ]
    assert sorted(keys) == [keys[3], keys[0], keys[1], keys[2]]


# --- metadata dates ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "iso", "time"),
    [
        ("2020-05-06", "2020-05-06", None),
        ("2025-12-28 09:30", "2025-12-28", "09:30"),
        ("2024-03-11T10:15:00+09:00", "2024-03-11", "10:15"),
        ("Tue, 05 May 2020 14:00:00 +0900", "2020-05-05", "14:00"),
        ("May 6, 2020 - 09:10", "2020-05-06", "09:10"),
        ("July 11, 2023 07:00", "2023-07-11", "07:00"),
        ("Sept. 13, 2023", "2023-09-13", None),
        ("29 July 2017", "2017-07-29", None),
        (dt.date(2014, 6, 3), "2014-06-03", None),
        (dt.datetime(2014, 6, 3, 8, 5), "2014-06-03", "08:05"),
    ],
)
def test_metadata_dates_in_common_forms_are_certain(value, iso, time):
    published = parse_metadata_date(value)
    assert published is not None
    assert published.iso() == iso
    assert published.time == time
    assert published.year_certain and published.basis == "metadata"


@pytest.mark.parametrize(
    "value",
    [None, "", "   ", "soon", "2020-13-01", "2021-02-29", "Feb. 30, 2020", 2020, [], {"a": 1},
     "0001-01-01", dt.date(1, 1, 1)],
)
def test_unusable_metadata_dates_give_none(value):
    assert parse_metadata_date(value) is None


# --- AP month names and weekdays -----------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "number"),
    [("Jan.", 1), ("Feb", 2), ("March", 3), ("April", 4), ("May", 5), ("June", 6), ("July", 7),
     ("Aug.", 8), ("Sept.", 9), ("Sept", 9), ("Sep", 9), ("Oct.", 10), ("Nov", 11),
     ("Dec.", 12), ("december", 12)],
)
def test_month_number_reads_ap_style_abbreviations(name, number):
    assert month_number(name) == number


def test_month_number_of_a_non_month_is_none():
    assert month_number("Maybe") is None


def test_weekday_in_finds_the_first_weekday_named():
    assert weekday_in("a U.S. official said Tuesday, before Friday's talks") == "tuesday"
    assert weekday_in("No day named here.") is None


# --- inferring the year ------------------------------------------------------------------


def test_weekday_and_month_day_leave_candidate_years_but_no_year():
    published = infer_year(5, 5, "tuesday", today=TODAY)
    assert published.year is None
    assert {1998, 2009, 2015, 2020, 2026} <= set(published.candidates)
    assert all(dt.date(y, 5, 5).weekday() == 1 for y in published.candidates)
    assert published.label() == "May 5, year unknown"


def test_a_year_mentioned_in_the_body_narrows_the_candidates_to_one_probable_year():
    published = infer_year(5, 5, "Tuesday", "under last year's deal, signed in 2019", TODAY)
    assert published.year == 2020
    assert not published.year_certain
    assert published.label() == "May 5, 2020?"
    assert published.iso() == "2020-05-05?"


def test_deadline_years_do_not_narrow_the_year():
    published = infer_year(5, 5, "tuesday", "signed in 2019, to be completed by 2026", TODAY)
    assert published.year == 2020


def test_candidates_never_lie_in_the_future():
    published = infer_year(12, 28, "monday", today=dt.date(2026, 6, 1))
    assert all(y < 2026 for y in published.candidates)


def test_without_a_weekday_there_is_nothing_to_infer():
    published = infer_year(5, 5, None, "in 2019", TODAY)
    assert published.year is None and published.candidates == ()
    assert published.label() == "May 5, year unknown"


def test_february_29_candidates_are_leap_years_only():
    published = infer_year(2, 29, "saturday", today=TODAY)
    assert 2020 in published.candidates
    assert all(y % 4 == 0 for y in published.candidates)
