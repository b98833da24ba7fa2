"""The same answers, whichever engine serves them: behaviour must not change with NEWSBOT_ENGINE."""

from pathlib import Path

import pytest

from bot.newsroom import Newsroom
from tests.helpers import SHIPPED_CORPUS, newsroom, wire_story, write_story

ENGINES = ["bm25", "tantivy"]


@pytest.fixture(scope="module", params=ENGINES)
def room(request, tmp_path_factory) -> Newsroom:
    return newsroom(SHIPPED_CORPUS, tmp_path_factory.mktemp("cache"), engine=request.param)


def test_the_troops_question_finds_the_seed_passage(room: Newsroom):
    first = room.ask("How many American troops are stationed in South Korea?").citations[0]
    assert first.passage_id == "us-expects-s-korea-flexible-cost-sharing:2"
    assert "28,500" in (first.best_sentence or "")


@pytest.mark.parametrize(
    ("question", "story"),
    [
        ("How many pilgrims died in the Hajj stampede?", "2006-01-12-hundreds-dead-in-hajj"),
        ("Who won on day five of the 2018 World Cup?", "2018-06-18-fifa-world-cup-2018-day-five"),
        ("What did the Greek court rule about ancient gods?", "2006-03-27-greek-court-rules"),
    ],
)
def test_wikinews_questions_find_their_story(room: Newsroom, question: str, story: str):
    answer = room.ask(question)
    assert answer.found and answer.citations[0].article_id.startswith(story)


def test_an_off_corpus_question_is_not_found(room: Newsroom):
    answer = room.ask("What is the recipe for kimchi stew?")
    assert not answer.found and answer.citations == ()


def test_latest_by_topic(room: Newsroom):
    ids = [a.article_id for a in room.latest(10, topic="Scientology")]
    assert ids and all("scientology" in i for i in ids)


@pytest.mark.parametrize("engine", ENGINES)
def test_a_lead_supersedes_while_running(tmp_path: Path, engine: str):
    corpus = tmp_path / "corpus"
    body = ["North Korea fired a ballistic missile into the East Sea on Sunday, officials said."]
    write_story(corpus, "nk.txt", wire_story("N. Korea fires ballistic missile", body))
    room = newsroom(corpus, tmp_path / "cache", engine=engine)
    write_story(
        corpus,
        "nk-lead.txt",
        wire_story(
            "(LEAD) N. Korea fires ballistic missile into East Sea",
            [body[0], "The missile flew about 350 kilometers before landing."],
        ),
    )
    room.refresh()
    answer = room.ask("kilometers the missile flew before landing")
    assert [c.article_id for c in answer.citations] == ["nk-lead"]
    assert [a.article_id for a in room.latest()] == ["nk-lead"]
