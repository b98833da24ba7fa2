"""The persisted index: corpus snapshot plus engine, loaded, refreshed and saved atomically.

Layout under the cache folder: ``gen-<n>/`` directories, each complete (snapshot + engine files),
and a ``CURRENT`` file naming the live one. A new generation is written beside the old, then
``CURRENT`` is replaced in one rename: a crash at any moment leaves the old index or the new
one, never a mix. An engine that updates in place (tantivy) starts its new generation from
hard links to the old one's files, so a small change costs a small write, not a rebuild.
"""

from __future__ import annotations

import hashlib
import logging
import os
import pickle
import shutil
import time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path

from bot import analysis, corpus
from bot.articles import Article
from bot.passages import DEFAULT_MIN_TOKENS, Passage, PassageTable, split_article
from bot.readers import ArticleError, parse_bytes
from bot.search import Engine, IncrementalEngine, engine_kind
from bot.versions import group_versions

log = logging.getLogger(__name__)

FORMAT_VERSION = 2
SNAPSHOT = "snapshot.pickle"
CURRENT = "CURRENT"
# Paragraphs kept per article in the snapshot: version grouping compares leads, and answers
# read passages, so the rest of each text would only cost memory and restart time.
LEAN_PARAGRAPHS = 2
# Above this share of deleted passage slots an update rebuilds, to compact the numbering.
MAX_HOLES = 0.25


@dataclass(frozen=True)
class Snapshot:
    """Everything derived from the corpus that answers need, minus the engine's own files."""

    format: int
    analyzer: int
    engine: str
    passage_tokens: int
    fingerprint: str
    built_at: float
    files: dict[str, corpus.FileState]  # articles kept lean (first paragraphs only)
    articles: tuple[Article, ...]  # every version of every story, lean
    origins: dict[str, tuple[str, int]]  # article id -> (file, position in the file)
    stories: tuple[tuple[str, ...], ...]  # article ids of each story, newest first
    passages: PassageTable  # of the newest version of each story only
    docs: dict[str, tuple[int, int]]  # newest article id -> its passage numbers [start, stop)


@dataclass(frozen=True)
class Report:
    """What opening the index did, for the CLI summary and the log."""

    action: str  # "reused", "built", "refreshed"
    engine: str
    stories: int
    articles: int
    passages: int
    seconds: float
    changes: corpus.Changes = field(default_factory=corpus.Changes)
    problems: dict[str, str] = field(default_factory=dict)
    note: str | None = None


class _ByArticle(Mapping[str, list[Passage]]):
    """Passages of each newest article, made on demand from the passage table."""

    def __init__(self, snapshot: Snapshot) -> None:
        self._snapshot = snapshot

    def __getitem__(self, article_id: str) -> list[Passage]:
        start, stop = self._snapshot.docs[article_id]
        return self._snapshot.passages[start:stop]

    def __iter__(self) -> Iterator[str]:
        return iter(self._snapshot.docs)

    def __len__(self) -> int:
        return len(self._snapshot.docs)


class _ByPassageId(Mapping[str, Passage]):
    """Passages by id ("<article>:<n>"), without a million-entry dict."""

    def __init__(self, snapshot: Snapshot) -> None:
        self._snapshot = snapshot

    def __getitem__(self, passage_id: str) -> Passage:
        article_id, _, number = passage_id.rpartition(":")
        start, stop = self._snapshot.docs[article_id]  # KeyError: not a newest article
        if not number.isdigit() or not 1 <= int(number) <= stop - start:
            raise KeyError(passage_id)
        return self._snapshot.passages[start + int(number) - 1]

    def __iter__(self) -> Iterator[str]:
        for article_id, (start, stop) in self._snapshot.docs.items():
            for n in range(1, stop - start + 1):
                yield f"{article_id}:{n}"

    def __len__(self) -> int:
        return self._snapshot.passages.live


