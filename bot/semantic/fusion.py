"""Fuse BM25's ranking with the embedding model's: reciprocal-rank fusion or a normalised blend."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Literal

import numpy as np

# (passage key, score), best first.
Hit = tuple[int, float]
Method = Literal["rrf", "blend"]

# The fusion the layer uses, and its constants: chosen by `python -m bench.answers --corpus
# bench/out/qa-corpus --sweep` on bench/qa's tune split only (never the held-out third, never
# SciFact; bench/results/semantic/semantic-sweep.md). Since meaning also picks the passage
# shown and decides "found" (bot.answers.meaning), the fusion moves little: every RRF k and
# blend weight landed within one question of each other on tune answer@3 (85.5-86.3); the
# blend at 0.5 led on answer@1 (76.1 against 74.4-75.2 for RRF k = 10).
METHOD: Method = "blend"
# Reciprocal-rank fusion's damping constant (60 in Cormack, Clarke & Büttcher, SIGIR 2009;
# smaller here because only a handful of top ranks matter for three citations).
RRF_K = 10
# Share of the dense score in the blend. Round 1's tune: 0.5 and 0.7 tied, 0.2-0.35 a question
# behind. Re-swept on rounds 1-3 (396 answerable): 0.7 led (answer@3 85.9 against 85.4 for
# 0.5, answer@1 69.2 against 69.2-69.4; RRF at any k 83.1-84.6).
BLEND_DENSE_WEIGHT = 0.7
# Theoretical minima for the blend's normalisation (score / range from the lowest possible
# score to the best seen). Bruch, Gai & Ingber (TOIS 2023) found this steadier than min-max
# over the candidates, which stretches a near-tie into a full 0-1 gap.
BM25_FLOOR = 0.0
COSINE_FLOOR = -1.0


def dense_ranking(
    keys: Sequence[int], vectors: Mapping[int, np.ndarray], question: np.ndarray
) -> list[Hit]:
    """The keys that have a vector, by cosine with the (unit) question vector, best first."""
    present = [key for key in keys if key in vectors]
    if not present:
        return []
    matrix = np.stack([np.asarray(vectors[key], dtype=np.float32) for key in present])
    # numpy's own loop, not BLAS threads (see vectors._dot).
    scores = np.einsum("ij,j->i", matrix, np.asarray(question, dtype=np.float32).reshape(-1))
    ranked = sorted(zip(present, scores.tolist(), strict=True), key=lambda hit: (-hit[1], hit[0]))
    return [(int(key), float(score)) for key, score in ranked]


def reciprocal_rank_fusion(*rankings: Sequence[Hit], k: int = RRF_K) -> list[Hit]:
    """Each key scores the sum of 1 / (k + rank) over the rankings it appears in (rank from 1).

    Only ranks count, so BM25's unbounded scores and cosines need no common scale. Ties go to
    the key ranked higher in the first ranking, then to the smaller key.
    """
    fused: dict[int, float] = {}
    for ranking in rankings:
        for rank, (key, _score) in enumerate(ranking, start=1):
            fused[key] = fused.get(key, 0.0) + 1.0 / (k + rank)
    return _ordered(fused, rankings[0] if rankings else ())


def blend(
    bm25: Sequence[Hit], dense: Sequence[Hit], weight: float = BLEND_DENSE_WEIGHT
) -> list[Hit]:
    """(1 − weight) × normalised BM25 + weight × normalised cosine, over both lists' keys.

    A key missing from one list scores that side's floor there (BM25 did not find it, or it
    has no vector yet).
    """
    if not 0.0 <= weight <= 1.0:
        raise ValueError(f"weight must be within 0..1, not {weight}")
    lexical = _normalise(bm25, BM25_FLOOR)
    semantic = _normalise(dense, COSINE_FLOOR)
    fused = {
        key: (1.0 - weight) * lexical.get(key, 0.0) + weight * semantic.get(key, 0.0)
        for key in lexical.keys() | semantic.keys()
    }
    return _ordered(fused, bm25)


def fuse(
    lexical: Sequence[Hit],
    dense: Sequence[Hit],
    *,
    method: Method = METHOD,
    k: int = RRF_K,
    weight: float = BLEND_DENSE_WEIGHT,
) -> list[Hit]:
    """Two rankings of the same kind of key in one, by ``method`` with its constant."""
    if method == "rrf":
        return reciprocal_rank_fusion(lexical, dense, k=k)
    if method == "blend":
        return blend(lexical, dense, weight)
    raise ValueError(f"unknown fusion method {method!r}")


def describe(method: Method = METHOD, k: int = RRF_K, weight: float = BLEND_DENSE_WEIGHT) -> str:
    """The fusion in a few words, for benchmark reports."""
    return f"rrf k={k}" if method == "rrf" else f"blend dense weight {weight}"


def rerank(
    bm25: Sequence[Hit],
    vectors: Mapping[int, np.ndarray],
    question: np.ndarray,
    *,
    method: Method = METHOD,
    recalled: Sequence[Hit] = (),
    k: int = RRF_K,
    weight: float = BLEND_DENSE_WEIGHT,
) -> list[Hit]:
    """BM25's candidates (plus any passages dense search recalled) in fused order.

    ``vectors`` holds the vectors of the candidates to compare (``VectorStore.get``): a
    candidate without one keeps only its BM25 share. ``recalled`` is a dense search's own
    hits (``VectorStore.search``), which may add passages BM25 missed.
    """
    dense = dense_ranking([key for key, _ in bm25], vectors, question)
    if recalled:
        seen = {key for key, _ in dense}
        dense = sorted(
            dense + [(key, score) for key, score in recalled if key not in seen],
            key=lambda hit: (-hit[1], hit[0]),
        )
    return fuse(bm25, dense, method=method, k=k, weight=weight)


def _normalise(hits: Sequence[Hit], floor: float) -> dict[int, float]:
    if not hits:
        return {}
    top = max(score for _, score in hits)
    span = top - floor
    if span <= 0 or not math.isfinite(span):
        return {key: 0.0 for key, _ in hits}
    return {key: max(0.0, (score - floor) / span) for key, score in hits}


def _ordered(fused: Mapping[int, float], first: Sequence[Hit]) -> list[Hit]:
    position = {key: index for index, (key, _) in enumerate(first)}
    unranked = len(position)
    ordered = sorted(fused, key=lambda key: (-fused[key], position.get(key, unranked), key))
    return [(key, fused[key]) for key in ordered]
