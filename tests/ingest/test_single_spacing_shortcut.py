"""Paragraphs already single-spaced are kept as they are: the same text the split and join give."""

import sys

from hypothesis import given, settings
from hypothesis import strategies as st

from bot.ingest.wire import _single_spaced

# Spaces of every kind, control characters and format characters around ordinary words.
PIECES = st.sampled_from(
    [" ", "  ", "\t", "\n", "\r", "\x0b", "\x0c", "\x1c", "\x1f", "\x85", "\u00a0", "\u1680",
     "\u180e", "\u2003", "\u200b", "\u2028", "\u2029", "\u202f", "\u3000", "\ufeff", "Seoul",
     "said", "é", "강", "-", "."]
)  # fmt: skip


def test_no_printable_character_but_the_space_separates_words():
    # The premise of the shortcut, over all of Unicode.
    for code in range(sys.maxunicode + 1):
        char = chr(code)
        if char != " " and char.isprintable():
            assert not char.isspace()
            assert len(f"a{char}b".split()) == 1


@settings(max_examples=3000, deadline=None)
@given(st.lists(st.one_of(PIECES, st.text(max_size=3)), max_size=12).map("".join))
def test_single_spacing_a_paragraph_gives_what_splitting_and_joining_give(text):
    paragraph = text.strip()
    assert _single_spaced(paragraph) == " ".join(paragraph.split())
