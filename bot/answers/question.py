"""What a question asks for: the kind of answer it expects and the facts an answer must match."""

from __future__ import annotations

import functools
import re
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass

from bot.answers import casing, places
from bot.answers.kinds import Expects, gives_kind, holds_expected
from bot.answers.measures import Measure, asks_measure
from bot.text import analysis

# Openings that say what kind of answer is wanted. Checked in order: "how many" before "how".
_EXPECTS: tuple[tuple[re.Pattern[str], Expects], ...] = (
    (
        re.compile(
            r"\bhow (?:many|much|old|long|far|big|large|tall|high|heavy|fast|few|often)\b"
            r"|\bwhat (?:percentage|share|proportion|number|amount|score|age|rate|price)\b"
            r"|\bby how\b"
            # "What was the business sentiment index ...": the noun the question is about
            # names a figure ("rate", "index", "toll"), however many words stand before it.
            r"|\bwhat (?:is|was|are|were|will be) (?:the )?(?:[\w'’-]+ ){0,4}?"
            r"(?:rate|rating|ratings|index|price|prices|cost|score|total|number|share|"
            r"percentage|population|toll|amount|sum|salary|budget|revenue|growth|turnout)\b",
            re.IGNORECASE,
        ),
        "number",
    ),
    (re.compile(r"\b(?:what|which) year\b", re.IGNORECASE), "year"),
    (
        re.compile(
            r"\bwhen\b|\b(?:what|which) (?:date|day|month|time)\b|\bon what date\b",
            re.IGNORECASE,
        ),
        "date",
    ),
    # A country other than those the question names ("which country buys the most Korean
    # webtoons?" -> Japan), as countryinfo knows them (bot.answers.places).
    (re.compile(r"\b(?:what|which) (?:country|nation)\b", re.IGNORECASE), "country"),
    (
        re.compile(
            r"\bwho(?:m|se)?\b|\bwhich\b|\bwhere\b|\bwhat (?:country|team|company|city)\b"
            r"|\bwhat(?:'s|’s| is| was| are| were) (?:the )?names? of\b",
            re.IGNORECASE,
        ),
        "name",
    ),
)
# "How many home runs did ...": the words counted, up to the verb.
_HOW_MANY = re.compile(
    r"\bhow many ((?:(?!(?:did|do|does|is|are|was|were|has|have|had|will|would|can|could|"
    r"should|in|of|on|at|for|from|by|during|since|to|the)\b)[\w'’-]+ ?){1,3})",
    re.IGNORECASE,
)
# A figure and the two words after it: "12 home runs", "1,426 pilgrims were".
_COUNTED_FIGURE = re.compile(
    r"(?<![\w.])(?:\d[\d,.]*|one|two|three|four|five|six|seven|eight|nine|ten|dozens|hundreds|"
    r"thousands)(?:\s+(?:million|billion|thousand|hundred))?((?:\s+[\w'’-]+){1,2})",
    re.IGNORECASE,
)
# Whether figure questions are read for what they measure (a switch for bench sweeps).
MEASURES = True
# A question's words as it writes them ("U.S.", "Jae-myung's"): read for names here, quoted
# back in a refusal's reason (bot.answers.refusal).
WORDS = re.compile(r"[\w'’.-]+", re.UNICODE)
_NUMBER = re.compile(r"\d")
# What a place's stem gains as its people's adjective: korea/korean, tunisia/tunisian,
# japan/japanes(e), iran/iranian, israel/israeli, sweden/swedish is not covered (not a suffix).
_DEMONYM_ENDINGS = frozenset({"n", "an", "ian", "es", "ese", "i", "ish", "s", "ns"})


