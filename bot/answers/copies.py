"""Near-duplicate stories (one text re-published, a newspaper carrying a wire story): MinHash."""

from __future__ import annotations

import re
import weakref
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from rensa import RMinHash

from bot.index.newsindex import NewsIndex
from bot.text import analysis
from bot.text.passages import Passage

# Word 4-grams of the opening words: copies share the opening even when a newspaper trims the
# end or a page copy is cut short, and hashing a bounded prefix keeps a signature ~1 ms.
SHINGLE_WORDS = 4
OPENING_WORDS = 300
NUM_PERM = 64
# Share of the shorter text's shingles found in the longer one: the rule bench/qa's copy
# groups use (word 5-grams, 80%), which a reader would call "the same story".
MIN_CONTAINMENT = 0.8
# Before hashing, two stories must share this much of the smaller one's vocabulary: unrelated
# stories are ruled out from term sets the answer path already holds.
MIN_TERM_OVERLAP = 0.6
# Stories the engine returns for a story's own opening, when looking for its copies.
COPY_CANDIDATES = 20
_WORD = re.compile(r"\w+", re.UNICODE)


@dataclass(frozen=True)
class Signature:
    """A story's MinHash over its opening's word shingles, and how many distinct shingles."""

    minhash: RMinHash
    size: int


# Signatures compare only when drawn with the same permutations: one fixed seed for all.
SEED = 1


def signature(text: str) -> Signature:
    """The MinHash of the word shingles (``SHINGLE_WORDS`` long) opening a text, case-folded."""
    words = _WORD.findall(text.casefold())[:OPENING_WORDS]
    shingles = {
        " ".join(words[i : i + SHINGLE_WORDS])
        for i in range(max(1, len(words) - SHINGLE_WORDS + 1))
    }
    minhash = RMinHash(num_perm=NUM_PERM, seed=SEED)
    minhash.update(sorted(shingles))
    return Signature(minhash, len(shingles))


def containment(a: Signature, b: Signature) -> float:
    """Estimated share of the smaller signature's shingles that the other holds.

    From MinHash's Jaccard estimate J and the set sizes: |A ∩ B| = J (|A| + |B|) / (1 + J).
    """
    smaller = min(a.size, b.size)
    if smaller == 0:
        return 0.0
    jaccard = a.minhash.jaccard(b.minhash)
    return min(1.0, jaccard * (a.size + b.size) / (1.0 + jaccard) / smaller)


def term_overlap(a: frozenset[str], b: frozenset[str]) -> float:
    """Share of the smaller term set found in the other (0 when either is empty)."""
    smaller = min(len(a), len(b))
    return len(a & b) / smaller if smaller else 0.0


def group(
    ids: Sequence[str],
    terms: Callable[[str], frozenset[str]],
    sign: Callable[[str], Signature],
) -> list[list[str]]:
    """``ids`` in order, each copy put in the group of the first story it copies.

    The first id of each group is the one to cite; the rest are its copies.
    """
    groups: list[list[str]] = []
    for article_id in ids:
        home = next((g for g in groups if same_story(g[0], article_id, terms, sign)), None)
        if home is None:
            groups.append([article_id])
        else:
            home.append(article_id)
    return groups


def same_story(
    a: str, b: str, terms: Callable[[str], frozenset[str]], sign: Callable[[str], Signature]
) -> bool:
    """True when ``a`` and ``b`` are one story: shared vocabulary (cheap), then containment."""
    if term_overlap(terms(a), terms(b)) < MIN_TERM_OVERLAP:
        return False
    return containment(sign(a), sign(b)) >= MIN_CONTAINMENT


# Signatures per loaded index (weakly, so a replaced index takes them with it).
_SIGNATURES: weakref.WeakKeyDictionary[NewsIndex, dict[str, Signature]] = (
    weakref.WeakKeyDictionary()
)


def story_signature(
    index: NewsIndex, article_id: str, passages: Sequence[Passage] | None = None
) -> Signature:
    """The signature of a story's indexed text, computed once per loaded index.

    ``passages``: all of the story's passages when the caller has already read them.
    """
    cache_ = _SIGNATURES.setdefault(index, {})
    found = cache_.get(article_id)
    if found is None:
        if passages is None:
            passages = index.by_article.get(article_id, ())
        text = " ".join(p.text for p in passages)
        found = cache_[article_id] = signature(text)
    return found


def copies_of(
    index: NewsIndex, article_id: str, terms: Callable[[str], frozenset[str]]
) -> list[str]:
    """Other stories in the index that are copies of ``article_id`` (best match first).

    The story's own opening is searched for (the engine finds copies as it finds answers),
    then the candidates are compared by MinHash: one search and a few signatures, at any size.
    """
    passages = index.by_article.get(article_id, ())
    if not passages:
        return []
    opening = " ".join(p.text for p in passages[:2])
    query = list(dict.fromkeys(analysis.analyze(opening)))[:64]
    if not query:
        return []
    hits = index.search_terms(query, COPY_CANDIDATES * 4)
    candidates = list(dict.fromkeys(p.article_id for p, _ in hits if p.article_id != article_id))
    sign = lambda story: story_signature(index, story)  # noqa: E731
    return [c for c in candidates[:COPY_CANDIDATES] if same_story(article_id, c, terms, sign)]