class NewsIndex:
    """A loaded snapshot with its engine and the lookups answers need."""

    def __init__(self, snapshot: Snapshot, engine: Engine, generation: Path | None = None) -> None:
        self.snapshot = snapshot
        self.engine = engine
        self.generation = generation  # the folder it was loaded from or saved to
        self.articles = {a.article_id: a for a in snapshot.articles}
        self.newest: dict[str, str] = {}
        self.story: dict[str, tuple[str, ...]] = {}
        for story in snapshot.stories:
            for article_id in story:
                self.newest[article_id] = story[0]
                self.story[article_id] = story
        # Newest first once per index, so /latest and autocomplete never sort per request.
        self.current = sorted(
            (self.articles[story[0]] for story in snapshot.stories), key=recency, reverse=True
        )
        self.passages: Mapping[str, Passage] = _ByPassageId(snapshot)
        self.by_article: Mapping[str, list[Passage]] = _ByArticle(snapshot)

    def search(self, question: str, k: int) -> list[tuple[Passage, float]]:
        return self.search_terms(analysis.analyze(question), k)

    def search_terms(self, terms: list[str], k: int) -> list[tuple[Passage, float]]:
        """Search with terms already analyzed (analyzing twice would stem stems)."""
        table = self.snapshot.passages
        hits = self.engine.search(terms, k)
        return [
            (table[h.doc], h.score) for h in hits if h.doc < len(table) and table.article_ids[h.doc]
        ]


def recency(article: Article) -> tuple[int, tuple[int, int, int, str]]:
    """Sort key, newest first when reversed; stories without a known year sort last."""
    published = article.published
    if published is None or published.year is None:
        return (0, published.sort_key() if published else (0, 0, 0, ""))
    return (1, published.sort_key())


def index_dir(settings_cache: Path, corpus_dir: Path) -> Path:
    """One index folder per corpus folder, so two corpora never share a cache."""
    resolved = corpus_dir.resolve()
    digest = hashlib.sha256(str(resolved).encode()).hexdigest()[:12]
    return settings_cache / f"{resolved.name or 'corpus'}-{digest}"


@dataclass(frozen=True)
class _Loaded:
    snapshot: Snapshot
    engine: Engine
    generation: Path


def open_index(
    corpus_dir: Path,
    cache_dir: Path,
    engine: str = "bm25",
    passage_tokens: int = 200,
    rebuild: bool = False,
    progress: Callable[[int], Callable[[str, str], None]] | None = None,
    current: NewsIndex | None = None,
) -> tuple[NewsIndex, Report]:
    """The index for ``corpus_dir``: reused when the corpus is unchanged, else refreshed.

    ``current``, the index a running process already holds, saves reading it back from disk;
    it is used only while it is still the live generation.
    """
    started = time.perf_counter()
    home = index_dir(cache_dir, corpus_dir)
    found = corpus.scan(corpus_dir)
    if rebuild:
        loaded, note = None, None
    elif current is not None and current.generation is not None and _is_live(home, current):
        loaded, note = _Loaded(current.snapshot, current.engine, current.generation), None
    else:
        loaded, note = _load(home)
    compatible = loaded is not None and (
        loaded.snapshot.analyzer == analysis.ANALYZER_VERSION
        and loaded.snapshot.engine == engine
        and loaded.snapshot.passage_tokens == passage_tokens
    )
    if loaded is not None and not compatible:
        note = "index settings or analyzer changed: rebuilding"
        loaded = None
    if loaded is not None and loaded.snapshot.fingerprint == found.fingerprint():
        snapshot = loaded.snapshot
        reused = current if current is not None and current.snapshot is snapshot else None
        return reused or NewsIndex(snapshot, loaded.engine, loaded.generation), Report(
            "reused", engine, len(snapshot.stories), len(snapshot.articles),
            snapshot.passages.live, time.perf_counter() - started,
            corpus.Changes(unchanged=len(snapshot.files)),
            corpus.problems(found, snapshot.files), note,
        )  # fmt: skip

    previous = loaded.snapshot.files if loaded is not None else {}
    tick = progress(len(found.files)) if progress else None
    states, changes = corpus.read_changed(found, previous, tick)
    fresh = {path: states[path].articles for path in (*changes.added, *changes.changed)}
    lean_states = dict(states)
    for path in fresh:  # files read just now; the others came lean from the last snapshot
        lean_states[path] = replace(
            states[path], articles=tuple(_lean(a) for a in states[path].articles)
        )
    articles, origins = corpus.all_articles(lean_states)
    stories = sorted(group_versions(articles), key=lambda versions: versions[0].article_id)
    plan = _Plan(corpus_dir, found.fingerprint(), lean_states, fresh, passage_tokens)
    snapshot, built = plan.apply(loaded, engine, articles, origins, stories, home)
    generation = home / _current_name(home)
    action = "refreshed" if previous else "built"
    report = Report(
        action, engine, len(snapshot.stories), len(snapshot.articles), snapshot.passages.live,
        time.perf_counter() - started, changes, corpus.problems(found, states), note,
    )  # fmt: skip
    log.info("index %s: %s (%s)", action, changes.summary(), home)
    return NewsIndex(snapshot, built, generation), report


