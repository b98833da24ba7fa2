"""Behaviour of the wire-copy parser (bot.ingest.wire) on every variant in the Yonhap format notes.

Stories here are invented for the tests; each one exercises one variant of the format."""

from __future__ import annotations

import textwrap

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.ingest.cleaning import clean_text
from bot.ingest.wire import WireCopy, parse_wire, web_id, web_id_date
from bot.ingest.wire_lines import split_headline
from tests.helpers import FIXTURES as SHARED_FIXTURES
from tests.helpers import SEED

FIXTURES = SHARED_FIXTURES / "wire"


def fixture_text(name: str) -> str:
    return (FIXTURES / name).read_text(encoding="utf-8")


def texts(copy: WireCopy) -> list[str]:
    return [p.text for p in copy.paragraphs]


def story(headline: str, lead: str, *more: str) -> str:
    return "\n".join([headline, lead, *more, "(END)"])


# --- headline tags and editor's notes ------------------------------------------------------


@pytest.mark.parametrize(
    ("line", "tags", "title"),
    [
        ("(URGENT) N. Korea fires missile", ("URGENT",), "N. Korea fires missile"),
        ("(LEAD) Ferry fire contained", ("LEAD",), "Ferry fire contained"),
        ("(2nd LD) Ferry fire contained", ("2nd LD",), "Ferry fire contained"),
        ("(9th LD) Election results", ("9th LD",), "Election results"),
        ("(News Focus) Why rice prices rose", ("News Focus",), "Why rice prices rose"),
        (
            "(Yonhap Interview) Potter keeps kilns alive",
            ("Yonhap Interview",),
            "Potter keeps kilns alive",
        ),
        (
            "(EDITORIAL from Korea Times on July 29) Protect the mudflats",
            ("EDITORIAL from Korea Times on July 29",),
            "Protect the mudflats",
        ),
        ("(LEAD) (News Focus) Chip exports slow", ("LEAD", "News Focus"), "Chip exports slow"),
        ("(Asiad) S. Korea beat Japan 3-1", ("Asiad",), "S. Korea beat Japan 3-1"),
        ("No tag on this title (yet)", (), "No tag on this title (yet)"),
    ],
)
def test_split_headline_moves_leading_tags_out_of_the_title(line, tags, title):
    got_tags, got_title, note = split_headline(line)
    assert got_tags == tags
    assert got_title == title
    assert note is None


def test_split_headline_keeps_a_title_that_is_only_brackets():
    assert split_headline("(Yonhap Feature)") == ((), "(Yonhap Feature)", None)


def test_split_headline_takes_a_glued_editor_note_out_of_the_title():
    tags, title, note = split_headline(
        "(LEAD) Ferry fire contained(ATTN: ADDS details in last 3 paras; RECASTS headline)"
    )
    assert tags == ("LEAD",)
    assert title == "Ferry fire contained"
    assert note == "ATTN: ADDS details in last 3 paras; RECASTS headline"


def test_split_headline_drops_a_markdown_heading_marker():
    tags, title, _ = split_headline("# (LEAD) Ferry fire contained")
    assert (tags, title) == (("LEAD",), "Ferry fire contained")


LEAD = "SEOUL, May 5 (Yonhap) -- Police said Tuesday they had found the missing painting."
NOTE = "ATTN: ADDS details in last 3 paras; RECASTS headline"


def test_editor_note_on_its_own_line_is_metadata_not_a_paragraph():
    copy = parse_wire(story("(LEAD) Painting found", f"({NOTE})", LEAD, "It was unharmed."))
    assert copy.editor_note == NOTE
    assert copy.tags == ("LEAD",)
    assert copy.headline == "Painting found"
    assert all("ATTN" not in text for text in texts(copy))
    assert texts(copy)[0].startswith("SEOUL, May 5 (Yonhap) --")


def test_editor_note_glued_to_the_headline_is_metadata_not_a_paragraph():
    copy = parse_wire(story(f"(2nd LD) Painting found({NOTE})", "By Lee Su-jin", LEAD, "Fine."))
    assert copy.editor_note == NOTE
    assert copy.tags == ("2nd LD",)
    assert copy.headline == "Painting found"
    assert copy.byline == "Lee Su-jin"
    assert all("ATTN" not in text for text in texts(copy))


# --- bylines ---------------------------------------------------------------------------------


