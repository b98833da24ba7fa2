import re
import unicodedata

import Stemmer
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.text import analysis
from bot.text.analysis import STOP_WORDS, analyze


def test_questions_and_passages_meet_on_stems_case_and_possessives():
    assert analyze("Seoul's contributions to stationing troops") == analyze(
        "SEOUL contribution to stationed troop"
    )
    assert "troop" in analyze("How many troops?")


def test_wire_abbreviations_expand_to_the_names_people_type():
    assert analyze("S. Korea and N. Korea") == analyze("South Korea and North Korea")
    assert analyze("U.S. Forces") == analyze("US forces")
    assert analyze("N.K. missiles") == analyze("North Korea missiles")


def test_wire_months_meet_the_month_people_type():
    assert analyze("SEOUL, Dec. 28 (Yonhap)") == analyze("Seoul December 28 Yonhap")
    assert analyze("Jan. 4, Sept. 13, Aug. 1") == analyze("January 4, September 13, August 1")
    # "Jun" is a syllable of Korean names, not June.
    assert analyze("Cha Jun-hwan") == ["cha", "jun", "hwan"]


def test_numbers_with_thousands_separators_match_plain_digits():
    assert analyze("28,500 troops") == analyze("28500 troops")


def test_stop_words_are_dropped_but_us_stays():
    terms = analyze("the troops of the US and the allies")
    assert "the" not in terms and "of" not in terms
    assert "us" in terms


def test_unicode_is_normalised_before_matching():
    assert analyze("ﬁnance Café") == analyze("finance café")
    assert analyze("Ｓｅｏｕｌ") == analyze("Seoul")


def test_symbols_only_text_has_no_terms():
    assert analyze("?!... --- ***") == []


def test_a_word_that_stems_to_a_stop_word_is_dropped():
    assert analyze("its troops") == analyze("troops")


# --- the fast analyzer against the straightforward one ------------------------------------
# analyze() skips regex passes that cannot match and remembers the terms of words it has seen;
# none of that may change a single term (ANALYZER_VERSION stays). The reference below is the
# plain implementation analyze() had before, kept here verbatim.

_REF_ABBREVIATIONS = (
    (re.compile(r"\bs\.\s?korea(n?s?)\b"), r"south korea\1"),
    (re.compile(r"\bn\.\s?korea(n?s?)\b"), r"north korea\1"),
    (re.compile(r"\bn\.k\.(?=\W|$)"), "north korea"),
    (re.compile(r"\bu\.s\.(?=\W|$)"), "us"),
    (re.compile(r"\bu\.n\.(?=\W|$)"), "un"),
    (re.compile(r"\bu\.k\.(?=\W|$)"), "uk"),
    (re.compile(r"\be\.u\.(?=\W|$)"), "eu"),
)
_REF_APOSTROPHES = str.maketrans({"’": "'", "‘": "'", "`": "'", "ʼ": "'"})
_REF_POSSESSIVE = re.compile(r"(\w)'s\b")
_REF_THOUSANDS = re.compile(r"(?<=\d),(?=\d{3}\b)")
_REF_TOKEN = re.compile(r"\d+(?:\.\d+)+|\w+", re.UNICODE)


def reference_normalize(text: str) -> str:
    text = unicodedata.normalize("NFKC", text).casefold().translate(_REF_APOSTROPHES)
    for pattern, replacement in _REF_ABBREVIATIONS:
        text = pattern.sub(replacement, text)
    text = _REF_POSSESSIVE.sub(r"\1", text)
    return _REF_THOUSANDS.sub("", text)


_REF_MONTHS = {
    "jan": "january", "feb": "february", "aug": "august", "sep": "september",
    "sept": "september", "oct": "october", "nov": "november", "dec": "december",
}  # fmt: skip


def reference_analyze(text: str) -> list[str]:
    words = [
        _REF_MONTHS.get(w, w)
        for w in _REF_TOKEN.findall(reference_normalize(text))
        if w not in STOP_WORDS and w != "_"
    ]
    return [t for t in Stemmer.Stemmer("english").stemWords(words) if t not in STOP_WORDS]


# Pieces that exercise every shortcut: abbreviations and their near misses, possessives back to
# back ("'s's"), thousands separators, the apostrophes NFKC and translate handle, stop words,
# compatibility characters, combining marks, non-Latin digits and letters.
HOSTILE = [
    "S. Korea", "s.korea", "N. Koreans", "n.k.", "N.K", "U.S.", "u.s", "U.N.", "U.K.", "E.U.",
    "u.n.k.", "S.", "korea", "'s", "’s", "ʼs", "‘s", "`s", "'s's", "s'", "1,234", "1,2345",
    ",000", "5.9", "1.2.3", "_", "__", "the", "its", "us", "who", " ", "\n", ".", ",", "'",
    "ﬁ", "Ｓ", "ＵＳ．", "İ", "ß", "Σ", "ǅ", "ª", "½", "①", "٣", "१", "\u0301", "\u0307",
    "\ufeff", "\u200b", "\u2028", "강재은", "Café", "troops", "Seoul", "running",
    "Dec.", "Sept", "jan", "Jun", "May", "December",
]  # fmt: skip
HOSTILE_PIECES = st.sampled_from(HOSTILE)
HOSTILE_TEXT = st.one_of(
    st.lists(HOSTILE_PIECES, max_size=12).map("".join),
    st.text(max_size=40),
    st.lists(st.one_of(HOSTILE_PIECES, st.text(max_size=3)), max_size=10).map("".join),
)


@settings(max_examples=1500, deadline=None)
@given(HOSTILE_TEXT)
def test_analyze_gives_exactly_the_reference_terms(text):
    assert analysis.normalize(text) == reference_normalize(text)
    assert analyze(text) == reference_analyze(text)
    assert analyze(text) == reference_analyze(text)  # again, now from remembered words


def test_analyze_stays_exact_when_its_word_memory_fills_up(monkeypatch):
    monkeypatch.setattr(analysis, "TERM_CACHE_SIZE", 8)
    analysis._TERMS.clear()
    texts = [
        "Seoul's troops and the U.S. forces met 28,500 allies",
        "its running totals of 1.5 pct rose; S. Korea's exports, N.K. missiles",
        "The troops' troops, Seoul, SEOUL and seoul",
    ]
    for text in texts * 3:
        assert analyze(text) == reference_analyze(text)
        words = set(analysis._TOKEN.findall(analysis.normalize(text)))
        assert len(analysis._TERMS) <= max(8, len(words))  # emptied, then this text's words
