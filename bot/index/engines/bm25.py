"""The embedded engine: rank-bm25's Okapi BM25 with Lucene's IDF, scored from postings.

Answering needs neither numpy nor rank-bm25 (together ~0.1 s of a fresh `newsbot ask`, more
with numpy's thread pool): a build computes the postings with them (``bm25_build``), and
search scores the saved postings with C arrays of the standard library.
"""

from __future__ import annotations

import heapq
import json
import sys
import zipfile
from array import array
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from bot.index.engines.base import Hit

if TYPE_CHECKING:
    from bot.index.engines.bm25_build import LuceneIdfBM25

# Persisted as plain data, never pickle (a cache file must not be code the next process runs):
# one uncompressed zip (CRC-checked on read) holding a JSON manifest (format, size, byte order
# and the vocabulary) and each array's raw bytes. One file, so replacing the engine is one
# rename: a crash or a reader never sees one save's vocabulary with another's arrays.
FILE = "bm25.zip"
FORMAT = 2
MANIFEST = "manifest.json"
# Each array member and its C type: int64 offsets and passage numbers, int32 rows, float32
# weights (the types numpy computed them in, so scores are what they were).
ARRAYS = {"offsets": "q", "rows": "i", "weights": "f", "ids": "q"}


class _Postings:
    """Per-term postings in one compressed-row layout, each with its BM25 weight (IDF included).

    Term ``i`` holds the passages ``rows[offsets[i]:offsets[i + 1]]``.

    rank-bm25's ``get_scores`` walks every passage in Python for every query term (about
    60 ms a query at 100k passages); postings touch only the passages holding the term.
    Three flat arrays, rather than an array pair per term, also save and load as plain data.
    """

    def __init__(
        self,
        vocab: dict[str, int],
        offsets: array[int],
        rows: array[int],
        weights: array[float],
        size: int,
    ) -> None:
        self.vocab = vocab
        self.offsets = offsets
        self.rows = rows
        self.weights = weights
        self.size = size

    @classmethod
    def empty(cls) -> _Postings:
        return cls({}, array("q", [0]), array("i"), array("f"), 0)

    def scores(self, terms: Sequence[str]) -> tuple[array[float], set[int]]:
        """Each row's score, and the rows holding any of the terms.

        Summed term by term into float32 (an array of C floats rounds each sum as float32
        addition does): the same scores, to the bit, as the numpy arrays this engine used to
        sum, so rankings and ties are unchanged.
        """
        scores = array("f", bytes(4 * self.size))
        held: set[int] = set()
        # A repeated query term counts again, as in rank-bm25 and Lucene's boolean query.
        for term in terms:
            number = self.vocab.get(term)
            if number is not None:
                start, end = self.offsets[number], self.offsets[number + 1]
                rows = self.rows[start:end]
                for row, weight in zip(rows, self.weights[start:end], strict=True):
                    scores[row] += weight
                held.update(rows)
        return scores, held

    def frequency(self, term: str) -> int:
        number = self.vocab.get(term)
        return 0 if number is None else self.offsets[number + 1] - self.offsets[number]


class RankBM25Engine:
    """rank-bm25 statistics (IDF, lengths) over analyzed passages, searched through postings."""

    name = "bm25"

    def __init__(
        self, postings: _Postings, ids: array[int], model: LuceneIdfBM25 | None = None
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
        ids = array("q", [doc for doc, _ in pairs])
        if not pairs:
            return cls(_Postings.empty(), ids)
        # Here, not at the top: only a build needs rank-bm25 and numpy.
        from bot.index.engines import bm25_build

        # An empty document would divide by zero in rank-bm25's average length.
        model = bm25_build.model([list(terms) if terms else [""] for _, terms in pairs])
        vocab, offsets, rows, weights = bm25_build.postings(model)
        return cls(_Postings(vocab, offsets, rows, weights, len(pairs)), ids, model)

    @classmethod
    def load(cls, directory: Path) -> RankBM25Engine:
        """The engine saved in ``directory``; ValueError when the file is not one we wrote."""
        try:
            with zipfile.ZipFile(directory / FILE) as stored:
                if MANIFEST not in stored.namelist():
                    raise ValueError(f"{FILE} holds no bm25 manifest")
                manifest = json.loads(stored.read(MANIFEST).decode("utf-8"))
                if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
                    raise ValueError(f"{FILE} is not a bm25 index of format {FORMAT}")
                arrays = {name: array(code) for name, code in ARRAYS.items()}
                for name, values in arrays.items():
                    values.frombytes(stored.read(name))  # ValueError: not whole items
        except (zipfile.BadZipFile, KeyError) as error:  # truncated, bad CRC, member missing
            raise ValueError(f"{FILE} is not a readable bm25 index: {error}") from error
        if manifest.get("byteorder") != sys.byteorder:  # written on a machine of the other kind
            for values in arrays.values():
                values.byteswap()
        offsets, rows, weights, ids = (arrays[name] for name in ARRAYS)
        vocab_list, size = manifest["vocab"], int(manifest["size"])
        consistent = (
            len(offsets) == len(vocab_list) + 1
            and len(rows) == len(weights) == offsets[-1]
            and len(ids) == size
            and (not rows or max(rows) < size)
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
            "byteorder": sys.byteorder,
            "vocab": list(postings.vocab),  # numbered in this order
        }
        columns = {
            "offsets": postings.offsets,
            "rows": postings.rows,
            "weights": postings.weights,
            "ids": self._ids,
        }
        with zipfile.ZipFile(directory / FILE, "w", zipfile.ZIP_STORED) as stored:
            stored.writestr(MANIFEST, json.dumps(manifest))
            for name, values in columns.items():
                # Written from the array's own buffer (no copy of a large array); its size
                # given up front, so zip64 is used exactly when a member needs it.
                member = zipfile.ZipInfo(name)
                member.file_size = len(values) * values.itemsize
                with stored.open(member, "w") as handle:
                    handle.write(values)

    def search(self, terms: Sequence[str], k: int) -> list[Hit]:
        """The ``k`` best passages with a positive score, best first (ties to the earlier)."""
        if self._postings.size == 0 or not terms or k <= 0:
            return []
        scores, held = self._postings.scores(terms)
        # nlargest is a stable sorted(reverse=True)[:k]: over the rows in order, equal scores
        # keep the earlier row first (and this beats a (-score, row) key by ~25% at 50k).
        best = heapq.nlargest(k, sorted(held), key=scores.__getitem__)
        return [Hit(self._ids[row], scores[row]) for row in best if scores[row] > 0]

    def document_frequencies(self, terms: Sequence[str]) -> tuple[int, dict[str, int]]:
        """(number of passages, passages holding each distinct term); 0 for an unknown term."""
        postings = self._postings
        return postings.size, {t: postings.frequency(t) for t in terms}