def test_byline_on_its_own_line_is_taken_and_not_kept_as_text():
    copy = parse_wire(story("Painting found", "By Lee Su-jin", LEAD, "It was unharmed."))
    assert copy.byline == "Lee Su-jin"
    assert texts(copy) == [LEAD, "It was unharmed."]


def test_republisher_glued_byline_gives_a_certain_date_and_no_reporter():
    copy = parse_wire(fixture_text("korea_herald.txt"))
    assert copy.byline is None  # "By Yonhap" is a credit, not a reporter
    assert copy.published is not None
    assert (copy.published.year, copy.published.month, copy.published.day) == (2021, 8, 2)
    assert copy.published.year_certain
    assert copy.published.time == "14:05"
    assert copy.headline == "Busan port container volume hits record high in first half"


def test_photo_credit_line_is_a_byline_not_a_headline():
    copy = parse_wire("Photos by Kim Dong-min\nA couple walks under cherry trees. (Yonhap)\n")
    assert copy.byline == "Kim Dong-min"
    assert copy.headline != "Photos by Kim Dong-min"


# --- datelines -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("lead", "city", "month", "day", "agency"),
    [
        ("SEOUL, Jan. 3 (Yonhap) -- Text.", "SEOUL", 1, 3, "Yonhap"),
        ("SEOUL, Jan 3 (Yonhap) -- Text.", "SEOUL", 1, 3, "Yonhap"),
        ("SEOUL, Feb. 28 (Yonhap) -- Text.", "SEOUL", 2, 28, "Yonhap"),
        ("SEOUL, March 1 (Yonhap) -- Text.", "SEOUL", 3, 1, "Yonhap"),
        ("SEOUL, April 7 (Yonhap) -- Text.", "SEOUL", 4, 7, "Yonhap"),
        ("SEOUL, May 5 (Yonhap) -- Text.", "SEOUL", 5, 5, "Yonhap"),
        ("SEOUL, June 9 (Yonhap) -- Text.", "SEOUL", 6, 9, "Yonhap"),
        ("SEOUL, July 27 (Yonhap) -- Text.", "SEOUL", 7, 27, "Yonhap"),
        ("SEOUL, Aug. 31 (Yonhap) -- Text.", "SEOUL", 8, 31, "Yonhap"),
        ("SEOUL, Aug 31 (Yonhap) -- Text.", "SEOUL", 8, 31, "Yonhap"),
        ("SEOUL, Sept. 13 (Yonhap) -- Text.", "SEOUL", 9, 13, "Yonhap"),
        ("SEOUL, Sept 13 (Yonhap) -- Text.", "SEOUL", 9, 13, "Yonhap"),
        ("SEOUL, Oct. 1 (Yonhap) -- Text.", "SEOUL", 10, 1, "Yonhap"),
        ("SEOUL, Nov. 25 (Yonhap) -- Text.", "SEOUL", 11, 25, "Yonhap"),
        ("SEOUL, Nov 25 (Yonhap) -- Text.", "SEOUL", 11, 25, "Yonhap"),
        ("SEOUL, Dec. 28 (Yonhap) -- Text.", "SEOUL", 12, 28, "Yonhap"),
        ("SEOUL, May 5 (Yonhap) - Text.", "SEOUL", 5, 5, "Yonhap"),
        ("SEOUL, May 5 (Yonhap) — Text.", "SEOUL", 5, 5, "Yonhap"),
        ("SEOUL (Yonhap) -- Text.", "SEOUL", None, None, "Yonhap"),
        ("SEOUL/WASHINGTON (Yonhap) -- Text.", "SEOUL/WASHINGTON", None, None, "Yonhap"),
        ("HANGZHOU, China, Oct. 1 (Yonhap) -- Text.", "HANGZHOU, China", 10, 1, "Yonhap"),
        ("BEKASI, Indonesia, Aug. 27 (Yonhap) — Text.", "BEKASI, Indonesia", 8, 27, "Yonhap"),
        ("UNITED NATIONS, March 3 (Yonhap) -- Text.", "UNITED NATIONS", 3, 3, "Yonhap"),
        ("WASHINGTON (AP) — Text.", "WASHINGTON", None, None, "AP"),
        ("LONDON, May 5 (Reuters) - Text.", "LONDON", 5, 5, "Reuters"),
        ("PARIS (AFP) - Text.", "PARIS", None, None, "AFP"),
    ],
)
def test_dateline_variants_give_city_month_day_and_agency(lead, city, month, day, agency):
    copy = parse_wire(story("Something happened today", lead, "A second paragraph."))
    assert (copy.dateline, copy.month, copy.day, copy.agency) == (city, month, day, agency)
    assert copy.headline == "Something happened today"
    assert texts(copy)[0] == lead


