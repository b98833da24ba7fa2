"""Issue 10's public examples on the shipped corpus with the semantic layer on (the real model).

The same examples with the layer off are in tests/answers/test_reader_answers.py: both must
refuse "the current president of France" (an asylum story names France, no president).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.newsroom import Newsroom
from tests.helpers import SHIPPED_CORPUS, newsroom

# Embeds the whole shipped corpus once (~600 passages: half a minute on two quiet cores).
pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def room(tmp_path_factory: pytest.TempPathFactory) -> Newsroom:
    cache: Path = tmp_path_factory.mktemp("semantic-shipped")
    return newsroom(SHIPPED_CORPUS, cache, semantic=True)


@pytest.mark.parametrize(
    "question",
    [
        "Who is the current president of France?",
        "What is the boiling point of water?",
        "Who won the 2022 FIFA World Cup?",
    ],
)
def test_questions_nothing_stored_answers_are_not_found(room: Newsroom, question: str):
    answer = room.ask(question, 3)
    assert not answer.found
    assert answer.closest  # the nearest stories are still listed, as not answering


def test_the_crane_toll_is_shown_with_the_layer_on(room: Newsroom):
    answer = room.ask("How many people died in the Mecca crane collapse?", 1)
    assert answer.found
    assert "107" in answer.citations[0].text
