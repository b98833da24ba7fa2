"""What the semantic layer adds to ``Newsroom.ask``: p50/p95 per mode over one built corpus.

Run::

    python -m bench.realcorpus --data ../shared/data --passages 10000 --out DIR \\
        --questions questions.json
    python -m bench.semantic_latency --corpus DIR --questions questions.json --cache CACHE

Embedding a 10k-passage corpus takes hours on a busy 2-core machine, and the vectors' values do
not change what a search or a fusion costs, so by default every passage gets a random unit
vector (seeded) stored where the layer keeps its own; the question is embedded by the real
model on every ask, as the bot does. What random vectors do change: which passages dense
recall adds, hence how many more stories the answer path reads. ``--embed`` embeds the corpus
for real instead (and keeps the vectors in the cache for the next run).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from bot.newsroom import Newsroom
from bot.semantic import MODEL_ID, VectorStore, shared_embedder
from bot.semantic.layer import FOLDER, MODES
from bot.settings import Settings, load_settings

SEED = 11
ROUNDS = 3


def _settings(corpus: Path, cache: Path, semantic: bool, engine: str) -> Settings:
    return load_settings(
        environ={
            "NEWSBOT_CACHE_DIR": str(cache),
            "NEWSBOT_ENGINE": engine,
            "NEWSBOT_SEMANTIC": "on" if semantic else "off",
        },
        env_file=None,
        corpus_dir=corpus,
    )


def random_vectors(room: Newsroom) -> int:
    """Give every passage without a vector a random unit one; returns how many were added."""
    index = room.index
    folder = index.generation / FOLDER
    store = (
        VectorStore.load(folder, MODEL_ID)
        if VectorStore.exists(folder)
        else VectorStore(shared_embedder().dimension, MODEL_ID)
    )
    with index.reading():
        numbers = sorted(
            set(index.catalog.docs_of(index.catalog.article_ids())) - set(store.keys())
        )
    if numbers:
        rng = np.random.default_rng(SEED)
        vectors = rng.standard_normal((len(numbers), store.dimension)).astype(np.float32)
        vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
        store.add(numbers, vectors)
        store.save(folder)
    return len(numbers)


def _timed(room: Newsroom, questions: Sequence[str], rounds: int) -> dict[str, float]:
    for question in questions:
        room.ask(question, 3)  # warm: SQLite pages, stem caches, the model's session
    times: list[float] = []
    for _ in range(rounds):
        for question in questions:
            started = time.perf_counter()
            room.ask(question, 3)
            times.append(time.perf_counter() - started)
    times.sort()
    return {
        "asks": len(times),
        "p50_ms": round(1000 * statistics.median(times), 2),
        "p95_ms": round(1000 * times[int(0.95 * (len(times) - 1))], 2),
    }


def run(args: argparse.Namespace) -> dict[str, object]:
    questions = json.loads(args.questions.read_text(encoding="utf-8"))[: args.limit]
    room = Newsroom(_settings(args.corpus, args.cache, False, args.engine))
    added = 0 if args.embed else random_vectors(room)
    room.index.close()
    # Opened with the layer on: the sync embeds only passages without a vector (none, unless
    # --embed), exactly as a restart of the bot would.
    room = Newsroom(_settings(args.corpus, args.cache, True, args.engine))
    layer = room.semantic
    assert layer is not None
    status = room.status()
    results: dict[str, object] = {
        "passages": status.passages,
        "semantic": status.semantic,
        "random vectors": added,
        "questions": len(questions),
        "load_before": os.getloadavg()[0],
    }
    embedder = layer.embedder
    embed_times = []
    for question in questions:
        started = time.perf_counter()
        embedder.embed_one(question)
        embed_times.append(time.perf_counter() - started)
    results["question embedding p50_ms"] = round(1000 * statistics.median(embed_times), 2)
    room.semantic = None
    results["off"] = _timed(room, questions, args.rounds)
    room.semantic = layer
    for mode in MODES:
        layer.mode = mode
        results[mode] = _timed(room, questions, args.rounds)
    results["load_after"] = os.getloadavg()[0]
    room.index.close()
    return results


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.semantic_latency", description=__doc__)
    parser.add_argument("--corpus", type=Path, required=True)
    parser.add_argument("--questions", type=Path, required=True, help="JSON list of questions")
    parser.add_argument("--cache", type=Path, required=True, help="kept between runs")
    parser.add_argument("--engine", default="bm25")
    parser.add_argument("--limit", type=int, default=100, help="questions asked")
    parser.add_argument("--rounds", type=int, default=ROUNDS)
    parser.add_argument("--embed", action="store_true", help="embed the corpus for real")
    results = run(parser.parse_args(argv))
    print(json.dumps(results, indent=2), file=sys.stdout)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
