"""Names of the retrieval engines, importable without loading any engine (for the settings)."""

from __future__ import annotations

__all__ = ["BM25", "DEFAULT_ENGINE", "ENGINE_NAMES", "TANTIVY"]

BM25 = "bm25"
TANTIVY = "tantivy"
ENGINE_NAMES = frozenset({BM25, TANTIVY})  # the keys of bot.index.engines.base.engines()
DEFAULT_ENGINE = BM25
