"""What a figure question measures, and the paragraph with a figure of it being the one shown."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.answers.measures import asks_measure, gives
from bot.answers.question import read_question
from tests.helpers import newsroom, wire_story, write_story


@pytest.mark.parametrize(
    ("question", "measure"),
    [
        ("How much money do Koreans have sitting in ISA accounts?", "money"),
        ("How much did the new stadium cost?", "money"),
        ("By how much did exports rise in May?", "percent"),
        ("What percentage of voters backed Lee?", "percent"),
        ("How heavy is the Jang Bogo submarine?", "weight"),
        ("How fast were Phailin's winds?", "speed"),
        ("How tall is the Lotte World Tower?", "length"),
        ("How big was the Cheonan warship?", "size"),
        ("How old is the head of the magicians' brotherhood?", "age"),
        ("How long did the strike last?", "duration"),
        ("How many people were asked in the poll?", "count"),
        ("What is the approval rating?", "percent"),
        ("What was the inflation rate in 2019?", "percent"),
        ("What was the won-dollar exchange rate?", None),
    ],
)
def test_a_figure_question_names_what_it_measures(question: str, measure: str | None):
    assert asks_measure(question) == measure


def test_only_a_figure_question_gets_a_measure():
    assert read_question("How many people died?").measure == "count"
    assert read_question("Who leads the party?").measure is None


@pytest.mark.parametrize(
    ("measure", "gives_it", "does_not"),
    [
        ("money", "deposits totaling 46.5 trillion won", "6.14 million accounts, or 84 percent"),
        ("money", "a fine of US$3 million", "3 million people"),
        ("percent", "exports rose 5.9 percent", "exports reached $58 billion"),
        ("weight", "the 1,200-ton submarine", "sailed about 633,000 kilometers"),
        ("speed", "winds of 190 kilometers per hour", "winds swept 200 kilometers inland"),
        ("size", "the 1,200-ton Cheonan", "killing 46 sailors"),
        ("age", "Kim Yo-jong, 36, said", "36 lawmakers said"),
        ("age", "the 61-year-old magician", "61 magicians"),
        ("duration", "after 34 years of service", "on Dec. 29"),
        ("count", "The survey of 2,009 adults", "approval of 53.2 percent on Dec. 29, 2025"),
        ("count", "six hundred to eight hundred ideas", "someone often said so"),
    ],
)
def test_a_text_gives_a_figure_of_the_measure_or_not(measure, gives_it: str, does_not: str):
    assert gives(gives_it, measure)
    assert not gives(does_not, measure)


def test_the_questions_own_figure_is_not_its_answer():
    assert not gives("the 2,009 adults polled", "count", ignore={"2009"})


def test_the_paragraph_with_a_sum_of_money_answers_how_much_money(tmp_path: Path):
    corpus = tmp_path / "corpus"
    story = wire_story(
        "ISA subscriber base tops 7 million",
        [
            "The number of individual savings accounts (ISAs) held by Koreans topped 7 million, "
            "with deposits in the accounts totaling 46.5 trillion won, data showed.",
            "Brokerage-offered ISA accounts, where Koreans keep money for stocks, came to 6.14 "
            "million accounts, or 84 percent of all ISA accounts.",
        ],
    )
    write_story(corpus, "isa.txt", story)
    for n, topic in enumerate(("rice harvest", "ferry service", "film festival")):
        text = f"The {topic} drew attention on Friday, officials said, and more money was spent."
        write_story(corpus, f"other{n}.txt", wire_story(f"{topic.title()} news", [text]))
    room = newsroom(corpus, tmp_path / "cache")
    answer = room.ask("How much money do Koreans have in ISA accounts?", 1)
    assert answer.found
    assert "46.5 trillion won" in answer.citations[0].text


def test_counts_read_lazily_agree_with_reading_every_span_first():
    from bot.answers.measures import _DIGITS, _count_patterns, _counts

    def by_every_span(text: str, ignore: tuple[str, ...]) -> bool:
        # The rule as first written: every share, sum and date found before any figure.
        any_figure, not_counts = _count_patterns()
        taken = [m.span() for m in not_counts.finditer(text)]
        for match in any_figure.finditer(text):
            start, end = match.span()
            if any(a <= start < b or a < end <= b for a, b in taken):
                continue
            figures = [f.replace(",", "").rstrip(".") for f in _DIGITS.findall(match.group())]
            if not figures or any(f not in ignore for f in figures):
                return True
        return False

    texts = [
        "SEOUL, Dec. 30 (Yonhap) -- 88 suspected cases worth 1.2 trillion won were found.",
        "Prices rose 53.2 percent in 2024, and US$830 million was spent on Dec. 3.",
        "The ceremony starts at 4 p.m. on Friday, June 2, 2025.",
        "He has served UNICEF since the early 1990s and acted in approximately 140 films.",
        "Six hundred to eight hundred headline ideas; 2,009 adults; 12 home runs.",
        "No figures at all here.",
        "2024 2025 30 percent 5 won 11:15 a.m. Jan. 5",
    ]
    for text in texts:
        for ignore in [(), ("2024",), ("88",), ("12", "2025")]:
            assert _counts(text, ignore) == by_every_span(text, ignore), (text, ignore)


def test_a_missiles_speed_an_age_by_decade_and_a_start_year_are_measures():
    assert gives("The missile flew at a top speed of Mach 5.", "speed")
    assert gives("Kim, in his 60s, has led the group.", "age")
    assert gives("He has led the group since 2019.", "duration")
    assert not gives("He has led the group for good.", "duration")