def test_bare_digest_dateline_gives_the_city_only():
    copy = parse_wire(
        story(
            "(LEAD) Parliament passes budget",
            "SEOUL -- Lawmakers passed the budget on Friday.",
            "Next.",
        )
    )
    assert (copy.dateline, copy.month, copy.day, copy.agency) == ("SEOUL", None, None, None)
    assert copy.tags == ("LEAD",)


def test_korea_herald_closing_credit_names_the_agency_and_is_not_a_caption():
    copy = parse_wire(fixture_text("korea_herald.txt"))
    assert (copy.dateline, copy.agency) == ("BUSAN", "Yonhap")
    assert not any(p.is_caption for p in copy.paragraphs)
    assert texts(copy)[-1].endswith("for the first time.")  # the credit is not story text


def test_hyphenated_capitals_opening_a_paragraph_are_not_a_dateline():
    copy = parse_wire("Phone sales rise\nLG-made phones sold well in March, data showed.\n")
    assert copy.dateline is None


def test_naver_glued_copy_is_split_into_slug_tags_title_note_byline_and_dateline():
    copy = parse_wire(fixture_text("naver_glued.txt"))
    assert copy.slug == "Harbor-ferry fire"
    assert copy.tags == ("LEAD",)
    assert copy.headline == "Fire breaks out on ferry near Mokpo, all 42 aboard rescued"
    assert copy.editor_note == "ATTN: ADDS details in paras 3-4"
    assert copy.byline == "Kim Hyun-soo"
    assert (copy.dateline, copy.month, copy.day, copy.agency) == ("SEOUL", 12, 28, "Yonhap")
    assert copy.weekday == "sunday"
    assert copy.ended


def test_naver_glued_copy_has_html_entities_and_the_glued_mailbox_removed():
    copy = parse_wire(fixture_text("naver_glued.txt"))
    body = " ".join(texts(copy))
    assert '"Every passenger was wearing a life jacket' in body
    assert "ferry's crew" in body
    assert "&quot;" not in body and "&#x27;" not in body
    assert "@" not in body
    assert body.startswith("SEOUL, Dec. 28 (Yonhap) --")


def test_glued_headline_ending_in_capitals_is_not_read_as_part_of_the_city():
    text = (
        "drills-navy Navy ends drills with U.S. SEOUL, Dec. 30 (Yonhap) -- The navy ended "
        "its drills on Tuesday. me@yna.co.kr(END)"
    )
    copy = parse_wire(text, title="Navy ends drills with U.S.")
    assert copy.dateline == "SEOUL"
    assert copy.slug == "drills-navy"


def test_glued_headline_may_swallow_the_city_leaving_only_the_date():
    text = (
        "drills-army Army ends field drills: JCS Dec. 29 (Yonhap) -- The army said Monday "
        "it had ended its drills.(END)"
    )
    copy = parse_wire(text, title="Army ends field drills: JCS")
    assert copy.dateline is None
    assert (copy.month, copy.day, copy.agency) == (12, 29, "Yonhap")


# --- raw wire: indents and hard wrapping ---------------------------------------------------


def test_raw_wire_hard_wrapped_lines_are_rejoined_into_paragraphs():
    copy = parse_wire(fixture_text("raw_wire_lead.txt"))
    assert len(copy.paragraphs) == 5
    assert texts(copy)[0] == (
        "SUWON, Sept. 14 (Yonhap) -- A city south of Seoul opened a library built on pontoons "
        "in the middle of a reservoir on Wednesday, offering readers a quiet place to sit "
        "above the water, city officials said."
    )
    assert texts(copy)[3].endswith("after a design contest held in 2021.")
    assert copy.headline == "Gyeonggi city opens floating library on reservoir"
    assert copy.tags == ("LEAD",)
    assert copy.byline == "Park Min-ji"
    assert copy.editor_note == "ATTN: ADDS details in last 3 paras; RECASTS headline"
    assert (copy.dateline, copy.month, copy.day) == ("SUWON", 9, 14)


