"""The scale engine: tantivy's BM25 over our analyzed terms, mmap segments, incremental updates."""

from __future__ import annotations

import shutil
import tempfile
import weakref
from collections.abc import Iterable, Sequence
from pathlib import Path

import tantivy

from bot.index.engines.base import Hit

SUBDIR = "tantivy"  # tantivy owns its folder; keep it apart from the generation's other files
TERMS = "terms"
DOC = "doc"
# Writer budget shared by its threads: large enough that a 1M-passage build flushes only a few
# segments (each flush is a segment every query must visit), small enough for a 2-core box.
# Two threads: on free cores one indexing thread is the slower side of the feed (1M passages
# from a catalog: 11-12 s with one, 7.5 s with two); their two segments measured no slower to
# query than one.
BUILD_HEAP = 256_000_000
BUILD_THREADS = 2
# Incremental writes are a handful of passages: one thread and tantivy's per-thread minimum-ish.
UPDATE_HEAP = 32_000_000
UPDATE_THREADS = 1
# Lock files belong to the process holding them, never to a copy.
_LOCKS = shutil.ignore_patterns(".tantivy-*.lock")


def _schema() -> tantivy.Schema:
    builder = tantivy.SchemaBuilder()
    # Terms arrive analyzed (bot.text.analysis): the whitespace tokenizer splits the space-joined
    # terms back apart without lower-casing, stemming or dropping anything, so tantivy indexes
    # exactly the terms rank-bm25 sees. "freq" keeps term frequencies for BM25 but no
    # positions, which we never query (no phrases), for a smaller and faster index.
    builder.add_text_field(TERMS, stored=False, tokenizer_name="whitespace", index_option="freq")
    # The passage number: fast (read for hits without touching the doc store) and indexed
    # (deletes are by term).
    builder.add_integer_field(DOC, stored=False, indexed=True, fast=True)
    return builder.build()


def _document(doc: int, terms: Sequence[str]) -> tantivy.Document:
    made = tantivy.Document()
    made.add_text(TERMS, " ".join(terms))
    made.add_integer(DOC, doc)
    return made


