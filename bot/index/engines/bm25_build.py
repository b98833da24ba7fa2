"""The bm25 engine's build: rank-bm25's statistics over the passages, turned into postings.

Only a build imports this module (numpy and rank-bm25 cost a fresh process ~0.1 s and more
with their thread pools): answering reads the saved postings with the standard library.
"""

from __future__ import annotations

from array import array
from collections.abc import Sequence

import numpy as np
from rank_bm25 import BM25Okapi

from bot.index.engines.base import K1, B, idf


class LuceneIdfBM25(BM25Okapi):
    """BM25Okapi with Lucene's IDF, log(1 + (N - df + 0.5) / (df + 0.5)).

    rank-bm25's own IDF is zero for a term in half the passages and floors negative values
    at a fraction of the mean, so one story's handful of passages can score nothing at all.
    Lucene's form stays positive and keeps rarer terms ahead.
    """

    def _calc_idf(self, nd: dict[str, int]) -> None:
        for word, freq in nd.items():
            self.idf[word] = idf(self.corpus_size, freq)


def model(corpus: Sequence[Sequence[str]]) -> LuceneIdfBM25:
    """rank-bm25's model over these analyzed passages (none of them empty)."""
    return LuceneIdfBM25(corpus, k1=K1, b=B)


def postings(
    model: LuceneIdfBM25,
) -> tuple[dict[str, int], array[int], array[int], array[float]]:
    """(vocabulary, offsets, rows, weights): each term's passages with their BM25 weights.

    Term ``i`` holds the rows ``rows[offsets[i]:offsets[i + 1]]``, in passage order, and
    their weights (IDF included) as float32. Computed with numpy (tens of millions of pairs
    at a million passages), handed back as C arrays of the same types, which the engine
    saves and scores with and a loaded engine reads without numpy.
    """
    lengths = np.asarray(model.doc_len, dtype=np.float64)
    norm = model.k1 * (1.0 - model.b + model.b * lengths / model.avgdl)
    vocab: dict[str, int] = {}
    # Flat columns (term number, term frequency) in passage order: C arrays, not lists of
    # Python ints, since a million passages hold tens of millions of (passage, term) pairs.
    term_column = array("q")
    tf_column = array("q")
    distinct = np.empty(len(model.doc_freqs), dtype=np.int64)
    for position, counts in enumerate(model.doc_freqs):
        for term in counts:
            if term not in vocab:
                vocab[term] = len(vocab)
        term_column.extend([vocab[term] for term in counts])
        tf_column.extend(counts.values())
        distinct[position] = len(counts)
    terms = np.frombuffer(term_column, dtype=np.int64)
    # Stable: within a term its passages stay in passage order.
    order = np.argsort(terms, kind="stable")
    rows = np.repeat(np.arange(len(lengths), dtype=np.int32), distinct)[order]
    tf = np.frombuffer(tf_column, dtype=np.int64)[order].astype(np.float64)
    del order
    per_term = np.bincount(terms, minlength=len(vocab))
    offsets = np.zeros(len(vocab) + 1, dtype=np.int64)
    np.cumsum(per_term, out=offsets[1:])
    idfs = np.fromiter((model.idf[term] for term in vocab), np.float64, count=len(vocab))
    weight = tf * (model.k1 + 1.0) / (tf + norm[rows])
    weights = (weight * np.repeat(idfs, per_term)).astype(np.float32)
    # The same machine types on both sides: int64 'q', int32 'i', float32 'f'.
    return (
        vocab,
        array("q", offsets.tobytes()),
        array("i", rows.tobytes()),
        array("f", weights.tobytes()),
    )
