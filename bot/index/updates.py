"""Bring a catalog up to date with the corpus: read what changed, regroup only what it touches.

A file is read, parsed, cut into passages and analyzed in one step (``prepare``), in worker
processes when there are many files: on a large corpus that work is most of a build. Version
grouping then looks only at the days (and Yonhap web ids) the changed files touch, so one new
story costs a few queries, not a pass over every story in the archive.
"""

from __future__ import annotations

import logging
import os
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Mapping
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field, replace
from multiprocessing import get_context
from pathlib import Path
from typing import IO, Protocol

from bot.index.catalog import Catalog
from bot.index.rows import ArticleRow, PassageRow, Placement, recency_key
from bot.ingest import corpus
from bot.ingest.articles import Article
from bot.ingest.versions import day_key, group_versions, web_key
from bot.text import analysis
from bot.text.passages import DEFAULT_MIN_TOKENS, analyzed_passages

log = logging.getLogger(__name__)

# A build's terms file, in the staging folder beside the catalog until the engine has read it.
TERMS_FILE = ".build-terms"
# Paragraphs kept per article in the catalog: version grouping compares leads, and answers
# read passages, so the rest of each text would only cost space.
LEAN_PARAGRAPHS = 2
# Below this many files to read, starting worker processes costs more than it saves.
PARALLEL_FROM = 1000
FILES_PER_TASK = 64

# One passage, ready to store and index: text, tokens, is caption, analyzed terms as the engine
# indexes them (headline included), analyzed terms of the text alone (stored in the catalog).
Chunk = tuple[str, int, bool, str, str]
Progress = Callable[[int], Callable[[str, str], None]]


@dataclass(frozen=True)
class Prepared:
    """One file read for the index: its state (articles lean) and each article's passages."""

    state: corpus.FileState
    chunks: tuple[tuple[Chunk, ...], ...] = ()


class PassageTerms(Protocol):
    """(passage number, engine terms space-joined) pairs: counted, then read once in order."""

    def __len__(self) -> int: ...

    def __iter__(self) -> Iterator[tuple[int, str]]: ...


@dataclass(frozen=True)
class Part:
    """An update of some folders only: what the catalog holds in them, and the whole picture.

    ``known``: the catalog's files in the folders the scan listed (so a file missing from the
    scan is one removed from them); ``fingerprint``: the whole corpus's fingerprint after the
    update; ``locate``: (path, size, mtime) of a file outside those folders, for a story of
    an unchanged file that must be read again, or None when it is gone.
    """

    known: Mapping[str, corpus.FileState]
    fingerprint: str
    locate: Callable[[str], tuple[str, int, int] | None]


@dataclass(frozen=True)
class Outcome:
    """What an update changed, and the passages the engine must now add (with their terms)."""

    changes: corpus.Changes
    added: PassageTerms = field(default_factory=list)  # (passage number, terms)
    deleted: list[int] = field(default_factory=list)


def lean(article: Article) -> Article:
    """``article`` with only its first paragraphs: what the catalog keeps besides the passages."""
    if len(article.paragraphs) <= LEAN_PARAGRAPHS:
        return article  # already lean: the same record, not a copy of it
    return replace(article, paragraphs=article.paragraphs[:LEAN_PARAGRAPHS])


def prepare(job: tuple[str, str, int, int, int]) -> Prepared:
    """Read one file and cut and analyze every article in it (runs in worker processes)."""
    relative, path, size, mtime, passage_tokens = job
    state = corpus.read_file(relative, path, size, mtime)
    chunks = tuple(_chunks(a, passage_tokens) for a in state.articles)
    return Prepared(replace(state, articles=tuple(lean(a) for a in state.articles)), chunks)


def _chunks(article: Article, passage_tokens: int) -> tuple[Chunk, ...]:
    # analysis.article_terms, with each text's own terms kept apart for the catalog.
    headline = " ".join(analysis.analyze(article.title) * analysis.TITLE_WEIGHT)
    return tuple(
        (text, tokens, caption, f"{headline} {own}" if headline and own else headline or own, own)
        for text, tokens, caption, own in analyzed_passages(
            article, passage_tokens, DEFAULT_MIN_TOKENS
        )
    )


def _exit_with(pid: int) -> None:
    """In a worker: exit when the process that started the pool is gone.

    A pool's workers wait on a queue their siblings also hold open, so after a kill -9 of the
    indexing process nobody would ever tell them to stop.
    """

    def watch() -> None:
        while True:
            time.sleep(0.5)
            try:
                os.kill(pid, 0)
            except ProcessLookupError:
                os._exit(1)
            except PermissionError:  # alive, under another user (a reused pid at worst)
                pass

    threading.Thread(target=watch, name="newsbot-exit-with-parent", daemon=True).start()


