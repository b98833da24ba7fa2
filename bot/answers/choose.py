"""Which passage of a story answers a question, and which sentence: its words and answer cues."""

from __future__ import annotations

import heapq
from collections import Counter
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass

from bot.answers import meaning
from bot.answers.question import Asked
from bot.index.engines.base import K1, B
from bot.text import analysis
from bot.text.passages import Passage, sentences

# Bonus, in shares of the question's term weight, for a sentence that holds what the question
# asks for ("how many" -> a figure, "who" -> a name, "when" -> a date) beside its words: the
# paragraph with the death toll beats the lead that repeats the headline's words.
CUE_WEIGHT = 0.35
# A sentence with the asked kind of thing but none of the question's words gets this share of
# the bonus: in a passage already chosen as relevant it may well be the answer ("The toll rose
# to 107."), but a sentence that also names the subject is the safer answer line.
CUE_ALONE = 0.5
# For the answer line the cue outweighs any share of words (a share is at most 1): the
# sentence that gives the figure and names part of the subject is the answer, however many
# of the question's words the sentence before it repeats.
ANSWER_LINE_CUE = 1.0
# Share of the cue added again when the figure is followed by what the question counts ("12
# home runs" for "how many home runs"), over a count of something else beside the question's
# words ("2,496 games").
COUNTED_SHARE = 0.5
# Captions and fragments (a dateline, two words cut off a photo) say little on their own; they
# keep this share of their score, so a full paragraph with the same words wins.
CAPTION_FACTOR = 0.5
# Below the count-th best score by more than this, a passage cannot tie it even once rounded.
_MARGIN = 1e-8
FRAGMENT_TOKENS = 12
FRAGMENT_FACTOR = 0.5
# A paragraph that ends in a question asks rather than answers: an interviewer's "Do you
# personally record audiobooks?" repeats the reader's words, the reply below it holds the
# answer (tune split of bench/qa, rounds 1 and 2: answer in the first passage 177 -> 178 of 263).
QUESTION_FACTOR = 0.5
HEADLINE_IN_CHOICE = True
LENGTH_FLOOR = 0.5


@dataclass(frozen=True)
class Fit:
    """How well one passage answers: its score, and its best sentence (None when none fits)."""

    passage: Passage
    score: float
    sentence: str | None


def coverage(weights: Mapping[str, float], present: Collection[str]) -> float:
    """Share of the question's IDF weight whose terms ``present`` holds (0 to 1)."""
    total = sum(weights.values())
    if total <= 0:
        return 0.0
    return sum(w for t, w in weights.items() if t in present) / total


def sentence_scores(
    text: str, weights: Mapping[str, float], asked: Asked | None = None, cue: float = CUE_WEIGHT
) -> list[tuple[float, str]]:
    """Each sentence's score: the share of question weight it holds, plus the answer cue."""
    scored = []
    for sentence in sentences(text):
        gained = coverage(weights, set(analysis.analyze(sentence)))
        holds = asked is not None and asked.answered_by(sentence)
        bonus = cue * (1.0 if gained > 0 else CUE_ALONE) if holds else 0.0
        if holds and asked is not None and asked.counts_asked(sentence):
            bonus += cue * COUNTED_SHARE
        scored.append((gained + bonus, sentence))
    return scored


def best_sentence(
    text: str, terms: Collection[str] | Mapping[str, float], asked: Asked | None = None
) -> str | None:
    """The sentence that best answers; None when no sentence holds any of the question.

    ``terms`` may be plain terms (each weighs 1) or terms with weights (IDF), so that a rare
    name counts for more than a common verb. With ``asked``, a sentence holding what the
    question asks for (a figure, a name, a date) beats one that only repeats its words. Ties go
    to the earlier sentence.
    """
    weights = terms if isinstance(terms, Mapping) else dict.fromkeys(terms, 1.0)
    best: tuple[float, str] | None = None
    for score, sentence in sentence_scores(text, weights, asked, ANSWER_LINE_CUE):
        if score > 0 and (best is None or score > best[0] + 1e-9):
            best = (score, sentence)
    return best[1] if best else None


def body_scores(
    passages: Sequence[Passage], weights: Mapping[str, float], title: str = ""
) -> list[float]:
    """BM25 of each passage of one story, with the index's IDF, scaled to 0..1.

    Each passage is scored with its story's headline, as the engine scores it, so the words
    every passage shares through the headline count alike and the words that differ decide;
    but the length norm counts the passage's own words only (at least half the story's
    average): with the headline in the length, a two-word caption outranks the paragraph.
    """
    own = [analysis.analyze(p.text) for p in passages]
    return term_scores(own, analysis.analyze(title), weights)


