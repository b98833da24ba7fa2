"""Answer records (Answer, Citation, Copy) and the helpers every answer step shares."""

from __future__ import annotations

import re
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass

from bot.answers.choose import best_sentence as _best_sentence
from bot.answers.question import Asked
from bot.index import terms as index_terms
from bot.index.newsindex import NewsIndex
from bot.ingest.articles import Article
from bot.ingest.dates import Published
from bot.text import analysis
from bot.text.passages import Passage

MAX_QUESTION_CHARS = 1000  # longer input is cut: no question needs more, and cost stays bounded
# Passages fetched per wanted answer, so that dropping extra passages of one story still
# leaves enough distinct stories.
OVERFETCH = 8
# A question counts as answered when the best-ranked story (all its passages and headline)
# holds at least MIN_STORY_COVERAGE of the question's IDF-weighted terms and one of the top
# passages holds at least MIN_COVERAGE. People paraphrase, so a story rarely repeats a
# question's words in one paragraph, while an off-topic question matches a few common words
# scattered across stories. Chosen on bench/questions.jsonl and bench/offcorpus.txt (see
# bench/README.md); SciFact claims asked of the shipped corpus are a held-out check.
MIN_STORY_COVERAGE = 0.45
MIN_COVERAGE = 0.3
MIN_SHARED_TERMS = 2
# A story scores as its best passage plus this share of its second-best passage's score (the
# bot still shows one passage per story). A second paragraph on the question is evidence the
# story is about it, not just one paragraph that mentions its words. Chosen on Reuters and BBC
# headline -> story (0.1 and 0.2 tie on Reuters; 0.2 gains more on BBC but loses on the
# held-out SciFact check, where every passage carries the headline as it does in the bot);
# the sum of all other passages weighs long stories too much (bench/README.md).
SECOND_PASSAGE_WEIGHT = 0.1
# How many of the best stories are looked at for the passage that carries the answer.
COVERAGE_DEPTH = 5
CLOSEST = 3  # "closest stories" shown beside a not-found answer
# Passages of one story read to judge whether it answers: the index's bound (bot.index.terms).
STORY_PASSAGES = index_terms.STORY_PASSAGES

# Words that frame a question rather than say what it is about. Leaving them in lets a
# passage that happens to say "how many" outrank one about the subject, and in a small corpus
# their rarity would make them weigh most in deciding whether the question is answered.
QUESTION_WORDS = frozenset(
    {
        "what",
        "whats",
        "which",
        "who",
        "whom",
        "whose",
        "when",
        "where",
        "why",
        "how",
        "many",
        "much",
        "did",
        "does",
        "do",
        "done",
        "were",
        "has",
        "have",
        "had",
        "been",
        "can",
        "could",
        "would",
        "should",
        "shall",
        "may",
        "might",
        "tell",
        "me",
        "i",
        "my",
        "we",
        "our",
        "you",
        "your",
        "about",
        "know",
        "please",
        "any",
        "happen",
        "happened",
        "happening",
    }
)
# A word with its contraction: "What's" goes whole (its "'s" left behind would be searched as
# the term "s"), "Korea's" stays whole.
_WORD = re.compile(r"\w+(?:['’](?:s|re|d|ll|ve)\b)?", re.UNICODE)
_CONTRACTION = re.compile(r"['’]\w+$")
# The noun naming the kind of answer after "what"/"which" ("which country", "what year"): the
# answer is an instance of it ("Japan", "1993"), and a story rarely says the noun itself, so
# searching for it finds stories that happen to say "date" or "country" instead.
_ANSWER_KIND = re.compile(
    r"\b(what|which)\s+(?:year|date|day|month|time|country|city|nationality)\b", re.IGNORECASE
)


# "How long", "how big": the adjective asks for a measure and is not a word of the answer
# ("silent for 11 years", "1,200 tons"); "how old" and "how high" stay, since answers say
# "45-year-old" and "10 meters high".
_HOW_FORM = re.compile(r"\b(how)\s+(?:long|far|big|large|fast|often|soon)\b", re.IGNORECASE)


class QuestionError(ValueError):
    """The question cannot be asked (empty, or nothing searchable in it)."""


@dataclass(frozen=True)
class Copy:
    """Another copy of a cited story (the same text from another source or file)."""

    article_id: str
    source: str | None
    title: str


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
    coverage: float = 0.0  # share of the question's term weight this passage (and headline) holds
    copies: tuple[Copy, ...] = ()  # near-duplicates of the story, cited once through this one

    @property
    def date_label(self) -> str | None:
        """The story's date as shown ("May 5, year unknown"), or None when it has none."""
        return self.published.label() if self.published else None


