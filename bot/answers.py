"""Answers to questions: the best passages, one per story, with numbered citations."""

from __future__ import annotations

from dataclasses import dataclass

from bot import analysis
from bot.articles import Article
from bot.dates import Published
from bot.index import NewsIndex
from bot.passages import Passage, sentences

MAX_QUESTION_CHARS = 1000  # longer input is cut: no question needs more, and cost stays bounded
# Passages fetched per wanted answer, so that dropping extra passages of one story still
# leaves enough distinct stories.
OVERFETCH = 8


class QuestionError(ValueError):
    """The question cannot be asked (empty, or nothing searchable in it)."""


@dataclass(frozen=True)
class Citation:
    """One numbered source of an answer: a passage and the story it comes from."""

    number: int
    article_id: str
    passage_id: str
    title: str
    text: str
    best_sentence: str | None
    score: float
    source: str | None
    byline: str | None
    dateline: str | None
    published: Published | None
    url: str | None
    version_tag: str

    @property
    def date_label(self) -> str | None:
        return self.published.label() if self.published else None


@dataclass(frozen=True)
class Answer:
    """The passages that best answer a question, or an honest "not found"."""

    question: str
    found: bool
    citations: tuple[Citation, ...]


def clean_question(question: str) -> str:
    text = " ".join(question.split())[:MAX_QUESTION_CHARS]
    if not text:
        raise QuestionError("the question is empty: ask something like 'What did Seoul offer?'")
    return text


def ask(index: NewsIndex, question: str, k: int = 3, per_story: int = 1) -> Answer:
    """The ``k`` best passages for ``question``, at most ``per_story`` from any one story."""
    text = clean_question(question)
    terms = analysis.analyze(text)
    if not terms:
        raise QuestionError("the question has no searchable words (only stop words or symbols)")
    k = max(1, min(k, 10))
    chosen: list[tuple[Passage, float]] = []
    taken: dict[str, int] = {}
    for passage, score in index.search(text, k * OVERFETCH):
        if taken.get(passage.article_id, 0) >= per_story:
            continue
        taken[passage.article_id] = taken.get(passage.article_id, 0) + 1
        chosen.append((passage, score))
        if len(chosen) == k:
            break
    citations = tuple(
        cite(number, index.articles[passage.article_id], passage, score, set(terms))
        for number, (passage, score) in enumerate(chosen, start=1)
    )
    return Answer(text, bool(citations), citations)


def cite(
    number: int, article: Article, passage: Passage, score: float, terms: set[str]
) -> Citation:
    return Citation(
        number=number,
        article_id=article.article_id,
        passage_id=passage.passage_id,
        title=article.title,
        text=passage.text,
        best_sentence=best_sentence(passage.text, terms),
        score=round(score, 4),
        source=article.source,
        byline=article.byline,
        dateline=article.dateline,
        published=article.published,
        url=article.url,
        version_tag=article.version_tag,
    )


def best_sentence(text: str, terms: set[str]) -> str | None:
    """The sentence sharing most question terms; None when no sentence shares any."""
    best: tuple[int, int, str] | None = None
    for position, sentence in enumerate(sentences(text)):
        overlap = len(terms & set(analysis.analyze(sentence)))
        if overlap and (best is None or overlap > best[0]):
            best = (overlap, -position, sentence)
    return best[2] if best else None
