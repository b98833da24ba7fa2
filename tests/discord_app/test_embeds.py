"""Every Discord formatter stays inside Discord's limits, whatever the stored text or question."""

import discord
import pytest

from bot.answers.ask import Answer, Citation
from bot.discord_app import embeds
from bot.ingest.articles import Article, Paragraph
from bot.ingest.dates import Published
from bot.newsroom import Newsroom, SourceView
from bot.text.passages import Passage

HUGE = "word " * 5000
NASTY = (
    "**bold** `code` ```fence``` @everyone <@123> <@&456> ||spoiler|| \u200b\u202e 🙂 [x](http://e)"
)


def assert_within_limits(embed: discord.Embed) -> None:
    assert len(embed.title or "") <= embeds.TITLE
    assert len(embed.description or "") <= embeds.DESCRIPTION
    assert len(embed.fields) <= embeds.FIELDS
    for field in embed.fields:
        assert 0 < len(field.name or "") <= embeds.FIELD_NAME
        assert 0 < len(field.value or "") <= embeds.FIELD_VALUE
    assert len(embed.footer.text or "") <= embeds.FOOTER
    assert len(embed) <= embeds.EMBED_TOTAL
    if embed.url:
        assert len(embed.url) <= embeds.URL


def citation(n: int, text: str = HUGE, title: str = HUGE, url: str | None = None) -> Citation:
    return Citation(
        number=n,
        article_id="a" * 80,
        passage_id="a" * 80 + ":1",
        title=title,
        text=text,
        best_sentence=text[:3000],
        score=1.0,
        source=HUGE,
        byline=HUGE,
        dateline=HUGE,
        published=Published(5, 5, None),
        url=url,
        version_tag="LEAD",
    )


def test_an_answer_of_huge_passages_and_titles_fits():
    answer = Answer(HUGE, True, tuple(citation(n) for n in range(1, 11)))
    assert_within_limits(embeds.answer_embed(answer))


def test_markdown_and_mentions_in_stored_text_are_shown_literally():
    embed = embeds.answer_embed(Answer(NASTY, True, (citation(1, text=NASTY, title=NASTY),)))
    assert_within_limits(embed)
    assert "@everyone" not in (embed.description or "").replace("@\u200beveryone", "")
    assert "\\*\\*bold\\*\\*" in (embed.description or "")
    assert "\\`\\`\\`fence" in (embed.description or "")


def test_the_best_sentence_is_bold_in_the_answer():
    text = "First sentence about weather. The number of troops is 28,500. Last sentence here."
    c = Citation(
        1,
        "a",
        "a:1",
        "T",
        text,
        "The number of troops is 28,500.",
        1.0,
        "Yonhap",
        None,
        None,
        None,
        None,
        "",
    )
    embed = embeds.answer_embed(Answer("q", True, (c,)))
    assert "weather. **The number of troops is 28,500.** Last sentence" in (embed.description or "")


def test_a_not_found_answer_says_so():
    embed = embeds.answer_embed(Answer("recipe for kimchi stew", False, ()))
    assert "No stored story answers this" in (embed.description or "")
    assert_within_limits(embed)


def test_overlong_and_non_http_urls_are_dropped():
    assert embeds.link("javascript:alert(1)") is None
    assert embeds.link("https://e.com/" + "x" * 600) is None
    assert embeds.link("https://e.com/ok") == "https://e.com/ok"


def test_latest_pages_fit_and_page_through_many_stories():
    articles = [
        Article(
            f"id{n}", HUGE, (Paragraph("x"),), "p", source=HUGE, url="https://e.com/" + "y" * 700
        )
        for n in range(25)
    ]
    pages = embeds.latest_pages(articles, topic=HUGE)
    assert len(pages) == 5
    for page in pages:
        assert_within_limits(page)


def test_source_pages_split_a_long_story_and_fit():
    article = Article(
        "big",
        HUGE,
        tuple(Paragraph(HUGE[:2500]) for _ in range(20)),
        "p",
        byline=HUGE,
        dateline=HUGE,
        source=HUGE,
        tags=("LEAD",),
    )
    passage = Passage("big:1", "big", 1, HUGE, 9999)
    pages = embeds.source_pages(SourceView(article, (passage,), passage, "big:1"))
    assert len(pages) > 1
    for page in pages:
        assert_within_limits(page)


