"""The question a chat message asks when someone runs "Find in stored news" on it."""

from __future__ import annotations

from collections.abc import Iterable

MAX_QUESTION_CHARS = 500  # as /ask takes: a long message is cut at a word boundary


class EmptyMessage(ValueError):
    """The message holds no text to look up (an image, a sticker, only spaces)."""


def message_question(content: str | None, embeds: Iterable[tuple[str | None, str | None]]) -> str:
    """The message's text, trimmed; its embeds' titles and descriptions when it has none."""
    text = " ".join((content or "").split())
    if not text:
        parts = [part for title, body in embeds for part in (title, body) if part]
        text = " ".join(" ".join(parts).split())
    if not text:
        raise EmptyMessage("that message has no text to look up (no words, no embed text)")
    if len(text) > MAX_QUESTION_CHARS:
        cut = text[:MAX_QUESTION_CHARS]
        text = cut.rsplit(" ", 1)[0] if " " in cut else cut
    return text