def test_raw_wire_drops_the_mailbox_and_everything_after_end():
    copy = parse_wire(fixture_text("raw_wire_lead.txt"))
    body = " ".join(texts(copy))
    assert "pmj@yna.co.kr" not in body
    assert "Unrelated headline" not in body and "2024" not in body
    assert copy.ended


def test_wrapped_copy_without_indents_splits_where_a_line_stops_short():
    first = (
        "Officials said on Tuesday that a train carrying what is believed to be a "
        "long-range rocket had been seen moving toward the launch site in the north."
    )
    second = "They did not say when it was seen."
    third = (
        "Experts said a launch could come within weeks, as the weather in the region "
        "improves and the ground crews finish their preparations for it."
    )
    wrapped = "\n".join(textwrap.fill(p, width=72) for p in (first, second, third))
    copy = parse_wire(f"Rocket moved to launch site\nSEOUL (Yonhap) -- A short lead.\n{wrapped}")
    assert texts(copy)[1:] == [first, second, third]


def test_web_copy_keeps_one_paragraph_per_line_even_when_lines_are_short():
    lines = [f"Rate table row {n} for term {n}-M shows 2.{n}0 percent today ok" for n in range(6)]
    copy = parse_wire("\n".join(["Interbank rates", "SEOUL (Yonhap) -- The rates:", *lines]))
    assert texts(copy)[1:] == lines


def test_html_line_breaks_and_carriage_return_entities_are_undone():
    raw = (
        "<div>&#13;\n<body>&#13;\nMinister orders cyber drills<br/>&#13;\n"
        "   SEOUL, Oct. 12 (Yonhap) -- The defense minister ordered cyber drills<br/>&#13;\n"
        "on Thursday, his ministry said, after a string of hacking attempts<br/>&#13;\n"
        "on military networks this year.<br/>&#13;\n"
        "   The drills start next week.<br/>&#13;\n(END)&#13;\n</body>"
    )
    copy = parse_wire(raw)
    assert copy.headline == "Minister orders cyber drills"
    assert texts(copy) == [
        "SEOUL, Oct. 12 (Yonhap) -- The defense minister ordered cyber drills on Thursday, his "
        "ministry said, after a string of hacking attempts on military networks this year.",
        "The drills start next week.",
    ]


def test_clean_text_unescapes_double_escaped_entities_and_normalises_newlines():
    assert clean_text("\ufeffA &amp;quot;B&amp;quot;\r\nC\rD\xa0E") == 'A "B"\nC\nD E'


def test_clean_text_keeps_angle_brackets_that_are_not_html():
    assert clean_text("<한글뉴스> a < b") == "<한글뉴스> a < b"


# --- pages that lost their line breaks -----------------------------------------------------


def test_rules_glued_into_one_line_separate_the_items_they_stood_between():
    # A digest scraped from a page that lost its line breaks: the separator lines survive,
    # glued to the items on both sides.
    line = (
        "SEOUL, Jan. 2 (Yonhap) -- The following is a summary of the week.------------"
        "N. Korean workers finish a dam SEOUL -- Workers finished a dam, media said."
        "------------N. Korea's Kim visits a farm SEOUL -- Kim visited a farm.------------"
    )
    copy = parse_wire(f"Weekly summary\n{line}\n(END)")
    assert texts(copy) == [
        "SEOUL, Jan. 2 (Yonhap) -- The following is a summary of the week.",
        "N. Korean workers finish a dam SEOUL -- Workers finished a dam, media said.",
        "N. Korea's Kim visits a farm SEOUL -- Kim visited a farm.",
    ]


# --- captions and endings ------------------------------------------------------------------


def test_captions_are_marked_and_story_paragraphs_are_not():
    copy = parse_wire(fixture_text("page_copy_all_news.txt"))
    captions = [p.text for p in copy.paragraphs if p.is_caption]
    assert captions == [
        "This file photo, taken Aug. 31, 2021, shows sandbags piled in front of an underpass "
        "entrance in Daejeon. (Yonhap)",
        "This photo provided by the Daejeon fire department shows rescue boats on a flooded "
        "road. (PHOTO NOT FOR SALE) (Yonhap)",
    ]
    assert not copy.paragraphs[0].is_caption