@dataclass(frozen=True)
class Asked:
    """A question's answer type and constraints, as analyzed terms.

    ``numbers`` are its figures and years ("2022", "9" of "Internet Explorer 9"); ``names`` the
    terms of its capitalised words (people, places, organisations, titles): a story that holds
    none of a constraint cannot be the one the question is about.
    """

    expects: Expects | None
    numbers: frozenset[str]
    names: frozenset[str]
    # What a figure question measures ("how much money" -> "money"): its answer is a figure
    # with that unit (bot.answers.measures); None for a plain count or figure.
    measure: Measure | None = None
    # Terms of the words it writes in lower case, when it writes names with capitals: a story
    # holding one only as a name ("Waters" for "water") does not hold it (bot.answers.casing).
    common: frozenset[str] = frozenset()

    # What "how many" counts ("how many home runs" -> {"home", "run"}): a figure followed by
    # it is the count asked for, not another count beside it ("2,496 games").
    counted: frozenset[str] = frozenset()
    # Those of ``names`` a caseless question got from how the stories found write them
    # (``bot.answers.casing.written_as_names``): a story must hold them, but they still say
    # what is asked ("at which university ..." is about a university, whatever its name).
    truecased: frozenset[str] = frozenset()
    # Figures the question gives as a bound ("more than 8 percent", "over 100"): the story's
    # figure is another one ("8.5 percent"), so a story need not hold them.
    bounds: frozenset[str] = frozenset()
    # Its acronyms of three letters or more, as (name term, letters): a story that writes the
    # words out ("intercontinental ballistic missile" for "ICBMs") holds the name.
    acronyms: frozenset[tuple[str, str]] = frozenset()

    def answered_by(self, text: str) -> bool:
        """Whether ``text`` holds the kind of thing asked for (``holds_expected``)."""
        return holds_expected(text, self.expects, self.numbers, self.measure, self.names)

    def given_by(self, texts: Iterable[str], dated: bool = False) -> bool:
        """Whether any of ``texts`` gives the kind asked for, as a reason to refuse.

        Read more widely than ``answered_by`` (``bot.answers.kinds.gives_kind``); ``dated``:
        their story has a date of its own.
        """
        return gives_kind(texts, self.expects, self.numbers, self.measure, self.names, dated)

    def counts_asked(self, text: str) -> bool:
        """Whether ``text`` gives a figure of the very thing counted ("12 home runs")."""
        if not self.counted:
            return False
        for match in _COUNTED_FIGURE.finditer(text):
            if self.counted.intersection(analysis.analyze(match.group(1))):
                return True
        return False


def read_question(question: str, framing: Collection[str] = ()) -> Asked:
    """The answer type and constraints of ``question``; ``framing`` words are never names."""
    expects = asks_for(question)
    shouting = question.isupper()
    # Figures as the analyzer keeps them ("1,400" -> "1400", "5.9" whole), so they meet the
    # story's terms as indexed.
    numbers = {t for t in analysis.analyze(question) if t.replace(".", "").isdigit()}
    names: set[str] = set()
    acronyms: set[tuple[str, str]] = set()
    # Name terms as the analyzer reads the whole question: "U.S." is "us" (not "u" and "s"),
    # and the "N." of "N. Korea" is part of "north korea", no name of its own.
    question_terms = set(analysis.analyze(question))
    words = WORDS.findall(question)
    for position, raw in enumerate(words):
        word = raw.strip(".'’-")
        # "KCNA's" is the acronym KCNA, written out by a story as "Korean Central News Agency".
        word = word[:-2] if word.endswith(("'s", "’s")) and word[:-2].isupper() else word
        if not word or _NUMBER.search(word):
            continue
        if raw.endswith(".") and word.casefold() in _ABBREVIATED:  # "Dr.", "Sept.": no name
            continue
        acronym = word.isupper() and len(word) > 1 and not shouting
        capitalised = word[:1].isupper() and not shouting
        opening = position == 0 or _ends_sentence(words[position - 1])
        plural = _PLURAL_ACRONYM.fullmatch(word) is not None and not shouting
        acronym = acronym or plural
        if acronym or (capitalised and not opening):
            spelled = word + "." if "." in word else word  # "U.S." keeps its last dot
            letters = word[:-1] if plural else word
            if acronym and 3 <= len(letters) <= _LONGEST_ACRONYM and letters.isalpha():
                acronyms.update((t, letters) for t in analysis.analyze(spelled))
            names.update(
                t
                for t in analysis.analyze(spelled)
                if t.casefold() not in framing and t in question_terms
            )
    if casing.caseless(question) or casing.capitalises_first_only(question):
        # Typed without capitals (all in capitals, or only the first as phones do), the
        # question may not capitalise its names; a country or its people is a name however it
        # is typed ("Which tunisian goalie got hurt against england?").
        names.update(t for t in question_terms if places.is_country(t) and t not in framing)
    measure = asks_measure(question) if expects == "number" and MEASURES else None
    common = casing.common_words(question, framing) - names - numbers
    counted = _HOW_MANY.search(question)
    things = set(analysis.analyze(counted.group(1))) - names if counted else set()
    bounds = {t for m in _BOUND.finditer(question) for t in analysis.analyze(m.group(1))} & numbers
    return Asked(
        expects, frozenset(numbers), frozenset(names), measure, common, frozenset(things),
        bounds=frozenset(bounds),
        acronyms=frozenset((t, letters) for t, letters in acronyms if t in names),
    )  # fmt: skip


# The words that open a question; the first one says what it asks.
_WH = re.compile(r"\b(?:what|which|who|whom|whose|where|when|how|why)\b", re.IGNORECASE)