def _prepared(jobs: list[tuple[str, str, int, int, int]]) -> Iterator[Prepared]:
    """``prepare`` over the jobs, in order; on every core when there are enough of them."""
    workers = min(os.cpu_count() or 1, 8)
    if len(jobs) < PARALLEL_FROM or workers < 2:
        yield from map(prepare, jobs)
        return
    # forkserver, not fork: the bot's process holds threads (event loop helpers, tantivy's)
    # that a forked child would inherit in whatever state they were.
    done = 0
    try:
        with ProcessPoolExecutor(
            workers,
            mp_context=get_context("forkserver"),
            initializer=_exit_with,
            initargs=(os.getpid(),),
        ) as pool:
            for item in pool.map(prepare, jobs, chunksize=FILES_PER_TASK):
                done += 1
                yield item
    except BrokenProcessPool as error:
        # A worker died (killed, out of memory, or a script that starts work on import):
        # slower, but the index still gets built.
        log.warning("worker processes failed (%s); reading the rest in this process", error)
        yield from map(prepare, jobs[done:])


def update(
    catalog: Catalog,
    found: corpus.Scan,
    passage_tokens: int,
    progress: Progress | None = None,
    fresh: bool = False,
    part: Part | None = None,
) -> Outcome:
    """Make ``catalog`` hold what ``found`` holds; ``fresh``: the catalog is new and empty.

    One transaction: a crash leaves the catalog as it was, and the files it did not record
    are read again next time. Engine work is journalled in ``pending`` unless ``fresh``.
    ``part``: ``found`` lists only some folders of the corpus (see ``Part``).
    """
    if fresh:
        known: Mapping[str, corpus.FileState] = {}
    else:
        known = part.known if part is not None else catalog.files()
    stale = corpus.stale(found, known)
    tick = progress(len(found.files)) if progress else None
    if tick:
        for relative in found.files.keys() - set(stale):
            tick(relative, "unchanged")
    jobs = [(relative, *found.files[relative], passage_tokens) for relative in stale]
    started = time.perf_counter()
    read: dict[str, Prepared] = {}
    added: list[str] = []
    changed: list[str] = []
    touched: list[corpus.FileState] = []
    with catalog.writing():
        # A build stores each file as it arrives, while the workers read the next ones.
        build = _Build(catalog) if fresh else None
        for item in _prepared(jobs):
            relative = item.state.path
            old = known.get(relative)
            status = corpus.status(old, item.state)
            if tick:
                tick(relative, status)
            if status == "unchanged" and old is not None:
                touched.append(replace(old, mtime_ns=item.state.mtime_ns))
                continue
            (changed if old is not None else added).append(relative)
            if build is not None:
                build.add(item)
            else:
                read[relative] = item
        # A file in a folder the scan could not list is unseen, not gone: its stories stay.
        removed = sorted(p for p in known.keys() - found.files.keys() if not found.hides(p))
        changes = corpus.Changes(
            tuple(added), tuple(changed), tuple(removed), len(found.files) - len(added + changed)
        )
        log.info("read %d files in %.1f s", len(jobs), time.perf_counter() - started)
        started = time.perf_counter()
        if build is not None:
            outcome = build.finish(changes)
        else:
            locate = part.locate if part is not None else None
            outcome = _Regroup(catalog, found, passage_tokens, locate).apply(read, changes)
        catalog.delete_files(removed)
        catalog.put_files([*touched, *(p.state for p in read.values())])
        fingerprint = found.fingerprint() if part is None else part.fingerprint
        catalog.set_meta({"fingerprint": fingerprint, "built_at": repr(time.time())})
    log.info(
        "stored %d new passages (%d deleted) in %.1f s",
        len(outcome.added), len(outcome.deleted), time.perf_counter() - started,
    )  # fmt: skip
    return outcome