@dataclass(frozen=True)
class Answer:
    """The passages that best answer a question, or an honest "not found".

    When nothing stored answers the question, ``found`` is False, ``citations`` is empty and
    ``closest`` may list the nearest stories, to be shown as such and never as an answer.
    """

    question: str
    found: bool
    citations: tuple[Citation, ...]
    closest: tuple[Citation, ...] = ()
    # Not found only: why the closest stories do not answer (``bot.answers.refusal``).
    why: str = ""


def clean_question(question: str) -> str:
    """The question with whitespace collapsed and cut to ``MAX_QUESTION_CHARS``; empty raises."""
    text = " ".join(question.split())[:MAX_QUESTION_CHARS]
    if not text:
        raise QuestionError("the question is empty: ask something like 'What did Seoul offer?'")
    return text


def search_text(question: str) -> str:
    """The question without its question-framing words, as handed to the index.

    The noun naming the kind of answer goes too ("which country": a country's name answers).
    An all-caps "WHO" in a mixed-case question is the organisation, so it stays. When nothing
    else would be left ("Who did it?"), the question is searched as asked.
    """
    shouting = question.isupper()

    def keep(match: re.Match[str]) -> str:
        word = match.group(0)
        bare = _CONTRACTION.sub("", word)
        acronym = bare.isupper() and len(bare) > 1 and not shouting
        if bare.casefold() not in QUESTION_WORDS or acronym:
            return word
        return " "

    stripped = _WORD.sub(keep, _HOW_FORM.sub(r"\1", _ANSWER_KIND.sub(r"\1", question)))
    return stripped if analysis.analyze(stripped) else question


def question_terms(question: str) -> list[str]:
    """The terms a question is searched with: the same path ``ask`` takes."""
    return analysis.analyze(search_text(question))


def rank_stories(
    hits: Iterable[tuple[Passage, float]],
    per_story: int = 1,
    weight: float | None = None,
) -> list[list[tuple[Passage, float]]]:
    """Stories ranked by their score, best first, each as its ``per_story`` best passages.

    ``hits`` are passages best first, as an engine returns them. A story's score is its best
    passage's plus ``weight`` times its second-best's (0 when only one passage matched); every
    passage is returned with its story's score (``weight`` defaults to SECOND_PASSAGE_WEIGHT).
    Ties keep the engine's order.
    """
    if weight is None:
        weight = SECOND_PASSAGE_WEIGHT
    stories: dict[str, list[tuple[Passage, float]]] = {}
    for passage, score in hits:
        stories.setdefault(passage.article_id, []).append((passage, score))
    ranked = []
    for position, passages in enumerate(stories.values()):
        second = passages[1][1] if len(passages) > 1 else 0.0
        score = passages[0][1] + weight * second
        ranked.append((-score, position, [(p, score) for p, _ in passages[:per_story]]))
    ranked.sort(key=lambda item: item[:2])
    return [passages for _, _, passages in ranked]


def term_weights(index: NewsIndex, terms: Sequence[str]) -> dict[str, float]:
    """IDF of each distinct question term, as the index's engine weighs it."""
    return index.term_weights(terms)


def passage_term_set(
    index: NewsIndex, passage: Passage, title: str | None = None
) -> frozenset[str]:
    """The terms the index holds for a passage (its headline included, as the index has it)."""
    return index.passage_terms(passage, title)


def story_term_set(index: NewsIndex, article_id: str) -> frozenset[str]:
    """The terms of a story's passages and headline (its first STORY_PASSAGES passages)."""
    return index.story_terms(article_id)


def cite(
    number: int,
    article: Article,
    passage: Passage,
    score: float,
    terms: Collection[str] | Mapping[str, float],
    cover: float = 0.0,
    sentence: str | None = None,
    copies: tuple[Copy, ...] = (),
) -> Citation:
    """Citation number ``number``: ``passage`` of ``article``, with its answer sentence."""
    return Citation(
        number=number,
        article_id=article.article_id,
        passage_id=passage.passage_id,
        title=article.title,
        text=passage.text,
        best_sentence=sentence or best_sentence(passage.text, terms),
        score=round(score, 4),
        source=article.source,
        byline=article.byline,
        dateline=article.dateline,
        published=article.published,
        url=article.url,
        version_tag=article.version_tag,
        coverage=round(cover, 4),
        copies=copies,
    )


def best_sentence(
    text: str, terms: Collection[str] | Mapping[str, float], asked: Asked | None = None
) -> str | None:
    """The sentence that best answers; see ``bot.answers.choose.best_sentence``."""
    return _best_sentence(text, terms, asked)
