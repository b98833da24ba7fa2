"""Fusing BM25 with dense scores: reciprocal-rank fusion, the blend, and reranking candidates."""

from __future__ import annotations

import numpy as np
import pytest

from bot.semantic.fusion import (
    RRF_K,
    blend,
    dense_ranking,
    reciprocal_rank_fusion,
    rerank,
)


def test_rrf_prefers_a_key_both_rankings_place_well() -> None:
    bm25 = [(1, 12.0), (2, 11.0), (3, 4.0)]
    dense = [(2, 0.8), (3, 0.7), (1, 0.1)]
    fused = reciprocal_rank_fusion(bm25, dense)
    assert [key for key, _ in fused] == [2, 1, 3]
    assert fused[0][1] == pytest.approx(1 / (RRF_K + 2) + 1 / (RRF_K + 1))


def test_rrf_ignores_score_scales_and_adds_keys_only_one_ranking_has() -> None:
    bm25 = [(1, 1000.0), (2, 0.001)]
    dense = [(9, 0.5), (2, 0.4)]
    fused = dict(reciprocal_rank_fusion(bm25, dense))
    assert set(fused) == {1, 2, 9}
    assert fused[2] > fused[1] > 0
    assert fused[1] == pytest.approx(fused[9])


def test_rrf_ties_follow_the_first_ranking_then_the_key() -> None:
    fused = reciprocal_rank_fusion([(5, 3.0), (4, 2.0)], [(4, 0.9), (5, 0.8)])
    assert [key for key, _ in fused] == [5, 4]


def test_blend_weight_zero_keeps_bm25_order_and_one_follows_cosine() -> None:
    bm25 = [(1, 9.0), (2, 8.0), (3, 1.0)]
    dense = [(3, 0.9), (2, 0.5), (1, 0.2)]
    assert [key for key, _ in blend(bm25, dense, weight=0.0)] == [1, 2, 3]
    assert [key for key, _ in blend(bm25, dense, weight=1.0)] == [3, 2, 1]


def test_blend_normalises_from_each_side_s_theoretical_floor() -> None:
    # BM25 from 0 to the best score; cosine from -1 to the best cosine.
    fused = dict(blend([(1, 10.0), (2, 9.0)], [(1, 0.5), (2, -0.25)], weight=0.5))
    assert fused[1] == pytest.approx(0.5 * 1.0 + 0.5 * 1.0)
    assert fused[2] == pytest.approx(0.5 * 0.9 + 0.5 * (0.75 / 1.5))


def test_blend_scores_a_side_that_lacks_a_key_at_its_floor() -> None:
    fused = dict(blend([(1, 10.0)], [(1, 0.2), (7, 0.6)], weight=0.5))
    assert fused[7] == pytest.approx(0.5 * 1.0)
    assert fused[1] == pytest.approx(0.5 * 1.0 + 0.5 * (1.2 / 1.6))


def test_blend_refuses_a_weight_outside_zero_to_one() -> None:
    with pytest.raises(ValueError):
        blend([(1, 1.0)], [(1, 0.5)], weight=1.5)


def _unit(*values: float) -> np.ndarray:
    vector = np.array(values, dtype=np.float32)
    return vector / np.linalg.norm(vector)


def test_rerank_lifts_the_candidate_closest_in_meaning() -> None:
    question = _unit(1, 0, 0)
    # Near-equal BM25 scores; only passage 12 means what the question asks.
    bm25 = [(10, 8.0), (11, 7.8), (12, 7.5)]
    vectors = {10: _unit(0, 1, 0), 11: _unit(0, 0, 1), 12: _unit(1, 0.1, 0)}
    # RRF: last for BM25 but first for meaning overtakes second-and-third (1/63 + 1/61 against
    # 1/62 + 1/63), not first-and-second.
    assert [key for key, _ in rerank(bm25, vectors, question, method="rrf")] == [10, 12, 11]
    # The blend sees that the BM25 scores are nearly equal and lets meaning decide.
    assert [key for key, _ in rerank(bm25, vectors, question, method="blend")] == [12, 10, 11]


def test_rerank_adds_passages_only_dense_search_recalled() -> None:
    question = _unit(1, 0, 0)
    bm25 = [(1, 5.0), (2, 4.0)]
    vectors = {1: _unit(0, 1, 0), 2: _unit(0, 0, 1)}
    fused = rerank(bm25, vectors, question, recalled=[(30, 0.95), (1, 0.0)])
    assert fused[0][0] in {1, 30}
    assert {key for key, _ in fused} == {1, 2, 30}


def test_rerank_keeps_a_candidate_that_has_no_vector_yet() -> None:
    question = _unit(1, 0)
    fused = rerank([(1, 3.0), (2, 2.0)], {2: _unit(1, 0)}, question)
    assert {key for key, _ in fused} == {1, 2}


def test_dense_ranking_orders_by_cosine_and_skips_missing_vectors() -> None:
    question = _unit(1, 0)
    vectors = {1: _unit(0, 1), 2: _unit(1, 0), 3: _unit(1, 1)}
    ranked = dense_ranking([1, 2, 3, 4], vectors, question)
    assert [key for key, _ in ranked] == [2, 3, 1]
    assert ranked[0][1] == pytest.approx(1.0)


def test_an_unknown_method_is_refused() -> None:
    with pytest.raises(ValueError):
        rerank([(1, 1.0)], {}, _unit(1, 0), method="max")  # type: ignore[arg-type]
