"""Issue 10, round 2: a story must address the asked fact, not only name its subject."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.answers.choose import choose
from bot.answers.question import addresses, holds_expected, read_question
from bot.answers.records import QUESTION_WORDS, question_terms
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
    assert lions_room.ask("How much will the Samsung Lions catcher earn?", 3).found


def test_a_phrasal_verb_question_is_answered_by_the_story_with_its_subject(lions_room: Newsroom):
    answer = lions_room.ask("On what date did the Cheonan go down?", 1)
    assert answer.found
    assert "March 26" in (answer.citations[0].best_sentence or "")


SUBMARINE = [
    "South Korea's first submarine, the ROKS Jang Bogo, will retire on Friday after 33 years.",
    "Commissioned in 1993, the ROKS Jang Bogo has sailed about 633,000 kilometers in all.",
    "The retirement ceremony will be held at the Jinhae naval base, the navy said.",
]


@pytest.fixture
def submarine_room(tmp_path: Path) -> Newsroom:
    corpus = tmp_path / "corpus"
    write_story(corpus, "sub.txt", wire_story("S. Korea's 1st submarine set to retire", SUBMARINE))
    write_story(corpus, "lions.txt", wire_story("Lions re-sign catcher Kang Min-ho", LIONS))
    return newsroom(corpus, tmp_path / "cache")


def test_a_question_about_a_fact_the_story_lacks_is_not_found(submarine_room: Newsroom):
    # The story is about the Jang Bogo; it says nothing about a captain.
    answer = submarine_room.ask("Who was the last captain of the ROKS Jang Bogo?", 3)
    assert not answer.found
    assert answer.closest  # the story is still listed, as not answering


def test_an_answer_whose_lines_and_headlines_show_only_the_subject_does_not_address_it():
    from types import SimpleNamespace

    from bot.answers.respond import _addressed

    question = "Who was the last captain of the ROKS Jang Bogo?"
    asked = read_question(question, QUESTION_WORDS)
    judged = dict.fromkeys(question_terms(question), 1.0)
    retire = SimpleNamespace(
        title="S. Korea's 1st submarine set to retire",
        best_sentence="Commissioned in 1993, the ROKS Jang Bogo has sailed 633,000 kilometers.",
    )
    captain = SimpleNamespace(
        title="S. Korea's 1st submarine set to retire",
        best_sentence="Cmdr. Lee Min-su, its last captain, will hand over the flag.",
    )
    unsure, close = SimpleNamespace(sim=None), SimpleNamespace(sim=0.9)
    assert not _addressed(asked, judged, [retire], [unsure])  # type: ignore[list-item]
    assert _addressed(asked, judged, [retire, captain], [unsure])  # type: ignore[list-item]
    # Close in meaning (the semantic layer), it addresses the question in other words.
    assert _addressed(asked, judged, [retire], [close])  # type: ignore[list-item]


def test_an_answer_whose_line_holds_what_is_asked_is_found(submarine_room: Newsroom):
    answer = submarine_room.ask("How far has the ROKS Jang Bogo sailed?", 3)
    assert answer.found
    assert "633,000" in (answer.citations[0].best_sentence or "")


def test_meaning_vouches_for_an_answer_in_other_words(submarine_room: Newsroom):
    from bot.answers.ask import ask

    question = "Who was the last captain of the ROKS Jang Bogo?"

    def close(question: str, passages: list[Passage]) -> dict[str, float]:
        return {p.passage_id: 0.9 for p in passages}

    index = submarine_room.index
    with index.reading():
        assert ask(index, question, 3, similar=close).found
