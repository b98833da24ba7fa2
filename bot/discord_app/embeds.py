"""Discord rendering: answers, story lists and sources as embeds within Discord's limits."""

from __future__ import annotations

from collections.abc import Sequence
from urllib.parse import urlsplit

import discord
from discord.utils import escape_markdown, escape_mentions

from bot.answers.ask import Answer, Citation
from bot.desk.follows import PausedChannel
from bot.desk.topics import Card
from bot.ingest.articles import Article
from bot.ingest.dates import Published
from bot.newsroom import SourceView, Status

# Discord's documented limits (it answers 400/50035 past them; discord.py checks few).
CONTENT = 2000
TITLE = 256
DESCRIPTION = 4096
FIELDS = 25
FIELD_NAME = 256
FIELD_VALUE = 1024
FOOTER = 2048
AUTHOR = 256
EMBED_TOTAL = 6000
CHOICE_NAME = 100
CHOICE_VALUE = 100
BUTTON_LABEL = 80
URL = 512

COLOUR = discord.Colour.from_rgb(38, 110, 196)
PASSAGE_CHARS = 900  # per cited passage in an answer, so three fit with room for sources
LIST_PAGE = 5
SOURCE_PAGE_CHARS = 3500
# Pages of one story in /source: every page is held for the pager's life, and nobody pages
# through a hundred of them in Discord.
SOURCE_PAGES = 40
SUMMARY_LINES = 10  # stories named in a /follow summary; the rest are counted


def trim(text: str, limit: int) -> str:
    """Cut at a word boundary with an ellipsis; never longer than ``limit``."""
    if len(text) <= limit:
        return text
    if limit <= 1:
        return text[:limit]
    cut = text[: limit - 1]
    space = cut.rfind(" ")
    if space > limit * 0.6:
        cut = cut[:space]
    return cut.rstrip() + "…"


def safe(text: str) -> str:
    """Stored or user text shown literally: no Markdown effects, no mention syntax."""
    return escape_mentions(escape_markdown(" ".join(text.split())))


# Characters that end or reshape a Markdown link ``[title](<url>)`` in Discord's parser;
# percent-encoded they mean the same to a browser and nothing to Markdown.
_LINK_BREAKERS = {ord(c): f"%{ord(c):02X}" for c in "()[]<>`\"'|{}^\\"}


def link(url: str | None) -> str | None:
    """A stored URL fit to be a link target: http(s) with a host, Markdown-inert; else None."""
    url = (url or "").strip()
    # Whitespace or control characters have no place in a real link: a forged one, or damage.
    if not url or any(c.isspace() or ord(c) < 0x20 or ord(c) == 0x7F for c in url):
        return None
    try:
        parts = urlsplit(url)
    except ValueError:  # an unbalanced IPv6 bracket, say
        return None
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        return None
    head = url[: url.index("//") + 2 + len(parts.netloc)]
    if head.translate(_LINK_BREAKERS).replace("%5B", "[").replace("%5D", "]") != head:
        return None  # a host holding Markdown is no host (IPv6 brackets aside)
    inert = head + url[len(head) :].translate(_LINK_BREAKERS)
    return inert if len(inert) <= URL else None


def date_label(published: Published | None) -> str:
    """A story's date as shown ("May 5, year unknown"), or "undated"."""
    return published.label() if published else "undated"


