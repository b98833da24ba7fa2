"""A story's capitalised name is not the question's common word: "Waters" is not "water"."""

from __future__ import annotations

import functools
import re
from collections import Counter
from collections.abc import Collection, Iterable, Iterator

from bot.text import analysis

_WORD = re.compile(r"[^\W\d_][\w'’-]*")
# What may stand before a sentence's first word: its end mark, a dash (a Yonhap dateline
# "SEOUL, June 2 (Yonhap) -- Veteran actor..."), a colon, and opening quotes or brackets.
_OPENING = re.compile(r"(?:^|[.!?:]|--|—)[\"'“‘(\[\s]*$")
_BEFORE = re.compile(r"([^\W\d_][\w'’-]*)[^\w]*$")
_AFTER = re.compile(r"[^\w.!?]*([^\W\d_][\w'’-]*)")
_DETERMINERS = frozenset(
    [
        "the",
        "a",
        "an",
        "this",
        "that",
        "these",
        "those",
        "its",
        "their",
        "his",
        "her",
        "our",
        "your",
        "my",
    ]
)


def common_words(question: str, framing: Collection[str] = ()) -> frozenset[str]:
    """Terms of the words ``question`` writes in lower case, when its writer uses capitals.

    "What is the boiling point of water?" asks about water, not a Ms. Waters. A question all in
    lower case (or all in capitals) says nothing either way, and gives none.
    """
    if caseless(question):
        return frozenset()
    words = _WORD.findall(question)[1:]
    lower = " ".join(w for w in words if w[:1].islower() and w.casefold() not in framing)
    return frozenset(analysis.analyze(lower))


def caseless(question: str) -> bool:
    """Whether ``question`` says nothing of its names: typed in lower case or all in capitals.

    A question opening with a capital is taken as written by someone who capitalises names
    (``common_words`` reads its lower-case words as common words).
    """
    letters = [c for c in question if c.isalpha()]
    return not letters or not letters[0].isupper() or question.isupper()


def capitalises_first_only(question: str) -> bool:
    """Whether ``question`` has a capital on its first letter only, as phones type it.

    It may come from someone who capitalises names and asks about none, or from a phone that
    capitalised the first letter of "who is the captain of the samsung lions?".
    """
    letters = [c for c in question if c.isalpha()]
    return bool(letters) and letters[0].isupper() and not any(c.isupper() for c in letters[1:])


def unlisted_names(question: str, names: Collection[str]) -> list[str]:
    """Words of ``question``, in lower case there, that are ``names`` and no English word.

    "samsung" or "jeju" typed in lower case shows a writer who does not capitalise names;
    "water" (however often a story's Ms. Waters) does not. English words are WordNet's, from
    the wordnet-lookup package (88,000 words, no download).
    """
    if not names:
        return []
    from wordnet_lookup import is_wordnet_term  # only for such questions: ~20 ms to import

    wanted = set(names)
    return [
        w
        for w in _WORD.findall(question)[1:]
        if w.islower() and wanted.intersection(analysis.analyze(w)) and not is_wordnet_term(w)
    ]


# A caseless question's word is read as a name when the stories found write it capitalised
# inside sentences at least this many times as often as in lower case.
NAME_RATIO = 2


def written_as_names(texts: Iterable[str], terms: Collection[str]) -> set[str]:
    """Those of ``terms`` that ``texts`` mostly write capitalised inside a sentence.

    Truecasing from the stories themselves: a question typed in lower case ("who is the
    captain of the samsung lions?") has its names back when the stories found write them
    "Samsung Lions"; "world" stays a word ("the world's", however often "World Cup").
    """
    as_name: Counter[str] = Counter()
    as_word: Counter[str] = Counter()
    for met, text, match in _occurrences(texts, terms):
        if match.group()[0].islower():
            as_word.update(met)
        elif match.start() and not _OPENING.search(text, 0, match.start()):
            as_name.update(met)
    return {t for t, n in as_name.items() if n >= NAME_RATIO * as_word[t]}


def only_names(texts: Iterable[str], terms: Collection[str]) -> set[str]:
    """Those of ``terms`` that ``texts`` hold only as capitalised words inside a sentence."""
    as_name: set[str] = set()
    as_word: set[str] = set()
    for met, text, match in _occurrences(texts, terms):
        if match.group()[0].islower():
            as_word |= met
        elif _alone(text, match.start(), match.end()):
            as_name |= met
            # A capital opening a sentence says nothing ("Water levels rose." / "Waters
            # said."), nor does one inside a name of several words ("the Grand Mosque", "the
            # National Assembly": the question's "grand mosque" means it).
    return as_name - as_word


def _occurrences(
    texts: Iterable[str], terms: Collection[str]
) -> Iterator[tuple[set[str], str, re.Match[str]]]:
    """Each word of ``texts`` that is one of ``terms``: the terms it gives, its text, its match."""
    wanted = set(terms)
    if not wanted:
        return
    candidates = _candidates(frozenset(t[:3] for t in wanted))
    for text in texts:
        for match in candidates.finditer(text):
            met = wanted.intersection(analysis.analyze(match.group()))
            if met:
                yield met, text, match


def _alone(text: str, start: int, end: int) -> bool:
    """Whether the capitalised word at ``start:end`` is a name standing alone in a sentence.

    It is when the word before it is no article ("the Assembly" is an institution, "Waters
    pointed" a person) and not part of a name, and the word after it is not capitalised
    ("Park Geun-hye" says nothing by itself).
    """
    if not start or _OPENING.search(text, 0, start):
        return False
    before = _BEFORE.search(text, max(0, start - 40), start)
    if before is None:
        return False
    word = before.group(1)
    if word in _DETERMINERS:
        return False
    # A capitalised word before it joins it to a name ("Grand Mosque", "Ann Waters"), unless
    # that word only opens the sentence ("Then Waters pointed").
    if word[:1].isupper() and not _OPENING.search(text, 0, before.start(1)):
        return False
    after = _AFTER.match(text, end)
    return after is None or not after.group(1)[:1].isupper()


@functools.lru_cache(maxsize=256)
def _candidates(heads: frozenset[str]) -> re.Pattern[str]:
    """Words that may be one of the terms: those opening with a term's first letters.

    A stem keeps its word's opening, so the text is scanned once, in C, and only these words
    are analyzed.
    """
    alternatives = "|".join(sorted(map(re.escape, heads)))
    return re.compile(rf"(?<![\w'’-])(?:{alternatives})[\w'’-]*", re.IGNORECASE)