def _is_live(home: Path, index: NewsIndex) -> bool:
    try:
        return index.generation == home / _current_name(home)
    except OSError:
        return False


def _lean(article: Article) -> Article:
    return replace(article, paragraphs=article.paragraphs[:LEAN_PARAGRAPHS])


@dataclass
class _Plan:
    """Turns a new set of stories into passages and an engine, reusing what did not change."""

    corpus_dir: Path
    fingerprint: str
    states: dict[str, corpus.FileState]
    fresh: dict[str, tuple[Article, ...]]  # full articles of the files read in this refresh
    passage_tokens: int

    def apply(
        self,
        loaded: _Loaded | None,
        engine: str,
        articles: list[Article],
        origins: dict[str, tuple[str, int]],
        stories: list[list[Article]],
        home: Path,
    ) -> tuple[Snapshot, Engine]:
        newest = [versions[0] for versions in stories]
        old = loaded.snapshot if loaded is not None else None
        kept = {
            a.article_id for a in newest if old is not None and self._unchanged(a, old, origins)
        }
        incremental = (
            loaded is not None
            and isinstance(loaded.engine, IncrementalEngine)
            and old is not None
            and old.passages.holes < MAX_HOLES * max(1, len(old.passages))
        )
        if incremental and old is not None and loaded is not None:
            table = old.passages.copy()
            docs = {k: v for k, v in old.docs.items() if k in kept}
            removed = [d for k, (a, b) in old.docs.items() if k not in kept for d in range(a, b)]
            table.delete(removed)
        else:
            table, docs, removed = PassageTable(), {}, []
        added: list[int] = []
        for article in newest:
            if article.article_id in docs:
                continue
            if old is not None and article.article_id in kept:  # full rebuild: copy passages
                start, stop = old.docs[article.article_id]
                span = table.append(old.passages[start:stop])
            else:
                span = table.append(self._passages(article, origins[article.article_id]))
                added.extend(span)
            docs[article.article_id] = (span.start, span.stop)
        snapshot = Snapshot(
            format=FORMAT_VERSION,
            analyzer=analysis.ANALYZER_VERSION,
            engine=engine,
            passage_tokens=self.passage_tokens,
            fingerprint=self.fingerprint,
            built_at=time.time(),
            files=self.states,
            articles=tuple(articles),
            origins=origins,
            stories=tuple(tuple(a.article_id for a in versions) for versions in stories),
            passages=table,
            docs=docs,
        )
        titles = {a.article_id: a.title for a in newest}
        if incremental and loaded is not None:
            return snapshot, _update(home, loaded, snapshot, removed, added, titles)
        terms = (
            analysis.passage_terms(titles[owner], table.texts[doc]) if owner else []
            for doc, owner in enumerate(table.article_ids)
        )
        built = engine_kind(engine).build(list(terms) if engine == "bm25" else terms)
        save(home, snapshot, built)
        return snapshot, built

    def _unchanged(
        self, article: Article, old: Snapshot, origins: dict[str, tuple[str, int]]
    ) -> bool:
        """Same id, from the same place in a file with the same bytes: its passages stand."""
        if article.article_id not in old.docs:
            return False
        where = origins[article.article_id]
        if old.origins.get(article.article_id) != where:
            return False
        before = old.files.get(where[0])
        return before is not None and before.digest == self.states[where[0]].digest

    def _passages(self, article: Article, origin: tuple[str, int]) -> list[Passage]:
        path, position = origin
        full = self.fresh.get(path)
        if full is None:  # an unchanged file whose story became newest: read it again
            try:
                full = tuple(parse_bytes((self.corpus_dir / path).read_bytes(), path))
            except (OSError, ArticleError) as error:
                log.warning("could not re-read %s for its passages: %s", path, error)
                return []
        if position >= len(full):
            return []
        whole = replace(full[position], article_id=article.article_id)
        return split_article(whole, self.passage_tokens, DEFAULT_MIN_TOKENS)