class _Build:
    """A new catalog, filled file by file, then grouped into stories.

    Every article is stored as the newest of its own story, with its passages; once all are
    in, versions are grouped and older ones step back. The engine's terms of each passage go to
    a file beside the catalog as they arrive, in passage-number order, and are read back once
    for the engine: held in memory they were most of a build's peak (~0.6 GB at 1M passages).
    """

    BATCH = 2000  # rows per insert: one executemany per file would cost more than the rows

    def __init__(self, catalog: Catalog) -> None:
        self.catalog = catalog
        self.articles: list[Article] = []
        self.passages: dict[str, tuple[int, int]] = {}  # id -> (first number, how many)
        self.next_doc = 0
        self.rows: list[ArticleRow] = []
        self.passage_rows: list[PassageRow] = []
        self.files: list[corpus.FileState] = []
        self.terms = _TermsFile(catalog.path.parent / TERMS_FILE)

    def add(self, item: Prepared) -> None:
        relative = item.state.path
        rows, passages, terms = self.rows, self.passage_rows, self.terms.pending
        self.files.append(item.state)
        for position, article in enumerate(item.state.articles):
            article_id = corpus.unique_id(article.article_id, relative, self._free)
            if article_id != article.article_id:
                article = replace(article, article_id=article_id)
            self.articles.append(article)
            rows.append(_row(article, relative, position, article_id, 0))
            doc = self.next_doc
            for n, (text, tokens, caption, analyzed, own) in enumerate(item.chunks[position], 1):
                passages.append((doc, article_id, n, text, tokens, caption, own))
                terms.append(analyzed)
                doc += 1
            self.passages[article_id] = (self.next_doc, doc - self.next_doc)
            self.next_doc = doc
        if len(passages) >= self.BATCH:
            self._flush()

    def _flush(self) -> None:
        self.terms.flush()
        self.catalog.put_articles(self.rows)
        self.catalog.add_passages(self.passage_rows, journal=False)
        self.catalog.put_files(self.files)
        self.rows, self.passage_rows, self.files = [], [], []

    def _free(self, article_id: str) -> bool:
        return article_id not in self.passages

    def finish(self, changes: corpus.Changes) -> Outcome:
        self._flush()
        stepped_back: list[tuple[str, str, int]] = []
        for story in group_versions(self.articles):
            newest = story[0].article_id
            stepped_back.extend((a.article_id, newest, rank) for rank, a in enumerate(story))
        self.catalog.place(p for p in stepped_back if p[2] > 0)
        older = [self.passages[article_id] for article_id, _, rank in stepped_back if rank]
        deleted = [first + n for first, count in older for n in range(count)]
        self.catalog.delete_passages(deleted, journal=False)
        self.catalog.set_meta({"next_doc": str(self.next_doc)})
        return Outcome(changes, self.terms.close(self.next_doc, deleted))


class _TermsFile:
    """Each passage's engine terms, one line per passage number from 0.

    Terms are runs of word characters joined by single spaces: never a line break in them.
    """

    def __init__(self, path: Path) -> None:
        self.path = path
        self._handle: IO[str] = open(path, "w", encoding="utf-8", newline="\n")  # noqa: SIM115 - closed in close()
        self.pending: list[str] = []  # written a batch at a time: one write per passage cost more

    def flush(self) -> None:
        if self.pending:
            self.pending.append("")  # the last line's line break
            self._handle.write("\n".join(self.pending))
            self.pending.clear()

    def close(self, count: int, deleted: list[int]) -> BuildTerms:
        self.flush()
        self._handle.close()
        return BuildTerms(self.path, count, frozenset(deleted))


class BuildTerms:
    """A build's passages and their engine terms, read back from its terms file in number order.

    Read once: the file is removed once read to its end (or by ``discard``).
    """

    def __init__(self, path: Path, count: int, deleted: frozenset[int]) -> None:
        self.path = path
        self.count = count
        self.deleted = deleted

    def __len__(self) -> int:
        return self.count - len(self.deleted)

    def __iter__(self) -> Iterator[tuple[int, str]]:
        deleted = self.deleted
        with open(self.path, encoding="utf-8", newline="\n") as handle:
            for doc, line in enumerate(handle):
                if doc not in deleted:
                    yield doc, line[:-1]
        self.discard()

    def discard(self) -> None:
        """Remove the terms file (the engine has them, or will never need them)."""
        self.path.unlink(missing_ok=True)


def _row(article: Article, file: str, position: int, story: str, rank: int) -> ArticleRow:
    return ArticleRow(
        article, file, position, day_key(article), web_key(article), story, rank,
        recency_key(article),
    )  # fmt: skip


@dataclass
class _New:
    article: Article
    file: str
    position: int
    chunks: tuple[Chunk, ...]


