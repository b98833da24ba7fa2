"""A build's one pass over each paragraph's words gives what counting and analyzing apart give."""

from hypothesis import given, settings
from hypothesis import strategies as st

from bot.ingest.articles import Article, Paragraph
from bot.text import analysis, passages
from bot.text.passages import analyzed_passages, split_article

# Words where counting or analysis could look across a space, or where the one pass must step
# aside: abbreviations, "korea" in every case, possessives, thousands, decimals, spaces of
# other kinds, control characters, non-ASCII letters, sentence ends (long paragraphs are cut).
WORDS = st.sampled_from(
    ["Seoul", "said", "the", "S.", "Korea", "korea", "KOREAN", "U.S.", "N.K.", "'s", "`s",
     "28,500", "5.9", "its", "a", "exports", "rose.", "It's", "(Yonhap)", "--", "é", "강",
     "\u00a0", "\t", "\x07", "😀", "", "Photo:", "Mr.", "pct.", "don't", "_"]
)  # fmt: skip
PARAGRAPH = st.lists(WORDS, max_size=40).map(" ".join)
ARTICLE = st.lists(st.tuples(PARAGRAPH, st.booleans()), min_size=1, max_size=6).map(
    lambda paragraphs: Article(
        article_id="story",
        title="A title",
        paragraphs=tuple(Paragraph(text, caption) for text, caption in paragraphs if text),
        path="story.txt",
    )
)


def _two_passes(article: Article, max_tokens: int, min_tokens: int) -> list[object]:
    return [
        (p.text, p.tokens, p.is_caption, " ".join(analysis.analyze(p.text)))
        for p in split_article(article, max_tokens, min_tokens)
    ]


@settings(max_examples=1500, deadline=None)
@given(ARTICLE, st.sampled_from([(8, 4), (20, 12), (40, 20), (200, 20)]))
def test_passages_counted_and_analyzed_in_one_pass_equal_the_two_passes(article, budget):
    assert analyzed_passages(article, *budget) == _two_passes(article, *budget)
    assert analyzed_passages(article, *budget) == _two_passes(article, *budget)  # remembered


def test_the_one_pass_survives_its_memory_being_emptied(monkeypatch):
    monkeypatch.setattr(passages, "WORD_CACHE_SIZE", 3)
    article = Article(
        article_id="story",
        title="Exports rise",
        paragraphs=(
            Paragraph("SEOUL, May 5 (Yonhap) -- Seoul's exports rose 12.5 pct to 28,500 units."),
            Paragraph("Photo: the port.", True),
            Paragraph("The U.S. said it would respond."),
        ),
        path="story.txt",
    )
    for _ in range(3):
        assert analyzed_passages(article, 40, 12) == _two_passes(article, 40, 12)
    assert len(passages._FACTS) <= 3


KOREA_TEXTS = [
    "S. Korea said", "Seoul, N. Korea and the U.S.", "n. koreans", "S.Korea's exports",
    "South Korea's exports rose 12.5 pct to 28,500 units.", "N.K. leader", "Mrs. Korea",
    "the KOREA Herald", "u.s. korea talks", "s.  korea", "S.\tKorea",
]  # fmt: skip


def test_korea_without_its_abbreviation_is_analyzed_word_by_word():
    assert analysis.parts_apart("South Korea's exports rose.")
    assert not analysis.parts_apart("S. Korea's exports rose.")
    for text in KOREA_TEXTS:
        assert analysis.analyze(text) == analysis._analyze(text), text
    assert analysis.analyze("S. Korea said") == ["south", "korea", "said"]


def test_a_merge_that_makes_an_s_korea_is_analyzed_whole():
    article = Article(
        article_id="story",
        title="A title",
        paragraphs=(Paragraph("Talks with S."), Paragraph("Korea went on.")),
        path="story.txt",
    )
    assert analyzed_passages(article, 200, 20) == _two_passes(article, 200, 20)
    assert analyzed_passages(article, 200, 20)[0][3] == "talk south korea went"