def _update(
    home: Path,
    loaded: _Loaded,
    snapshot: Snapshot,
    removed: list[int],
    added: list[int],
    titles: dict[str, str],
) -> Engine:
    """A new generation sharing the old one's engine files, changed in place, then switched to."""
    staging = _staging(home)
    for entry in loaded.generation.iterdir():
        if entry.name == SNAPSHOT:
            continue
        if entry.is_dir():  # segment files never change once written: link, don't copy
            shutil.copytree(entry, staging / entry.name, copy_function=os.link)
        else:
            os.link(entry, staging / entry.name)
    engine = engine_kind(snapshot.engine).load(staging)
    assert isinstance(engine, IncrementalEngine)
    table = snapshot.passages
    engine.delete(removed)
    engine.add(
        [(d, analysis.passage_terms(titles[table.article_ids[d]], table.texts[d])) for d in added]
    )
    engine.commit()
    close = getattr(engine, "close", None)
    if close is not None:
        close()
    _promote(home, staging, snapshot)
    return engine_kind(snapshot.engine).load(home / _current_name(home))


def _load(home: Path) -> tuple[_Loaded | None, str | None]:
    """The live generation, or None with the reason it cannot be used."""
    pointer = home / CURRENT
    if not pointer.exists():
        return None, None
    try:
        generation = home / pointer.read_text().strip()
        with open(generation / SNAPSHOT, "rb") as handle:
            snapshot = pickle.load(handle)
        if not isinstance(snapshot, Snapshot) or snapshot.format != FORMAT_VERSION:
            raise ValueError("written by another version of newsbot")
        engine = engine_kind(snapshot.engine).load(generation)
    except Exception as error:  # any damage means: rebuild from the corpus, which is the truth
        reason = f"index at {home} is unusable ({error.__class__.__name__}: {error}); rebuilding"
        log.warning(reason)
        return None, reason
    return _Loaded(snapshot, engine, generation), None


def _staging(home: Path) -> Path:
    home.mkdir(parents=True, exist_ok=True)
    staging = home / f".staging-gen-{time.time_ns()}-{os.getpid()}"
    staging.mkdir()
    return staging


def _current_name(home: Path) -> str:
    return (home / CURRENT).read_text().strip()


def save(home: Path, snapshot: Snapshot, engine: Engine) -> Path:
    """Write a new generation and switch ``CURRENT`` to it atomically; drop older generations."""
    staging = _staging(home)
    engine.save(staging)
    return _promote(home, staging, snapshot)


def _promote(home: Path, staging: Path, snapshot: Snapshot) -> Path:
    with open(staging / SNAPSHOT, "wb") as handle:
        pickle.dump(snapshot, handle, protocol=pickle.HIGHEST_PROTOCOL)
        handle.flush()
        os.fsync(handle.fileno())
    name = staging.name.removeprefix(".staging-")
    os.replace(staging, home / name)
    pointer = home / f".{CURRENT}.{os.getpid()}"
    with open(pointer, "w") as handle:
        handle.write(name)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(pointer, home / CURRENT)
    for entry in home.iterdir():
        stale = entry.name.startswith("gen-") or entry.name.startswith(".staging-")
        if entry.name != name and stale:
            shutil.rmtree(entry, ignore_errors=True)
    return home / name
