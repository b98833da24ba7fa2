"""The semantic layer wired in: off changes nothing, vectors follow the index, paraphrase helps."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pytest

from bot.answers.ask import ask
from bot.newsroom import Newsroom
from bot.semantic import VectorStore
from bot.semantic.model import Embedder
from tests.helpers import SHIPPED_CORPUS, newsroom, write_story

SHIPPED_QUESTIONS = (
    "How many American troops are stationed in South Korea?",
    "How many people died in the Mecca crane collapse?",
    "Who founded wikiHow?",
    "Who won the 2022 FIFA World Cup?",
)


def _story(title: str, paragraphs: Sequence[str]) -> str:
    return f"---\ntitle: {title}\npublished: 2024-05-06\n---\n" + "\n\n".join(paragraphs) + "\n"


FERRY = _story(
    "Ferry capsizes in rough seas",
    [
        "At least 45 passengers drowned when an overcrowded ferry capsized in rough seas off "
        "the southern coast on Sunday, coast guard officials said.",
        "Rescue boats pulled 120 survivors from the water; the vessel had been licensed to "
        "carry 80.",
    ],
)
# Shares every word of the question below with BM25's favour (short, dense), answers nothing.
SHARES = _story(
    "Ferry operator's shares sink",
    [
        "Shares of the ferry operator sank 9 percent on Monday after it said passenger numbers "
        "fell; its founder died last year."
    ],
)
RICE = _story(
    "Rice harvest up",
    ["The rice harvest rose 4 percent this year thanks to mild weather, the farm ministry said."],
)


def _numbers(room: Newsroom) -> set[int]:
    index = room.index
    with index.reading():
        return set(index.catalog.docs_of(index.catalog.article_ids()))


def _saved_keys(room: Newsroom) -> set[int]:
    return set(VectorStore.load(room.index.generation / "vectors").keys())


@pytest.fixture
def embedded_texts(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Every text the model embeds during the test (passages and questions)."""
    seen: list[str] = []
    original = Embedder.embed

    def counting(self: Embedder, texts: Sequence[str]) -> np.ndarray:
        seen.extend(texts)
        return original(self, texts)

    monkeypatch.setattr(Embedder, "embed", counting)
    return seen


def test_layer_off_answers_exactly_as_the_plain_answer_path(tmp_path: Path) -> None:
    room = newsroom(SHIPPED_CORPUS, tmp_path / "cache")
    assert room.semantic is None
    assert room.status().semantic == "off"
    for question in SHIPPED_QUESTIONS:
        with room.index.reading():
            plain = ask(room.index, question, 3)
        assert room.ask(question, 3) == plain


def test_vectors_follow_added_changed_and_removed_stories(
    tmp_path: Path, embedded_texts: list[str]
) -> None:
    corpus = tmp_path / "corpus"
    write_story(corpus, "ferry.md", FERRY)
    room = newsroom(corpus, tmp_path / "cache", semantic=True)
    first = _numbers(room)
    assert first and _saved_keys(room) == first == set(room.semantic.store.keys())
    assert room.status().semantic == f"on: {len(first)} of {len(first)} passages embedded"

    embedded_texts.clear()
    write_story(corpus, "rice.md", RICE)
    room.refresh()
    added = _numbers(room) - first
    assert _saved_keys(room) == _numbers(room)
    # Only the new story's passage was embedded; the ferry's vectors were kept.
    assert len(embedded_texts) == len(added) == 1
    assert "rice harvest" in embedded_texts[0]

    embedded_texts.clear()
    before = _numbers(room)
    write_story(corpus, "rice.md", RICE.replace("4 percent", "7 percent"))
    room.refresh()
    assert _saved_keys(room) == _numbers(room)
    assert len(_numbers(room) - before) == 1 and len(embedded_texts) == 1
    assert "7 percent" in embedded_texts[0]

    embedded_texts.clear()
    (corpus / "rice.md").unlink()
    room.refresh()
    assert _saved_keys(room) == _numbers(room) == first
    assert embedded_texts == []


def test_paraphrased_question_finds_the_story_that_answers_with_the_layer_on(
    tmp_path: Path,
) -> None:
    corpus = tmp_path / "corpus"
    for name, text in (("ferry.md", FERRY), ("shares.md", SHARES), ("rice.md", RICE)):
        write_story(corpus, name, text)
    # "died" where the story says "drowned": BM25 prefers the share-price story, which holds
    # every word of the question.
    question = "How many passengers died when the ferry capsized?"
    off = newsroom(corpus, tmp_path / "off").ask(question, 3)
    assert off.found and off.citations[0].article_id == "shares"

    on = newsroom(corpus, tmp_path / "on", semantic=True).ask(question, 3)
    assert on.found
    assert on.citations[0].article_id == "ferry"
    assert "45 passengers drowned" in on.citations[0].text


def test_one_answer_embeds_its_question_once_though_rerank_and_choice_both_use_it(
    tmp_path: Path, embedded_texts: list[str]
) -> None:
    corpus = tmp_path / "corpus"
    for name, text in (("ferry.md", FERRY), ("shares.md", SHARES), ("rice.md", RICE)):
        write_story(corpus, name, text)
    room = newsroom(corpus, tmp_path / "cache", semantic=True)
    embedded_texts.clear()
    question = "How many passengers died when the ferry capsized?"
    answer = room.ask(question, 3)
    assert answer.found
    assert embedded_texts == [question]
