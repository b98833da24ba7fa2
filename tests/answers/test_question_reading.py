"""How a question's names, framing words and years are read (issue 10, round 5)."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.answers.casing import capitalises_first_only, caseless, unlisted_names, written_as_names
from bot.answers.question import acronyms_written, read_question, unmet
from bot.answers.records import QUESTION_WORDS, question_terms
from bot.newsroom import Newsroom
from tests.helpers import newsroom, wire_story, write_story


def names(question: str) -> set[str]:
    return set(read_question(question, QUESTION_WORDS).names)


def test_dotted_abbreviations_are_names_as_the_analyzer_reads_them():
    # The index holds "U.S." as "us": a name "u" and "s" would be met by no story.
    assert names("Where did the won close against the U.S. dollar?") == {"us"}
    assert names("Who heads the U.N. Command?") == {"un", "command"}


def test_a_word_after_an_abbreviation_does_not_open_a_sentence():
    # "N." and "Dr." end no sentence, so "Korea" and "Kim" are names; "N." alone is no name
    # (the analyzer reads "N. Korea" as "north korea").
    assert names("What did N. Korea fire on Friday?") == {"korea", "friday"}
    assert names("What did Dr. Kim say on Sept. 3?") == {"kim"}
    # A real sentence end still opens the next sentence with a capital that is no name.
    assert names("The ship sank. Then who rescued the crew?") == set()


def test_how_long_and_been_frame_the_question_and_are_not_searched():
    terms = question_terms("How long had the loudspeakers been silent before August 2015?")
    assert "long" not in terms and "been" not in terms
    assert {"loudspeak", "silent", "august", "2015"} <= set(terms)
    # "How old" stays: answers say "45-year-old".
    assert "old" in question_terms("How old is the head of the brotherhood?")


def _dated(corpus: Path, name: str, title: str, published: str, body: str) -> None:
    """A story file whose front matter gives its title and publication time."""
    write_story(corpus, name, f"---\ntitle: {title}\npublished_at: {published}\n---\n{body}")


def test_a_story_dated_the_year_asked_holds_it_though_its_text_never_writes_it(tmp_path: Path):
    corpus = tmp_path / "corpus"
    body = (
        "SEOUL, Aug. 21 (Yonhap) -- South Korea resumed its loudspeaker broadcasts on August 10, "
        "ending 11 years of silence along the border.\n\n"
        "The loudspeakers had been silent since a 2004 agreement between the two Koreas.\n\n"
        "Officials said the broadcasts would continue until the North apologised.\n"
    )
    _dated(corpus, "loudspeakers.md", "Loudspeakers blare again", "2015-08-21 10:00", body)
    # A story about the weather dated another year, so the question has a rival candidate.
    _dated(
        corpus,
        "weather.md",
        "Heavy rain in August",
        "2019-08-21 10:00",
        "SEOUL, Aug. 21 (Yonhap) -- Heavy rain fell in August across the south of the country.\n",
    )
    room = newsroom(corpus, tmp_path / "cache")
    answer = room.ask("How long had the South's loudspeakers been silent before August 2015?", 3)
    assert answer.found
    assert answer.citations[0].article_id.startswith("loudspeakers")


def test_a_question_says_nothing_of_its_names_when_typed_in_one_case():
    assert caseless("who is the captain of the samsung lions?")
    assert caseless("WHO IS THE CAPTAIN OF THE SAMSUNG LIONS?")
    assert not caseless("Who is the captain of the Samsung Lions?")
    # Opening with a capital, the question is read as written by someone who capitalises.
    assert not caseless("What is the boiling point of water?")


def test_countries_are_names_however_the_question_is_typed():
    assert "tunisian" in names("which tunisian goalie got hurt?")
    assert "tunisian" in names("Which tunisian goalie got hurt?")  # as phones type
    assert "greec" in names("HOW MANY PEOPLE IN GREECE PRAY TO ZEUS?")


def test_the_stories_found_say_which_words_are_names():
    texts = [
        "The Samsung Lions said Sunday they have signed catcher Kang Min-ho.",
        "Kang joined the Samsung Lions in 2019. He is the world's oldest catcher.",
        "Fans around the world watch the World Cup.",
    ]
    found = written_as_names(texts, {"samsung", "lion", "catcher", "world"})
    # "world" is written in lower case as often as with a capital: a word, not a name.
    assert found == {"samsung", "lion"}


@pytest.fixture
def ball_room(tmp_path: Path) -> Newsroom:
    """A catcher the Samsung Lions keep, and a Kia Tigers game that names no catcher."""
    corpus = tmp_path / "corpus"
    lions = [
        "The Samsung Lions announced Sunday they have retained catcher Kang Min-ho.",
        "The Lions said the 40-year-old catcher will earn 300 million won a year.",
    ]
    tigers = ["Kia Tigers fans filled the stadium in Gwangju on Sunday.", "The Tigers won 5-2."]
    write_story(corpus, "lions.txt", wire_story("Samsung Lions re-sign catcher Kang Min-ho", lions))
    write_story(corpus, "tigers.txt", wire_story("Kia Tigers win home opener", tigers))
    return newsroom(corpus, tmp_path / "cache")


def test_a_question_typed_in_lower_case_is_held_to_its_names(ball_room: Newsroom):
    # The Lions' catcher is not the Tigers': typed with capitals, "Kia Tigers" are names no
    # story about Kang holds. Typed in lower case, the stories found write "Kia Tigers", and
    # that gives the question its names back.
    assert not ball_room.ask("How much will Kia Tigers catcher Kang Min-ho earn a year?", 3).found
    assert not ball_room.ask("how much will kia tigers catcher kang min-ho earn a year?", 3).found
    assert ball_room.ask("how much will samsung lions catcher kang min-ho earn a year?", 3).found


def test_a_name_that_is_no_english_word_shows_a_writer_who_does_not_capitalise():
    assert capitalises_first_only("Who is the captain of the samsung lions?")
    assert not capitalises_first_only("Who is the captain of the Samsung Lions?")
    assert not capitalises_first_only("who is the captain of the samsung lions?")
    question = "Who is the captain of the samsung lions?"
    assert unlisted_names(question, {"samsung", "lion"}) == ["samsung"]  # "lions" is a word
    assert unlisted_names("What is the boiling point of water?", {"water"}) == []


def test_a_question_capitalised_only_at_its_start_is_held_to_the_names_it_types_in_lower_case(
    ball_room: Newsroom,
):
    # As a phone types it: "kia" is no English word, so the question's names are in lower case.
    assert not ball_room.ask("How much will kia tigers catcher kang min-ho earn a year?", 3).found
    assert ball_room.ask("How much will samsung lions catcher kang min-ho earn a year?", 3).found


def test_an_acronym_is_held_by_a_story_that_writes_its_words_out():
    asked = read_question("When did North Korea first test an ICBM that could reach Alaska?")
    assert acronyms_written(asked, set(), ["tested an intercontinental ballistic missile"]) == {
        "icbm"
    }
    # Words that merely start with the letters, short ones among them, are no ICBM.
    assert acronyms_written(asked, set(), ["in case of big money"]) == set()
    plural = read_question("How many MOUs did Seoul and Beijing sign?")
    assert acronyms_written(plural, set(), ["They signed 14 memorandums of understanding."])
    assert acronyms_written(plural, {"mou"}, []) == {"mous"}  # its singular
    # Three letters: a word gives one letter only, or "its affiliate" would spell ISA.
    three = read_question("How many ISA accounts were opened?")
    assert acronyms_written(three, set(), ["its affiliate"]) == set()
    assert acronyms_written(three, set(), ["individual savings accounts"]) == {"isa"}


def test_an_acronym_written_as_a_possessive_is_still_an_acronym():
    asked = read_question("Which law blocks North Korean websites like KCNA's?")
    assert ("kcna", "KCNA") in asked.acronyms
    assert acronyms_written(asked, set(), ["the Korean Central News Agency site"]) == {"kcna"}
    # A name's possessive is no acronym.
    assert read_question("What is Kim's title?").acronyms == frozenset()


def test_a_figure_given_as_a_bound_need_not_be_in_the_story():
    asked = read_question("Which stock rose more than 8 percent at the open in 2026?")
    assert asked.bounds == {"8"}
    assert unmet(asked, {"2026", "stock"}) == []
    assert unmet(asked, {"stock"}) == ["2026"]


def test_a_story_writing_an_acronym_out_answers_the_question_naming_it(tmp_path: Path):
    corpus = tmp_path / "corpus"
    write_story(corpus, "missile.txt", wire_story("N. Korea fires missile", [
        "North Korea on Tuesday tested an intercontinental ballistic missile capable of "
        "reaching Alaska, officials said.",
        "The launch came days after the United Nations adopted new sanctions.",
    ]))  # fmt: skip
    write_story(corpus, "rice.txt", wire_story("Rice harvest falls", [
        "South Korea's rice harvest fell 3 percent this year on a hot summer.",
    ]))  # fmt: skip
    room = newsroom(corpus, tmp_path / "cache")
    answer = room.ask("When did North Korea test the ICBM that can reach Alaska?", 3)
    assert answer.found
    assert answer.citations[0].article_id.startswith("missile")


def test_a_story_early_in_a_year_telling_of_its_last_months_holds_the_year_before(
    tmp_path: Path,
):
    corpus = tmp_path / "corpus"
    stories = {
        "shopping.md": (
            "Online shopping hits record",
            "SEOUL, Jan. 2 (Yonhap) -- Online shopping sales hit a record in November, driven "
            "by food orders, data showed Friday.\n\nMobile shopping accounted for 77 percent.\n",
        ),
        "exports.md": (
            "Exports rise",
            "SEOUL, Jan. 2 (Yonhap) -- Exports rose 5 percent in December on chip demand.\n",
        ),
    }
    for name, (title, body) in stories.items():
        _dated(corpus, name, title, "2026-01-02 09:00", body)
    room = newsroom(corpus, tmp_path / "cache")
    answer = room.ask("What share of online shopping was mobile in November 2025?", 3)
    assert answer.found
    assert answer.citations[0].article_id.startswith("shopping")
    # A later year is still not held.
    assert not room.ask("What share of online shopping was mobile in November 2027?", 3).found


def test_a_story_of_unknown_year_dated_the_month_asked_is_not_held_to_the_year(tmp_path: Path):
    corpus = tmp_path / "corpus"
    write_story(corpus, "interview.txt", wire_story("Moon answers wire services", [
        "Moon Jae-in answered written questions from Yonhap and seven foreign news agencies.",
        "The interview covered North Korea and the economy.",
    ], dateline="SEOUL, Feb. 9 (Yonhap) -- "))  # fmt: skip
    room = newsroom(corpus, tmp_path / "cache")
    [article] = [v.article for v in map(room.source, room.index.story) if v is not None]
    assert article.published is not None and article.published.year is None
    assert room.ask("How many agencies put questions to Moon Jae-in in February 2022?", 3).found
    # Its month is known: a question about another month's year is still not answered.
    assert not room.ask("How many agencies put questions to Moon Jae-in in March 2022?", 3).found


def test_a_hostile_acronym_is_capped_in_letters_and_in_small_words_passed_over():
    # Capitals past eight letters are no acronym, and at most three small words are passed
    # over: a story of "of of of ..." would otherwise exhaust the matcher's recursion.
    asked = read_question("What does AAAAAAAB stand for?")
    assert asked.acronyms == {("aaaaaaab", "AAAAAAAB")}
    story = " ".join(["aaaaaaaaaaaa"] * 3000)
    assert acronyms_written(asked, set(), [story]) == set()
    assert acronyms_written(asked, set(), [story + " bees"]) == {"aaaaaaab"}
    assert read_question("What does AAAAAAAAAAAB stand for?").acronyms == frozenset()
    # Small words are passed over a few at a time, not for the length of a hostile story.
    assert acronyms_written(asked, set(), ["aaaaaaa " + "of " * 5000 + "bees"]) == set()
