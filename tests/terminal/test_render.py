"""Terminal rendering never lets stored text or a question drive the terminal."""

from __future__ import annotations

import re

from bot.answers.ask import Answer, Citation
from bot.ingest.articles import Article, Paragraph
from bot.ingest.dates import Published
from bot.newsroom import SourceView, Status
from bot.terminal import render
from bot.text.passages import Passage

# What an index built before ingestion stripped controls may still hold.
OSC_TITLE = "\x1b]0;owned\x07"
CLEAR = "\x1b[2J"
CLIPBOARD = "\x1b]52;c;ZXZpbA==\x07"
C1_CSI = "\x9b31m"
BIDI = "\u202e"


def _article() -> Article:
    return Article(
        article_id="strike",
        title=f"Port strike {OSC_TITLE}ends",
        paragraphs=(Paragraph(f"Dock workers {CLEAR}returned.{CLIPBOARD}"),),
        path=f"wire/{BIDI}strike.txt",
        byline=f"Park {C1_CSI}",
        source="Yonhap",
        dateline="SEOUL",
        published=Published(6, 2, 2024, True),
        url=f"https://example.com/{CLEAR}",
    )


def _citation() -> Citation:
    return Citation(
        number=1, article_id="strike", passage_id="strike:1",
        title=f"Port strike {OSC_TITLE}ends", text=f"Dock workers {CLEAR}returned to work.",
        best_sentence=f"Dock workers {CLEAR}returned to work.", score=1.0, source="Yonhap",
        byline=f"Park {C1_CSI}", dateline="SEOUL", published=None, url=None, version_tag="",
    )  # fmt: skip


def _bare_controls(text: str, allowed: tuple[str, ...] = ()) -> list[str]:
    for sequence in allowed:
        text = text.replace(sequence, "")
    return re.findall(r"[\x00-\x09\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]", text)


def test_answers_escape_control_characters_and_keep_only_their_own_bold():
    answer = Answer(question=f"who{CLEAR} struck?", found=True, citations=(_citation(),))
    plain = render.render_answer(answer, bold=False)
    assert _bare_controls(plain) == []
    assert "\\x1b[2J" in plain  # shown, visibly, not obeyed
    bold = render.render_answer(answer, bold=True)
    assert _bare_controls(bold, allowed=("\x1b[1m", "\x1b[0m")) == []
    assert "\x1b[1m" in bold


def test_closest_stories_escape_control_characters():
    answer = Answer(question="q", found=False, citations=(), closest=(_citation(),))
    assert _bare_controls(render.render_answer(answer)) == []


def test_latest_and_source_escape_control_characters():
    article = _article()
    assert _bare_controls(render.render_latest([article], topic=f"x{CLEAR}")) == []
    passage = Passage("strike:1", "strike", 1, article.paragraphs[0].text, 5)
    view = SourceView(article, (passage,), passage, requested_id=f"strike{CLEAR}", superseded=True)
    shown = render.render_source(view)
    assert _bare_controls(shown) == []
    assert "\\u202e" in shown and "\\x9b" in shown


def test_status_escapes_file_names_and_reasons():
    status = Status(
        corpus="/srv/corpus", engine="bm25", stories=1, versions=1, passages=1, updated=0.0,
        checked=0.0, skipped={f"evil{OSC_TITLE}.txt": f"no headline {CLEAR}"},
    )  # fmt: skip
    assert _bare_controls(render.render_status(status)) == []


def test_a_derived_title_is_marked_in_lists_sources_and_json():
    article = Article(
        article_id="volley", title="South Korea beat Japan 3-1 in the final",
        paragraphs=(Paragraph("INCHEON -- South Korea beat Japan 3-1 in the final."),),
        path="volley.txt", title_derived=True,
    )  # fmt: skip
    assert render.DERIVED in render.render_latest([article])
    view = SourceView(article, ())
    assert render.DERIVED in render.render_source(view)
    assert render.source_json(view)["title_derived"] is True
    assert render.latest_json([article])["articles"][0]["title_derived"] is True
    headed = Article(article_id="x", title="Ferry resumes", paragraphs=(), path="x.txt")
    assert render.DERIVED not in render.render_latest([headed])
