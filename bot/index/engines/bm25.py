"""The embedded engine: rank-bm25's Okapi BM25 with Lucene's IDF, scored from postings."""

from __future__ import annotations

import math
import pickle
from collections.abc import Iterable, Sequence
from pathlib import Path

import numpy as np
from rank_bm25 import BM25Okapi

from bot.index.engines.base import Hit

# Lucene's defaults, which tantivy fixes too, so both engines rank alike. Swept on the news
# sets (Reuters and BBC headline -> story, never SciFact; bench/README.md): k1=1.0 b=0.6 gains
# Reuters +0.007 MRR@10 but loses BBC -0.009, no net gain worth splitting the engines.
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


class _Postings:
    """Per-term arrays of (passage, precomputed BM25 weight without IDF).

    rank-bm25's ``get_scores`` walks every passage in Python for every query term (about
    60 ms a query at 100k passages); postings touch only the passages holding the term.
    """

    def __init__(self, model: _LuceneIdfBM25) -> None:
        lengths = np.asarray(model.doc_len, dtype=np.float64)
        norm = model.k1 * (1.0 - model.b + model.b * lengths / model.avgdl)
        docs: dict[str, list[int]] = {}
        freqs: dict[str, list[int]] = {}
        for position, counts in enumerate(model.doc_freqs):
            for term, count in counts.items():
                docs.setdefault(term, []).append(position)
                freqs.setdefault(term, []).append(count)
        self.size = len(lengths)
        self.postings: dict[str, tuple[np.ndarray, np.ndarray]] = {}
        for term, positions in docs.items():
            ids = np.asarray(positions, dtype=np.int32)
            tf = np.asarray(freqs[term], dtype=np.float64)
            weight = tf * (model.k1 + 1.0) / (tf + norm[ids])
            self.postings[term] = (ids, (weight * model.idf[term]).astype(np.float32))

    def scores(self, terms: Sequence[str]) -> np.ndarray:
        scores = np.zeros(self.size, dtype=np.float32)
        # A repeated query term counts again, as in rank-bm25 and Lucene's boolean query.
        for term in terms:
            entry = self.postings.get(term)
            if entry is not None:
                scores[entry[0]] += entry[1]
        return scores


class RankBM25Engine:
    """rank-bm25 statistics (IDF, lengths) over analyzed passages, searched through postings."""

    name = "bm25"

    def __init__(self, model: _LuceneIdfBM25 | None, ids: np.ndarray) -> None:
        self._model = model
        self._ids = ids  # passage number of each of rank-bm25's rows
        self._size = len(ids)
        self._postings = _Postings(model) if model is not None else None

    @classmethod
    def build(cls, docs: Iterable[tuple[int, Sequence[str]]]) -> RankBM25Engine:
        pairs = list(docs)
        ids = np.asarray([doc for doc, _ in pairs], dtype=np.int64)
        if not pairs:
            return cls(None, ids)
        # An empty document would divide by zero in rank-bm25's average length.
        corpus = [list(terms) if terms else [""] for _, terms in pairs]
        return cls(_LuceneIdfBM25(corpus, k1=K1, b=B), ids)

    @classmethod
    def load(cls, directory: Path) -> RankBM25Engine:
        with open(directory / FILE, "rb") as handle:
            model, ids = pickle.load(handle)
        return cls(model, ids)

    def save(self, directory: Path) -> None:
        with open(directory / FILE, "wb") as handle:
            pickle.dump((self._model, self._ids), handle, protocol=pickle.HIGHEST_PROTOCOL)

    def search(self, terms: Sequence[str], k: int) -> list[Hit]:
        if self._postings is None or not terms or k <= 0:
            return []
        scores = self._postings.scores(terms)
        k = min(k, len(scores))
        top = np.argpartition(-scores, k - 1)[:k]
        # Ties go to the earlier passage, so results never depend on argpartition's order.
        top = top[np.lexsort((top, -scores[top]))]
        return [Hit(int(self._ids[i]), float(scores[i])) for i in top if scores[i] > 0]

    def document_frequencies(self, terms: Sequence[str]) -> tuple[int, dict[str, int]]:
        """Optional engine method: (number of passages, passages holding each distinct term).

        Answers use it to weigh how much of a question a passage covers; a term no passage
        holds gets 0.
        """
        if self._postings is None:
            return 0, dict.fromkeys(terms, 0)
        postings = self._postings.postings
        return self._size, {t: len(postings[t][0]) if t in postings else 0 for t in terms}
