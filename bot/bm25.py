"""The embedded engine: rank-bm25's Okapi BM25 with Lucene's always-positive IDF."""

from __future__ import annotations

import math
import pickle
from collections.abc import Sequence
from pathlib import Path

import numpy as np
from rank_bm25 import BM25Okapi

from bot.search import Hit

K1 = 1.2
B = 0.75
FILE = "rank_bm25.pickle"


class _LuceneIdfBM25(BM25Okapi):
    """BM25Okapi with Lucene's IDF, log(1 + (N - df + 0.5) / (df + 0.5)).

    rank-bm25's own IDF is zero for a term in half the passages and floors negative values
    at a fraction of the mean, so one story's handful of passages can score nothing at all.
    Lucene's form stays positive and keeps rarer terms ahead.
    """

    def _calc_idf(self, nd: dict[str, int]) -> None:
        for word, freq in nd.items():
            self.idf[word] = math.log(1.0 + (self.corpus_size - freq + 0.5) / (freq + 0.5))


class RankBM25Engine:
    """rank-bm25 over analyzed passages; simple and fine for tens of thousands of passages."""

    name = "bm25"

    def __init__(self, model: _LuceneIdfBM25 | None, size: int) -> None:
        self._model = model
        self._size = size

    @classmethod
    def build(cls, docs: Sequence[Sequence[str]]) -> RankBM25Engine:
        if not docs:
            return cls(None, 0)
        # An empty document would divide by zero in rank-bm25's average length.
        corpus = [list(d) if d else [""] for d in docs]
        return cls(_LuceneIdfBM25(corpus, k1=K1, b=B), len(corpus))

    @classmethod
    def load(cls, directory: Path) -> RankBM25Engine:
        with open(directory / FILE, "rb") as handle:
            model, size = pickle.load(handle)
        return cls(model, size)

    def save(self, directory: Path) -> None:
        with open(directory / FILE, "wb") as handle:
            pickle.dump((self._model, self._size), handle, protocol=pickle.HIGHEST_PROTOCOL)

    def search(self, terms: Sequence[str], k: int) -> list[Hit]:
        if self._model is None or not terms or k <= 0:
            return []
        scores = self._model.get_scores(list(terms))
        k = min(k, len(scores))
        top = np.argpartition(-scores, k - 1)[:k]
        top = top[np.argsort(-scores[top], kind="stable")]
        return [Hit(int(i), float(scores[i])) for i in top if scores[i] > 0]
