"""The retrieval interface every engine implements (build, search, persist), and the registry."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol, runtime_checkable

# Lucene's defaults, which tantivy fixes too, so both engines rank alike. Swept on the news
# sets (Reuters and BBC headline -> story, never SciFact; bench/README.md): k1=1.0 b=0.6 gains
# Reuters +0.007 MRR@10 but loses BBC -0.009, no net gain worth splitting the engines. Here, not
# in the bm25 engine: answers weigh passages with them without loading numpy.
K1 = 1.2
B = 0.75


@dataclass(frozen=True)
class Hit:
    """A scored passage, by its position in the index's passage list."""

    doc: int
    score: float


@runtime_checkable
class Engine(Protocol):
    """A ranked lexical index over pre-analyzed documents (lists of terms).

    Engines receive terms from ``bot.text.analysis`` rather than raw text so every engine ranks
    the same terms, whatever tokenisers the engine itself ships with.
    """

    name: str

    def search(self, terms: Sequence[str], k: int) -> list[Hit]:
        """The ``k`` best documents with a positive score, best first."""
        ...

    def save(self, directory: Path) -> None:
        """Write the engine's files into ``directory`` (fresh, private to this generation)."""
        ...

    def document_frequencies(self, terms: Sequence[str]) -> tuple[int, dict[str, int]]:
        """(number of passages, passages holding each distinct term); 0 for an unknown term.

        Answers weigh how much of a question a passage covers by these counts, so they must
        be the engine's own statistics, the ones its scores use.
        """
        ...


def idf(size: int, df: int) -> float:
    """Lucene's BM25 IDF, log(1 + (N - df + 0.5) / (df + 0.5)): positive, largest for df 0.

    The one definition both the bm25 engine's scores and the answers' term weights use, so the
    weight a question term gets is the weight it scored with (tantivy computes the same form).
    """
    return math.log(1.0 + (size - df + 0.5) / (df + 0.5))


@runtime_checkable
class IncrementalEngine(Engine, Protocol):
    """Optional extras: add or replace, delete, and publish passages without a rebuild."""

    def add(self, docs: Sequence[tuple[int, Sequence[str]]]) -> None:
        """Add (or replace: the number is the key) passages; searchable after ``commit()``."""
        ...

    def delete(self, doc_ids: Sequence[int]) -> None:
        """Remove passages by number; gone from searches after ``commit()``."""
        ...

    def commit(self) -> None:
        """Publish pending adds and deletes to disk and to this engine's searches."""
        ...
