import pytest

from bot.answers.ask import QuestionError
from bot.newsroom import Newsroom

TROOPS = "How many American troops are stationed in South Korea?"


def test_the_seed_alone_answers_the_troops_question_with_the_number(seed_room: Newsroom):
    answer = seed_room.ask(TROOPS, 3)
    assert answer.found
    first = answer.citations[0]
    assert "28,500" in first.text
    assert first.passage_id == "us-expects-s-korea-flexible-cost-sharing:2"
    assert "28,500 American troops" in (first.best_sentence or "")
    assert (first.source, first.byline, first.dateline) == ("Yonhap", "Lee Haye-ah", "WASHINGTON")
    assert first.date_label == "May 5, year unknown"


def test_one_story_gives_at_most_one_passage_by_default(seed_room: Newsroom):
    answer = seed_room.ask("South Korea cost-sharing talks flexible", 3)
    assert len(answer.citations) == 1


def test_the_seed_still_answers_in_the_shipped_corpus(shipped_room: Newsroom):
    answer = shipped_room.ask(TROOPS, 3)
    assert answer.citations[0].article_id == "us-expects-s-korea-flexible-cost-sharing"
    assert "28,500" in answer.citations[0].text
    assert [c.number for c in answer.citations] == list(range(1, len(answer.citations) + 1))
    assert len({c.article_id for c in answer.citations}) == len(answer.citations)


@pytest.mark.parametrize(
    ("question", "story"),
    [
        (
            "How many pilgrims died in the Hajj stampede?",
            "2006-01-12-hundreds-dead-in-hajj-stampede",
        ),
        (
            "What did Noam Chomsky say in his interview?",
            "2009-04-04-interview-with-us-political-activist-and-philosopher-noam-chomsky",
        ),
        (
            "Which countries won on day five of the 2018 World Cup?",
            "2018-06-18-fifa-world-cup-2018-day-five-sweden-belgium-england-win-three-points",
        ),
    ],
)
def test_shipped_wikinews_stories_answer_their_own_questions(
    shipped_room: Newsroom, question: str, story: str
):
    answer = shipped_room.ask(question, 3)
    assert answer.citations[0].article_id.startswith(story[:60])


def test_empty_or_symbol_only_questions_are_refused_with_a_reason(seed_room: Newsroom):
    with pytest.raises(QuestionError, match="empty"):
        seed_room.ask("   \n\t ")
    with pytest.raises(QuestionError, match="searchable"):
        seed_room.ask("the of ?!")


def test_a_huge_question_is_cut_not_failed(seed_room: Newsroom):
    answer = seed_room.ask("troops " * 3000, 3)
    assert len(answer.question) <= 1000
    assert answer.citations
