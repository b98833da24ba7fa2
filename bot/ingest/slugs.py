"""Slugs: readable, file-name-safe forms of titles, file stems and URLs, kept under a length."""

from __future__ import annotations

import hashlib
import re

__all__ = ["slug"]

_NOT_WORD = re.compile(r"[\W_]+")  # any script's letters and digits survive
_NOT_ASCII_WORD = re.compile(r"[^a-z0-9]+")
_DIGEST = 8  # hex digits of the digest that keeps a shortened slug unique


def slug(
    text: str,
    limit: int,
    *,
    ascii_only: bool = False,
    shorten: str = "digest",
    digest_of: str | None = None,
    empty: str | None = None,
) -> str:
    """``text`` lower-cased with every run of other characters turned into one ``-``.

    Longer than ``limit``: ``shorten="digest"`` keeps the head and appends a digest of
    ``digest_of`` (default ``text``), so two long names that share a head stay apart;
    ``shorten="words"`` cuts at the last ``-`` inside the limit (titles, read by people).
    Nothing left (a title in another script with ``ascii_only``): ``empty`` if given, else a
    digest of ``text``, so names stay short and stable.
    """
    pattern = _NOT_ASCII_WORD if ascii_only else _NOT_WORD
    result = pattern.sub("-", text.lower()).strip("-")
    if not result:
        return empty if empty is not None else _digest(text, 12)
    if len(result) <= limit:
        return result
    if shorten == "words":
        return result[:limit].rsplit("-", 1)[0] or result[:limit]
    head = result[: limit - _DIGEST - 1].rstrip("-")
    return f"{head}-{_digest(text if digest_of is None else digest_of, _DIGEST)}"


def _digest(text: str, size: int) -> str:
    # sha1 names files and guards nothing: a collision only merges two names.
    return hashlib.sha1(text.encode(), usedforsecurity=False).hexdigest()[:size]
