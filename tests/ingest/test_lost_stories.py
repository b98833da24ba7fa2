"""No story lost, no date wrong: headline-less copy, photo credits, re-wrapped HTML copy,
partly broken JSON Lines, and the year of a wire story (fixtures are invented wire copy)."""

from __future__ import annotations

import datetime as dt
import os
import re
from pathlib import Path

import pytest

from bot.ingest import corpus, readers
from bot.ingest.articles import Article
from bot.ingest.dates import infer_year, weekday_in
from bot.ingest.wire import parse_wire
from tests.helpers import FIXTURES, newsroom, write_story

WIRE = FIXTURES / "wire"


def read(name: str, folder: Path = WIRE) -> corpus.FileState:
    path = folder / name
    info = path.stat()
    return corpus.read_file(name, os.fspath(path), info.st_size, info.st_mtime_ns)


def only(state: corpus.FileState) -> Article:
    assert state.problem is None, state.problem
    (article,) = state.articles
    return article


# --- item 13: a story without a headline is indexed under a derived, marked title ----------


def test_a_page_without_a_headline_is_indexed_under_its_lead_sentence_marked_as_derived():
    article = only(read("no_headline_page.txt"))
    assert article.title_derived
    assert article.title.startswith("South Korea beat Japan 3-1 in the final of the women's")
    assert "INCHEON" not in article.title and "Coach Park" not in article.title
    assert len(article.title) <= readers.DERIVED_TITLE_CHARS + 1
    assert article.byline == "Han Seo-yun"
    assert article.published is not None and article.published.iso() == "2023-10-04"


def test_copy_opening_with_a_bare_city_dateline_gets_a_derived_title():
    article = only(read("no_headline_weak_dateline.txt"))
    assert article.title_derived
    assert article.title.startswith("A fishing boat with six crew members on board ran aground")
    assert article.title.endswith("…")


def test_a_story_with_a_headline_is_not_marked_derived():
    article = only(read("raw_wire_lead.txt"))
    assert not article.title_derived


def test_headline_less_stories_answer_questions(tmp_path: Path):
    root = tmp_path / "corpus"
    write_story(root, "volley.txt", (WIRE / "no_headline_page.txt").read_text())
    room = newsroom(root, tmp_path / "cache")
    assert room.report.problems == {}
    answer = room.ask("Who won the women's volleyball final?")
    assert answer.found and answer.citations[0].article_id == "volley"


def test_bad_jsonl_lines_are_reported_with_their_line_numbers_and_good_ones_kept():
    state = read("partly_broken.jsonl")
    assert [a.title for a in state.articles] == [
        "Bus fares rise in Daejeon", "Library opens in Suwon", "Tram line approved",
    ]  # fmt: skip
    assert state.problem is not None
    assert re.search(r"\bline 2\b", state.problem) and re.search(r"\bline 4\b", state.problem)
    assert "2 of 5" in state.problem


def test_a_partly_broken_jsonl_file_is_listed_with_its_bad_lines(tmp_path: Path):
    root = tmp_path / "corpus"
    write_story(root, "bulk.jsonl", (WIRE / "partly_broken.jsonl").read_text())
    room = newsroom(root, tmp_path / "cache")
    assert len(room.index.current) == 3
    assert "line 2" in room.report.problems["bulk.jsonl"]


# --- item 15: photo credit lines and <br/>-wrapped copy ----------------------------------


def test_a_photo_credit_line_is_never_the_headline():
    article = only(read("photo_credit.txt"))
    assert "who took these pictures" not in article.title
    assert article.title.startswith("Children fly kites over a field of rapeseed flowers")
    assert article.title_derived
    assert article.byline == "Yang Tae-min"


def test_br_wrapped_copy_is_rejoined_into_whole_paragraphs():
    article = only(read("br_wrapped.txt"))
    assert article.title == "Port city opens new ferry terminal"
    texts = [p.text for p in article.paragraphs]
    assert texts == [
        "BUSAN, April 9 (Yonhap) -- The southern port city of Busan opened a new ferry terminal"
        " on Tuesday, doubling the number of passengers it can handle each day, city officials"
        " said.",
        "The terminal, built over four years at a cost of 120 billion won, will serve routes to"
        " Jeju Island and to two ports in Japan, according to the city.",
        "Officials expect the number of ferry passengers to reach three million a year by 2028,"
        " up from 1.8 million last year, as the terminal adds berths for larger ships.",
        '"This terminal will make Busan the gateway to the southern sea," the mayor said at the'
        " opening ceremony.",
        "Shops and a seafood market on the ground floor open next month.",
    ]


