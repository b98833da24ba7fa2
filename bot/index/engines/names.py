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
ENGINE_NAMES = frozenset({BM25, TANTIVY})  # the keys of bot.index.engines.registry.engines()
# Not an engine: the setting that picks bm25 or tantivy by the corpus's size at each build.
AUTO = "auto"
ENGINE_SETTINGS = ENGINE_NAMES | {AUTO}
DEFAULT_ENGINE = AUTO
# Passages above which ``auto`` uses tantivy (README, Scale: measured on real text). rank-bm25
# cannot add a passage: every update rebuilds its engine from the catalog, 7.6 s of CPU and
# 555 MB for one new file at 100k passages (tantivy: a commit), and its build peak passes 1 GB
# by 200k; its restart stays under a second and ~120 MB through 200k. A module attribute,
# read at each build, so tests can lower it.
AUTO_TANTIVY_ABOVE = 50_000
