"""Issue 10, round 2: a story must address the asked fact, not only name its subject."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.answers.choose import choose
from bot.answers.kinds import holds_expected
from bot.answers.question import addresses, read_question
from bot.answers.records import question_terms
from bot.answers.refusal import why_not
from bot.newsroom import Newsroom
from bot.text.passages import Passage
from tests.helpers import newsroom, wire_story, write_story

LIONS = [
    "The Samsung Lions announced Sunday they have retained catcher Kang Min-ho.",
    "The Lions said the 40-year-old backstop will earn 300 million won a year.",
]
WARSHIP = [
    "The Cheonan warship sank on March 26 near the western sea border, killing 46 sailors.",
    "Investigators said a torpedo split the 1,200-ton corvette in two.",
]


@pytest.fixture
def lions_room(tmp_path: Path) -> Newsroom:
    corpus = tmp_path / "corpus"
    write_story(corpus, "lions.txt", wire_story("Lions re-sign catcher Kang Min-ho", LIONS))
    write_story(corpus, "cheonan.txt", wire_story("Cheonan warship sinks", WARSHIP))
    write_story(
        corpus,
        "festival.txt",
        wire_story(
            "Busan film festival opens",
            ["The Busan International Film Festival opened on Friday with 240 films."],
        ),
    )
    return newsroom(corpus, tmp_path / "cache")


def test_a_story_naming_the_subject_but_not_the_asked_role_does_not_address_it():
    asked = read_question("Who is the captain of the Samsung Lions?")
    weights = {"captain": 4.0, "samsung": 3.0, "lion": 3.0}
    assert not addresses(asked, weights, {"samsung", "lion", "catcher", "kang"})
    assert addresses(asked, weights, {"samsung", "lion", "captain"})


def test_a_question_that_is_nearly_all_names_is_judged_on_its_names():
    asked = read_question("How much did Hyun Bin and Son Ye-jin give to Samsung Medical Center?")
    weights = {t: 5.0 for t in asked.names} | {"give": 2.0}
    assert addresses(asked, weights, set(asked.names))  # "give" weighs too little to decide


def test_light_verbs_and_particles_are_not_what_a_question_asks_about():
    asked = read_question("On what date did the Cheonan go down?")
    weights = {"cheonan": 6.0, "go": 3.5, "down": 3.2}
    assert addresses(asked, weights, {"cheonan", "sank"})


def test_words_saying_when_are_not_what_a_question_asks_about():
    asked = read_question("Who is the current president of France?")
    weights = {"current": 3.8, "presid": 2.5, "franc": 6.0}
    # A story naming France with a "current" backlog but no president does not address it.
    assert not addresses(asked, weights, {"franc", "current", "asylum"})
    assert addresses(asked, weights, {"franc", "presid"})


def test_the_noun_naming_the_kind_of_answer_is_not_searched():
    assert question_terms("Which country buys the most Korean webtoons?") == [
        "buy", "most", "korean", "webtoon",
    ]  # fmt: skip
    assert question_terms("On what date did the Cheonan go down?") == ["cheonan", "go", "down"]
    assert "team" in question_terms("Which team won the title?")  # not a kind of answer here


def test_what_year_expects_a_year_and_a_weekday_does_not_give_one():
    asked = read_question("What year did the Taipei lantern festival begin?")
    assert asked.expects == "year"
    assert not holds_expected("The festival opened on Saturday night.", asked.expects)
    assert holds_expected("Started in 1990, the festival grows every year.", asked.expects)
    texts = [
        "The Taipei lantern festival opened on Saturday night in Taipei before crowds.",
        "Started in 1990, the Taipei lantern festival marks the new year.",
    ]
    passages = [Passage(f"t:{n}", "t", n, t, 20, False) for n, t in enumerate(texts, 1)]
    weights = {"taipei": 5.0, "lantern": 5.0, "festiv": 5.0, "begin": 4.0}
    assert choose(passages, weights, asked)[0].passage.passage_id == "t:2"


def test_the_asked_role_missing_from_every_story_is_not_found(lions_room: Newsroom):
    answer = lions_room.ask("Who is the captain of the Samsung Lions?", 3)
    assert not answer.found
    assert answer.closest  # still listed, as not answering
    assert answer.why == "the closest stories do not tell of “captain”"
    assert lions_room.ask("How much will the Samsung Lions catcher earn?", 3).found


def test_a_phrasal_verb_question_is_answered_by_the_story_with_its_subject(lions_room: Newsroom):
    answer = lions_room.ask("On what date did the Cheonan go down?", 1)
    assert answer.found
    assert "March 26" in (answer.citations[0].best_sentence or "")


def test_not_found_says_which_name_or_year_the_closest_stories_lack(lions_room: Newsroom):
    lotte = lions_room.ask("How tall is the Lotte tower in Busan?", 3)
    assert not lotte.found and lotte.why == "none of the closest stories mentions “Lotte”"
    year = lions_room.ask("How many sailors died when the Cheonan warship sank in 2019?", 3)
    assert not year.found
    assert year.why == "none of the closest stories mentions “2019”"


def test_the_reason_for_not_found_prefers_what_every_closest_story_lacks():
    asked = {"captain"}
    assert why_not("Who is X?", [], [], asked) == "no stored story shares its words"
    # "2019" is in none of them: the clearest reason, whatever else each lacks.
    both = why_not("Who won in 2019 for Lotte?", [{"2019", "lott"}, {"2019"}], [True, True], asked)
    assert both == "none of the closest stories mentions “2019”"
    first = why_not("Who won in 2019 for Lotte?", [{"lott"}, {"2019"}], [True, True], asked)
    assert first == "the closest story does not mention “Lotte”"
    role = why_not("Who is the captain of the Lions?", [set(), set()], [False, False], asked)
    assert role == "the closest stories do not tell of “captain”"
    weak = why_not("Who is the captain of the Lions?", [set(), set()], [True, True], asked)
    assert weak.startswith("the closest stories share too little")


def test_the_reason_quotes_the_question_as_written_never_a_stem():
    question = "What did N. Korea fire in Dec. 2025?"
    missing = [{"north", "korea", "decemb"}]
    assert why_not(question, missing, [True], set()) == (
        "none of the closest stories mentions “N. Korea”, “Dec”"
    )
    # A term no run of the question's words gives is left out, not shown as a stem.
    assert why_not("abc?", [{"zzz"}], [True], set()).endswith("some of its names or figures")


def test_a_datelines_day_is_no_figure_the_story_reports():
    lead = "SEOUL, Dec. 29 (Yonhap) -- President Lee moved his office back to Cheong Wa Dae."
    assert not holds_expected(lead, "number")
    assert holds_expected(lead.replace("his office", "his office and 300 staff"), "number")
    # A date asked for may well be the dateline's: it stays.
    assert holds_expected(lead, "date")


def test_stories_about_the_subject_that_give_no_figure_do_not_answer_how_much(tmp_path: Path):
    corpus = tmp_path / "corpus"
    office = [
        "President Lee Jae Myung moved the presidential office back to Cheong Wa Dae on Monday.",
        "The opposition criticised the cost of the move, which the office has not disclosed.",
    ]
    write_story(
        corpus,
        "office.txt",
        wire_story(
            "Presidential office returns to Cheong Wa Dae", office, "SEOUL, Dec. 29 (Yonhap) -- "
        ),
    )
    room = newsroom(corpus, tmp_path / "cache")
    cost = room.ask("How much did it cost to move the presidential office to Cheong Wa Dae?", 3)
    assert not cost.found
    assert cost.why == "the stories about it give no figure for what is asked"
    assert cost.closest  # still listed, as not answering
    assert room.ask("When did the presidential office move back to Cheong Wa Dae?", 3).found


def test_a_country_answer_of_several_words_is_not_refused(tmp_path: Path):
    corpus = tmp_path / "corpus"
    chips = [
        "South Korea signed a chip supply deal with the United States on Monday.",
        "The deal covers memory chips for data centers through 2030.",
    ]
    write_story(corpus, "chips.txt", wire_story("Seoul signs chip supply deal", chips))
    room = newsroom(corpus, tmp_path / "cache")
    answer = room.ask("Which country did South Korea sign the chip supply deal with?", 3)
    assert answer.found
    assert "United States" in (answer.citations[0].best_sentence or "")