def term_scores(
    own: Sequence[Sequence[str]], headline: Sequence[str], weights: Mapping[str, float]
) -> list[float]:
    """``body_scores`` from terms already analyzed: each passage's text's, and the headline's."""
    head = Counter(headline) if HEADLINE_IN_CHOICE else Counter()
    lengths = [len(terms) for terms in own]
    average = (sum(lengths) / len(lengths)) if lengths else 0.0
    scores = []
    for terms, length in zip(own, lengths, strict=True):
        norm = K1 * (1 - B + B * max(length, LENGTH_FLOOR * average) / average) if average else K1
        # Only the question's terms are counted: a passage's other words never score.
        counts = ((w, terms.count(t) + head.get(t, 0)) for t, w in weights.items())
        scores.append(sum(w * tf * (K1 + 1) / (tf + norm) for w, tf in counts if tf))
    top = max(scores, default=0.0)
    return [score / top if top > 0 else 0.0 for score in scores]


def fit(passage: Passage, body: float, asked: Asked, meant: float = 0.0) -> Fit:
    """A passage's score as an answer, captions and fragments discounted.

    The score is its own words' BM25 (0..1), plus the answer cue when it holds what is asked
    beside those words (or, with ``meant``, beside a meaning close to the question's), plus
    ``meant``.
    """
    cue = (body > 0 or meant > 0) and asked.answered_by(passage.text)
    score = body + (CUE_WEIGHT if cue else 0.0) + meant
    if cue and asked.counts_asked(passage.text):
        score += CUE_WEIGHT * COUNTED_SHARE
    if passage.is_caption:
        score *= CAPTION_FACTOR
    if passage.tokens < FRAGMENT_TOKENS:
        score *= FRAGMENT_FACTOR
    if passage.text.rstrip().endswith("?"):
        score *= QUESTION_FACTOR
    return Fit(passage, score, None)


def choose(
    passages: Sequence[Passage],
    weights: Mapping[str, float],
    asked: Asked,
    count: int = 1,
    engine_order: Sequence[str] = (),
    title: str = "",
) -> list[Fit]:
    """The ``count`` passages of one story that best answer, best first.

    Ties keep the engine's order (``engine_order``: passage ids it ranked), then story order.
    """
    own = [analysis.analyze(p.text) for p in passages]
    fits = rank(passages, own, analysis.analyze(title), weights, asked, count, engine_order)
    return [with_sentence(f, weights, asked) for f in fits]


def rank(
    passages: Sequence[Passage],
    own: Sequence[Sequence[str]],
    headline: Sequence[str],
    weights: Mapping[str, float],
    asked: Asked,
    count: int = 1,
    engine_order: Sequence[str] = (),
    cosines: Mapping[str, float] | None = None,
) -> list[Fit]:
    """``choose`` from terms already analyzed (``own[i]``: ``passages[i]``'s), without sentences.

    The answer line is left out (``sentence`` None): only the passages shown need one
    (``with_sentence``), and cutting every candidate into sentences would cost more. With
    ``cosines`` (passage id -> the question's cosine, from the semantic layer), meaning adds
    to each passage's score (``bot.answers.meaning.CHOICE_WEIGHT``).
    """
    ranked = {pid: i for i, pid in enumerate(engine_order)}
    bodies = term_scores(own, headline, weights)
    meant = cosines or {}
    means = [meaning.CHOICE_WEIGHT * max(0.0, meant.get(p.passage_id, 0.0)) for p in passages]
    # The answer cue is the costly part (figure patterns over the text): passages are weighed
    # best words first, and once a passage could not reach the count-th best score even with
    # every cue, neither can any after it. The same fits as weighing them all.
    most = CUE_WEIGHT * (1.0 + COUNTED_SHARE)
    weighed: list[tuple[Fit, int]] = []
    kept: list[float] = []  # the best ``count`` scores so far (a min-heap)
    for i in sorted(range(len(passages)), key=lambda i: -(bodies[i] + means[i])):
        if len(kept) >= count and bodies[i] + means[i] + most < kept[0] - _MARGIN:
            break
        found = fit(passages[i], bodies[i], asked, means[i])
        weighed.append((found, i))
        if len(kept) < count:
            heapq.heappush(kept, found.score)
        elif found.score > kept[0]:
            heapq.heapreplace(kept, found.score)
    weighed.sort(
        key=lambda pair: (
            -round(pair[0].score, 9),
            ranked.get(pair[0].passage.passage_id, len(ranked)),
            pair[1],
        )
    )
    return [f for f, _ in weighed[:count]]


def with_sentence(chosen: Fit, weights: Mapping[str, float], asked: Asked) -> Fit:
    """``chosen`` with its answer line: the sentence of its passage that best answers."""
    return Fit(chosen.passage, chosen.score, best_sentence(chosen.passage.text, weights, asked))