class _Regroup:
    """Inside the update's transaction: articles in and out, stories regrouped, passages cut."""

    def __init__(
        self,
        catalog: Catalog,
        found: corpus.Scan,
        passage_tokens: int,
        locate: Callable[[str], tuple[str, int, int] | None] | None = None,
    ) -> None:
        self.catalog = catalog
        self.found = found
        self.passage_tokens = passage_tokens
        self.locate = locate

    def apply(self, read: dict[str, Prepared], changes: corpus.Changes) -> Outcome:
        catalog = self.catalog
        gone_files = {*changes.changed, *changes.removed}
        gone = catalog.in_files(gone_files) if gone_files else []
        gone_ids = {p.article_id for p in gone}
        new = self._new_articles(read, gone_ids)
        affected = self._affected(gone, gone_files, new)
        # Files in path order, articles in file order: grouping sees them as a full build does.
        order = {i: (p.file, p.position) for i, p in affected.items()}
        order.update({n.article.article_id: (n.file, n.position) for n in new})
        pool = [*catalog.articles(list(affected)).values(), *(n.article for n in new)]
        pool.sort(key=lambda a: order[a.article_id])
        stories = group_versions(pool)
        place = {a.article_id: (s[0].article_id, r) for s in stories for r, a in enumerate(s)}

        was_newest = {i for i, p in affected.items() if p.rank == 0}
        now_newest = {s[0].article_id for s in stories}
        kept = was_newest & now_newest  # unchanged files, still newest: passages stand
        dropped = (was_newest - now_newest) | {p.article_id for p in gone if p.rank == 0}
        deleted = catalog.docs_of(dropped) if dropped else []
        catalog.delete_passages(deleted, journal=True)
        catalog.delete_articles(gone_ids)
        catalog.put_articles(
            _row(n.article, n.file, n.position, *place[n.article.article_id]) for n in new
        )
        catalog.place((i, *place[i]) for i, p in affected.items() if place[i] != (p.story, p.rank))
        chunks = {n.article.article_id: n.chunks for n in new}
        meta = catalog.meta()
        next_doc = int(meta.get("next_doc", "0"))
        rows: list[PassageRow] = []
        terms: list[tuple[int, str]] = []
        for article_id in sorted(now_newest - kept):
            found = chunks.get(article_id)
            if found is None:  # an unchanged file's story became newest: read it again
                found = self._reread(article_id)
            for position, (text, tokens, caption, analyzed, own) in enumerate(found, start=1):
                rows.append((next_doc, article_id, position, text, tokens, caption, own))
                terms.append((next_doc, analyzed))
                next_doc += 1
        catalog.add_passages(rows, journal=True)
        catalog.set_meta({"next_doc": str(next_doc)})
        return Outcome(changes, terms, deleted)

    def _new_articles(self, read: dict[str, Prepared], gone_ids: set[str]) -> list[_New]:
        taken: set[str] = set()

        def free(article_id: str) -> bool:
            if article_id in taken:
                return False
            return article_id in gone_ids or not self.catalog.has_article(article_id)

        new: list[_New] = []
        for relative in sorted(read):
            item = read[relative]
            for position, article in enumerate(item.state.articles):
                article_id = corpus.unique_id(article.article_id, relative, free)
                taken.add(article_id)
                if article_id != article.article_id:
                    article = replace(article, article_id=article_id)
                new.append(_New(article, relative, position, item.chunks[position]))
        return new

    def _affected(
        self, gone: list[Placement], gone_files: set[str], new: list[_New]
    ) -> dict[str, Placement]:
        """Stored articles that could group with a new or departed one: their whole days."""
        days = {p.day for p in gone if p.day} | {d for n in new if (d := day_key(n.article))}
        webs = {p.web_key for p in gone if p.web_key}
        webs |= {w for n in new if (w := web_key(n.article))}
        stories = {p.story for p in gone}
        seen: tuple[set[str], set[str], set[str]] = (set(), set(), set())
        affected: dict[str, Placement] = {}
        while days or webs or stories:
            rows = self.catalog.related(days, webs, stories)
            seen[0].update(days), seen[1].update(webs), seen[2].update(stories)
            days, webs, stories = set(), set(), set()
            for row in rows:
                if row.file in gone_files or row.article_id in affected:
                    continue
                affected[row.article_id] = row
                if row.day and row.day not in seen[0]:
                    days.add(row.day)
                if row.web_key and row.web_key not in seen[1]:
                    webs.add(row.web_key)
                if row.story not in seen[2]:
                    stories.add(row.story)
        return affected

    def _reread(self, article_id: str) -> tuple[Chunk, ...]:
        origin = self.catalog.origin(article_id)
        if origin is None:
            return ()
        relative, position = origin
        where = self.found.files.get(relative)
        if where is None and self.locate is not None:  # outside the folders a part listed
            where = self.locate(relative)
        if where is None:
            return ()
        item = prepare((relative, *where, self.passage_tokens))
        if item.state.problem or position >= len(item.chunks):
            log.warning("could not re-read %s for its passages: %s", relative, item.state.problem)
            return ()
        return item.chunks[position]


def analyzed_terms(catalog: Catalog, docs: Iterable[int]) -> list[tuple[int, list[str]]]:
    """Terms of stored passages, for an engine catching up after a crash."""
    return [
        (doc, analysis.passage_terms(title, text))
        for doc, title, text in catalog.headed_passages(list(docs))
    ]
