"""The catalog: files, articles, stories and passages of one index generation, in SQLite.

SQLite rather than a pickled snapshot: a new story is a small transaction, not a rewrite of
every row; a restart opens a file instead of unpickling a million objects; and a serving
process keeps in memory only the rows a request reads. Articles are stored as plain columns
(lists and dates as JSON text), never pickled: a cache file is data, not code the next process
runs. Readers and the one writer work at the
same time (WAL): a request sees the catalog as of its last commit, never half an update.

The ``pending`` table is the engine's journal: passages added or deleted by a commit that the
engine has not yet applied. It is written in the same transaction as the passages and cleared
only after the engine commits, so a crash between the two is repaired on the next open.
"""

from __future__ import annotations

import os
import sqlite3
import threading
import weakref
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

from bot.index import checked
from bot.index.rows import (
    ARTICLE,
    IN_FOLDER,
    INDEXES,
    PASSAGE,
    PLACEMENT,
    SCHEMA,
    ArticleRow,
    PassageRow,
    Placement,
    article_from_row,
    article_row,
    in_folder,
    passage_from_row,
    published_from_json,
)
from bot.ingest.articles import Article
from bot.ingest.corpus import FileState
from bot.ingest.dates import Published
from bot.text.passages import Passage

FILE = "catalog.sqlite"


# Bumped whenever the tables or the stored Article change shape: older catalogs are rebuilt.
# 4: articles as columns and JSON instead of a pickled record (3 and older are never unpickled);
# 5: title_derived; 6: each passage's analyzed terms (answers weigh passages without
# re-analyzing their text per question).
FORMAT = 6


# SQLite caps a statement's parameters (32766 in recent builds, 999 in old ones).
_BATCH = 900


class CatalogError(Exception):
    """The catalog file is missing, damaged or written by another version."""


def _chunks(items: Sequence[object]) -> Iterator[Sequence[object]]:
    for start in range(0, len(items), _BATCH):
        yield items[start : start + _BATCH]


