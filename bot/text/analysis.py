"""The analyzer: one function that turns passages and questions alike into index terms."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterable
from functools import cache
from itertools import chain

import Stemmer

# Lucene's classic English stop set (EnglishAnalyzer.ENGLISH_STOP_WORDS_SET), the list the
# published BM25 baselines use; short on purpose, so "us" and "who" stay searchable.
STOP_WORDS = frozenset(
    [
        "a",
        "an",
        "and",
        "are",
        "as",
        "at",
        "be",
        "but",
        "by",
        "for",
        "if",
        "in",
        "into",
        "is",
        "it",
        "no",
        "not",
        "of",
        "on",
        "or",
        "such",
        "that",
        "the",
        "their",
        "then",
        "there",
        "these",
        "they",
        "this",
        "to",
        "was",
        "will",
        "with",
    ]
)

# Wire-style abbreviations, expanded before tokenising so "S. Korea" meets "South Korea".
# Each pattern is applied only when the text holds the substrings every match of it needs:
# ``in`` finds those far faster than the regex can rule them out, and the result is the same.
ABBREVIATIONS = (
    (re.compile(r"\bs\.\s?korea(n?s?)\b"), r"south korea\1", ("s.", "korea")),
    (re.compile(r"\bn\.\s?korea(n?s?)\b"), r"north korea\1", ("n.", "korea")),
    (re.compile(r"\bn\.k\.(?=\W|$)"), "north korea", ("n.k.", "")),
    (re.compile(r"\bu\.s\.(?=\W|$)"), "us", ("u.s.", "")),
    (re.compile(r"\bu\.n\.(?=\W|$)"), "un", ("u.n.", "")),
    (re.compile(r"\bu\.k\.(?=\W|$)"), "uk", ("u.k.", "")),
    (re.compile(r"\be\.u\.(?=\W|$)"), "eu", ("e.u.", "")),
)
_APOSTROPHES = str.maketrans({"’": "'", "‘": "'", "`": "'", "ʼ": "'"})
# "Seoul's" -> "seoul". The regex starts at the apostrophe: led by a literal, it is found by a
# fast scan instead of being tried at every word character. It drops the same "'s" as
# r"(\w)'s\b" -> r"\1", except in "'s's", where that one, consuming the letter before, skips
# the second "'s": such text still goes through it (_POSSESSIVE_AFTER_POSSESSIVE).
_POSSESSIVE = re.compile(r"(?<=\w)'s\b")
_POSSESSIVE_AFTER_POSSESSIVE = re.compile(r"(\w)'s\b")
# "28,500" -> "28500"; led by the comma for the same fast scan, the digit before it checked after.
_THOUSANDS = re.compile(r",(?<=\d,)(?=\d{3}\b)")
# Decimals stay whole ("5.9 pct" must not match every "5" and "9"); else runs of word characters.
_TOKEN = re.compile(r"\d+(?:\.\d+)+|\w+", re.UNICODE)

# Bumped whenever the terms produced for the same text change: persisted indexes built by
# another version are then rebuilt instead of silently mismatching.
# 4: wire months ("Dec. 28") are the month's term, which "in December 2025" asks for.
ANALYZER_VERSION = 4

# The months wire style abbreviates (AP: "Jan.", "Sept.", "Dec."; March to July are spelled
# out), read as the whole month. "Jun", "Mar" and "Apr" stay as they are: "Jun" is a syllable
# of Korean names ("Cha Jun-hwan") and "mar" a verb.
MONTHS = {
    "jan": "january", "feb": "february", "aug": "august", "sep": "september",
    "sept": "september", "oct": "october", "nov": "november", "dec": "december",
}  # fmt: skip

# Times a headline's terms are repeated in each of its passages (0 = headline not indexed).
TITLE_WEIGHT = 1


@cache
def _stemmer() -> Stemmer.Stemmer:
    return Stemmer.Stemmer("english")


def _expand(replacement: str) -> Callable[[re.Match[str]], str]:
    r"""A replacement function for a template ending in ``\1``.

    A function, because Python-level template expansion costs more than the call.
    """
    head = replacement.removesuffix("\\1")
    if head == replacement:
        return lambda match: replacement
    return lambda match: head + match.group(1)


_EXPANSIONS = tuple(
    (pattern, _expand(replacement), hints) for pattern, replacement, hints in ABBREVIATIONS
)


def _first_group(match: re.Match[str]) -> str:
    return match.group(1)


def normalize(text: str) -> str:
    """NFKC, case folding, straight apostrophes, no possessives, no thousands separators."""
    if text.isascii():  # NFKC leaves ASCII as it is, and "`" is the one ASCII apostrophe
        text = text.casefold()
        if "`" in text:
            text = text.replace("`", "'")
    else:
        text = unicodedata.normalize("NFKC", text).casefold().translate(_APOSTROPHES)
    if "." in text:
        for pattern, replacement, (needed, also_needed) in _EXPANSIONS:
            if needed in text and also_needed in text:
                text = pattern.sub(replacement, text)
    if "'s" in text:
        if "'s's" in text:
            text = _POSSESSIVE_AFTER_POSSESSIVE.sub(_first_group, text)
        else:
            text = _POSSESSIVE.sub("", text)
    if "," in text:
        text = _THOUSANDS.sub("", text)
    return text


class _Terms(dict[str, str]):
    """Index term of every word seen ("" for a word dropped as a stop word, alone or stemmed).

    News repeats its words, so a dict lookup replaces most stemming.

    A word not seen yet is stemmed on the spot (``__missing__``), so looking up a text's words
    is one pass in C that stops only at new words. Bounded: emptied when full. Figures are
    their own terms (Snowball has no rule for a word without letters) and are not kept: a third
    of an archive's distinct words are figures that rarely come back.
    """

    def __missing__(self, word: str) -> str:
        if word.isascii() and word.replace(".", "").isdigit():
            return word
        stem = _stemmer().stemWord(MONTHS.get(word, word))
        # A stem equal to its word keeps the word's string: one string in memory, not two.
        term = (
            "" if word in STOP_WORDS or word == "_" or stem in STOP_WORDS
            else (word if stem == word else stem)
        )  # fmt: skip
        if len(self) >= TERM_CACHE_SIZE:
            self.clear()
        self[word] = term
        return term


_TERMS = _Terms()
TERM_CACHE_SIZE = 100_000


def _analyze(text: str) -> list[str]:
    return list(filter(None, map(_TERMS.__getitem__, _TOKEN.findall(normalize(text)))))


class _PartTerms(dict[str, tuple[str, ...]]):
    """Terms of each space-separated part of ASCII text seen, as ``_analyze`` gives them.

    In ASCII text without "s. korea" or "n. korea" (any case), no step of the analysis looks
    across a space: casefolding is per letter, every abbreviation but "S. Korea" and "N. Korea"
    with their space lies within one part (their boundaries treat a space as they treat the
    text's ends), as do possessives, thousands separators and tokens. So such a text's terms
    are its parts' terms in order (``parts_apart``), and a part ("Seoul,", "said") comes back
    far more often than a text: one lookup replaces the regex passes. Bounded.
    """

    def __missing__(self, part: str) -> tuple[str, ...]:
        terms = tuple(_analyze(part))
        if len(self) >= PART_CACHE_SIZE:
            self.clear()
        self[part] = terms
        return terms


_PARTS = _PartTerms()
PART_CACHE_SIZE = 200_000


def parts_apart(text: str) -> bool:
    """Whether ``text``'s terms are those of its space-separated parts, in order.

    True for ASCII text where no "S. Korea" or "N. Korea" spans a space (see ``_PartTerms``):
    the one rule of the analysis that reads across a space. Korean news names Korea in most
    paragraphs; only the abbreviations with their space need the whole text.
    """
    if not text.isascii():
        return False
    lowered = text.lower()  # for ASCII, what casefold gives
    return "korea" not in lowered or ("s. korea" not in lowered and "n. korea" not in lowered)


def analyze(text: str) -> list[str]:
    """Index terms of a text: normalised, tokenised, stop words dropped, Snowball-stemmed.

    Stemming can land on a stop word ("its" -> "it"): those are dropped too, or every "its" in
    a question would count as a rare-looking term that no answer holds. Snowball never stems a
    word to nothing, so "" is free to mark a dropped word.
    """
    if parts_apart(text):
        return list(chain.from_iterable(map(_PARTS.__getitem__, text.split(" "))))
    return _analyze(text)


def word_terms(word: str) -> str:
    """``analyze(word)`` space-joined, for a word of printable ASCII (no space), uncached.

    For callers that keep their own memory of words (``bot.text.passages``).
    """
    return " ".join(_analyze(word))


def passage_terms(title: str, text: str) -> list[str]:
    """Index terms of one passage; the story's headline is part of every passage's context.

    A paragraph deep in a story rarely names what the story is about ("the ministry said..."),
    so the headline's terms are indexed with every passage, TITLE_WEIGHT times.
    """
    return article_terms(title, [text])[0]


def article_terms(title: str, texts: Iterable[str]) -> list[list[str]]:
    """``passage_terms`` of each passage of one story, its headline analyzed once."""
    headline = analyze(title) * TITLE_WEIGHT
    return [headline + analyze(text) for text in texts]
