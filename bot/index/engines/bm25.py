"""The embedded engine: rank-bm25's Okapi BM25 with Lucene's IDF, scored from postings."""

from __future__ import annotations

import json
from array import array
from collections.abc import Iterable, Sequence
from pathlib import Path

import numpy as np
from rank_bm25 import BM25Okapi

from bot.index.engines.base import K1, B, Hit, idf

# Persisted as plain data, never pickle (a cache file must not be code the next process runs):
# the posting arrays as .npy members of one .npz, beside a JSON document (format, size and the
# vocabulary) stored as the bytes of one more member. One file, so replacing the engine is one
# rename: a crash or a reader never sees one save's vocabulary with another's arrays.
FILE = "bm25.npz"
FORMAT = 1


class _LuceneIdfBM25(BM25Okapi):
    """BM25Okapi with Lucene's IDF, log(1 + (N - df + 0.5) / (df + 0.5)).

    rank-bm25's own IDF is zero for a term in half the passages and floors negative values
    at a fraction of the mean, so one story's handful of passages can score nothing at all.
    Lucene's form stays positive and keeps rarer terms ahead.
    """

    def _calc_idf(self, nd: dict[str, int]) -> None:
        for word, freq in nd.items():
            self.idf[word] = idf(self.corpus_size, freq)


class _Postings:
    """Per-term postings in one compressed-row layout, each with its BM25 weight (IDF included).

    Term ``i`` holds the passages ``rows[offsets[i]:offsets[i + 1]]``.

    rank-bm25's ``get_scores`` walks every passage in Python for every query term (about
    60 ms a query at 100k passages); postings touch only the passages holding the term.
    Three flat arrays, rather than an array pair per term, also save and load as plain data.
    """

    def __init__(
        self, vocab: dict[str, int], offsets: np.ndarray, rows: np.ndarray, weights: np.ndarray,
        size: int,
    ) -> None:  # fmt: skip
        self.vocab = vocab
        self.offsets = offsets
        self.rows = rows
        self.weights = weights
        self.size = size

    @classmethod
    def empty(cls) -> _Postings:
        return cls({}, np.zeros(1, np.int64), np.zeros(0, np.int32), np.zeros(0, np.float32), 0)

    @classmethod
    def from_model(cls, model: _LuceneIdfBM25) -> _Postings:
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
        return cls(vocab, offsets, rows, weights, len(lengths))

    def scores(self, terms: Sequence[str]) -> np.ndarray:
        scores = np.zeros(self.size, dtype=np.float32)
        # A repeated query term counts again, as in rank-bm25 and Lucene's boolean query.
        for term in terms:
            number = self.vocab.get(term)
            if number is not None:
                start, end = self.offsets[number], self.offsets[number + 1]
                scores[self.rows[start:end]] += self.weights[start:end]
        return scores

    def frequency(self, term: str) -> int:
        number = self.vocab.get(term)
        return 0 if number is None else int(self.offsets[number + 1] - self.offsets[number])


class RankBM25Engine:
    """rank-bm25 statistics (IDF, lengths) over analyzed passages, searched through postings."""

    name = "bm25"

    def __init__(
        self, postings: _Postings, ids: np.ndarray, model: _LuceneIdfBM25 | None = None
    ) -> None:
        self._postings = postings
        self._ids = ids  # passage number of each row
        # rank-bm25's model, only in the process that built the engine (tests compare scores
        # with it); a loaded engine needs just the postings.
        self._model = model

    @classmethod
    def build(cls, docs: Iterable[tuple[int, Sequence[str]]]) -> RankBM25Engine:
        """The engine over these (passage number, terms) documents."""
        pairs = list(docs)
        ids = np.asarray([doc for doc, _ in pairs], dtype=np.int64)
        if not pairs:
            return cls(_Postings.empty(), ids)
        # An empty document would divide by zero in rank-bm25's average length.
        corpus = [list(terms) if terms else [""] for _, terms in pairs]
        model = _LuceneIdfBM25(corpus, k1=K1, b=B)
        return cls(_Postings.from_model(model), ids, model)

    @classmethod
    def load(cls, directory: Path) -> RankBM25Engine:
        """The engine saved in ``directory``; ValueError when the file is not one we wrote."""
        # allow_pickle=False: a member that asks for object unpickling is refused.
        with np.load(directory / FILE, allow_pickle=False) as stored:
            if "manifest" not in stored.files:
                raise ValueError(f"{FILE} holds no bm25 manifest")
            manifest = json.loads(stored["manifest"].tobytes().decode("utf-8"))
            if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
                raise ValueError(f"{FILE} is not a bm25 index of format {FORMAT}")
            offsets, rows = stored["offsets"], stored["rows"]
            weights, ids = stored["weights"], stored["ids"]
        vocab_list, size = manifest["vocab"], int(manifest["size"])
        consistent = (
            len(offsets) == len(vocab_list) + 1
            and len(rows) == len(weights) == int(offsets[-1])
            and len(ids) == size
            and (not len(rows) or int(rows.max()) < size)
        )
        if not consistent:
            raise ValueError(f"the arrays in {FILE} do not fit its manifest")
        vocab = {term: number for number, term in enumerate(vocab_list)}
        return cls(_Postings(vocab, offsets, rows, weights, size), ids)

    def save(self, directory: Path) -> None:
        """Write the postings, their weights and the vocabulary into ``directory``, for ``load``."""
        postings = self._postings
        manifest = {
            "format": FORMAT,
            "size": postings.size,
            "vocab": list(postings.vocab),  # numbered in this order
        }
        text = json.dumps(manifest).encode("utf-8")
        with open(directory / FILE, "wb") as handle:
            np.savez(
                handle,
                manifest=np.frombuffer(text, dtype=np.uint8),
                offsets=postings.offsets,
                rows=postings.rows,
                weights=postings.weights,
                ids=self._ids,
            )

    def search(self, terms: Sequence[str], k: int) -> list[Hit]:
        """The ``k`` best passages with a positive score, best first (ties to the earlier)."""
        if self._postings.size == 0 or not terms or k <= 0:
            return []
        scores = self._postings.scores(terms)
        k = min(k, len(scores))
        top = np.argpartition(-scores, k - 1)[:k]
        # Ties go to the earlier passage, so results never depend on argpartition's order.
        top = top[np.lexsort((top, -scores[top]))]
        return [Hit(int(self._ids[i]), float(scores[i])) for i in top if scores[i] > 0]

    def document_frequencies(self, terms: Sequence[str]) -> tuple[int, dict[str, int]]:
        """(number of passages, passages holding each distinct term); 0 for an unknown term."""
        postings = self._postings
        return postings.size, {t: postings.frequency(t) for t in terms}