def test_unwrapped_web_copy_keeps_its_short_paragraphs_apart():
    copy = parse_wire(
        "Ferry terminal opens\n"
        "BUSAN, April 9 (Yonhap) -- The southern port city of Busan opened a new terminal.\n"
        "Key facts\n"
        "passengers per day: 12,000\n"
    )
    assert [p.text for p in copy.paragraphs][1:] == ["Key facts", "passengers per day: 12,000"]


# --- item 14: the reporting verb's weekday; the file's time as evidence --------------------

FESTIVAL = (
    "SEOUL, Dec. 1 (Yonhap) -- A week-long film festival in Seoul ended Sunday with a record"
    " audience, organizers said Tuesday."
)


def test_the_weekday_of_the_reporting_verb_is_the_publication_day():
    assert weekday_in(FESTIVAL) == "tuesday"
    found = infer_year(12, 1, weekday_in(FESTIVAL), FESTIVAL, today=dt.date(2022, 6, 1))
    assert 2020 in found.candidates and 2019 not in found.candidates  # Dec 1, 2019: a Sunday


def test_without_a_reporting_verb_the_first_weekday_still_counts():
    assert weekday_in("SEOUL, May 5 (Yonhap) -- Talks will resume Thursday in Geneva.") == (
        "thursday"
    )


def _dated_file(folder: Path, name: str, text: str, when: dt.datetime) -> corpus.FileState:
    path = write_story(folder, name, text)
    stamp = when.replace(tzinfo=dt.UTC).timestamp()
    os.utime(path, (stamp, stamp))
    return read(name, folder)


STRIKE = (
    "Taxi drivers end strike\n"
    "SEOUL, Jan. 2 (Yonhap) -- Taxi drivers in the capital ended a three-day strike after"
    " the city agreed to raise fares, officials said.\n"
)


def test_a_wire_story_without_a_year_takes_it_from_a_recent_file_time_and_says_so(
    tmp_path: Path,
):
    state = _dated_file(tmp_path, "taxi.txt", STRIKE, dt.datetime(2025, 1, 3, 8, 0))
    published = only(state).published
    assert published is not None
    assert (published.year, published.year_certain) == (2025, False)
    assert "file" in published.label() and published.label().startswith("January 2, 2025?")


def test_a_story_dated_late_december_saved_in_january_is_from_the_year_before(tmp_path: Path):
    text = STRIKE.replace("Jan. 2", "Dec. 31")
    state = _dated_file(tmp_path, "taxi.txt", text, dt.datetime(2025, 1, 1, 2, 0))
    published = only(state).published
    assert published is not None and published.year == 2024


def test_an_old_copy_saved_long_after_its_dateline_stays_year_unknown(tmp_path: Path):
    state = _dated_file(tmp_path, "taxi.txt", STRIKE, dt.datetime(2025, 6, 20, 8, 0))
    published = only(state).published
    assert published is not None and published.year is None


def test_the_file_time_never_overrules_the_weekday(tmp_path: Path):
    # Jan 2, 2025 was a Thursday: a story whose lead says Monday is not from then.
    text = STRIKE.replace("officials said.", "officials said Monday.")
    state = _dated_file(tmp_path, "taxi.txt", text, dt.datetime(2025, 1, 3, 8, 0))
    published = only(state).published
    assert published is not None and published.year != 2025


@pytest.mark.parametrize("weekday", ["Thursday"])
def test_the_file_time_picks_among_the_years_the_weekday_allows(tmp_path: Path, weekday: str):
    text = STRIKE.replace("officials said.", f"officials said {weekday}.")
    state = _dated_file(tmp_path, "taxi.txt", text, dt.datetime(2025, 1, 3, 8, 0))
    published = only(state).published
    assert published is not None and published.year == 2025 and "file" in published.label()
