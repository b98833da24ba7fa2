"""Names of the retrieval engines, importable without loading any engine (for the settings)."""

from __future__ import annotations

__all__ = [
    "AUTO",
    "AUTO_TANTIVY_ABOVE",
    "BM25",
    "DEFAULT_ENGINE",
    "ENGINE_NAMES",
    "ENGINE_SETTINGS",
    "TANTIVY",
]

BM25 = "bm25"
TANTIVY = "tantivy"
ENGINE_NAMES = frozenset({BM25, TANTIVY})  # the keys of bot.index.engines.base.engines()
# Not an engine: the setting that picks bm25 or tantivy by the corpus's size at each build.
AUTO = "auto"
ENGINE_SETTINGS = ENGINE_NAMES | {AUTO}
DEFAULT_ENGINE = AUTO
# Passages above which ``auto`` uses tantivy: past it rank-bm25's restart and memory stop
# being pleasant (README, Scale: measured on real text). A module attribute, read at each
# build, so tests can lower it.
AUTO_TANTIVY_ABOVE = 200_000
