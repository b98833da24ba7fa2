"""Why nothing stored answers a question: one sentence a reader can act on."""

from __future__ import annotations

import re
from collections.abc import Collection, Sequence

from bot.answers.question import WORDS
from bot.text import analysis

_INITIALS = re.compile(r"(?:\w\.)+")  # "U.S.", "N.": the dots are the word
# Words named in a reason, at most: the reason is one line.
MOST_WORDS = 3


def why_not(
    question: str,
    missing: Sequence[Collection[str]],
    addressed: Sequence[bool],
    asked: Collection[str],
) -> str:
    """The reason the closest stories do not answer ``question``.

    ``missing``: for each closest story, the question's figures, years and names (as analyzed
    terms) it does not hold; ``addressed``: whether it holds any of the words saying what is
    asked; ``asked``: those words' terms. A name or figure none of them holds is the clearest
    reason ("none of the closest stories mentions “Lotte”"), then one the closest lacks ("the
    closest story does not mention “2022”"), then the asked fact none (or the closest) tells
    of, then too little shared.
    """
    if not missing:
        return "no stored story shares its words"
    common = set(missing[0]).intersection(*missing[1:])
    if common:
        return f"none of the closest stories mentions {_quoted(question, common)}"
    if missing[0]:
        return f"the closest story does not mention {_quoted(question, missing[0])}"
    if not any(addressed) and asked:
        return f"the closest stories do not tell of {_quoted(question, asked)}"
    if not addressed[0] and asked:
        return f"the closest story does not tell of {_quoted(question, asked)}"
    return "the closest stories share too little of the question, in words or in meaning"


# What a refusal says the answering stories lack, by the kind of answer asked for.
_KINDS = {
    "number": "figure",
    "date": "date",
    "year": "year",
    "country": "country besides those it names",
    "name": "name besides those it gives",
}


def lacks_kind(expects: str) -> str:
    """The reason when the stories about the question hold no answer of the kind it asks for."""
    return f"the stories about it give no {_KINDS.get(expects, 'answer')} for what is asked"


def _quoted(question: str, terms: Collection[str]) -> str:
    """The question's own words for ``terms``, quoted, in its order.

    Each term is traced to the shortest run of the question's words (up to three) that gives
    it ("N. Korea" for a phrase term); one traced to none is left out rather than shown as a
    stem.
    """
    tokens = [_bare(raw) for raw in WORDS.findall(question)]
    wanted = set(terms)
    spans: list[tuple[int, int, str]] = []
    for length in (1, 2, 3):
        for start in range(len(tokens) - length + 1):
            span = " ".join(t for t in tokens[start : start + length] if t)
            given = wanted.intersection(analysis.analyze(span)) if span else set()
            if given:
                wanted -= given
                spans.append((start, start + length, span))
    # A longer run swallows the shorter ones inside it ("N. Korea", not also "Korea").
    kept = [
        (a, b, text)
        for a, b, text in spans
        if not any(x <= a and b <= y and (x, y) != (a, b) for x, y, _ in spans)
    ]
    shown = list(dict.fromkeys(text for _, _, text in sorted(kept)))[:MOST_WORDS]
    if not shown:
        return "some of its names or figures"
    return ", ".join(f"“{w}”" for w in shown)


def _bare(raw: str) -> str:
    """A question's word without its trailing punctuation or possessive."""
    word = raw if _INITIALS.fullmatch(raw) else raw.strip("'’-").rstrip(".")
    return word[:-2] if word.endswith(("'s", "’s")) else word
