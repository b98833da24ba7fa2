"""Terminal rendering of answers, story lists and sources, as text or as JSON for scripts."""

from __future__ import annotations

import datetime as dt
import textwrap
from collections.abc import Sequence
from typing import Any

from bot.answers.ask import Answer, Citation
from bot.ingest.articles import Article
from bot.ingest.dates import Published
from bot.newsroom import SourceView, Status

WIDTH = 88

# Control characters and bidi overrides shown as visible escapes ("\x1b"), never sent raw:
# stored text (an index older than ingestion's cleaning), file names and the question itself
# must not set the window title, clear the screen or write the clipboard.
_ESCAPES = {
    code: f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"
    for first, last in ((0x00, 0x1F), (0x7F, 0x9F), (0x202A, 0x202E), (0x2066, 0x2069))
    for code in range(first, last + 1)
    if code != 0x0A
}


def safe(text: str | None) -> str:
    """``text`` made inert for a terminal (newlines kept); None becomes ""."""
    return text.translate(_ESCAPES) if text else ""


def date_text(published: Published | None) -> str:
    """The date as shown, with the years a weekday fits when the year is unknown."""
    if published is None:
        return "undated"
    label = published.label()
    if published.year is None and published.candidates:
        recent = ", ".join(str(y) for y in published.candidates[-4:])
        label += f" (the weekday fits {recent})"
    return label


def credit(
    source: str | None, byline: str | None, dateline: str | None, published: Published | None
) -> str:
    """The credit line: source, byline, dateline and date, joined by " · ", all escaped."""
    parts = [safe(source) or "unknown source"]
    if byline:
        parts.append(f"By {safe(byline)}")
    if dateline:
        parts.append(safe(dateline))
    parts.append(date_text(published))
    return " · ".join(parts)


def _emphasize(text: str, sentence: str | None, bold: bool) -> str:
    """Mark the answer sentence; both arrive escaped, so only these codes reach the terminal."""
    sentence = " ".join(sentence.split()) if sentence else None
    if not sentence or sentence not in text:
        return text
    start, end = ("\033[1m", "\033[0m") if bold else ("**", "**")
    return text.replace(sentence, f"{start}{sentence}{end}", 1)


def _wrap(text: str, indent: str) -> str:
    return textwrap.fill(text, WIDTH, initial_indent=indent, subsequent_indent=indent)


def render_answer(answer: Answer, bold: bool = False) -> str:
    """An answer for ``newsbot ask``: numbered passages with their credits, or "not found".

    ``bold`` marks the answer sentence with terminal bold; otherwise with ``**`` (piped output).
    """
    lines = [f"Q: {safe(answer.question)}", ""]
    if not answer.found:
        why = f": {safe(answer.why)}." if answer.why else "."
        lines.append("No stored story answers this" + why)
        if answer.closest:
            lines += ["", "Closest stories (they do not answer it):"]
            lines += [
                f"  - {safe(c.title)} ({safe(c.source) or 'unknown source'}, "
                f"{date_text(c.published)}) · id: {safe(c.article_id)}"
                for c in answer.closest
            ]
        return "\n".join(lines)
    for c in answer.citations:
        # Mark the answer line before wrapping: a sentence split over lines can't be found after.
        text, best = " ".join(safe(c.text).split()), safe(c.best_sentence) or None
        body = _wrap(_emphasize(text, best, bold), "    ")
        lines.append(f"[{c.number}]" + body[3:])
        tag = f" ({safe(c.version_tag)})" if c.version_tag else ""
        lines.append(_wrap(f"— {safe(c.title)}{tag}", "    "))
        lines.append(_wrap(credit(c.source, c.byline, c.dateline, c.published), "      "))
        if c.url:
            lines.append(f"      {safe(c.url)}")
        lines.append(f"      source id: {safe(c.passage_id)}")
        if c.copies:
            # Near-duplicates are cited once: name the other copies rather than repeat them.
            also = "; ".join(f"{safe(k.source) or 'unknown source'} ({safe(k.article_id)})"
                             for k in c.copies)  # fmt: skip
            lines.append(_wrap(f"also published by: {also}", "      "))
        lines.append("")
    lines.append("Open a source with: newsbot source <source id>")
    return "\n".join(lines)


DERIVED = " [no headline; titled by its lead]"


def _title(article: Article) -> str:
    return safe(article.title) + (DERIVED if article.title_derived else "")


def render_latest(articles: Sequence[Article], topic: str | None = None) -> str:
    """A numbered story list for ``newsbot latest``, each with source, date and id."""
    if not articles:
        return f"No stored stories about {safe(repr(topic))}." if topic else "No stored stories."
    lines = []
    for n, a in enumerate(articles, start=1):
        lines.append(f"{n:>2}. {_title(a)}")
        lines.append(
            f"    {safe(a.source) or 'unknown source'} · {date_text(a.published)}"
            f" · id: {safe(a.article_id)}"
        )
    return "\n".join(lines)


