"""The catalog's tables, and how Articles, placements and passages become rows and back."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from bot.ingest.articles import Article, Paragraph
from bot.ingest.dates import Published
from bot.text.passages import Passage

SCHEMA = """
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE files (
    path TEXT PRIMARY KEY, size INTEGER NOT NULL, mtime_ns INTEGER NOT NULL,
    digest TEXT NOT NULL, problem TEXT
);
CREATE TABLE articles (
    id TEXT PRIMARY KEY,
    file TEXT NOT NULL,
    position INTEGER NOT NULL,
    title TEXT NOT NULL,
    day TEXT,               -- source and day of publication: version grouping looks only here
    web_key TEXT,           -- Yonhap's web id without its version digits
    story TEXT NOT NULL,    -- id of the story's newest version
    rank INTEGER NOT NULL,  -- 0 for the newest version, 1 for the one before...
    recency TEXT NOT NULL,  -- sorts like index.recency
    -- The rest of the Article (first paragraphs only): JSON for its lists and its date.
    path TEXT NOT NULL, paragraphs TEXT NOT NULL, tags TEXT NOT NULL, editor_note TEXT,
    slug TEXT, byline TEXT, dateline TEXT, source TEXT, url TEXT, published TEXT,
    web_id TEXT, license TEXT, title_derived INTEGER NOT NULL
);
CREATE TABLE passages (
    doc INTEGER PRIMARY KEY,  -- the number engines index; never reused
    article TEXT NOT NULL, position INTEGER NOT NULL, text TEXT NOT NULL,
    tokens INTEGER NOT NULL, caption INTEGER NOT NULL,
    terms TEXT NOT NULL       -- analyzed terms of the text (no headline), space-joined
);
CREATE TABLE pending (doc INTEGER PRIMARY KEY, added INTEGER NOT NULL);
"""


# The files directly in one folder (not in its subfolders): a range of the primary key, then
# no "/" past the folder's part; ``in_folder`` gives the three values it takes.
IN_FOLDER = " WHERE path > ? AND path < ? AND instr(substr(path, ?), '/') = 0"


def in_folder(folder: str) -> tuple[str, str, int]:
    """``IN_FOLDER``'s values for a folder's relative path ("" for the corpus's own)."""
    return (f"{folder}/", f"{folder}0", len(folder) + 2) if folder else ("", "\U0010ffff", 1)


def recency_key(article: Article) -> str:
    """Text that sorts stories oldest to newest; without a known year they sort oldest."""
    published = article.published
    if published is None:
        return "0"
    known = "1" if published.year is not None else "0"
    year, month, day, time = published.sort_key()
    return f"{known}{year:04d}{month:02d}{day:02d}{time}"


# Made after a build's bulk insert (faster than keeping them up to date row by row).
INDEXES = """
CREATE INDEX articles_file ON articles (file);
CREATE INDEX articles_story ON articles (story, rank);
CREATE INDEX articles_day ON articles (day);
CREATE INDEX articles_web ON articles (web_key);
CREATE INDEX articles_latest ON articles (rank, recency DESC, id);
CREATE INDEX passages_article ON passages (article, position);
"""


@dataclass(frozen=True)
class ArticleRow:
    """An article as the catalog files it: the Article plus where it sits among stories."""

    article: Article
    file: str
    position: int
    day: str | None
    web_key: str | None
    story: str
    rank: int
    recency: str


@dataclass(frozen=True)
class Placement:
    """Where an article stands, without reading the article itself."""

    article_id: str
    file: str
    position: int
    day: str | None
    web_key: str | None
    story: str
    rank: int


# A passage as stored: number, article id, position in the article (1, 2, ... in story order:
# its passage id's number), text, tokens, is caption, analyzed terms of the text (space-joined).
PassageRow = tuple[int, str, int, str, int, bool, str]


PLACEMENT = "SELECT id, file, position, day, web_key, story, rank FROM articles"


PASSAGE = "SELECT doc, article, position, text, tokens, caption FROM passages"


# The columns an Article is read back from, in the order article_from_row takes them.
ARTICLE = (
    "id, title, path, paragraphs, tags, editor_note, slug, byline, dateline, source, url, "
    "published, web_id, license, title_derived"
)


# Every field of Article, as stored: a new field must be added to the table (and FORMAT bumped).
ARTICLE_FIELDS = frozenset(
    {"article_id", "title", "path", "paragraphs", "tags", "editor_note", "slug", "byline",
     "dateline", "source", "url", "published", "web_id", "license", "title_derived"}
)  # fmt: skip


def passage_from_row(row: tuple[int, str, int, str, int, int]) -> Passage:
    """The passage a ``passages`` row holds."""
    _, article, position, text, tokens, caption = row
    return Passage(f"{article}:{position}", article, position, text, tokens, bool(caption))


def published_json(published: Published | None) -> str | None:
    """A date as the JSON list stored in the ``articles`` table, or None."""
    if published is None:
        return None
    return json.dumps(
        [published.month, published.day, published.year, published.year_certain,
         list(published.candidates), published.time, published.basis]
    )  # fmt: skip


def published_from_json(text: str | None) -> Published | None:
    """The date ``published_json`` stored, or None."""
    if text is None:
        return None
    month, day, year, certain, candidates, time, basis = json.loads(text)
    return Published(month, day, year, certain, tuple(candidates), time, basis)


def article_row(r: ArticleRow) -> tuple[object, ...]:
    """An article's ``articles`` table row, in the table's column order."""
    a = r.article
    paragraphs = json.dumps([[p.text, p.is_caption] for p in a.paragraphs])
    return (a.article_id, r.file, r.position, a.title, r.day, r.web_key, r.story, r.rank,
            r.recency, a.path, paragraphs, json.dumps(list(a.tags)), a.editor_note, a.slug,
            a.byline, a.dateline, a.source, a.url, published_json(a.published), a.web_id,
            a.license, a.title_derived)  # fmt: skip


def article_from_row(row: tuple[Any, ...]) -> Article:
    """An Article from the columns named in ``ARTICLE`` (SQLite rows are untyped)."""
    (article_id, title, path, paragraphs, tags, editor_note, slug, byline, dateline, source,
     url, published, web_id, license_, title_derived) = row  # fmt: skip
    return Article(
        article_id=article_id,
        title=title,
        paragraphs=tuple(Paragraph(text, bool(cap)) for text, cap in json.loads(paragraphs)),
        path=path,
        tags=tuple(json.loads(tags)),
        editor_note=editor_note,
        slug=slug,
        byline=byline,
        dateline=dateline,
        source=source,
        url=url,
        published=published_from_json(published),
        web_id=web_id,
        license=license_,
        title_derived=bool(title_derived),
    )
