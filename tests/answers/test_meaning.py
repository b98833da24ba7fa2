"""Meaning in the answer (semantic layer on): the passage shown, "found", and the story order.

The layer's cosines reach the answer path through a ``similar`` hook; here a fake hook stands
in for the model, so each rule is proven on its own (the real model: tests/semantic).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path

import pytest

from bot.answers import meaning
from bot.answers.ask import ask
from bot.newsroom import Newsroom
from bot.text.passages import Passage
from tests.helpers import newsroom, wire_story, write_story

CRANE = [
    "A crane fell into the Grand Mosque in Mecca on Friday, the civil defence authority said.",
    "The accident was blamed on strong winds and heavy rain that swept the city.",
    "Pilgrims were gathering for evening prayers at the time, officials said.",
]
SARVIS = [
    "Robert Sarvis is running for governor of Virginia as the Libertarian Party candidate.",
    "Sarvis works as an attorney in northern Virginia and has taught mathematics.",
]


@pytest.fixture
def room(tmp_path: Path) -> Newsroom:
    corpus = tmp_path / "corpus"
    write_story(corpus, "crane.txt", wire_story("Crane collapse at Mecca mosque", CRANE))
    write_story(corpus, "sarvis.txt", wire_story("Libertarian Sarvis runs for governor", SARVIS))
    return newsroom(corpus, tmp_path / "cache")


def _fake(cosines: Mapping[str, float], default: float = 0.1):
    """A ``similar`` hook: these cosines by text fragment, ``default`` for other passages."""
    def similar(question: str, passages: Sequence[Passage]) -> dict[str, float]:
        found = {}
        for p in passages:
            hit = [c for fragment, c in cosines.items() if fragment in p.text]
            found[p.passage_id] = hit[0] if hit else default
        return found

    return similar


def _ask(room: Newsroom, question: str, similar=None, k: int = 1):
    index = room.index
    with index.reading():
        return ask(index, question, k, similar=similar)


def test_the_passage_closest_in_meaning_is_shown_when_the_words_point_elsewhere(room: Newsroom):
    question = "Why did the crane collapse at the Mecca mosque?"
    words = _ask(room, question)
    assert words.found and "strong winds" not in words.citations[0].text
    meant = _ask(room, question, _fake({"strong winds": 0.7}))
    assert meant.found
    assert "strong winds and heavy rain" in meant.citations[0].text


def test_a_story_close_in_meaning_answers_though_the_asked_words_are_absent(room: Newsroom):
    question = "What does Robert Sarvis do for a living?"
    assert not _ask(room, question).found  # no "living" in the story: not addressed
    meant = _ask(room, question, _fake({"attorney": meaning.VOUCH + 0.05}))
    assert meant.found
    assert "attorney" in meant.citations[0].text
    # Below the vouching cosine the words alone decide again.
    assert not _ask(room, question, _fake({"attorney": meaning.VOUCH - 0.05})).found


def test_meaning_never_stands_in_for_a_missing_name_or_year(room: Newsroom):
    close = _fake({"attorney": 0.95, "Virginia": 0.95})
    assert not _ask(room, "What does Robert Sarvis do for a living in 2031?", close).found
    assert not _ask(room, "What does Gary Johnson do for a living?", close).found


def test_an_answer_nothing_comes_close_to_in_meaning_is_not_found(room: Newsroom):
    question = "What did officials say about pilgrims in Mecca?"
    assert _ask(room, question).found
    far = _fake({}, default=meaning.FLOOR - 0.1)
    answer = _ask(room, question, far, k=3)
    assert not answer.found
    assert answer.closest  # still listed, as not answering


def test_a_passage_holding_every_word_of_the_question_is_found_though_far_in_meaning(
    room: Newsroom,
):
    # "Pilgrims ... evening prayers" mentioned in passing in a crane story: whole-paragraph
    # meaning is about the crane, but every word of the question is there.
    question = "Pilgrims gathering for evening prayers"
    far = _fake({}, default=meaning.FLOOR - 0.1)
    assert _ask(room, question, far).found


def test_without_vectors_the_words_decide_exactly_as_with_the_layer_off(room: Newsroom):
    for question in (
        "Why did the crane collapse at the Mecca mosque?",
        "What does Robert Sarvis do for a living?",
        "Who is the current president of France?",
    ):
        assert _ask(room, question, lambda q, ps: {}, k=3) == _ask(room, question, k=3)


def test_stories_are_reordered_by_their_rank_fused_with_their_closest_passage(
    monkeypatch: pytest.MonkeyPatch,
):
    stories = ["a", "b", "c"]
    monkeypatch.setattr(meaning, "STORY_RRF_K", None)
    assert meaning.reorder(stories, [0.1, 0.2, 0.9]) == stories  # off: the words' order
    monkeypatch.setattr(meaning, "STORY_RRF_K", 10.0)
    # Third by its words, first by meaning: it passes the second (the first and it tie, and
    # a tie keeps the words' order).
    assert meaning.reorder(stories, [0.1, 0.2, 0.9]) == ["a", "c", "b"]
    assert meaning.reorder(stories, [None, None, None]) == stories
    assert meaning.reorder(["only"], [0.5]) == ["only"]


def test_found_needs_the_word_rules_or_a_vouching_cosine_above_the_floor():
    assert meaning.found(True, [0.5], [0.5])
    assert not meaning.found(False, [0.5], [0.5])
    assert meaning.found(False, [meaning.VOUCH], [meaning.VOUCH])
    assert not meaning.found(True, [0.1], [meaning.FLOOR - 0.01])
    assert meaning.found(True, [0.1], [meaning.FLOOR - 0.01], cover=1.0)
    assert not meaning.found(True, [], [])
    assert meaning.found(True, [None], [None])  # no vectors yet: the words decide
