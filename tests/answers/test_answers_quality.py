import random

import numpy as np
import pytest

from bot.answers import records as answers
from bot.answers.ask import ask
from bot.index.engines.bm25 import RankBM25Engine
from bot.newsroom import Newsroom
from bot.text.passages import Passage

TROOPS = "How many American troops are stationed in South Korea?"


def test_a_question_the_news_cannot_answer_is_not_found(seed_room: Newsroom):
    answer = seed_room.ask("What is the recipe for kimchi stew?", 3)
    assert answer.found is False
    assert answer.citations == ()
    assert len(answer.closest) <= answers.CLOSEST


def test_everyday_questions_are_not_answered_from_an_unrelated_story(seed_room: Newsroom):
    for question in ("How do I reset my iPhone?", "Who wrote Pride and Prejudice?"):
        assert not seed_room.ask(question, 3).found


def test_a_paraphrased_question_is_still_found_with_its_answer_sentence(seed_room: Newsroom):
    answer = seed_room.ask("How much did South Korea offer to pay?", 3)
    assert answer.found
    assert answer.closest == ()
    assert "13 percent increase" in (answer.citations[0].best_sentence or "")
    assert answer.citations[0].coverage >= answers.MIN_COVERAGE


def test_the_answer_line_is_the_sentence_with_the_number(seed_room: Newsroom):
    first = seed_room.ask(TROOPS, 3).citations[0]
    assert first.best_sentence is not None
    assert "28,500 American troops" in first.best_sentence
    assert first.best_sentence in first.text


def test_best_sentence_prefers_the_rare_term_when_weighted():
    text = "Officials met on Tuesday and talked. The tariff on steel rose to 25 percent."
    weights = {"offici": 0.1, "tuesday": 0.1, "tariff": 3.0}
    assert answers.best_sentence(text, weights) == "The tariff on steel rose to 25 percent."
    # Unweighted, both sentences share one term... the earlier wins the tie.
    assert answers.best_sentence(text, {"tuesday", "tariff"}) == (
        "Officials met on Tuesday and talked."
    )
    assert answers.best_sentence(text, {"kimchi"}) is None


def test_question_words_are_not_searched_but_an_acronym_is():
    assert answers.question_terms("How many troops are there?") == ["troop"]
    assert "who" in answers.question_terms("What did WHO say about flu?")
    # Nothing but question words: searched as asked rather than refused.
    assert answers.question_terms("Who did it?")


def test_a_contracted_question_word_leaves_no_stray_term():
    assert answers.question_terms("What's the name of the ship?") == ["name", "ship"]
    assert answers.question_terms("Who’s the coach of Korea?") == ["coach", "korea"]
    assert answers.question_terms("What is Korea's GDP?") == ["korea", "gdp"]


def test_the_found_decision_works_without_engine_document_frequencies(seed_room: Newsroom):
    class Plain:
        """An engine that only searches, as a future engine might."""

        name = "plain"

        def __init__(self, inner):
            self.inner = inner

        def search(self, terms, k):
            return self.inner.search(terms, k)

    index = seed_room.index
    index.engine = Plain(index.engine)
    assert ask(index, TROOPS).found
    assert not ask(index, "What is the recipe for kimchi stew?").found


def test_postings_score_exactly_like_rank_bm25():
    rng = random.Random(7)
    vocab = [f"w{i}" for i in range(200)]
    docs = [[rng.choice(vocab) for _ in range(rng.randint(1, 30))] for _ in range(500)]
    engine = RankBM25Engine.build(enumerate(docs))
    for _ in range(10):
        query = [rng.choice(vocab) for _ in range(4)]
        expected = engine._model.get_scores(query)
        hits = engine.search(query, 10)
        assert [h.doc for h in hits] == sorted(
            [h.doc for h in hits], key=lambda d: (-expected[d], d)
        )
        assert np.allclose([h.score for h in hits], expected[[h.doc for h in hits]], rtol=1e-5)


def test_document_frequencies_count_passages_holding_a_term():
    engine = RankBM25Engine.build(enumerate([["a", "b", "b"], ["b"], ["c"]]))
    assert engine.document_frequencies(["b", "c", "zzz"]) == (3, {"b": 2, "c": 1, "zzz": 0})
    assert RankBM25Engine.build(enumerate([])).document_frequencies(["b"]) == (0, {"b": 0})


@pytest.mark.parametrize("question", ["   ", "\n\t"])
def test_empty_questions_are_still_refused(seed_room: Newsroom, question: str):
    with pytest.raises(answers.QuestionError):
        seed_room.ask(question)


def _passage(article_id: str, position: int) -> Passage:
    return Passage(f"{article_id}:{position}", article_id, position, "text", 1)


def test_a_story_scores_as_its_best_passage_plus_a_share_of_its_second():
    hits = [(_passage("a", 0), 10.0), (_passage("b", 0), 9.5), (_passage("b", 3), 6.0)]
    ranked = answers.rank_stories(hits, weight=0.1)
    # b: 9.5 + 0.6 beats a's single passage; each story is shown by its best passage.
    assert [story[0][0].passage_id for story in ranked] == ["b:0", "a:0"]
    assert ranked[0][0][1] == pytest.approx(10.1)
    assert [s[0][0].passage_id for s in answers.rank_stories(hits, weight=0.0)] == ["a:0", "b:0"]
    assert [p.passage_id for p, _ in answers.rank_stories(hits, per_story=2, weight=0.1)[0]] == [
        "b:0",
        "b:3",
    ]
