"""The retrieval interface every engine implements (build, search, persist), and the registry."""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol, runtime_checkable

from bot.index.engines import names
from bot.index.engines.names import AUTO, BM25, TANTIVY

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


@dataclass(frozen=True)
class EngineKind:
    build: Callable[[Iterable[tuple[int, Sequence[str]]]], Engine]  # (passage number, terms)
    load: Callable[[Path], Engine]


@runtime_checkable
class IncrementalEngine(Engine, Protocol):
    """Optional extras: add or replace, delete, and publish passages without a rebuild."""

    def add(self, docs: Sequence[tuple[int, Sequence[str]]]) -> None: ...

    def delete(self, doc_ids: Sequence[int]) -> None: ...

    def commit(self) -> None: ...


def _bm25() -> EngineKind:
    from bot.index.engines import bm25

    return EngineKind(bm25.RankBM25Engine.build, bm25.RankBM25Engine.load)


def _tantivy() -> EngineKind:
    from bot.index.engines import tantivy as tantivy_engine

    return EngineKind(tantivy_engine.TantivyEngine.build, tantivy_engine.TantivyEngine.load)


# Each engine's module is imported only when that engine is used: a `newsbot ask` over a
# tantivy index has no use for numpy and rank-bm25, nor one over bm25 for tantivy.
_KINDS: dict[str, Callable[[], EngineKind]] = {BM25: _bm25, TANTIVY: _tantivy}


def engines() -> dict[str, EngineKind]:
    return {name: make() for name, make in _KINDS.items()}


def engine_kind(name: str) -> EngineKind:
    make = _KINDS.get(name)
    if make is None:
        known = ", ".join(sorted(_KINDS))
        raise ValueError(f"unknown engine {name!r}; choose one of: {known}")
    return make()


def auto_engine(passages: int, current: str | None = None) -> str:
    """The engine ``NEWSBOT_ENGINE=auto`` uses for ``passages``, given the one in use now.

    tantivy above ``names.AUTO_TANTIVY_ABOVE``; back to bm25 only below half of it, so a
    corpus that hovers around the threshold does not rebuild its engine at every refresh.
    """
    above = names.AUTO_TANTIVY_ABOVE
    if passages > above or (current == TANTIVY and passages >= above // 2):
        return TANTIVY
    return BM25


def engine_choice(setting: str, engine: str, passages: int) -> str:
    """Why ``engine`` serves, for status: "set by NEWSBOT_ENGINE" or the auto rule that chose it.

    For example "auto: 1.2M passages > 50k".
    """
    if setting != AUTO:
        return "set by NEWSBOT_ENGINE"
    above = names.AUTO_TANTIVY_ABOVE
    if engine == TANTIVY and passages <= above:
        return f"auto: {_short(passages)} passages; back to bm25 below {_short(above // 2)}"
    sign = ">" if passages > above else "<="
    return f"auto: {_short(passages)} passages {sign} {_short(above)}"


def _short(n: int) -> str:
    if n >= 1_000_000:
        return f"{n / 1_000_000:.1f}M".replace(".0M", "M")
    if n >= 10_000:
        return f"{n // 1000}k"
    return f"{n:,}"