class Catalog:
    """One catalog file, shared by the threads of a process (a connection per thread)."""

    def __init__(self, path: Path, read_only: bool = False) -> None:
        self.path = path
        # A read-only cache still serves: immutable says nobody writes (no lock, no -shm file).
        self._mode = "mode=ro&immutable=1" if read_only else "mode=rw"
        self._local = threading.local()
        self._opened: list[sqlite3.Connection] = []
        self._guard = threading.Lock()
        self._bulk = False
        self._vouch = checked.Vouch(path)  # skips an open's page check (bot.index.checked)
        weakref.finalize(self, checked.close, self._opened, self._guard, self._vouch)

    @classmethod
    def create(cls, directory: Path, meta: dict[str, str]) -> Catalog:
        """A new, empty catalog for a build: no journal and no indexes until ``seal``.

        A build writes into a staging folder that a crash simply abandons, so SQLite's own
        crash safety would only double the writes.
        """
        path = directory / FILE
        connection = sqlite3.connect(path, isolation_level=None)
        try:
            connection.executescript(SCHEMA)
            connection.executemany(
                "INSERT INTO meta VALUES (?, ?)", [("format", str(FORMAT)), *meta.items()]
            )
        finally:
            connection.close()
        catalog = cls(path)
        catalog._bulk = True
        return catalog

    def seal(self) -> None:
        """End a build: index the tables, switch to the WAL journal, close."""
        db = self._db()
        db.executescript(INDEXES)
        db.execute("PRAGMA journal_mode=WAL")
        self.close()
        self._bulk = False
        # Written without syncs: make it durable before a rename makes it the live index.
        with open(self.path, "rb") as handle:
            os.fsync(handle.fileno())
        checked.stamp(self.path, checked.identity(self.path))  # as this process's SQLite wrote it

    @classmethod
    def open(cls, directory: Path, read_only: bool = False) -> Catalog:
        """The catalog in ``directory``; CatalogError when missing, damaged or of another format."""
        path = directory / FILE
        if not path.is_file():
            raise CatalogError(f"no catalog in {directory}")
        catalog = cls(path, read_only)
        catalog._vouch.adopt()
        try:
            found = catalog.meta().get("format")
        except sqlite3.DatabaseError as error:
            catalog.close()
            raise CatalogError(f"catalog is damaged: {error}") from error
        if found != str(FORMAT):
            catalog.close()
            raise CatalogError("catalog written by another version of newsbot")
        return catalog

    def _db(self) -> sqlite3.Connection:
        connection: sqlite3.Connection | None = getattr(self._local, "connection", None)
        if connection is None:
            # Autocommit mode: transactions are opened explicitly (reading(), writing()).
            # mode=rw: a generation deleted under a reader fails loudly, never comes back empty.
            connection = sqlite3.connect(
                f"file:{self.path}?{self._mode}",
                uri=True,
                isolation_level=None,
                check_same_thread=False,
                timeout=60,
            )
            connection.execute("PRAGMA cache_size=-16000")  # 16 MB of pages per connection
            if self._bulk:
                connection.execute("PRAGMA journal_mode=OFF")
                connection.execute("PRAGMA synchronous=OFF")
            self._local.connection = connection
            self._local.depth = 0
            with self._guard:
                self._opened.append(connection)
        return connection

    def close(self) -> None:
        """Close every thread's connection; a later call opens a fresh one."""
        checked.close(self._opened, self._guard, self._vouch)
        self._local = threading.local()

    @contextmanager
    def reading(self) -> Iterator[None]:
        """Reads inside see one committed state of the catalog, whatever a writer does."""
        db = self._db()
        self._local.depth += 1
        if self._local.depth == 1:
            db.execute("BEGIN")
        try:
            yield
        finally:
            self._local.depth -= 1
            if self._local.depth == 0:
                db.execute("COMMIT")

    @contextmanager
    def writing(self) -> Iterator[None]:
        """One atomic change: all of it is committed, or none of it."""
        db = self._db()
        db.execute("BEGIN IMMEDIATE")
        sound = self._vouch.holds()  # with the write lock held: no other commit meanwhile
        try:
            yield
        except BaseException:
            # SQLite has already rolled back after some errors (a full disk): a second
            # ROLLBACK would fail and hide the cause ("cannot rollback").
            if db.in_transaction:
                db.execute("ROLLBACK")
            raise
        db.execute("COMMIT")
        if sound:  # a commit may checkpoint into the file: still sound, as SQLite wrote it
            self._vouch.renew()

    # --- reads ---------------------------------------------------------------------------

    def meta(self) -> dict[str, str]:
        """The catalog's key-value facts (format, settings, build time) as stored."""
        return dict(self._db().execute("SELECT key, value FROM meta"))

    def count(self, what: str) -> int:
        """How many stories, articles, passages, files or pending passages the catalog holds."""
        queries = {
            "stories": "SELECT count(*) FROM articles WHERE rank = 0",
            "articles": "SELECT count(*) FROM articles",
            "passages": "SELECT count(*) FROM passages",
            "files": "SELECT count(*) FROM files",
            "pending": "SELECT count(*) FROM pending",
        }
        return int(self._db().execute(queries[what]).fetchone()[0])

    def files(self, folders: Iterable[str] | None = None) -> dict[str, FileState]:
        """Every file as last read, or those directly in ``folders`` ("" the corpus's own)."""
        query = "SELECT path, size, mtime_ns, digest, problem FROM files"
        wanted = [()] if folders is None else [in_folder(f) for f in folders]
        rows = (r for w in wanted for r in self._db().execute(query + IN_FOLDER * bool(w), w))
        return {row[0]: FileState(*row[:4], problem=row[4]) for row in rows}

    def problems(self) -> dict[str, str]:
        """Each skipped file's path and why it was skipped."""
        query = "SELECT path, problem FROM files WHERE problem IS NOT NULL"
        return dict(self._db().execute(query))

    def article(self, article_id: str) -> Article | None:
        """The stored article with this id, or None."""
        row = self._db().execute(f"SELECT {ARTICLE} FROM articles WHERE id = ?", (article_id,))  # noqa: S608 - only ? placeholders and fixed columns
        found = row.fetchone()
        return article_from_row(found) if found else None

    def title(self, article_id: str) -> str | None:
        """An article's headline, without reading the rest of its row."""
        row = self._db().execute("SELECT title FROM articles WHERE id = ?", (article_id,))
        found = row.fetchone()
        return found[0] if found else None

    def articles(self, ids: Sequence[str]) -> dict[str, Article]:
        """The stored articles among ``ids``, by id (unknown ids left out)."""
        found: dict[str, Article] = {}
        for chunk in _chunks(list(ids)):
            marks = ",".join("?" * len(chunk))
            query = f"SELECT {ARTICLE} FROM articles WHERE id IN ({marks})"  # noqa: S608 - only ? placeholders and fixed columns
            for row in self._db().execute(query, chunk):
                found[row[0]] = article_from_row(row)
        return found

    def dates(self, ids: Sequence[str]) -> dict[str, Published | None]:
        """Each article's date alone: judging a story by its year needs no more of it."""
        found: dict[str, Published | None] = {}
        for chunk in _chunks(list(ids)):
            marks = ",".join("?" * len(chunk))
            query = f"SELECT id, published FROM articles WHERE id IN ({marks})"  # noqa: S608 - only ? placeholders and fixed columns
            found.update(
                (row[0], published_from_json(row[1])) for row in self._db().execute(query, chunk)
            )
        return found

    def article_ids(self) -> Iterator[str]:
        """Every stored article id, in id order, read lazily."""
        return (row[0] for row in self._db().execute("SELECT id FROM articles ORDER BY id"))

    def has_article(self, article_id: str) -> bool:
        """True when an article with this id is stored."""
        query = "SELECT 1 FROM articles WHERE id = ?"
        return self._db().execute(query, (article_id,)).fetchone() is not None

    def story(self, article_id: str) -> tuple[str, ...]:
        """Ids of every version of the story holding ``article_id``, newest first (or ())."""
        query = (
            "SELECT id FROM articles WHERE story = (SELECT story FROM articles WHERE id = ?) "
            "ORDER BY rank"
        )
        return tuple(row[0] for row in self._db().execute(query, (article_id,)))

    def newest_of(self, article_id: str) -> str | None:
        """The id of the newest version of this article's story, or None when unknown."""
        row = self._db().execute("SELECT story FROM articles WHERE id = ?", (article_id,))
        found = row.fetchone()
        return found[0] if found else None

    def latest(self, limit: int, offset: int = 0) -> list[Article]:
        """Newest versions of stories, newest first; ties by id."""
        query = (
            f"SELECT {ARTICLE} FROM articles WHERE rank = 0 "  # noqa: S608 - only ? placeholders and fixed columns
            "ORDER BY recency DESC, id LIMIT ? OFFSET ?"
        )
        rows = self._db().execute(query, (limit, offset))
        return [article_from_row(row) for row in rows]

    def latest_among(self, ids: Iterable[str]) -> list[Article]:
        """The stories among ``ids`` (newest versions only), newest first."""
        found = [a for a in self.articles(list(ids)).values()]
        rows = self.placements(a.article_id for a in found)
        newest = {p.article_id for p in rows if p.rank == 0}
        recency = dict(self._recency(newest))
        kept = [a for a in found if a.article_id in newest]
        kept.sort(key=lambda a: a.article_id)
        kept.sort(key=lambda a: recency[a.article_id], reverse=True)
        return kept

    def _recency(self, ids: Iterable[str]) -> Iterator[tuple[str, str]]:
        wanted = list(ids)
        for chunk in _chunks(wanted):
            marks = ",".join("?" * len(chunk))
            yield from self._db().execute(
                f"SELECT id, recency FROM articles WHERE id IN ({marks})", chunk  # noqa: S608 - only ? placeholders and fixed columns
            )

    def titles_matching(self, needle: str, limit: int) -> list[tuple[str, str]]:
        """(id, title) of stories whose id or title holds ``needle``, newest first."""
        pattern = "%" + needle.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        query = (
            "SELECT id, title FROM articles WHERE rank = 0 AND "
            "(id LIKE ?1 ESCAPE '\\' OR title LIKE ?1 ESCAPE '\\') "
            "ORDER BY recency DESC, id LIMIT ?2"
        )
        return list(self._db().execute(query, (pattern, limit)))

    def _placed(self, column: str, values: Iterable[str]) -> Iterator[Placement]:
        for chunk in _chunks(sorted(set(values))):
            marks = ",".join("?" * len(chunk))
            for row in self._db().execute(f"{PLACEMENT} WHERE {column} IN ({marks})", chunk):
                yield Placement(*row)

    def placements(self, ids: Iterable[str]) -> list[Placement]:
        """Where the articles with these ids sit (file, day, story, rank); unknown ids skipped."""
        return list(self._placed("id", ids))

    def related(self, days: set[str], webs: set[str], stories: set[str]) -> list[Placement]:
        """Articles sharing a day bucket, a web key or a story with what is given."""
        found: dict[str, Placement] = {}
        for column, values in (("day", days), ("web_key", webs), ("story", stories)):
            found.update((p.article_id, p) for p in self._placed(column, values))
        return list(found.values())

    def in_files(self, files: Iterable[str]) -> list[Placement]:
        """Where the articles read from these corpus files sit."""
        return list(self._placed("file", files))

    def origin(self, article_id: str) -> tuple[str, int] | None:
        """The corpus file an article came from and its position in that file, or None."""
        query = "SELECT file, position FROM articles WHERE id = ?"
        found = self._db().execute(query, (article_id,)).fetchone()
        return (found[0], found[1]) if found else None

    def passages_of(self, article_id: str, limit: int = -1) -> list[Passage]:
        """A story's passages in order; the first ``limit`` only when given."""
        query = f"{PASSAGE} WHERE article = ? ORDER BY position LIMIT ?"
        return [passage_from_row(row) for row in self._db().execute(query, (article_id, limit))]

    def first_passages(
        self, article_ids: Sequence[str], limit: int
    ) -> dict[str, tuple[str, list[tuple[Passage, str]]]]:
        """Headline and first ``limit`` passages (with their stored terms) of each article.

        One statement for all of them: an answer reads its candidate stories at once. A story's
        positions run 1, 2, ... (its passage ids), so its first ``limit`` are those up to it.
        Articles with no passages (older versions) come back with an empty list.
        """
        found: dict[str, tuple[str, list[tuple[Passage, str]]]] = {}
        for chunk in _chunks(sorted(set(article_ids))):
            marks = ",".join("?" * len(chunk))
            query = (
                "SELECT a.id, a.title, p.position, p.text, p.tokens, p.caption, p.terms "  # noqa: S608 - only ? placeholders and fixed columns
                "FROM articles a LEFT JOIN passages p ON p.article = a.id AND p.position <= ? "
                f"WHERE a.id IN ({marks}) ORDER BY a.id, p.position"
            )
            for article_id, title, position, text, tokens, caption, terms in self._db().execute(
                query, (limit, *chunk)
            ):
                _, passages = found.setdefault(article_id, (title, []))
                if position is not None:
                    passage = Passage(
                        f"{article_id}:{position}", article_id, position, text, tokens,
                        bool(caption),
                    )  # fmt: skip
                    passages.append((passage, terms))
        return found

    def passage_terms(self, article_id: str, position: int) -> str | None:
        """The stored terms of one passage (its text's, headline not included)."""
        return self.terms_at(article_id, [position]).get(position)

    def terms_at(self, article_id: str, positions: Sequence[int]) -> dict[int, str]:
        """The stored terms of some passages of one article, by position."""
        found: dict[int, str] = {}
        for chunk in _chunks(sorted(set(positions))):
            marks = ",".join("?" * len(chunk))
            query = (
                f"SELECT position, terms FROM passages WHERE article = ? AND position IN ({marks})"  # noqa: S608 - only ? placeholders and fixed columns
            )
            found.update(self._db().execute(query, (article_id, *chunk)))
        return found

    def docs_of(self, article_ids: Iterable[str]) -> list[int]:
        """The passage numbers of these articles."""
        return list(self.numbers(article_ids).values())

    def numbers(self, article_ids: Iterable[str]) -> dict[str, int]:
        """The passage numbers of these articles, by passage id ("article:position")."""
        found: dict[str, int] = {}
        for chunk in _chunks(sorted(article_ids)):
            marks = ",".join("?" * len(chunk))
            query = f"SELECT doc, article, position FROM passages WHERE article IN ({marks})"  # noqa: S608 - only ? placeholders and fixed columns
            found.update((f"{a}:{pos}", doc) for doc, a, pos in self._db().execute(query, chunk))
        return found

    def passage(self, article_id: str, position: int) -> Passage | None:
        """Passage ``position`` of an article, or None."""
        query = f"{PASSAGE} WHERE article = ? AND position = ?"
        found = self._db().execute(query, (article_id, position)).fetchone()
        return passage_from_row(found) if found else None

    def passages(self, docs: Sequence[int]) -> dict[int, Passage]:
        """The stored passages among these numbers, by number."""
        found: dict[int, Passage] = {}
        for chunk in _chunks(list(docs)):
            marks = ",".join("?" * len(chunk))
            for row in self._db().execute(f"{PASSAGE} WHERE doc IN ({marks})", chunk):
                found[row[0]] = passage_from_row(row)
        return found

    def all_passages(self) -> Iterator[tuple[int, Passage, str]]:
        """Every passage in number order, with its story's headline."""
        query = (
            "SELECT p.doc, p.article, p.position, p.text, p.tokens, p.caption, a.title "
            "FROM passages p JOIN articles a ON a.id = p.article ORDER BY p.doc"
        )
        for row in self._db().execute(query):
            yield row[0], passage_from_row(row[:6]), row[6]

    def pending(self) -> tuple[list[int], list[int]]:
        """Passage numbers the engine still has to (add, delete)."""
        added: list[int] = []
        deleted: list[int] = []
        for doc, is_added in self._db().execute("SELECT doc, added FROM pending ORDER BY doc"):
            (added if is_added else deleted).append(doc)
        return added, deleted

    def headed_passages(self, docs: Sequence[int]) -> list[tuple[int, str, str]]:
        """(number, headline, text) of the given passages that still exist."""
        found: list[tuple[int, str, str]] = []
        for chunk in _chunks(list(docs)):
            marks = ",".join("?" * len(chunk))
            query = (
                "SELECT p.doc, a.title, p.text FROM passages p JOIN articles a "  # noqa: S608 - only ? placeholders and fixed columns
                f"ON a.id = p.article WHERE p.doc IN ({marks}) ORDER BY p.doc"
            )
            found.extend(self._db().execute(query, chunk))
        return found

    # --- writes (inside writing()) ---------------------------------------------------------

    def set_meta(self, values: dict[str, str]) -> None:
        """Store these key-value facts, replacing earlier values."""
        self._db().executemany("INSERT OR REPLACE INTO meta VALUES (?, ?)", values.items())

    def put_files(self, rows: Iterable[FileState]) -> None:
        """Record these files as read (size, mtime, digest, problem), replacing earlier rows."""
        self._db().executemany(
            "INSERT OR REPLACE INTO files VALUES (?, ?, ?, ?, ?)",
            ((r.path, r.size, r.mtime_ns, r.digest, r.problem) for r in rows),
        )

    def delete_files(self, paths: Iterable[str]) -> None:
        """Forget these files' rows."""
        self._db().executemany("DELETE FROM files WHERE path = ?", ((p,) for p in paths))

    def delete_articles(self, ids: Iterable[str]) -> None:
        """Remove the articles with these ids."""
        self._db().executemany("DELETE FROM articles WHERE id = ?", ((i,) for i in ids))

    def put_articles(self, rows: Iterable[ArticleRow]) -> None:
        """Store these articles, replacing any with the same id."""
        self._db().executemany(
            f"INSERT OR REPLACE INTO articles VALUES ({', '.join('?' * 22)})",  # noqa: S608 - only ? placeholders and fixed columns
            (article_row(r) for r in rows),
        )

    def place(self, stories: Iterable[tuple[str, str, int]]) -> None:
        """Set (story, rank) of existing articles from (id, story, rank)."""
        self._db().executemany(
            "UPDATE articles SET story = ?, rank = ? WHERE id = ?",
            ((story, rank, article_id) for article_id, story, rank in stories),
        )

    def delete_passages(self, docs: Sequence[int], journal: bool) -> None:
        """Remove these passages; ``journal`` notes each for the engine to delete too."""
        db = self._db()
        db.executemany("DELETE FROM passages WHERE doc = ?", ((d,) for d in docs))
        if journal:
            db.executemany("INSERT OR REPLACE INTO pending VALUES (?, 0)", ((d,) for d in docs))

    def add_passages(self, rows: Sequence[PassageRow], journal: bool) -> None:
        """Store these passages; ``journal`` notes each for the engine to add too."""
        db = self._db()
        db.executemany("INSERT INTO passages VALUES (?, ?, ?, ?, ?, ?, ?)", rows)
        if journal:
            db.executemany("INSERT OR REPLACE INTO pending VALUES (?, 1)", ((r[0],) for r in rows))

    def clear_pending(self, docs: Sequence[int]) -> None:
        """Drop these passages' journal entries once the engine has applied them."""
        self._db().executemany("DELETE FROM pending WHERE doc = ?", ((d,) for d in docs))
