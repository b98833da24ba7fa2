"""The answer entry point: a question in, an Answer with numbered citations out."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence

from bot.answers.records import Answer, Citation, Copy, QuestionError, clean_question
from bot.answers.respond import respond
from bot.index.newsindex import NewsIndex
from bot.text.passages import Passage

__all__ = ["Answer", "Citation", "Copy", "QuestionError", "ask", "clean_question"]

Rerank = Callable[[str, list[tuple[Passage, float]]], list[tuple[Passage, float]]]
Similar = Callable[[str, Sequence[Passage]], Mapping[str, float]]


def ask(
    index: NewsIndex,
    question: str,
    k: int = 3,
    per_story: int = 1,
    rerank: Rerank | None = None,
    similar: Similar | None = None,
) -> Answer:
    """The ``k`` best passages for ``question``, one story each unless ``per_story`` allows more.

    How stories and passages are chosen, and when nothing answers: ``bot.answers.respond``.
    """
    return respond(index, question, k, per_story, rerank, similar)