@pytest.mark.parametrize(
    "caption",
    [
        "This image shows the new bridge at night. (Yonhap)",
        "This file photo, taken Aug. 31, 2023, shows a missile launch on TV. (Yonhap)",
        "Rescue boats on a flooded road. (PHOTO NOT FOR SALE) (Yonhap)",
        "President Lee speaks at a ceremony in Seoul on Oct. 1, 2025. (Yonhap)",
        "The harbour at dawn. Image: Jane Doe.",
        "Artist's rendering of the probe Image: NASA",
        "This map shows the two sites near the station image: Daly et al.",
        "The owner shows the drink at the bar. (2012). Image; Pacific Standard, provided by him.",
        "Hill (right) with fellow candidate Buddy Roemer.",
        "Lee Jae Myung (2nd from L) cuts a ribbon at the plant in Ulsan.",
    ],
)
def test_caption_forms_are_marked(caption):
    copy = parse_wire(story("Bridge opens", LEAD, caption))
    assert copy.paragraphs[-1] == copy.paragraphs[-1].__class__(caption, True)


def test_a_paragraph_of_story_text_naming_left_and_right_is_not_a_caption():
    paragraph = (
        "The opposition said the deal moved the country to the right (right) in a sense that "
        "few voters had asked for, and lawmakers from both sides promised to review every "
        "clause of the agreement before the vote scheduled for the end of the month in Seoul."
    )
    copy = parse_wire(story("Deal reviewed", LEAD, paragraph))
    assert not copy.paragraphs[-1].is_caption


def test_a_wiki_storys_sources_and_categories_are_not_story_text():
    copy = parse_wire(
        story(
            "Document found on street",
            LEAD,
            "The 131-page document was found in an envelope by a passerby.",
            "Sources",
            '"Document found on street not secret, say feds" — The Canadian Press, August 15, 2008',
            "Categories: August 15, 2008 Canada Published",
        )
    )
    assert texts(copy)[-1] == "The 131-page document was found in an envelope by a passerby."


def test_a_dateless_page_copys_closing_yonhap_credit_ends_story_text_not_a_caption():
    copy = parse_wire(
        "Exports rise for fifth month\n\n"
        "South Korea's exports rose for the fifth straight month in March, the ministry said.\n\n"
        "Imports soared 26.9 percent on-year to $42.3 billion in March.\n\n"
        "Last month's trade surplus came to $6.6 billion, marking 62 straight months of a "
        "surplus. (Yonhap)\n"
    )
    last = copy.paragraphs[-1]
    assert (last.text, last.is_caption, copy.agency) == (
        "Last month's trade surplus came to $6.6 billion, marking 62 straight months of a surplus.",
        False,
        "Yonhap",
    )


def test_page_chrome_mailbox_more_and_copyright_lines_are_dropped():
    text = "\n".join(
        [
            "Rate table",
            "SEOUL, May 5 (Yonhap) -- Part one of the table.",
            "Row one.",
            "(MORE)",
            "Row two.",
            "reporter@yna.co.kr",
            "(C) Yonhap News Agency. All Rights Reserved",
        ]
    )
    copy = parse_wire(text)
    assert texts(copy) == [
        "SEOUL, May 5 (Yonhap) -- Part one of the table.",
        "Row one.",
        "Row two.",
    ]


def test_a_take_ending_in_more_loses_its_marker_and_the_crawlers_sign_off():
    # No (END) to cut at: the list goes on in another take, and a crawler signed the copy off.
    text = "\n".join(
        [
            "Closing prices-1",
            "SEOUL, Jan. 2 (Yonhap) -- Friday's closing prices.Alpha 1,200 UP 10Beta 3,400 DN 20"
            "(MORE)",
            "",
            "---",
            "",
            "*Crawled at: 2026-01-02 07:45:08*",
            "*Source: [원문 보기](https://news.example.com/article/001/123)*",
        ]
    )
    assert texts(parse_wire(text)) == [
        "SEOUL, Jan. 2 (Yonhap) -- Friday's closing prices.Alpha 1,200 UP 10Beta 3,400 DN 20"
    ]


def test_nothing_after_the_first_end_reaches_any_paragraph_or_the_date():
    copy = parse_wire(fixture_text("page_copy_all_news.txt"))
    body = " ".join(texts(copy))
    assert "Markets rally" not in body and "Unrelated story" not in body
    assert "All Rights Reserved" not in body
    assert "cjw@yna.co.kr" not in body


