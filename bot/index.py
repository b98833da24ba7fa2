"""The persisted index: corpus snapshot plus engine, loaded, refreshed and saved atomically.

Layout under the cache folder: ``gen-<n>/`` directories, each complete (snapshot + engine files),
and a ``CURRENT`` file naming the live one. A new generation is written beside the old, then
``CURRENT`` is replaced in one rename: a crash at any moment leaves the old index or the new
one, never a mix.
"""

from __future__ import annotations

import hashlib
import logging
import os
import pickle
import shutil
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from bot import analysis, corpus
from bot.articles import Article
from bot.passages import DEFAULT_MIN_TOKENS, Passage, split_articles
from bot.search import Engine, Hit, engine_kind
from bot.versions import group_versions

log = logging.getLogger(__name__)

FORMAT_VERSION = 1
SNAPSHOT = "snapshot.pickle"
CURRENT = "CURRENT"


@dataclass(frozen=True)
class Snapshot:
    """Everything derived from the corpus that answers need, minus the engine's own files."""

    format: int
    analyzer: int
    engine: str
    passage_tokens: int
    fingerprint: str
    built_at: float
    files: dict[str, corpus.FileState]
    articles: tuple[Article, ...]  # every version of every story
    stories: tuple[tuple[str, ...], ...]  # article ids of each story, newest first
    passages: tuple[Passage, ...]  # of the newest version of each story only


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


class NewsIndex:
    """A loaded snapshot with its engine and the lookups answers need."""

    def __init__(self, snapshot: Snapshot, engine: Engine) -> None:
        self.snapshot = snapshot
        self.engine = engine
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
        self.passages = {p.passage_id: p for p in snapshot.passages}
        self.by_article: dict[str, list[Passage]] = {}
        for passage in snapshot.passages:
            self.by_article.setdefault(passage.article_id, []).append(passage)

    def search(self, question: str, k: int) -> list[tuple[Passage, float]]:
        hits: list[Hit] = self.engine.search(analysis.analyze(question), k)
        return [(self.snapshot.passages[h.doc], h.score) for h in hits]


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


Progress = Callable[[int, str], None]  # (total files, file just read)


def open_index(
    corpus_dir: Path,
    cache_dir: Path,
    engine: str = "bm25",
    passage_tokens: int = 200,
    rebuild: bool = False,
    progress: Callable[[int], Callable[[str], None]] | None = None,
) -> tuple[NewsIndex, Report]:
    """The index for ``corpus_dir``: reused when the corpus is unchanged, else refreshed."""
    started = time.perf_counter()
    home = index_dir(cache_dir, corpus_dir)
    found = corpus.scan(corpus_dir)
    loaded, note = (None, None) if rebuild else _load(home)
    compatible = loaded is not None and (
        loaded[0].analyzer == analysis.ANALYZER_VERSION
        and loaded[0].engine == engine
        and loaded[0].passage_tokens == passage_tokens
    )
    if loaded is not None and compatible and loaded[0].fingerprint == found.fingerprint():
        snapshot, built_engine = loaded
        return NewsIndex(snapshot, built_engine), Report(
            "reused",
            engine,
            len(snapshot.stories),
            len(snapshot.articles),
            len(snapshot.passages),
            time.perf_counter() - started,
            corpus.Changes(unchanged=len(snapshot.files)),
            corpus.problems(found, snapshot.files),
            note,
        )
    if loaded is not None and not compatible:
        note = "index settings or analyzer changed: rebuilding"
    previous = loaded[0].files if loaded is not None and compatible else {}
    tick = progress(len(found.files)) if progress else None
    states, changes = corpus.read_changed(found, previous, tick)
    snapshot = build_snapshot(found.fingerprint(), states, engine, passage_tokens)
    titles = {a.article_id: a.title for a in snapshot.articles}
    built_engine = engine_kind(engine).build(
        [analysis.passage_terms(titles[p.article_id], p.text) for p in snapshot.passages]
    )
    save(home, snapshot, built_engine)
    action = "refreshed" if previous else "built"
    report = Report(
        action,
        engine,
        len(snapshot.stories),
        len(snapshot.articles),
        len(snapshot.passages),
        time.perf_counter() - started,
        changes,
        corpus.problems(found, states),
        note,
    )
    log.info("index %s: %s (%s)", action, changes.summary(), home)
    return NewsIndex(snapshot, built_engine), report


def build_snapshot(
    fingerprint: str, states: dict[str, corpus.FileState], engine: str, passage_tokens: int
) -> Snapshot:
    articles = corpus.all_articles(states)
    stories = group_versions(articles)
    stories.sort(key=lambda versions: versions[0].article_id)
    passages: Sequence[Passage] = split_articles(
        (versions[0] for versions in stories), passage_tokens, DEFAULT_MIN_TOKENS
    )
    return Snapshot(
        format=FORMAT_VERSION,
        analyzer=analysis.ANALYZER_VERSION,
        engine=engine,
        passage_tokens=passage_tokens,
        fingerprint=fingerprint,
        built_at=time.time(),
        files=states,
        articles=tuple(articles),
        stories=tuple(tuple(a.article_id for a in versions) for versions in stories),
        passages=tuple(passages),
    )


def _load(home: Path) -> tuple[tuple[Snapshot, Engine] | None, str | None]:
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
    return (snapshot, engine), None


def save(home: Path, snapshot: Snapshot, engine: Engine) -> Path:
    """Write a new generation and switch ``CURRENT`` to it atomically; drop older generations."""
    home.mkdir(parents=True, exist_ok=True)
    name = f"gen-{time.time_ns()}-{os.getpid()}"
    staging = home / f".staging-{name}"
    staging.mkdir()
    engine.save(staging)
    with open(staging / SNAPSHOT, "wb") as handle:
        pickle.dump(snapshot, handle, protocol=pickle.HIGHEST_PROTOCOL)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(staging, home / name)
    pointer = home / f".{CURRENT}.{os.getpid()}"
    with open(pointer, "w") as handle:
        handle.write(name)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(pointer, home / CURRENT)
    for entry in home.iterdir():
        if entry.name != name and (
            entry.name.startswith("gen-") or entry.name.startswith(".staging-")
        ):
            shutil.rmtree(entry, ignore_errors=True)
    return home / name