def asks_for(question: str) -> Expects | None:
    """The kind of answer ``question`` expects, from the words around its first wh-word.

    "What did Japan say the ship hit when it sank?" asks for a thing, not a date: a later
    "when", "who" or "which" opens a clause inside the question.
    """
    first = _WH.search(question)
    for pattern, kind in _EXPECTS:
        for match in pattern.finditer(question):
            if first is None or match.start() <= first.start() < match.end():
                return kind
    return None


# "MOUs", "ICBMs": an acronym's plural is still an acronym.
_PLURAL_ACRONYM = re.compile(r"[A-Z]{2,}s")
# A figure given as a bound, not as the figure asked about.
_BOUND = re.compile(
    r"\b(?:(?:more|fewer|less|greater|higher|lower) than|over|under|above|below|at least"
    r"|at most|up to|nearly|almost|exceeding)\s+\$?(\d[\d,.]*)",
    re.IGNORECASE,
)


# Words a period follows without ending the sentence: titles and short month names.
_ABBREVIATED = frozenset({
    "mr", "mrs", "ms", "dr", "prof", "gen", "lt", "col", "sgt", "capt", "adm", "gov", "sen",
    "rep", "pres", "st", "jr", "sr", "no", "vs",
    "jan", "feb", "mar", "apr", "jun", "jul", "aug", "sep", "sept", "oct", "nov", "dec",
})  # fmt: skip


def _ends_sentence(word: str) -> bool:
    """Whether ``word`` closes a sentence: "?" or "!", or a period that is no abbreviation's.

    "N. Korea", "U.S. troops", "Dr. Kim", "Sept. 3": the next word does not open a sentence.
    """
    if word.endswith(("?", "!")):
        return True
    if not word.endswith("."):
        return False
    bare = word.rstrip(".")
    single = len(bare) == 1 and bare.isalpha()
    return not (single or "." in bare or bare.casefold() in _ABBREVIATED)


def name_present(name: str, terms: Collection[str]) -> bool:
    """A name term is in a story when it is there, or as its demonym ("korea", "korean").

    Only a demonym's ending may differ: a bare shared prefix would let "franc" (France) meet
    "franchis".
    """
    if name in terms:
        return True
    # The only terms that can meet it are the name plus an ending, or the name less one:
    # looked up directly rather than compared with every term of the story.
    if len(name) >= 4 and any(name + ending in terms for ending in _DEMONYM_ENDINGS):
        return True
    if any(
        name[: -len(ending)] in terms
        for ending in _DEMONYM_ENDINGS
        if name.endswith(ending) and len(name) - len(ending) >= 4
    ):
        return True
    # Irregular ones come from a country table: "Greece" / "Greek", "France" / "French".
    return any(other in terms for other in places.kin(name))


# Share of the question's term weight its other words (not its names or figures) must carry
# before a story holding none of them is judged not to address it: "the captain of the Samsung
# Lions" is not answered by a story naming the Lions but no captain; a question that is nearly
# all names ("How much did Hyun Bin and Son Ye-jin give?") is judged on its names alone.
CONTENT_SHARE = 0.2
# Light verbs and the particles of phrasal verbs: "go down", "get along", "come from" are the
# words people paraphrase with ("sank", "improve", "is from"), so their absence from a story
# says nothing about whether it answers.
LIGHT_WORDS = frozenset(
    analysis.analyze(
        "go goes went gone going get gets got getting make makes made making take takes took "
        "taken come comes came give gives gave given put puts keep keeps kept "
        "up down out off over along back away around from "
        "current currently now today latest recent recently still"
    )
)


def addresses(asked: Asked, weights: Mapping[str, float], terms: Collection[str]) -> bool:
    """Whether a story (its ``terms``) holds any of what the question asks besides its names.

    Names and figures say which story; the question's other words ("captain", "worth",
    "members") say what about it is asked. A story with the names and none of those words is
    about the subject but not the asked fact, unless those words weigh little in the question.
    """
    content = content_terms(asked, weights)
    total = sum(weights.values())
    if not content or sum(content.values()) < CONTENT_SHARE * total:
        return True
    return any(t in terms for t in content)


def content_terms(asked: Asked, weights: Mapping[str, float]) -> dict[str, float]:
    """The question's words saying what is asked: not its names, figures or light words."""
    return {
        t: w
        for t, w in weights.items()
        if (t not in asked.names or t in asked.truecased)
        and t not in asked.numbers
        and t not in LIGHT_WORDS
    }


