"""The answer line holds the kind of thing asked: a time, a score, a country, the count asked."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.answers import places
from bot.answers.choose import best_sentence
from bot.answers.kinds import gives_kind
from bot.answers.measures import gives
from bot.answers.question import name_present, read_question
from bot.answers.records import QUESTION_WORDS, question_terms
from tests.helpers import newsroom, wire_story, write_story


def line(question: str, text: str) -> str | None:
    asked = read_question(question, QUESTION_WORDS)
    return best_sentence(text, question_terms(question), asked)


def test_a_time_of_day_answers_at_what_time_and_is_no_count():
    text = (
        "The bodies of five family members were discovered at two apartments in Gyeongsan. "
        "The bodies were discovered at 11:15 a.m. by an acquaintance."
    )
    assert "11:15 a.m." in (line("At what time were the bodies discovered in Gyeongsan?", text)
                            or "")  # fmt: skip
    assert not gives("Ahn was moved to the emergency room as of around 4 p.m.", "count")
    assert not gives("He has served UNICEF since the early 1990s.", "count")
    assert gives("Ahn has acted in approximately 140 films.", "count")


@pytest.mark.parametrize(
    "question",
    [
        "What was the business sentiment index for manufacturers in December?",
        "What is President Lee's approval rating according to Realmeter?",
        "What was the death toll?",
    ],
)
def test_a_question_about_a_rate_or_an_index_asks_for_a_figure(question: str):
    assert read_question(question, QUESTION_WORDS).expects == "number"


def test_a_question_about_a_thing_asks_for_no_figure():
    assert read_question("What is the capital of Australia?", QUESTION_WORDS).expects is None


@pytest.mark.parametrize(
    ("question", "expects"),
    [
        ("What did Japan say the Ukishima Maru hit when it sank in 1945?", None),
        ("Which city was the Jeju Air plane coming from when it crashed?", "name"),
        ("How many people died when the ship sank?", "number"),
        ("What is the name of the journalist who found the lists?", "name"),
        ("What did the man who led the probe say?", None),
        ("When did the Ukishima Maru sink?", "date"),
        ("By how much did exports rise?", "number"),
    ],
)
def test_the_first_question_word_says_what_is_asked_not_a_clause_after_it(
    question: str, expects: str | None
):
    assert read_question(question, QUESTION_WORDS).expects == expects


def test_a_word_opening_like_a_month_is_no_date():
    # "marking 62" is no "March 62": the count stands.
    assert gives("The surplus came to $6.6 billion, marking 62 straight months of it.", "count")
    assert not gives("The surplus came to $6.6 billion on March 6.", "count")


def test_the_index_sentence_is_the_answer_line():
    text = (
        "Business sentiment among manufacturers rose in December, the central bank said. "
        "The index for manufacturers came to 94.4, up 2.1 points from a month earlier."
    )
    question = "What was the business sentiment index for manufacturers in December?"
    assert "94.4" in (line(question, text) or "")


def test_a_score_question_wants_a_result():
    question = "What was the final score when Korea knocked out Uzbekistan at the Asian Games?"
    assert read_question(question, QUESTION_WORDS).measure == "score"
    assert read_question("How many goals did he score?", QUESTION_WORDS).measure == "count"
    assert gives("South Korea beat Uzbekistan 4-3 in extra time.", "score")
    assert gives("He won with a total of 277.84 points.", "score")
    assert not gives("The tournament ran from 2024-12-03 for 12 days.", "score")
    text = (
        "Korea knocked out Uzbekistan at the Asian Games after 120 minutes before 30,000 fans. "
        "South Korea beat Uzbekistan 4-3 in extra time."
    )
    assert "4-3" in (line(question, text) or "")


def test_which_country_wants_a_country_the_question_does_not_name():
    question = "Which country buys the most Korean webtoons abroad?"
    asked = read_question(question, QUESTION_WORDS)
    assert asked.expects == "country"
    assert asked.answered_by("Japan bought 41 percent of the webtoons sold overseas.")
    assert not asked.answered_by("Korean webtoons sold well overseas, Seoul said.")
    text = (
        "Korean webtoons sold abroad brought in the most money yet, Seoul said on Monday. "
        "Japan was the largest buyer of the webtoons exported last year."
    )
    assert "Japan" in (line(question, text) or "")


def test_the_figure_of_what_is_counted_beats_another_figure():
    question = "How many home runs did Kang Min-ho hit in 2025?"
    asked = read_question(question, QUESTION_WORDS)
    assert asked.counted == {"home", "run"}
    text = (
        "The career leader in games played with 2,496, Kang Min-ho had a good season in 2025. "
        "He batted .269 with 12 home runs and 71 RBIs."
    )
    assert "12 home runs" in (line(question, text) or "")


def test_words_names_are_made_of_are_no_countries():
    # Iceland's other name is "Island": that must not make Jeju Island a country.
    assert places.kin("island") == frozenset()
    assert not name_present("island", {"iceland"})
    assert not places.names_country("He flew to Jeju Island and the Republic.")
    assert places.names_country("Visitors from China came.")
    assert places.kin("china") >= {"chines"}


def test_the_country_answer_is_shown_end_to_end(tmp_path: Path):
    corpus = tmp_path / "corpus"
    body = [
        "Korean webtoons sold abroad earned the most ever in 2024, with revenue up 12 percent.",
        "Japan buys the most Korean webtoons abroad, followed by the U.S., the ministry said.",
    ]
    write_story(corpus, "webtoon.txt", wire_story("Webtoon revenue tops 2 trillion won", body))
    write_story(corpus, "port.txt", wire_story("Busan port handles record cargo", ["Busan."]))
    answer = newsroom(corpus, tmp_path / "cache").ask(
        "Which country buys the most Korean webtoons abroad?", 1
    )
    assert answer.found
    assert "Japan" in (answer.citations[0].best_sentence or "")


def test_as_a_reason_to_refuse_the_kinds_are_read_widely():
    share = ["Seoul's share of the cost will rise 13 percent."]
    assert gives_kind(share, "number", measure="money")  # a sum's question, a share's answer
    assert not gives_kind(["Seoul's share of the cost will rise."], "number", measure="money")
    us = ["South Korea signed the deal with the United States."]
    assert gives_kind(us, "country", names={"south", "korea"})
    assert not gives_kind(["The deal was signed at last."], "date")
    assert gives_kind(["The deal was signed."], "date", dated=True)  # the story's own date
    assert gives_kind(["Nothing at all."], None)
