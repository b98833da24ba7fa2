"""Passage token budgets (cl100k tokens), importable without loading tiktoken (for settings)."""

from __future__ import annotations

__all__ = ["DEFAULT_MAX_TOKENS", "DEFAULT_MIN_TOKENS", "MAX_PASSAGE_TOKENS", "MIN_PASSAGE_TOKENS"]

DEFAULT_MAX_TOKENS = 200
DEFAULT_MIN_TOKENS = 12
# Bounds of NEWSBOT_PASSAGE_TOKENS: below 32 a passage is a phrase, above 2000 a page.
MIN_PASSAGE_TOKENS = 32
MAX_PASSAGE_TOKENS = 2000