def test_copy_without_end_still_parses_and_says_it_may_be_cut_short():
    copy = parse_wire(fixture_text("truncated.txt"))
    assert not copy.ended
    assert copy.headline == "Seoul subway to run all night on New Year's Eve"
    assert (copy.dateline, copy.month, copy.day, copy.agency) == ("SEOUL", None, None, "Yonhap")
    assert len(copy.paragraphs) == 3
    assert copy.weekday == "friday"


# --- web pages: chrome above the story, page stamps ---------------------------------------


def test_page_copy_skips_navigation_and_reads_the_all_news_stamp():
    copy = parse_wire(fixture_text("page_copy_all_news.txt"))
    assert copy.headline == "Heavy rain floods underpasses in central region, 3 missing"
    assert copy.tags == ("2nd LD",)
    assert copy.byline == "Choi Ji-won"
    assert copy.editor_note == "ATTN: UPDATES casualty figures in paras 2-3; ADDS photo"
    assert copy.published is not None
    assert copy.published.iso() == "2023-07-11"
    assert copy.published.time == "07:00"
    assert copy.published.basis == "page stamp"


@pytest.mark.parametrize(
    ("stamp", "iso"),
    [
        ("All News 07:00 July 11, 2023", "2023-07-11"),
        ("All Headlines 16:11 May 19, 2010", "2010-05-19"),
        ("Art/Culture 07:14 July 29, 2021", "2021-07-29"),
        ("09:35 January 23, 2021", "2021-01-23"),
        ("Posted : 2012-11-29 07:19", "2012-11-29"),
        ("**연합뉴스** | 2025-12-28 00:00 |", "2025-12-28"),
        ("August 27, 2018", "2018-08-27"),
    ],
)
def test_page_timestamp_lines_above_the_story_give_a_certain_date(stamp, iso):
    copy = parse_wire(f"Flood warning issued\n{stamp}\n{LEAD}\nMore.\n(END)")
    assert copy.headline == "Flood warning issued"
    assert copy.published is not None and copy.published.iso() == iso
    assert copy.published.year_certain


def test_archive_date_prefix_is_not_part_of_the_headline_but_dates_the_story():
    copy = parse_wire(f" date 2019-05-17 Flood warning issued\n{LEAD}\n(END)")
    assert copy.headline == "Flood warning issued"
    assert copy.published is not None and copy.published.iso() == "2019-05-17"


def test_headline_above_a_caption_and_slug_is_found_from_the_dateline_up():
    text = "\n".join(
        [
            "![]() |",
            "| ▲ This file photo shows the two leaders at a summit. (Yonhap) |",
            "US-S Korea relations",
            "Allies forge closer ties: report",
            "By Byun Duk-kun",
            "WASHINGTON, April 7 (Yonhap) -- The allies are working more closely, a report said "
            "Friday.",
            "Second paragraph.",
        ]
    )
    copy = parse_wire(text)
    assert copy.headline == "Allies forge closer ties: report"
    assert copy.slug == "US-S Korea relations"
    assert copy.byline == "Byun Duk-kun"
    assert copy.paragraphs[1].is_caption  # the photo above the story is kept, marked
    assert copy.paragraphs[1].text.startswith("This file photo shows")


def test_editorial_tag_line_above_the_title_becomes_a_tag():
    text = "\n".join(
        [
            "Go to Contents Go to Navigation",
            "(EDITORIAL from Korea Times on July 29)",
            "Opinion 07:14 July 29, 2021",
            "Protect the mudflats",
            "The mudflats on the west coast were listed as world heritage this week.",
            "That brings duties as well as pride.",
        ]
    )
    copy = parse_wire(text)
    assert copy.headline == "Protect the mudflats"
    assert copy.tags == ("EDITORIAL from Korea Times on July 29",)
    assert copy.published is not None and copy.published.iso() == "2021-07-29"
    assert copy.dateline is None


def test_digest_keeps_its_own_title_rather_than_an_item_headline():
    text = "\n".join(
        [
            "Yonhap News Summary",
            "The following is the second summary of major stories moved by Yonhap News Agency "
            "on Wednesday.",
            "-----------------",
            "(3rd LD) Rain eases in the south",
            "SEOUL, May 13 (Yonhap) -- Rain eased on Wednesday.",
        ]
    )
    assert parse_wire(text).headline == "Yonhap News Summary"