def render_source(view: SourceView) -> str:
    """A story for ``newsbot source``: metadata, the cited passage if any, then the whole text."""
    a = view.article
    lines = []
    if view.superseded:
        lines.append(f"({safe(view.requested_id)} is an earlier version; showing the newest.)")
    lines.append(_title(a) + (f"  ({safe(a.version_tag)})" if a.version_tag else ""))
    lines.append(credit(a.source, a.byline, a.dateline, a.published))
    if a.url:
        lines.append(safe(a.url))
    lines.append(f"id: {safe(a.article_id)}   file: {safe(a.path)}")
    if view.passage:
        lines += ["", "Cited passage:", _wrap(safe(view.passage.text), "  > ")]
    lines += ["", "Full story:"]
    for paragraph in a.paragraphs:
        text = safe(paragraph.text)
        lines.append(_wrap(("[caption] " if paragraph.is_caption else "") + text, "  "))
        lines.append("")
    return "\n".join(lines).rstrip()


def published_json(published: Published | None) -> str | None:
    """The date as ``Published.iso`` writes it ("2020-05-05?", "--05-05"), or None if undated."""
    return published.iso() if published else None


def citation_json(c: Citation) -> dict[str, Any]:
    """One cited passage in ``--json`` output (raw text: JSON escapes what a terminal would)."""
    return {
        "citation": c.number,
        "article_id": c.article_id,
        "passage_id": c.passage_id,
        "title": c.title,
        "text": c.text,
        "best_sentence": c.best_sentence,
        "published": published_json(c.published),
        "published_label": c.date_label,
        "year_certain": bool(c.published and c.published.year_certain),
        "source": c.source,
        "byline": c.byline,
        "url": c.url,
        "score": c.score,
        "copies": [{"article_id": k.article_id, "source": k.source} for k in c.copies],
    }


def answer_json(answer: Answer) -> dict[str, Any]:
    """``newsbot ask --json``: the question, found or not (and why not), passages, closest."""
    return {
        "question": answer.question,
        "found": answer.found,
        "passages": [citation_json(c) for c in answer.citations],
        "closest": [citation_json(c) for c in answer.closest],
        "why": answer.why,
    }


def latest_json(articles: Sequence[Article]) -> dict[str, Any]:
    """``newsbot latest --json``: the stories in the order given, with dates and ids."""
    return {
        "articles": [
            {
                "article_id": a.article_id,
                "title": a.title,
                "title_derived": a.title_derived,
                "published": published_json(a.published),
                "published_label": a.published.label() if a.published else None,
                "source": a.source,
                "url": a.url,
            }
            for a in articles
        ]
    }


def source_json(view: SourceView) -> dict[str, Any]:
    """``newsbot source --json``: the story's metadata, text and passages."""
    a = view.article
    return {
        "article_id": a.article_id,
        "requested_id": view.requested_id,
        "superseded": view.superseded,
        "title": a.title,
        "title_derived": a.title_derived,
        "byline": a.byline,
        "dateline": a.dateline,
        "published": published_json(a.published),
        "published_label": a.published.label() if a.published else None,
        "source": a.source,
        "url": a.url,
        "version": a.version_tag or None,
        "tags": list(a.tags),
        "editor_note": a.editor_note,
        "path": a.path,
        "text": a.text,
        "cited_passage_id": view.passage.passage_id if view.passage else None,
        "passages": [{"passage_id": p.passage_id, "text": p.text} for p in view.passages],
    }


def _when(epoch: float) -> str:
    return dt.datetime.fromtimestamp(epoch, dt.UTC).strftime("%Y-%m-%d %H:%M:%S UTC")


def render_status(status: Status) -> str:
    """``newsbot status``: what is indexed and when, skipped files, and each feed's health."""
    lines = [
        f"corpus: {safe(status.corpus)}",
        f"indexed: {status.stories} stories ({status.versions} versions), "
        f"{status.passages} passages, engine {safe(status.engine)}"
        + (f" ({safe(status.engine_choice)})" if status.engine_choice else ""),
        f"index built: {_when(status.updated)}; corpus checked: {_when(status.checked)}",
        f"skipped files: {len(status.skipped)}",
    ]
    semantic = "off (NEWSBOT_SEMANTIC)" if status.semantic == "off" else status.semantic
    # Dense recall switched off by size gets a line of its own, so it is not missed.
    semantic, cut, recall = semantic.partition("; dense recall off")
    lines.insert(3, f"semantic layer: {safe(semantic)}")
    if cut:
        lines.insert(4, f"  dense recall off{safe(recall)}")
    lines += [f"  {safe(path)}: {safe(reason)}" for path, reason in status.skipped.items()]
    if status.feeds:
        lines.append("feeds:")
        lines += [f"  {'ok ' if f.healthy else 'ERR'} {safe(f.describe())}" for f in status.feeds]
    else:
        lines.append("feeds: none configured (NEWSBOT_FEEDS)")
    return "\n".join(lines)


def status_json(status: Status) -> dict[str, Any]:
    """``newsbot status --json``: the same facts as ``render_status``, feed times in ISO 8601."""
    def iso(value: dt.datetime | None) -> str | None:
        return value.isoformat() if value else None

    return {
        "corpus": status.corpus,
        "engine": status.engine,
        "engine_choice": status.engine_choice,
        "semantic": status.semantic,
        "stories": status.stories,
        "versions": status.versions,
        "passages": status.passages,
        "updated": _when(status.updated),
        "checked": _when(status.checked),
        "skipped": status.skipped,
        "feeds": [
            {
                "url": f.url,
                "title": f.title,
                "healthy": f.healthy,
                "last_success": iso(f.last_success),
                "last_error": f.last_error,
                "last_error_at": iso(f.last_error_at),
                "next_attempt": iso(f.next_attempt),
                "stories": f.stories,
            }
            for f in status.feeds
        ],
    }
