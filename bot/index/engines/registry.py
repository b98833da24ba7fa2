"""The engine registry: each engine by name, loaded only when used, and the ``auto`` rule."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from bot.index.engines import names
from bot.index.engines.base import Engine
from bot.index.engines.names import AUTO, BM25, TANTIVY


@dataclass(frozen=True)
class EngineKind:
    """How to build an engine from (passage number, terms) pairs, and how to load a saved one."""

    build: Callable[[Iterable[tuple[int, Sequence[str]]]], Engine]  # (passage number, terms)
    load: Callable[[Path], Engine]
    # ``build`` from terms space-joined as the catalog keeps them, when the engine indexes
    # them so anyway (splitting a million term strings only for it to join them back costs).
    build_joined: Callable[[Iterable[tuple[int, str]]], Engine] | None = None



def _bm25() -> EngineKind:
    from bot.index.engines import bm25

    return EngineKind(bm25.RankBM25Engine.build, bm25.RankBM25Engine.load)


def _tantivy() -> EngineKind:
    from bot.index.engines import tantivy as tantivy_engine

    engine = tantivy_engine.TantivyEngine
    return EngineKind(engine.build, engine.load, engine.build_joined)


# Each engine's module is imported only when that engine is used: a `newsbot ask` over a
# tantivy index has no use for the bm25 engine, nor one over bm25 for tantivy (and a bm25
# search none for numpy and rank-bm25, which only its build imports).
_KINDS: dict[str, Callable[[], EngineKind]] = {BM25: _bm25, TANTIVY: _tantivy}


def engines() -> dict[str, EngineKind]:
    """One instance of each known engine kind, by name."""
    return {name: make() for name, make in _KINDS.items()}


def engine_kind(name: str) -> EngineKind:
    """The engine kind named ``name``; ValueError naming the known ones otherwise."""
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
