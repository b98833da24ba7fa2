"""Whether a story matches a followed topic (the rules /ask answers by), and its card to post."""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass

from bot.answers.choose import coverage
from bot.answers.records import (
    MIN_COVERAGE,
    MIN_SHARED_TERMS,
    MIN_STORY_COVERAGE,
    STORY_PASSAGES,
    passage_term_set,
    question_terms,
    story_term_set,
    term_weights,
)
from bot.index.newsindex import NewsIndex
from bot.text.passages import sentences

LEAD_CHARS = 400  # the lead sentence as posted; Discord's own limits are enforced when rendered


class TopicError(ValueError):
    """A topic cannot be followed (nothing searchable in it)."""


def topic_terms(topic: str) -> list[str]:
    """The topic's terms, analyzed as a question is; TopicError when none is left."""
    terms = question_terms(" ".join(topic.split()))
    if not terms:
        raise TopicError("the topic has no searchable words (only stop words or symbols)")
    return terms


class Topic:
    """A followed topic over one open index: which stories it matches.

    A story matches when it would answer the topic asked as a question: the story holds at
    least MIN_STORY_COVERAGE of the topic's IDF-weighted terms and two of its words (all of
    them when it has fewer), and one of its first passages holds at least MIN_COVERAGE. The
    thresholds and term weights are /ask's own, so "north korea missile" follows what /ask
    would cite for it.
    """

    def __init__(self, index: NewsIndex, topic: str) -> None:
        self.index = index
        self.weights = term_weights(index, topic_terms(topic))

    def matches(self, article_id: str) -> bool:
        """True when the story would answer the topic asked as a question (see the class)."""
        index, weights = self.index, self.weights
        story = story_term_set(index, article_id)
        if coverage(weights, story) < MIN_STORY_COVERAGE:
            return False
        if len(set(weights) & story) < min(MIN_SHARED_TERMS, len(weights)):
            return False
        title = index.titles.get(article_id, "")
        passages = index.by_article.get(article_id, [])[:STORY_PASSAGES]
        return any(
            coverage(weights, passage_term_set(index, p, title)) >= MIN_COVERAGE for p in passages
        )


@dataclass(frozen=True)
class Card:
    """What a follow post shows of a story: headline, source, date, lead sentence, link."""

    article_id: str
    title: str
    source: str | None
    date_label: str
    lead: str
    url: str | None
    version_tag: str = ""

    def digest(self) -> str:
        """Changes when anything shown changes: an edit is due only then."""
        return hashlib.sha256(self.to_json().encode()).hexdigest()[:16]

    def to_json(self) -> str:
        """The card as canonical JSON (sorted keys), the form stored and digested."""
        return json.dumps(asdict(self), ensure_ascii=False, sort_keys=True)

    @classmethod
    def from_json(cls, text: str) -> Card:
        """The card stored by ``to_json``."""
        return cls(**json.loads(text))


def card(index: NewsIndex, article_id: str) -> Card | None:
    """The card of a stored article (its newest version is the caller's choice), or None."""
    article = index.articles.get(article_id)
    if article is None:
        return None
    body = [p.text for p in article.paragraphs if not p.is_caption and p.text.strip()]
    first = sentences(body[0]) if body else []
    lead = " ".join((first[0] if first else "").split())
    if len(lead) > LEAD_CHARS:
        lead = lead[: LEAD_CHARS - 1].rsplit(" ", 1)[0] + "…"
    return Card(
        article_id=article.article_id,
        title=" ".join(article.title.split()),
        source=article.source,
        date_label=article.published.label() if article.published else "undated",
        lead=lead,
        url=article.url,
        version_tag=article.version_tag,
    )