def test_headline_ending_in_an_abbreviation_is_still_a_headline():
    copy = parse_wire(
        "U.S. disappointed in N. Korea's recent moves to cut ties: State Dept.\n"
        "WASHINGTON, June 9 (Yonhap) -- The United States is disappointed, it said Tuesday.\n"
    )
    assert copy.headline == "U.S. disappointed in N. Korea's recent moves to cut ties: State Dept."


def test_text_opening_with_its_dateline_has_no_headline():
    copy = parse_wire(f"{LEAD}\nMore text.\n(END)")
    assert copy.headline == ""
    assert copy.dateline == "SEOUL"


def test_metadata_title_replaces_the_headline_and_its_repeat_is_not_body():
    copy = parse_wire(f"# (LEAD) Painting found\n\n{LEAD}\n", title="(LEAD) Painting found")
    assert copy.headline == "Painting found"
    assert copy.tags == ("LEAD",)
    assert texts(copy) == [LEAD]


def test_empty_text_gives_an_empty_copy():
    copy = parse_wire("")
    assert copy.headline == "" and copy.paragraphs == ()


# --- weekday ---------------------------------------------------------------------------------


def test_weekday_comes_from_the_lead_not_from_later_paragraphs():
    copy = parse_wire(story("Painting found", LEAD, "The museum reopens Friday."))
    assert copy.weekday == "tuesday"


# --- web ids -------------------------------------------------------------------------------


def test_web_id_is_found_whole_in_a_url():
    url = "https://en.yna.co.kr/view/AEN20200506000700325?section=nk/nk"
    assert web_id(url) == "AEN20200506000700325"


def test_web_id_date_is_the_seoul_date_and_certain():
    published = web_id_date("https://m-en.yna.co.kr/view/AEN20200506000700325")
    assert published is not None
    assert published.iso() == "2020-05-06"
    assert published.year_certain and published.basis == "web id"


@pytest.mark.parametrize("text", [None, "", "https://example.com/AEN2020", "AEN20201399000700325"])
def test_web_id_absent_or_impossible_gives_none(text):
    assert web_id_date(text) is None


# --- the seed story (shipped in the corpus by the corpus owner) ----------------------------


@pytest.mark.skipif(not SEED.exists(), reason="seed story not in corpus/ yet")
def test_seed_story_parses_as_the_notes_annotate_it():
    copy = parse_wire(SEED.read_text(encoding="utf-8"))
    assert copy.headline == (
        "U.S. expects S. Korea to be flexible in defense cost-sharing talks: official"
    )
    assert copy.tags == ()
    assert copy.byline == "Lee Haye-ah"
    assert (copy.dateline, copy.month, copy.day, copy.agency) == ("WASHINGTON", 5, 5, "Yonhap")
    assert copy.weekday == "tuesday"
    assert copy.ended
    assert copy.paragraphs[-1].is_caption
    assert copy.paragraphs[-1].text.startswith("This image shows")
    assert not any(p.is_caption for p in copy.paragraphs[:-1])
    body = " ".join(texts(copy))
    assert "hague@yna.co.kr" not in body and "(END)" not in body
    # The site's headline list after (END) must not leak into the story.
    assert "KG Mobility" not in body and "information-sharing pact" not in body
    assert copy.published is None


# --- robustness ------------------------------------------------------------------------------

WIRE_PIECES = st.sampled_from(
    [
        "(END)",
        "(LEAD) ",
        "(ATTN: ADDS)",
        "By Kim Su-ji",
        "SEOUL, May 5 (Yonhap) -- ",
        "SEOUL -- ",
        "(Yonhap)",
        "\n",
        "\n\n",
        "   ",
        "me@yna.co.kr",
        "&quot;",
        "<br/>",
        "All News 07:00 May 5, 2023",
        " date 2020-01-01 ",
        "AEN20200506000700325",
        "Tuesday",
        "2020",
        "(MORE)",
        "---\n",
        "Sept. ",
        "HANGZHOU, China, Oct. 1 (Yonhap) — ",
        "This image shows",
        "Image: X.",
        "▲ ",
        "| ",
        "\t",
    ]
)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.one_of(WIRE_PIECES, st.text(max_size=40)), max_size=30))
def test_parse_wire_never_raises_on_arbitrary_text(pieces):
    text = "".join(pieces)
    copy = parse_wire(text)
    assert isinstance(copy, WireCopy)
    assert all(p.text.strip() for p in copy.paragraphs)
    parse_wire(text, title=text[:50])
