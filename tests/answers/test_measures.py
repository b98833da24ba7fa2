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
