"""The build's shortcuts give exactly what the long way gives: token counts, terms, weekdays."""

import Stemmer
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.ingest.articles import Article, Paragraph
from bot.ingest.dates import weekday_in
from bot.ingest.wire import parse_wire
from bot.text import analysis, passages
from bot.text.passages import _joined_tokens, count_tokens, encoding, split_article

# Text where cl100k's pieces are most likely to run across a join: spaces of every kind,
# newlines, contractions, digits, punctuation runs, letters of several scripts.
PIECES = st.sampled_from(
    [" ", "  ", "\n", "\t", "\u00a0", "\u2003", "\u3000", "'s", "'ll", "'", "\"", "--", "...",
     "123", "4567", "1.5", "a", "Seoul", "don", "t", "é", "강", "!", "?", ")", "(", "😀", "\r"]
)  # fmt: skip
TEXT = st.one_of(
    st.lists(PIECES, max_size=10).map("".join),
    st.text(max_size=30),
    st.lists(st.one_of(PIECES, st.text(max_size=3)), max_size=8).map("".join),
)


@settings(max_examples=2000, deadline=None)
@given(TEXT, TEXT)
def test_a_join_is_counted_as_encoding_the_joined_text_counts_it(head, tail):
    assert _joined_tokens(head, count_tokens(head), tail) == count_tokens(f"{head} {tail}")
    assert _joined_tokens(head, None, tail) == count_tokens(f"{head} {tail}")


@settings(max_examples=3000, deadline=None)
@given(st.lists(st.one_of(PIECES, st.text(max_size=4)), max_size=16).map("".join))
def test_counting_by_remembered_words_counts_what_encoding_counts(text):
    assert count_tokens(text) == len(encoding().encode_ordinary(text))
    assert count_tokens(text) == len(encoding().encode_ordinary(text))  # now from memory


def test_counting_by_words_survives_the_memory_being_emptied(monkeypatch):
    monkeypatch.setattr(passages, "WORD_CACHE_SIZE", 3)
    text = "The ministry said on Tuesday that exports rose 12.5 pct to 28,500 units."
    for _ in range(3):
        assert count_tokens(text) == len(encoding().encode_ordinary(text))
    assert len(passages._LATER_TOKENS) <= 3


# ASCII text where the analysis is most likely to look across a space: abbreviations with and
# without their space, possessives (doubled too), thousands, decimals, backticks, case.
WIRE_PIECES = st.sampled_from(
    [" ", "  ", "\n", "\t", "S.", "s.", "N.", "Korea", "korea", "KOREAN", "koreans", "U.S.",
     "u.s", "N.K.", "U.N.", "U.K.", "E.U.", "'s", "'S", "`s", "s", "'", ",", "28", "500", "1,000",
     "5.9", ".", "-", "the", "Seoul", "exports", "its", "(", ")", "_", "said", "a"]
)  # fmt: skip
ASCII_TEXT = st.lists(
    st.one_of(WIRE_PIECES, st.text(st.characters(max_codepoint=127), max_size=4)), max_size=20
).map("".join)


@settings(max_examples=3000, deadline=None)
@given(ASCII_TEXT)
def test_terms_by_remembered_parts_are_the_terms_of_the_whole_text(text):
    assert analysis.analyze(text) == analysis._analyze(text)
    assert analysis.analyze(text) == analysis._analyze(text)  # now from memory


def test_terms_by_parts_survive_the_memory_being_emptied(monkeypatch):
    monkeypatch.setattr(analysis, "PART_CACHE_SIZE", 3)
    text = "Seoul's exports rose 12.5 pct to 28,500 units, the U.S. said."
    for _ in range(3):
        assert analysis.analyze(text) == analysis._analyze(text)
    assert len(analysis._PARTS) <= 3


def test_merged_fragments_carry_the_count_of_their_whole_text():
    story = Article(
        article_id="story",
        title="A title",
        paragraphs=(
            Paragraph("Photo: the bridge."),
            Paragraph("Officials said the new bridge would open next spring after delays."),
            Paragraph("(More)"),
            Paragraph("It's done."),
        ),
        path="story.txt",
    )
    for max_tokens in (16, 40, 200):
        for passage in split_article(story, max_tokens=max_tokens, min_tokens=12):
            assert passage.tokens == count_tokens(passage.text)


@settings(max_examples=500, deadline=None)
@given(st.from_regex(r"[0-9]{1,12}(\.[0-9]{1,6}){0,3}", fullmatch=True))
def test_a_figure_is_its_own_term_as_snowball_would_stem_it(figure):
    assert Stemmer.Stemmer("english").stemWord(figure) == figure
    assert analysis.analyze(figure) == [figure]


def test_figures_are_not_remembered_words_are():
    analysis._TERMS.clear()
    analysis.analyze("Exports rose 12.5 pct to 28500 units")
    assert "exports" in analysis._TERMS
    assert "12.5" not in analysis._TERMS and "28500" not in analysis._TERMS


LEADS = [
    "SEOUL, May 5 (Yonhap) -- The ministry said Tuesday that exports rose.",
    "SEOUL, May 5 (Yonhap) -- Exports rose, the ministry said.",
    "SEOUL, May 5 (Yonhap) -- The ministry SAID ON FRIDAY that exports rose.",
    "SEOUL, May 5 (Yonhap) -- The ministry ſaid ſunday that exports rose.",
    "SEOUL, May 5 (Yonhap) -- 강재은 said Wednesday that exports rose.",
]


def test_the_weekday_found_when_asked_is_the_one_the_lead_names():
    for lead in LEADS:
        copy = parse_wire(f"Exports rise\n\n{lead}\n\nMore text on Monday.\n")
        assert copy.weekday == weekday_in(copy.lead_head)
        assert copy.lead_head.startswith("SEOUL")
