"""The semantic layer beside the index: vectors kept in step with passage numbers, and reranking."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Collection, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from bot.semantic import fusion
from bot.semantic.fusion import Hit, Method, rerank
from bot.semantic.model import Embedder, SemanticUnavailable, shared_embedder, unavailable_reason
from bot.semantic.vectors import VectorStore, VectorStoreError

if TYPE_CHECKING:
    import numpy as np

log = logging.getLogger(__name__)

# The index generation's subfolder the vectors live in: they go when the generation goes, so
# passage numbers of another catalog can never meet these vectors.
FOLDER = "vectors"
# How the layer meets BM25, chosen on bench/qa's tune split only (`python -m bench.answers
# --corpus bench/out/qa-corpus --sweep`; never on the held-out third or SciFact), with the
# fusion's own constants in bot.semantic.fusion:
# BM25's best passages whose vectors are compared with the question's (the rest keep their
# BM25 share only); answers hands over 40 (records.COVERAGE_DEPTH x OVERFETCH). 10 and 20 tied
# on tune; 40 lost a question: 10, the cheapest.
CANDIDATES = 10
# Passages dense search adds to BM25's candidates when recall is on (modes "recall" and
# "both"). Round 1's tune: recall 10 or 20 tied no recall on answer@3 and cost a question of
# answer@1. Re-swept on rounds 1-3: recall 20 tied no recall on answer@3 and story@3 and led
# on answer@1 (69.7 against 69.2) and story@1 (82.6 against 81.3); 10 and 40 a question or two
# behind. So the default mode is "both" (rerank and recall), by the sweep's declared order.
RECALL = 20
# Whether a recalled passage may bring in a story BM25 did not find, or only reorder (surface
# another passage of) stories BM25 found: at recall 10, adding stories found one more.
RECALL_NEW_STORIES = True
# Past this many stored vectors dense recall is off (reranking stays on): exact search is a
# full scan, measured single-threaded at p50 0.7 ms for 10k and 37 ms for 100k random 384-d
# vectors here (numpy einsum, a one-off timing under load average ~9), so beyond 100k recall
# would cost more than the rest of an answer and would need an ANN index instead.
RECALL_MAX_PASSAGES = 100_000
# Passages embedded per step; the store is saved after each, so an interrupted first build
# keeps what it embedded (about a minute of work at most on this hardware).
EMBED_STEP = 1024
# Questions whose vectors are remembered (the bot's search threads ask a few at once).
QUESTIONS_REMEMBERED = 16

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
        self,
        embedder: Embedder | None = None,
        mode: Mode = "both",
        method: Method = fusion.METHOD,
    ) -> None:
        self.embedder = embedder or shared_embedder()
        self.mode: Mode = mode
        self.method: Method = method
        # The tuned constants, per layer so a benchmark sweep can vary them in one process.
        self.rrf_k = fusion.RRF_K
        self.weight = fusion.BLEND_DENSE_WEIGHT
        self.candidates = CANDIDATES
        self.recall = RECALL
        self.recall_new_stories = RECALL_NEW_STORIES
        self.recall_max = RECALL_MAX_PASSAGES
        self.store: VectorStore | None = None
        self.folder: Path | None = None
        # Why the layer cannot serve (missing packages, a bad digest): answers are BM25's then.
        self.error: str | None = unavailable_reason()
        self._lock = threading.Lock()
        # The last questions' vectors: one answer asks for its question's vector several times
        # (rerank, then each candidate story's passages), and embedding it costs milliseconds.
        self._questions: dict[str, np.ndarray] = {}
        self._questions_lock = threading.Lock()

    @property
    def ready(self) -> bool:
        """Whether questions are reranked now: the packages load and a store is open."""
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
        """Bring the store in ``folder`` up to date with ``numbers``; None when unavailable.

        Embeds the passages in ``numbers`` without a vector, forgets the vectors of those not in
        it, and saves.
        """
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

    def recall_off(self, passages: int | None = None) -> str | None:
        """Why dense recall is off at this size (one line for ``newsbot status``), or None."""
        if self.mode == "rerank" or self.recall <= 0:
            return None
        count = passages if passages is not None else len(self.store or ())
        if count <= self.recall_max:
            return None
        still = "; reranking still on" if self.mode == "both" else ""
        return f"dense recall off: {_size(count)} passages > {_size(self.recall_max)}{still}"

    def question_vector(self, question: str) -> np.ndarray:
        """The question's vector, remembered for the few questions asked last."""
        with self._questions_lock:
            found = self._questions.get(question)
        if found is None:
            found = self.embedder.embed_one(question)
            with self._questions_lock:
                if len(self._questions) >= QUESTIONS_REMEMBERED:
                    self._questions.pop(next(iter(self._questions)))
                self._questions[question] = found
        return found

    def similarity(self, question: str, keys: Sequence[int]) -> dict[int, float]:
        """The question's cosine with each passage in ``keys`` that has a vector (no others)."""
        store = self.store
        if store is None or self.error is not None or not keys:
            return {}
        try:
            question_vector = self.question_vector(question)
        except SemanticUnavailable as error:
            self.error = str(error)
            log.warning("%s; answers use BM25 alone", error)
            return {}
        return {key: float(vector @ question_vector) for key, vector in store.get(keys).items()}

    def rerank(
        self, question: str, hits: Sequence[Hit], known: Collection[int] | None = None
    ) -> list[Hit]:
        """BM25's (passage number, score) hits fused with the question's nearest vectors.

        ``known``: the passage numbers of the stories BM25 found; when recall may not add
        stories, recalled passages outside it are dropped. A candidate without a vector yet
        (embedding still running, say) keeps its BM25 place when the candidates are
        reranked, rather than sinking below every embedded one.
        """
        store = self.store
        if store is None or self.error is not None or not hits:
            return list(hits)
        try:
            question_vector = self.question_vector(question)
        except SemanticUnavailable as error:
            self.error = str(error)
            log.warning("%s; answers use BM25 alone", error)
            return list(hits)
        reordering = self.mode in ("rerank", "both")
        keys = [key for key, _ in hits]
        compared = keys[: self.candidates] if reordering else []
        vectors = store.get(compared)
        recalled: list[Hit] = []
        if self.mode != "rerank" and self.recall > 0 and self.recall_off(len(store)) is None:
            recalled = store.search(question_vector, self.recall)
            if not self.recall_new_stories and known is not None:
                recalled = [hit for hit in recalled if hit[0] in known]
        fused = rerank(
            hits, vectors, question_vector, method=self.method, recalled=recalled,
            k=self.rrf_k, weight=self.weight,
        )  # fmt: skip
        if not reordering:
            return fused
        # Only candidates that were to be compared and have no vector keep their BM25 place;
        # those past ``candidates`` rank by their BM25 share, as intended.
        unvectored = {i: key for i, key in enumerate(compared) if key not in vectors}
        if not unvectored:
            return fused
        placed = [hit for hit in fused if hit[0] not in unvectored.values()]
        for position, key in sorted(unvectored.items()):
            at = min(position, len(placed))
            # The score of its neighbour: equal scores keep list order when stories are ranked.
            beside = placed[at - 1][1] if at > 0 else (placed[0][1] if placed else 0.0)
            placed.insert(at, (key, beside))
        return placed


def _size(count: int) -> str:
    """1,200,000 -> "1.2M", 100,000 -> "100k": a status line's sizes."""
    if count >= 1_000_000:
        return f"{count / 1_000_000:.3g}M"
    if count >= 1_000:
        return f"{count / 1_000:.3g}k"
    return str(count)
