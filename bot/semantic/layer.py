"""The semantic layer beside the index: vectors kept in step with passage numbers, and reranking."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Collection, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from bot.semantic.fusion import Hit, Method, rerank
from bot.semantic.model import Embedder, SemanticUnavailable, shared_embedder, unavailable_reason
from bot.semantic.vectors import VectorStore, VectorStoreError

log = logging.getLogger(__name__)

# The index generation's subfolder the vectors live in: they go when the generation goes, so
# passage numbers of another catalog can never meet these vectors.
FOLDER = "vectors"
# Passages dense search adds to BM25's candidates.
RECALL = 20
# Passages embedded per step; the store is saved after each, so an interrupted first build
# keeps what it embedded (about a minute of work at most on this hardware).
EMBED_STEP = 1024

# rerank: BM25's candidates reordered with their vectors; recall: dense search's hits fused
# with BM25's; both: the two together.
Mode = Literal["rerank", "recall", "both"]
MODES: tuple[Mode, ...] = ("rerank", "recall", "both")
# (numbers) -> (number, text) of those passages that still exist.
Texts = Callable[[Sequence[int]], Iterable[tuple[int, str]]]
# total -> one call per embedded passage count.
Progress = Callable[[int], Callable[[int], None]]


@dataclass(frozen=True)
class Synced:
    """What one sync changed in the store."""

    embedded: int
    deleted: int
    stored: int


class SemanticLayer:
    """One vector store per index generation, brought up to date by ``sync``.

    Reranking reads whichever store was current when it started: a sync builds its changes on
    a store of its own and swaps it in once saved, so a question never sees a half-made one.
    """

    def __init__(
        self, embedder: Embedder | None = None, mode: Mode = "both", method: Method = "rrf"
    ) -> None:
        self.embedder = embedder or shared_embedder()
        self.mode: Mode = mode
        self.method: Method = method
        self.store: VectorStore | None = None
        self.folder: Path | None = None
        # Why the layer cannot serve (missing packages, a bad digest): answers are BM25's then.
        self.error: str | None = unavailable_reason()
        self._lock = threading.Lock()

    @property
    def ready(self) -> bool:
        return self.error is None and self.store is not None

    def _opened(self, folder: Path) -> VectorStore:
        """The store saved in ``folder``, or an empty one (none yet, or another model's)."""
        if VectorStore.exists(folder):
            try:
                return VectorStore.load(folder, self.embedder.model_id)
            except VectorStoreError as error:
                log.warning("vectors in %s not used (%s); embedding again", folder, error)
        return VectorStore(self.embedder.dimension, self.embedder.model_id)

    def load(self, folder: Path) -> None:
        """Serve the vectors another process saved in ``folder`` (no embedding)."""
        if self.error is not None:
            return
        with self._lock:
            self.store, self.folder = self._opened(folder), folder

    def sync(
        self,
        folder: Path,
        numbers: Collection[int],
        texts: Texts,
        progress: Progress | None = None,
    ) -> Synced | None:
        """Embed the passages in ``numbers`` without a vector, forget the vectors of those not
        in it, and save into ``folder``; None when the layer is unavailable."""
        if self.error is not None:
            return None
        with self._lock:
            # A store of its own, from the saved files (mapped, not copied): questions keep
            # reading the current one until this one is saved and swapped in.
            store = self._opened(folder)
            wanted = set(numbers)
            stored = set(store.keys())
            missing = sorted(wanted - stored)
            gone = stored - wanted
            deleted = store.delete(gone)
            if deleted and not missing:
                store.save(folder)
            tick = progress(len(missing)) if progress and missing else None
            embedded = 0
            try:
                for start in range(0, len(missing), EMBED_STEP):
                    rows = list(texts(missing[start : start + EMBED_STEP]))
                    if rows:
                        store.add([n for n, _ in rows], self.embedder.embed([t for _, t in rows]))
                    embedded += len(rows)
                    store.save(folder)
                    if tick is not None:
                        tick(len(rows))
            except SemanticUnavailable as error:
                self.error = str(error)
                log.warning("%s; answers use BM25 alone", error)
                return None
            self.store, self.folder = store, folder
            return Synced(embedded, deleted, len(store))

    def rerank(self, question: str, hits: Sequence[Hit]) -> list[Hit]:
        """BM25's (passage number, score) hits fused with the question's nearest vectors.

        A candidate without a vector yet (embedding still running, say) keeps its BM25 place
        when the candidates are reranked, rather than sinking below every embedded one.
        """
        store = self.store
        if store is None or self.error is not None or not hits:
            return list(hits)
        try:
            question_vector = self.embedder.embed_one(question)
        except SemanticUnavailable as error:
            self.error = str(error)
            log.warning("%s; answers use BM25 alone", error)
            return list(hits)
        reordering = self.mode in ("rerank", "both")
        keys = [key for key, _ in hits]
        vectors = store.get(keys) if reordering else {}
        recalled = store.search(question_vector, RECALL) if self.mode != "rerank" else []
        fused = rerank(hits, vectors, question_vector, method=self.method, recalled=recalled)
        if not reordering:
            return fused
        unvectored = {i: key for i, key in enumerate(keys) if key not in vectors}
        if not unvectored:
            return fused
        placed = [hit for hit in fused if hit[0] not in unvectored.values()]
        for position, key in sorted(unvectored.items()):
            at = min(position, len(placed))
            # The score of its neighbour: equal scores keep list order when stories are ranked.
            beside = placed[at - 1][1] if at > 0 else (placed[0][1] if placed else 0.0)
            placed.insert(at, (key, beside))
        return placed
