"""Parsing shortcuts give what the long way gives: single spacing, and site chrome found."""

import re
import sys

from hypothesis import given, settings
from hypothesis import strategies as st

from bot.ingest.cleaning import single_spaced
from bot.ingest.wire_lines import CHROME, is_chrome

# Spaces of every kind, control characters and format characters around ordinary words.
PIECES = st.sampled_from(
    [" ", "  ", "\t", "\n", "\r", "\x0b", "\x0c", "\x1c", "\x1f", "\x85", "\u00a0", "\u1680",
     "\u180e", "\u2003", "\u200b", "\u2028", "\u2029", "\u202f", "\u3000", "\ufeff", "Seoul",
     "said", "é", "강", "-", "."]
)  # fmt: skip


def test_no_printable_character_but_the_space_separates_words():
    # The premise of single_spaced, over all of Unicode.
    for code in range(sys.maxunicode + 1):
        char = chr(code)
        if char != " " and char.isprintable():
            assert not char.isspace()
            assert len(f"a{char}b".split()) == 1


@settings(max_examples=3000, deadline=None)
@given(st.lists(st.one_of(PIECES, st.text(max_size=3)), max_size=12).map("".join))
def test_single_spacing_gives_what_splitting_and_joining_give(text):
    assert single_spaced(text) == " ".join(text.split())
    assert single_spaced(text.strip()) == " ".join(text.split())


def test_only_ascii_letters_match_the_letters_of_reserved_ignoring_case():
    # The premise of is_chrome's quick test, over all of Unicode.
    for letter in "rved":
        pattern = re.compile(letter, re.IGNORECASE)
        matching = [chr(c) for c in range(sys.maxunicode + 1) if pattern.fullmatch(chr(c))]
        assert matching == [letter.upper(), letter]


CHROME_PIECES = st.sampled_from(
    ["(MORE)", "(more)", "(C) Yonhap", "(c)Yonhap News", "All Rights Reserved", "all rights "
     "reserved", "ALL RIGHTS RESERVED.", "Reserved", "reserved..", "-", "---", "(END)", "(end)",
     "\n", " ", ".", "Seoul", "(", "ſ", "K"]
)  # fmt: skip


@settings(max_examples=3000, deadline=None)
@given(st.lists(st.one_of(CHROME_PIECES, st.text(max_size=3)), max_size=6).map("".join))
def test_chrome_is_found_where_the_pattern_finds_it(text):
    assert is_chrome(text) == bool(CHROME.match(text))


def test_chrome_lines_are_chrome_and_prose_is_not():
    chrome = [
        "(MORE)", "(C) Yonhap News", "(c) 2020 Reuters. All Rights Reserved.",
        "Copyright ALL RIGHTS RESERVED", "-----", "(END)", "All rights reserved\n",
    ]  # fmt: skip
    for line in chrome:
        assert is_chrome(line), line
    for line in ["The ministry said rights were reserved.", "Seoul (Yonhap) -- Exports rose.", ""]:
        assert not is_chrome(line), line
