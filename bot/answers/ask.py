"""The answer entry point: a question in, an Answer with numbered citations out."""

from __future__ import annotations

from bot.answers.records import Answer, Citation, Copy, QuestionError, clean_question
from bot.answers.respond import Reranker, Similarity, respond
from bot.index.newsindex import NewsIndex

__all__ = ["Answer", "Citation", "Copy", "QuestionError", "ask", "clean_question"]


def ask(
    index: NewsIndex,
    question: str,
    k: int = 3,
    per_story: int = 1,
    rerank: Reranker | None = None,
    similar: Similarity | None = None,
) -> Answer:
    """The ``k`` best passages for ``question``, one story each unless ``per_story`` allows more.

    How stories and passages are chosen, and when nothing answers: ``bot.answers.respond``.
    """
    return respond(index, question, k, per_story, rerank, similar)