def named(asked: Asked, terms: Collection[str]) -> Collection[str]:
    """``terms`` with the question's names they hold in another form ("korean" for "korea").

    So that a story judged to hold a name also counts it among the question's words it covers.
    """
    other = [n for n in asked.names if n not in terms and name_present(n, terms)]
    return terms if not other else set(terms).union(other)


# Figures a story may write out ("twelve years" for "12 years"), as analyzed terms. Only from
# ten: a small figure in a question is often part of a name ("Taepodong-2", "Saeul-3") that
# a story's "two" or "three" says nothing about.
_TENS = (
    "ten eleven twelve thirteen fourteen fifteen sixteen seventeen eighteen nineteen "
    "twenty thirty forty fifty sixty seventy eighty ninety"
)
_SPELLED = {
    str(n): analysis.analyze(word)[0]
    for n, word in zip([*range(10, 20), *range(20, 100, 10)], _TENS.split(), strict=True)
}


def acronyms_written(asked: Asked, terms: Collection[str], texts: Iterable[str]) -> set[str]:
    """The question's acronym terms a story holds in another form: its ``terms`` or ``texts``.

    Its singular ("MOU" for "MOUs") or its words written out, each starting with the next
    letter ("intercontinental ballistic missile" for "ICBM", "memorandums of understanding"
    for "MOUs"). Only acronyms of three to eight letters: two initials meet too many phrases,
    and longer runs of capitals are shouting.
    """
    if not asked.acronyms:
        return set()
    found = set()
    wanting = []
    for term, letters in asked.acronyms:
        singular = analysis.analyze(letters)
        if singular and singular[0] in terms:
            found.add(term)
        else:
            wanting.append((term, letters.casefold()))
    for text in texts if wanting else ():
        words = _SPELLING_WORDS.findall(text.casefold())
        found.update(term for term, letters in wanting if _spells(letters, words))
    return found


_SPELLING_WORDS = re.compile(r"[^\W\d_]+")
# Words an acronym's letters may pass over ("Democratic People's Republic of Korea").
_SKIPPED = frozenset({"of", "and", "the", "for", "s"})
_MERGING = 4
# Small words passed over in one acronym ("Democratic People's Republic of Korea": two); a
# bound, so that a story of "of of of ..." cannot send the matcher down thousands of words.
_MOST_SKIPPED = 3
# Longer runs of capitals are shouted words, not acronyms.
_LONGEST_ACRONYM = 8


def _spells(letters: str, words: Sequence[str]) -> bool:
    """Whether two or more consecutive ``words`` have ``letters`` as their initials.

    In acronyms of four letters or more a word may give several letters in order
    ("intercontinental" gives the I and C of ICBM); in shorter ones that lets too much through
    ("its affiliate" would spell ISA). Small words may be passed over; a word of one or two
    letters gives none but those ("in case of big money" is no ICBM).
    """

    # Remembered per (letter, word, words used so far up to two): a hostile "AAAAAAAB" over a
    # story of "aaaaaaaa"s is then letters x words steps, not every way to split the letters
    # at every word.
    @functools.cache
    def match(at: int, word: int, used: int, skipped: int) -> bool:
        if at == len(letters):
            return used >= 2
        if word >= len(words):
            return False
        text = words[word]
        if text[0] != letters[at] or (len(text) < 3 and text not in _SKIPPED):
            passes = at > 0 and text in _SKIPPED and skipped < _MOST_SKIPPED
            return passes and match(at, word + 1, used, skipped + 1)
        ends = [at + 1]
        position = 1
        while ends[-1] < len(letters) and len(letters) >= _MERGING:
            position = text.find(letters[ends[-1]], position) + 1
            if position == 0:
                break
            ends.append(ends[-1] + 1)
        return any(match(end, word + 1, min(used + 1, 2), skipped) for end in reversed(ends))

    return any(match(0, i, 0, 0) for i, w in enumerate(words) if w[0] == letters[0])


def spelled_out(numbers: Collection[str], terms: Collection[str]) -> set[str]:
    """Those of ``numbers`` (figures) that ``terms`` hold written as words."""
    return {n for n in numbers if n in _SPELLED and _SPELLED[n] in terms}


def unmet(asked: Asked, terms: Collection[str], dated: Collection[str] = ()) -> list[str]:
    """The question's figures and names a story holds neither among its ``terms`` nor ``dated``.

    ``dated``: the years and month the story's date gives it, and the acronyms it writes out
    (``bot.answers.respond``). A figure given as a bound need not be there.
    """
    written = spelled_out(asked.numbers, terms)
    missing = [
        n
        for n in sorted(asked.numbers - asked.bounds)
        if n not in terms and n not in dated and n not in written
    ]
    missing += [n for n in sorted(asked.names) if n not in dated and not name_present(n, terms)]
    return missing
