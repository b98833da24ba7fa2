"""A country named one way in the question and another in the story is the same place."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.answers import places
from bot.answers.question import name_present, named, read_question
from bot.answers.records import QUESTION_WORDS
from bot.text import analysis
from tests.helpers import newsroom, wire_story, write_story

GODS = [
    "Today, about 100,000 Greeks worship the ancient gods, such as Zeus, Hera and Athena.",
    "A court in Athens ruled on Monday that their worship is a known religion.",
]


def test_irregular_demonyms_meet_their_countries():
    for country, people in [("Greece", "Greek"), ("France", "French"), ("China", "Chinese"),
                            ("Netherlands", "Dutch"), ("Switzerland", "Swiss")]:  # fmt: skip
        # The question reads both as names; each is present where the story has the other.
        (place,), (adjective,) = analysis.analyze(country), analysis.analyze(people)
        assert read_question(f"Is {country} like {people} food?").names == {place, adjective}
        assert name_present(place, {adjective}), (country, people)
        assert name_present(adjective, {place}), (people, country)


def test_a_demonym_several_places_share_means_the_most_populous():
    # Martinique, Mayotte and Réunion are "French" too; "reunion" is also an English word.
    assert places.kin("french") == {"franc"}
    assert not name_present("french", {"reunion"})


def test_country_codes_are_not_names():
    # "IT", "IN", "NO" and "US" are codes in the data; as words they would meet everything.
    table = places.derive()
    assert all(len(term) >= 3 for term in table)
    assert all(len(other) >= 3 for others in table.values() for other in others)


def test_a_name_met_in_another_form_counts_among_the_covered_words():
    asked = read_question("How many people in Greece worship Zeus?", QUESTION_WORDS)
    held = named(asked, {"greek", "zeus", "worship"})
    assert "greec" in held
    assert named(asked, {"zeus", "worship"}) == {"zeus", "worship"}


@pytest.mark.parametrize("table", [True, False])
def test_a_question_about_greece_is_answered_by_a_story_about_greeks(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, table: bool
):
    corpus = tmp_path / "corpus"
    write_story(corpus, "gods.txt", wire_story("Court rules worship of ancient gods legal", GODS))
    port = ["The port of Busan handled 2 million containers in May, officials said."]
    write_story(corpus, "port.txt", wire_story("Busan port handles record cargo", port))
    if not table:  # the same question without the country table: Greece is not there
        monkeypatch.setattr(places, "kin", lambda term: frozenset())
    room = newsroom(corpus, tmp_path / "cache")
    answer = room.ask("How many people in Greece worship Zeus?", 3)
    assert answer.found is table
    if table:
        assert "100,000" in answer.citations[0].text


def test_the_table_is_kept_in_the_cache_and_read_back(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    monkeypatch.setattr(places, "_folder", None)
    places._table.cache_clear()
    try:
        places.remember_in(tmp_path)
        assert places.kin("greec") == {"greek"}
        kept = list(tmp_path.glob("places-*.json"))
        assert len(kept) == 1

        def derive_again() -> dict[str, frozenset[str]]:
            raise AssertionError("derived again although the cache holds the table")

        places._table.cache_clear()
        monkeypatch.setattr(places, "derive", derive_again)
        assert places.kin("greec") == {"greek"}
    finally:
        places._table.cache_clear()


def test_a_damaged_kept_table_is_derived_again(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setattr(places, "_folder", None)
    places._table.cache_clear()
    try:
        places.remember_in(tmp_path)
        path = places._remembered()
        assert path is not None
        path.write_text('["not", "a", "table"]', encoding="utf-8")
        assert places.kin("franc") == {"french"}
        places._table.cache_clear()
        assert places.kin("franc") == {"french"}  # and the file was mended
    finally:
        places._table.cache_clear()