class TantivyEngine:
    """tantivy (Rust, Lucene-like) BM25, k1=1.2 b=0.75 as ours; for hundreds of thousands+.

    Scores follow the same formula and Lucene IDF as the rank-bm25 engine; they differ only
    where tantivy approximates: passage length is stored in one byte (exact up to about 40
    terms, then in coarse buckets), scores are 32-bit floats, and deleted passages count in
    the statistics until their segment is merged.
    """

    name = "tantivy"

    def __init__(self, index: tantivy.Index, path: Path) -> None:
        self._index = index
        self._path = path
        self._schema = index.schema
        self._writer: tantivy.IndexWriter | None = None

    @classmethod
    def build(cls, docs: Iterable[tuple[int, Sequence[str]]]) -> TantivyEngine:
        """An engine over ``(passage number, terms)`` pairs, built in a private folder."""
        return cls.build_joined((doc, " ".join(terms)) for doc, terms in docs)

    @classmethod
    def build_joined(cls, docs: Iterable[tuple[int, str]]) -> TantivyEngine:
        """``build`` from each passage's terms joined by single spaces."""
        # Any iterable, read once: a caller can stream analyzed passages instead of holding
        # all their term lists (about 1.4 GB of Python strings at 1M passages).
        # A built engine exists before anyone says where it will be saved, and tantivy's
        # in-memory index cannot be written out later; so build on disk in a private temp
        # folder that lives as long as the engine.
        path = Path(tempfile.mkdtemp(prefix="newsbot-tantivy-"))
        try:
            index = tantivy.Index(_schema(), path=str(path), reuse=False)
            writer = index.writer(heap_size=BUILD_HEAP, num_threads=BUILD_THREADS)
            add, document = writer.add_document, tantivy.Document
            for doc, terms in docs:
                # Filled field by field: half the cost of Document(**fields) per passage.
                made = document()
                made.add_text(TERMS, terms)
                made.add_integer(DOC, doc)
                add(made)
            writer.commit()
            writer.wait_merging_threads()
            index.reload()
        except BaseException:
            shutil.rmtree(path, ignore_errors=True)
            raise
        engine = cls(index, path)
        weakref.finalize(engine, shutil.rmtree, path, ignore_errors=True)
        return engine

    @classmethod
    def load(cls, directory: Path) -> TantivyEngine:
        """The engine saved in ``directory`` (memory-mapped segments, opened in place)."""
        path = directory / SUBDIR
        if not (path / "meta.json").exists():
            raise FileNotFoundError(f"no tantivy index in {path}")
        return cls(tantivy.Index.open(str(path)), path)

    def save(self, directory: Path) -> None:
        """Copy the engine's committed state into ``directory``."""
        # Pending updates are committed first, and merges finished, so the copy is the engine's
        # whole state and no merge deletes a segment file while it is being copied. Committed
        # segment files never change, so copying them is safe.
        if self._writer is not None:
            self.commit()
            self.close()
        shutil.copytree(self._path, directory / SUBDIR, ignore=_LOCKS)

    def search(self, terms: Sequence[str], k: int) -> list[Hit]:
        """The ``k`` best passages for analyzed ``terms``, by tantivy's BM25."""
        if not terms or k <= 0:
            return []
        searcher = self._index.searcher()
        if searcher.num_docs == 0:
            return []
        # One SHOULD clause per query term, repeats included: rank-bm25 sums a repeated
        # query term twice, and so does a boolean query with the clause twice.
        query = tantivy.Query.boolean_query(
            [
                (
                    tantivy.Occur.Should,
                    tantivy.Query.term_query(self._schema, TERMS, term, index_option="freq"),
                )
                for term in terms
            ]
        )
        hits = searcher.search(query, k, count=False).hits
        if not hits:
            return []
        docs = searcher.fast_field_values(DOC, [address for _, address in hits])
        found = [
            Hit(int(doc), float(score))
            for (score, _), doc in zip(hits, docs, strict=True)
            if doc is not None and score > 0
        ]
        # Equal scores come back in segment order, which changes with merges: order them by
        # passage number so a tie reads the same before and after a reload.
        found.sort(key=lambda hit: (-hit.score, hit.doc))
        return found

    def document_frequencies(self, terms: Sequence[str]) -> tuple[int, dict[str, int]]:
        """Optional engine method: (number of passages, passages holding each distinct term).

        Deleted passages still count until tantivy merges their segment away, as in its BM25.
        """
        searcher = self._index.searcher()
        return searcher.num_docs, {t: searcher.doc_freq(TERMS, t) for t in terms}

    # Incremental updates: optional extras beyond the Engine protocol. They write into the
    # folder this engine reads (the loaded generation, or the private build folder) and become
    # visible to searches at commit(), which is atomic: a crash keeps the last commit.

    def add(self, docs: Sequence[tuple[int, Sequence[str]]]) -> None:
        """Add (or replace: the number is the key) passages; searchable after ``commit()``."""
        writer = self._open_writer()
        for doc, terms in docs:
            # Delete first so re-adding a number replaces it rather than yielding duplicate
            # hits; within one commit a delete only affects documents added before it.
            writer.delete_documents_by_term(DOC, doc)
            writer.add_document(_document(doc, terms))

    def delete(self, doc_ids: Sequence[int]) -> None:
        """Remove passages by number; gone from searches after ``commit()``."""
        writer = self._open_writer()
        for doc in doc_ids:
            writer.delete_documents_by_term(DOC, doc)

    def commit(self) -> None:
        """Publish pending adds and deletes to disk and to this engine's searches."""
        if self._writer is None:
            return
        self._writer.commit()
        # The reader would notice the new commit on its own, but only after its file watcher
        # fires; reload now so the caller's next search sees it.
        self._index.reload()

    def close(self) -> None:
        """Release the writer and its folder lock after merges; uncommitted changes are lost."""
        if self._writer is not None:
            writer, self._writer = self._writer, None
            writer.wait_merging_threads()

    def _open_writer(self) -> tantivy.IndexWriter:
        # Opened on first update only: a writer takes the folder's lock and its threads, which
        # a read-only server (or a second process on the same generation) should not hold.
        if self._writer is None:
            self._writer = self._index.writer(heap_size=UPDATE_HEAP, num_threads=UPDATE_THREADS)
        return self._writer
