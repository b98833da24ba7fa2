"""The layer's tuned levers: how many candidates are compared, whether recall adds stories, and
dense recall switched off past a size (with reranking kept and a line in ``newsbot status``)."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pytest

from bot.newsroom import Status
from bot.semantic.fusion import RRF_K
from bot.semantic.layer import SemanticLayer
from bot.semantic.vectors import VectorStore
from bot.terminal.render import render_status

DIMENSION = 4


class FixedEmbedder:
    """Stands in for the model: every question has the vector it was given."""

    dimension = DIMENSION
    model_id = "fixed-test-vectors"

    def __init__(self, question: Sequence[float]) -> None:
        self.question = _unit(question)
        self.questions: list[str] = []

    def embed_one(self, text: str) -> np.ndarray:
        self.questions.append(text)
        return self.question

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        return np.stack([self.embed_one(text) for text in texts])


def _unit(values: Sequence[float]) -> np.ndarray:
    vector = np.asarray(values, dtype=np.float32)
    return vector / np.linalg.norm(vector)


def _layer(vectors: dict[int, Sequence[float]], question: Sequence[float]) -> SemanticLayer:
    layer = SemanticLayer(FixedEmbedder(question))  # type: ignore[arg-type]
    store = VectorStore(DIMENSION, FixedEmbedder.model_id)
    keys = sorted(vectors)
    store.add(keys, np.stack([_unit(vectors[key]) for key in keys]))
    layer.store = store
    layer.method, layer.rrf_k = "rrf", RRF_K
    return layer


# Passage 9 is the question's nearest vector but belongs to a story BM25 did not find.
VECTORS = {1: (0, 1, 0, 0), 2: (1, 0, 0, 0), 3: (0.9, 0.1, 0, 0), 9: (1, 0, 0.01, 0)}
QUESTION = (1, 0, 0, 0)
BM25 = [(1, 9.0), (2, 8.0)]


def test_candidates_past_the_compared_ones_keep_only_their_bm25_share() -> None:
    layer = _layer(VECTORS, QUESTION)
    layer.mode, layer.candidates = "rerank", 1
    fused = dict(layer.rerank("q", [(1, 9.0), (2, 8.0), (3, 7.0)]))
    # Only passage 1 was compared: 2 and 3 score their BM25 rank alone, near as they are.
    assert fused[2] == pytest.approx(1 / (RRF_K + 2))
    assert fused[3] == pytest.approx(1 / (RRF_K + 3))
    layer.candidates = 3
    assert next(key for key, _ in layer.rerank("q", [(1, 9.0), (2, 8.0), (3, 7.0)])) == 2


def test_recall_that_may_add_stories_brings_in_a_passage_bm25_missed() -> None:
    layer = _layer(VECTORS, QUESTION)
    layer.mode, layer.recall, layer.recall_new_stories = "both", 2, True
    assert 9 in dict(layer.rerank("q", BM25, known={1, 2, 3}))


def test_recall_that_only_reorders_keeps_passages_of_stories_bm25_found() -> None:
    layer = _layer(VECTORS, QUESTION)
    layer.mode, layer.recall, layer.recall_new_stories = "both", 3, False
    fused = dict(layer.rerank("q", BM25, known={1, 2, 3}))
    # 3 is another passage of a story BM25 found (so it may surface); 9 is not.
    assert 9 not in fused and 3 in fused


def test_dense_recall_turns_off_past_its_size_while_reranking_stays_on() -> None:
    layer = _layer(VECTORS, QUESTION)
    layer.mode, layer.recall, layer.recall_max = "both", 2, 3
    assert layer.recall_off() == "dense recall off: 4 passages > 3; reranking still on"
    fused = dict(layer.rerank("q", BM25, known={1, 2, 3}))
    # No passage BM25 did not hand over, but its two still carry their vectors' share.
    assert set(fused) == {1, 2}
    assert fused[2] == pytest.approx(1 / (RRF_K + 2) + 1 / (RRF_K + 1))
    layer.recall_max = 4
    assert layer.recall_off() is None
    assert 9 in dict(layer.rerank("q", BM25, known={1, 2, 3}))


def test_recall_off_line_names_sizes_as_a_reader_says_them() -> None:
    layer = _layer(VECTORS, QUESTION)
    layer.mode, layer.recall_max = "both", 200_000
    assert layer.recall_off(1_200_000) == (
        "dense recall off: 1.2M passages > 200k; reranking still on"
    )
    layer.mode = "rerank"
    assert layer.recall_off(1_200_000) is None  # no recall to turn off


def test_status_shows_dense_recall_off_on_a_line_of_its_own() -> None:
    semantic = "on: 1200000 of 1200000 passages embedded; dense recall off: 1.2M passages > 100k"
    semantic += "; reranking still on"
    status = Status("corpus", "tantivy", 1, 1, 1_200_000, 0.0, 0.0, {}, semantic=semantic)
    lines = render_status(status).splitlines()
    at = lines.index("semantic layer: on: 1200000 of 1200000 passages embedded")
    assert lines[at + 1] == "  dense recall off: 1.2M passages > 100k; reranking still on"