def passage_markdown(c: Citation, limit: int = PASSAGE_CHARS) -> str:
    """The passage escaped, its best sentence in bold, trimmed around that sentence."""
    text = " ".join(c.text.split())
    sentence = " ".join(c.best_sentence.split()) if c.best_sentence else None
    if sentence and sentence in text:
        before, _, after = (part.strip() for part in text.partition(sentence))
        budget = limit - len(sentence) - 6  # the bold markers and the two joining spaces
        if budget < 0:
            return "**" + safe(trim(sentence, limit - 4)) + "**"
        keep_before = min(len(before), budget // 3)
        lead = (
            ("…" + before[len(before) - keep_before + 1 :]) if keep_before < len(before) else before
        )
        rest = trim(after, max(0, budget - len(lead)))
        # Joined with spaces: safe() folds whitespace, so the text's own spaces at the edges
        # of the bold sentence would otherwise vanish ("**sentence.**Next").
        body = " ".join(part for part in (safe(lead), f"**{safe(sentence)}**", safe(rest)) if part)
        if len(body) <= limit:
            return body
    return safe(trim(text, limit))


def citation_line(c: Citation) -> str:
    """One Sources line: number, linked title, source, byline, date and passage id."""
    title = safe(trim(c.title, 120))
    url = link(c.url)
    head = f"[{title}](<{url}>)" if url else f"**{title}**"
    parts = [p for p in (c.source, f"By {c.byline}" if c.byline else None) if p]
    meta = " · ".join([safe(p) for p in parts] + [date_label(c.published)])
    return f"**[{c.number}]** {head} — {meta} · `{c.passage_id}`"


def fit(embed: discord.Embed) -> discord.Embed:
    """Enforce every per-part limit, then the 6000-character total, by trimming the description."""
    if embed.title:
        embed.title = trim(embed.title, TITLE)
    if embed.description:
        embed.description = trim(embed.description, DESCRIPTION)
    fields = embed.fields[:FIELDS]
    embed.clear_fields()
    for f in fields:
        embed.add_field(
            name=trim(f.name or "-", FIELD_NAME),
            value=trim(f.value or "-", FIELD_VALUE),
            inline=f.inline,
        )
    if embed.footer.text:
        embed.set_footer(text=trim(embed.footer.text, FOOTER))
    excess = len(embed) - EMBED_TOTAL
    if excess > 0 and embed.description:
        embed.description = trim(embed.description, max(1, len(embed.description) - excess))
    while len(embed) > EMBED_TOTAL and embed.fields:
        embed.remove_field(-1)
    return embed


def answer_embed(answer: Answer) -> discord.Embed:
    """The /ask reply: the cited passages and their Sources list, or why none answers."""
    question = safe(answer.question)
    embed = discord.Embed(title=trim(f"Q: {answer.question}", TITLE), colour=COLOUR)
    embed.title = trim("Q: " + question, TITLE)
    if not answer.found:
        why = f": {safe(trim(answer.why, 300))}." if answer.why else "."
        embed.description = (
            f"No stored story answers this{why} Try other words, or see what is stored with "
            "`/latest`."
        )
        if answer.closest:
            closest = "\n".join(
                f"• {safe(trim(c.title, 150))} — {safe(trim(c.source or 'unknown source', 60))} · "
                f"{date_label(c.published)} · `{c.article_id}`"
                for c in answer.closest
            )
            embed.add_field(
                name="Closest stories (they do not answer it)", value=closest, inline=False
            )
        return fit(embed)
    # Sources first, split over fields of 1024, so that none is cut off with five citations;
    # the passages then share what room is left, so the last one is not cut off either.
    lines = [trim(citation_line(c), FIELD_VALUE) for c in answer.citations]
    for n, value in enumerate(_chunks(lines, FIELD_VALUE, sep="\n")):
        embed.add_field(name="Sources" if n == 0 else "Sources (more)", value=value, inline=False)
    embed.set_footer(text="Open a source with /source and the id in backticks.")
    count = max(1, len(answer.citations))
    room = min(DESCRIPTION, EMBED_TOTAL - len(embed))
    each = max(1, min(PASSAGE_CHARS, room // count - len("\n\n**[10]** ")))
    embed.description = "\n\n".join(
        f"**[{c.number}]** {passage_markdown(c, each)}" for c in answer.citations
    )
    return fit(embed)


def latest_pages(articles: Sequence[Article], topic: str | None) -> list[discord.Embed]:
    """The /latest reply as embed pages, newest stories first."""
    heading = f"Latest stories about {safe(trim(topic, 80))}" if topic else "Latest stories"
    if not articles:
        empty = (
            f"No stored stories about {safe(trim(topic, 200))}." if topic else "No stored stories."
        )
        return [fit(discord.Embed(title=heading, description=empty, colour=COLOUR))]
    pages = []
    total = (len(articles) + LIST_PAGE - 1) // LIST_PAGE
    for page, start in enumerate(range(0, len(articles), LIST_PAGE), start=1):
        lines = []
        for n, a in enumerate(articles[start : start + LIST_PAGE], start=start + 1):
            title = safe(trim(a.title, 200))
            url = link(a.url)
            head = f"[{title}](<{url}>)" if url else f"**{title}**"
            meta = " · ".join(
                p for p in (safe(a.source or "unknown source"), date_label(a.published))
            )
            lines.append(f"{n}. {head}\n{meta} · `{a.article_id}`")
        embed = discord.Embed(title=heading, description="\n\n".join(lines), colour=COLOUR)
        embed.set_footer(text=f"Page {page}/{total} · open one with /source")
        pages.append(fit(embed))
    return pages


def _chunks(paragraphs: Sequence[str], limit: int, sep: str = "\n\n") -> list[str]:
    pages: list[str] = []
    current = ""
    for paragraph in paragraphs:
        piece = trim(paragraph, limit)
        if current and len(current) + len(sep) + len(piece) > limit:
            pages.append(current)
            current = piece
        else:
            current = f"{current}{sep}{piece}" if current else piece
    if current:
        pages.append(current)
    return pages or ["(no text)"]


def source_pages(view: SourceView) -> list[discord.Embed]:
    """The /source reply: a story's metadata and text as embed pages (long ones capped)."""
    a = view.article
    paragraphs: list[str] = []
    room = SOURCE_PAGES * SOURCE_PAGE_CHARS  # enough to fill the pages; the rest is not read
    cut = False
    for p in a.paragraphs:
        if room <= 0:
            cut = True
            break
        text = ("*(caption)* " if p.is_caption else "") + safe(trim(p.text, SOURCE_PAGE_CHARS))
        paragraphs.append(text)
        room -= len(text)
    intro = []
    if view.superseded:
        intro.append(f"*`{safe(view.requested_id)}` is an earlier version; this is the newest.*")
    if view.passage:
        intro.append("**Cited passage:** " + safe(trim(view.passage.text, 1500)))
    texts = _chunks(intro + paragraphs, SOURCE_PAGE_CHARS)
    if cut or len(texts) > SOURCE_PAGES:  # a story of megabytes: say where the rest is
        rest = f"*The rest of this story is not shown here; `newsbot source {a.article_id}` "
        texts = [*texts[: SOURCE_PAGES - 1], rest + "prints it whole.*"]
    pages = []
    for n, text in enumerate(texts, start=1):
        embed = discord.Embed(title=safe(a.title), url=link(a.url), description=text, colour=COLOUR)
        embed.add_field(name="Source", value=safe(a.source or "unknown"), inline=True)
        embed.add_field(name="Date", value=date_label(a.published), inline=True)
        if a.byline:
            embed.add_field(name="Byline", value=safe(a.byline), inline=True)
        if a.dateline:
            embed.add_field(name="Dateline", value=safe(a.dateline), inline=True)
        if a.version_tag:
            embed.add_field(name="Version", value=safe(a.version_tag), inline=True)
        embed.set_footer(text=f"id {a.article_id} · page {n}/{len(texts)}")
        pages.append(fit(embed))
    return pages


def choice_name(article_id: str, title: str) -> str:
    """An autocomplete entry for a story: its title and id, within Discord's limit."""
    return trim(f"{title} ({article_id})", CHOICE_NAME)


def status_embed(status: Status) -> discord.Embed:
    """Index size and freshness, skipped files, and each feed's health."""
    embed = discord.Embed(title="newsbot status", colour=COLOUR)
    embed.add_field(name="Stories", value=f"{status.stories} ({status.versions} versions)")
    embed.add_field(name="Passages", value=str(status.passages))
    choice = f" ({safe(status.engine_choice)})" if status.engine_choice else ""
    embed.add_field(name="Engine", value=safe(status.engine) + choice)
    embed.add_field(name="Index built", value=f"<t:{int(status.updated)}:R>")
    embed.add_field(name="Corpus checked", value=f"<t:{int(status.checked)}:R>")
    skipped = "\n".join(
        f"`{safe(trim(path, 80))}`: {safe(trim(reason, 120))}"
        for path, reason in list(status.skipped.items())[:10]
    )
    if len(status.skipped) > 10:
        skipped += f"\n… and {len(status.skipped) - 10} more (`newsbot index` lists them)"
    embed.add_field(
        name=f"Skipped files ({len(status.skipped)})", value=skipped or "none", inline=False
    )
    if status.paused:
        embed.add_field(
            name=f"Paused follow channels ({len(status.paused)}): /follow there again to resume",
            value=trim(paused_lines(status.paused), FIELD_VALUE),
            inline=False,
        )
    if not status.indexer:
        embed.add_field(name="Indexing", value="another process (shard) keeps the index up to date")
    for feed in status.feeds[:15]:
        mark = "✅" if feed.healthy else "⚠️"
        embed.add_field(
            # Its own title or its host and path: a feed URL may carry a password or a key.
            name=f"{mark} {safe(trim(feed.title or feed.name, 100))}",
            value=safe(trim(feed.describe(), FIELD_VALUE)),
            inline=False,
        )
    if not status.feeds:
        embed.set_footer(text="No feeds configured (NEWSBOT_FEEDS).")
    elif len(status.feeds) > 15:
        embed.set_footer(text=f"{len(status.feeds) - 15} more feeds: see `newsbot status`.")
    return fit(embed)


def follow_embed(card: Card, topic: str, updated: bool = False) -> discord.Embed:
    """A story posted for a followed topic: headline (linked), lead, source and date.

    An update edits the same message: the newest version's text, marked "Updated".
    """
    title = safe(trim(card.title, 240))
    embed = discord.Embed(
        title=("Updated: " + title) if updated else title,
        url=link(card.url),
        description=safe(trim(card.lead, 1000)) or None,
        colour=COLOUR,
    )
    embed.add_field(name="Source", value=safe(card.source or "unknown"), inline=True)
    embed.add_field(name="Date", value=safe(card.date_label) or "undated", inline=True)
    if card.version_tag:
        embed.add_field(name="Version", value=safe(card.version_tag), inline=True)
    mark = " · updated" if updated else ""
    embed.set_footer(text=f"Following “{trim(topic, 100)}” · id {card.article_id}{mark}")
    return fit(embed)


def follow_summary(cards: Sequence[Card], topics: Sequence[str]) -> discord.Embed:
    """The stories past a channel's posts-per-minute limit, named in one message."""
    about = ", ".join(f"“{safe(trim(t, 60))}”" for t in topics)
    lines = []
    for c in cards[:SUMMARY_LINES]:
        url = link(c.url)
        title = safe(trim(c.title, 150))
        head = f"[{title}](<{url}>)" if url else f"**{title}**"
        lines.append(f"• {head} — {safe(c.source or 'unknown source')} · {c.date_label}")
    if len(cards) > SUMMARY_LINES:
        lines.append(f"… and {len(cards) - SUMMARY_LINES} more (see /latest)")
    embed = discord.Embed(
        title=trim(f"{len(cards)} more new stories about {about}", TITLE),
        description="\n".join(lines),
        colour=COLOUR,
    )
    embed.set_footer(text="More stories arrived than a channel gets posts per minute.")
    return fit(embed)


def paused_lines(paused: Sequence[PausedChannel]) -> str:
    """Channels /follow stopped posting in, and why: for /status."""
    lines = [
        f"<#{p.channel_id}> (`{p.channel_id}`): {safe(trim(p.reason, 120))}, "
        f"since <t:{int(p.since)}:R>"
        for p in paused[:10]
    ]
    if len(paused) > 10:
        lines.append(f"… and {len(paused) - 10} more (`newsbot status` lists them)")
    return "\n".join(lines)