@pytest.mark.parametrize("size", [0, 1, 2, 5, 99, 100, 101, 5000])
def test_trim_never_exceeds_its_limit(size: int):
    assert len(embeds.trim(HUGE, size)) <= size


def test_choice_names_fit_discords_limit():
    assert len(embeds.choice_name("x" * 80, HUGE)) <= embeds.CHOICE_NAME


def test_real_answers_from_the_shipped_corpus_fit(shipped_room: Newsroom):
    for question in ("Who won?", "troops Korea", "Scientology church", "Hajj stampede deaths"):
        assert_within_limits(embeds.answer_embed(shipped_room.ask(question, 5)))


def test_a_not_found_answer_lists_closest_stories_labelled_as_such():
    closest = tuple(citation(n, title=f"Story {n} " + NASTY) for n in (1, 2, 3))
    embed = embeds.answer_embed(Answer("sourdough in Paris", False, (), closest=closest))
    assert_within_limits(embed)
    field = embed.fields[0]
    assert field.name == "Closest stories (they do not answer it)"
    assert "Story 1" in (field.value or "") and "Story 3" in (field.value or "")
    assert "No stored story answers this" in (embed.description or "")


def test_a_not_found_answer_says_why_with_the_question_words_made_safe():
    why = "none of the closest stories mentions “" + NASTY + "”"
    embed = embeds.answer_embed(Answer("q", False, (), why=why))
    description = embed.description or ""
    assert description.startswith("No stored story answers this: none of the closest stories")
    assert "@everyone" not in description.replace("@\u200beveryone", "")
    assert "\\*\\*bold\\*\\*" in description
    assert_within_limits(embed)


BREAKOUT = "https://example.com/)[x](http://evil.example"


def test_a_url_cannot_break_out_of_its_markdown_link():
    line = embeds.citation_line(citation(1, title="Harbour news", url=BREAKOUT))
    # One link, ours, whose target still names the page (percent-encoded, same to a browser).
    assert line.count("](") == 1
    assert "(http://evil.example" not in line and ")[x]" not in line
    assert "](<https://example.com/%29%5Bx%5D%28http://evil.example>)" in line
    article = Article("a", "Harbour news", (Paragraph("x"),), "p", url=BREAKOUT)
    description = embeds.latest_pages([article], None)[0].description or ""
    assert description.count("](") == 1 and "(http://evil" not in description


@pytest.mark.parametrize(
    "url",
    [
        "javascript:alert(1)",
        "http://",
        "https:///path-only",
        "https://exa mple.com/",
        "https://e.com/a\nb",
        "https://e.com/\x1b]0;title\x07",
        "https://a)b.com/x",
        "ftp://e.com/file",
    ],
)
def test_links_that_are_not_plain_web_addresses_are_not_linked(url: str):
    assert embeds.link(url) is None
    assert "](" not in embeds.citation_line(citation(1, title="T", url=url))


def test_feed_names_in_status_are_shown_literally():
    from bot.feeds import FeedStatus
    from bot.newsroom import Status

    feed = FeedStatus(url="https://e.com/rss", title="**Loud** @everyone [x](http://evil) `c`")
    status = Status("corpus", "bm25", 1, 1, 1, 0.0, 0.0, {}, (feed,))
    embed = embeds.status_embed(status)
    assert_within_limits(embed)
    [name] = [f.name or "" for f in embed.fields if "Loud" in (f.name or "")]
    assert "\\*\\*Loud\\*\\*" in name and "\\[x](" in name  # no link can form
    assert "@everyone" not in name.replace("@\u200beveryone", "")


def test_a_story_of_megabytes_opens_as_a_bounded_number_of_pages():
    paragraphs = tuple(Paragraph(f"Paragraph {n} " + "word " * 150) for n in range(20_000))
    article = Article("huge", "Huge story", paragraphs, "p", source="Feed")
    pages = embeds.source_pages(SourceView(article, ()))
    assert len(pages) <= embeds.SOURCE_PAGES + 1
    for page in pages:
        assert_within_limits(page)
    assert "The rest of this story is not shown here" in (pages[-1].description or "")
    assert "newsbot source huge" in (pages[-1].description or "")
