"""A name in a story is not the common word a question writes in lower case ("Waters"/"water")."""

from __future__ import annotations

from pathlib import Path

from bot.answers.casing import common_words, only_names
from bot.answers.records import QUESTION_WORDS
from tests.helpers import newsroom, wire_story, write_story

EXHIBIT = [
    "In her opening remarks, Waters pointed out the studio's silver walls.",
    "Guests were served water and wine at the opening night of the exhibit.",
]
GALLERY = [
    "In her opening remarks, Waters pointed out the studio's silver walls.",
    "Visitors queued for an hour at the opening night of the exhibit.",
]


def test_a_question_written_with_capitals_gives_its_lower_case_words():
    assert common_words("What is the boiling point of water?", QUESTION_WORDS) == {
        "boil", "point", "water",
    }  # fmt: skip
    # "France" is a name; the framing words ("what", "is") are not asked about.
    assert common_words("Who is the president of France?", QUESTION_WORDS) == {"presid"}


def test_a_question_all_in_one_case_gives_nothing():
    assert common_words("what is the boiling point of water?") == frozenset()
    assert common_words("WHAT IS THE BOILING POINT OF WATER?") == frozenset()


def test_a_capital_standing_alone_inside_a_sentence_is_a_name():
    assert only_names(["Then Waters pointed at it."], {"water", "point"}) == {"water"}
    assert only_names(["Waters rose. Ann Waters left, and then Waters spoke."], {"water"}) == {
        "water"
    }
    assert only_names(["Then Park said so, according to Park."], {"park"}) == {"park"}


def test_a_capital_inside_a_name_of_several_words_or_after_an_article_says_nothing():
    # The question's "grand mosque" and "national assembly" mean these.
    assert only_names(["It fell into Mecca's Grand Mosque."], {"grand", "mosqu"}) == set()
    assert only_names(["He served in the National Assembly."], {"nation", "assembl"}) == set()
    assert only_names(["Later the Assembly passed it."], {"assembl"}) == set()
    assert only_names(["She met President Park Geun-hye."], {"park"}) == set()


def test_a_capital_opening_a_sentence_says_nothing():
    assert only_names(["Water rose on Monday."], {"water"}) == set()
    assert only_names(["SEOUL, June 2 (Yonhap) -- Water rose."], {"water"}) == set()
    assert only_names(['She said: "Water is scarce."'], {"water"}) == set()
    # Once written as a word anywhere, it is the word.
    assert only_names(["Then Waters pointed.", "He drank water."], {"water"}) == set()
    assert only_names(["He met Moon and Park."], {"park", "moon"}) == {"park", "moon"}


def test_a_story_holding_the_word_only_as_a_name_does_not_answer(tmp_path: Path):
    corpus = tmp_path / "corpus"
    write_story(corpus, "gallery.txt", wire_story("Warhol exhibit opens in Lugano", GALLERY))
    write_story(corpus, "port.txt", wire_story("Busan port handles record cargo", ["Busan."]))
    room = newsroom(corpus, tmp_path / "cache")
    assert not room.ask("Why was the water pointed?", 3).found
    # Written without capitals, the question cannot tell a name from a word: judged as before.
    assert room.ask("why was the water pointed?", 3).found


def test_a_story_holding_the_word_as_a_word_answers(tmp_path: Path):
    corpus = tmp_path / "corpus"
    write_story(corpus, "exhibit.txt", wire_story("Warhol exhibit opens in Lugano", EXHIBIT))
    write_story(corpus, "port.txt", wire_story("Busan port handles record cargo", ["Busan."]))
    room = newsroom(corpus, tmp_path / "cache")
    answer = room.ask("Where was the water pointed?", 3)
    assert answer.found
