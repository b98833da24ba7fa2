"""The analyzer: one function that turns passages and questions alike into index terms."""

from __future__ import annotations

import re
import unicodedata
from functools import cache

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
ABBREVIATIONS = (
    (re.compile(r"\bs\.\s?korea(n?s?)\b"), r"south korea\1"),
    (re.compile(r"\bn\.\s?korea(n?s?)\b"), r"north korea\1"),
    (re.compile(r"\bn\.k\.(?=\W|$)"), "north korea"),
    (re.compile(r"\bu\.s\.(?=\W|$)"), "us"),
    (re.compile(r"\bu\.n\.(?=\W|$)"), "un"),
    (re.compile(r"\bu\.k\.(?=\W|$)"), "uk"),
    (re.compile(r"\be\.u\.(?=\W|$)"), "eu"),
)
_APOSTROPHES = str.maketrans({"’": "'", "‘": "'", "`": "'", "ʼ": "'"})
_POSSESSIVE = re.compile(r"(\w)'s\b")
_THOUSANDS = re.compile(r"(?<=\d),(?=\d{3}\b)")
# Decimals stay whole ("5.9 pct" must not match every "5" and "9"); else runs of word characters.
_TOKEN = re.compile(r"\d+(?:\.\d+)+|\w+", re.UNICODE)

# Bumped whenever the terms produced for the same text change: persisted indexes built by
# another version are then rebuilt instead of silently mismatching.
ANALYZER_VERSION = 3

# Times a headline's terms are repeated in each of its passages (0 = headline not indexed).
TITLE_WEIGHT = 1


@cache
def _stemmer() -> Stemmer.Stemmer:
    return Stemmer.Stemmer("english")


def normalize(text: str) -> str:
    """NFKC, case folding, straight apostrophes, no possessives, no thousands separators."""
    text = unicodedata.normalize("NFKC", text).casefold().translate(_APOSTROPHES)
    for pattern, replacement in ABBREVIATIONS:
        text = pattern.sub(replacement, text)
    text = _POSSESSIVE.sub(r"\1", text)
    return _THOUSANDS.sub("", text)


def analyze(text: str) -> list[str]:
    """Index terms of a text: normalised, tokenised, stop words dropped, Snowball-stemmed."""
    words = [w for w in _TOKEN.findall(normalize(text)) if w not in STOP_WORDS and w != "_"]
    # Stemming can land on a stop word ("its" -> "it"): drop those too, or every "its" in a
    # question would count as a rare-looking term that no answer holds.
    return [t for t in _stemmer().stemWords(words) if t not in STOP_WORDS]


def passage_terms(title: str, text: str) -> list[str]:
    """Index terms of one passage; the story's headline is part of every passage's context.

    A paragraph deep in a story rarely names what the story is about ("the ministry said..."),
    so the headline's terms are indexed with every passage, TITLE_WEIGHT times.
    """
    return analyze(title) * TITLE_WEIGHT + analyze(text)
