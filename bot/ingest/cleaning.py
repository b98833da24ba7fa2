"""Clean raw copy before parsing: HTML entities and tags, newlines, control characters."""

from __future__ import annotations

import html
import re

_HTML_BREAK = re.compile(r"<(?:br|/p|p|/div|div)\b[^>]*>[ \t]*\n?", re.IGNORECASE)


_HTML_TAG = re.compile(
    r"</?(?:html|head|body|div|p|span|b|i|em|strong|a|font|title|meta|center)\b[^>]*>",
    re.IGNORECASE,
)


# Control characters have no place in news copy, and printed raw they drive the reader's
# terminal (ESC ]0; sets the window title, ESC [2J clears it, OSC 52 writes the clipboard).
# Whole escape sequences go, so no residue like "]0;title" is left; then every other C0/C1
# control (tab and newline excepted) and the bidi overrides that reorder displayed text.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


_ESCAPE_SEQUENCE = re.compile(
    r"(?:\x1b\[|\x9b)[0-?]*[ -/]*[@-~]"  # CSI: colours, cursor moves, clearing
    r"|(?:\x1b[\]PX^_]|[\x90\x98\x9d\x9e\x9f])[^\x07\x1b\x9c]{0,512}(?:\x07|\x1b\\|\x9c)?"  # OSC...
    r"|\x1b[ -/]*[0-~]"  # two- and three-character escapes
)


_LINE_CONTROLS = str.maketrans({"\x0b": "\n", "\x0c": "\n", "\x85": "\n"})


def strip_controls(text: str) -> str:
    """``text`` without terminal escape sequences or control characters.

    Newline and tab are kept; form feeds and vertical tabs become newlines.
    """
    if not _CONTROL.search(text):
        return text
    text = _ESCAPE_SEQUENCE.sub("", text).translate(_LINE_CONTROLS)
    return _CONTROL.sub("", text)


def single_spaced(text: str) -> str:
    """``text`` with each run of whitespace made one space and none at its ends.

    What ``" ".join(text.split())`` gives, and most text already is: printable text has no
    whitespace but the ASCII space, so without a double space or one at an end there is
    nothing to change, and two scans in C replace splitting and joining every word.
    """
    if text.isprintable() and "  " not in text and text[:1] != " " and text[-1:] != " ":
        return text
    return " ".join(text.split())


def clean_text(text: str) -> str:
    """Unescape HTML entities, normalise newlines, drop control characters and wrapping tags.

    Entities are unescaped twice because Naver copies escape twice; the tags are the few that
    wire feeds wrap copy in (``<br/>`` ends a line).
    """
    text = text.lstrip("\ufeff")
    for _ in range(2):
        text = html.unescape(text)
    # After unescaping: feeds write "&#13;" for the carriage return of CRLF, "&#27;" for ESC.
    text = strip_controls(text.replace("\r\n", "\n").replace("\r", "\n"))
    if "<" in text:
        text = _HTML_BREAK.sub("\n", text)
        text = _HTML_TAG.sub("", text)
    return text.replace("\xa0", " ")
