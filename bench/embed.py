"""Embedding-layer cost: model load time and memory, passage throughput, question latency, search.

Run: python -m bench.embed --reuters ../shared/data/reuters-21578

Measures bot.semantic as the index and ask paths would use it, in this one process: the
model's load (imports, digest checks, onnxruntime session) and the resident memory it adds;
news paragraphs embedded per second; one question embedded (what ask adds per request); and
exact cosine search over saved, memory-mapped vector stores of growing size (random unit
vectors: search cost does not depend on their content), with the rerank of 50 candidates.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import sys
import tempfile
import time
from collections.abc import Sequence
from importlib.metadata import version
from pathlib import Path

import numpy as np

from bot.semantic import DIMENSION, Embedder, VectorStore, rerank
from bot.semantic.model import BATCH_SIZE, DEFAULT_THREADS, MODEL_ID


def _status_mb(field: str) -> float:
    # VmRSS now, VmHWM the peak: /proc, since getrusage cannot give the current figure.
    with open("/proc/self/status") as handle:
        for line in handle:
            if line.startswith(field + ":"):
                return int(line.split()[1]) / 1024
    raise RuntimeError(f"{field} not in /proc/self/status")


def _reuters(path: Path) -> list[dict[str, object]]:
    file = path / "reuters21578.jsonl" if path.is_dir() else path
    with file.open(encoding="utf-8") as stream:
        return [json.loads(line) for line in stream if line.strip()]


def _percentile(values: Sequence[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def _timed_ms(values: Sequence[float]) -> str:
    return (
        f"p50 {_percentile(values, 0.5):.1f} ms, p95 {_percentile(values, 0.95):.1f} ms, "
        f"max {max(values):.1f} ms ({len(values)} runs)"
    )


def measure_model(
    stories: list[dict[str, object]], passages: int, questions: int, threads: int, batch: int
) -> list[str]:
    paragraphs = [
        str(paragraph)
        for story in stories
        for paragraph in story.get("paragraphs", [])  # type: ignore[union-attr]
        if len(str(paragraph)) > 40
    ][:passages]
    titles = [str(story["title"]).capitalize() + "?" for story in stories if story.get("title")]
    titles = titles[:questions]
    lines: list[str] = []

    rss_before = _status_mb("VmRSS")
    embedder = Embedder(threads=threads, batch_size=batch)
    started = time.perf_counter()
    embedder.load()
    load_s = time.perf_counter() - started
    rss_loaded = _status_mb("VmRSS")
    lines.append(f"model: {MODEL_ID}")
    lines.append(
        f"load (imports onnxruntime + tokenizers, sha256 of both files, session): {load_s:.2f} s"
    )
    lines.append(
        f"resident memory: {rss_before:.0f} MB before, {rss_loaded:.0f} MB loaded "
        f"(+{rss_loaded - rss_before:.0f} MB)"
    )

    embedder.embed(paragraphs[:batch])  # first run: onnxruntime sizes its buffers
    tokens = [len(e.ids) for e in embedder._tokenizer.encode_batch(paragraphs)]
    started = time.perf_counter()
    embedder.embed(paragraphs)
    took = time.perf_counter() - started
    lines.append(
        f"throughput: {len(paragraphs)} Reuters paragraphs (mean {statistics.mean(tokens):.0f} "
        f"tokens, {sum(t >= 256 for t in tokens)} cut at 256) in {took:.2f} s = "
        f"{len(paragraphs) / took:.0f} passages/s ({1000 * took / len(paragraphs):.2f} ms each); "
        f"1M passages ≈ {1e6 / (len(paragraphs) / took) / 3600:.1f} h at this rate"
    )
    lines.append(f"resident memory after embedding: {_status_mb('VmRSS'):.0f} MB")

    per_question = []
    for title in titles:
        started = time.perf_counter()
        embedder.embed_one(title)
        per_question.append(1000 * (time.perf_counter() - started))
    lines.append(f"one question embedded (Reuters headlines): {_timed_ms(per_question)}")
    return lines


def measure_search(sizes: Sequence[int], searches: int, candidates: int) -> list[str]:
    lines: list[str] = []
    rng = np.random.default_rng(0)
    queries = rng.normal(size=(searches, DIMENSION)).astype(np.float32)
    queries /= np.linalg.norm(queries, axis=1, keepdims=True)
    for size in sizes:
        vectors = rng.normal(size=(size, DIMENSION)).astype(np.float32)
        vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
        store = VectorStore(DIMENSION, MODEL_ID)
        started = time.perf_counter()
        store.add(list(range(size)), vectors)
        add_s = time.perf_counter() - started
        del vectors
        with tempfile.TemporaryDirectory(prefix="bench-embed-") as folder:
            started = time.perf_counter()
            store.save(Path(folder))
            save_s = time.perf_counter() - started
            started = time.perf_counter()
            store = VectorStore.load(Path(folder), model_id=MODEL_ID)
            load_ms = 1000 * (time.perf_counter() - started)
            store.search(queries[0], 10)  # first touch pages the file in
            search_ms, rerank_ms = [], []
            for query in queries:
                started = time.perf_counter()
                store.search(query, 20)
                search_ms.append(1000 * (time.perf_counter() - started))
                bm25 = [
                    (int(key), float(candidates - rank))
                    for rank, key in enumerate(rng.integers(0, size, candidates))
                ]
                started = time.perf_counter()
                rerank(bm25, store.get([key for key, _ in bm25]), query)
                rerank_ms.append(1000 * (time.perf_counter() - started))
            lines.append(
                f"{size:>9,} vectors ({size * DIMENSION * 4 / 2**20:,.0f} MB): add {add_s:.2f} s, "
                f"save {save_s:.2f} s, load {load_ms:.1f} ms; exact search top 20 "
                f"{_timed_ms(search_ms)}; rerank {candidates} BM25 candidates "
                f"p50 {_percentile(rerank_ms, 0.5):.2f} ms"
            )
            del store
    return lines


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.embed", description=__doc__)
    parser.add_argument(
        "--reuters", type=Path, required=True, help="reuters21578.jsonl or the folder holding it"
    )
    parser.add_argument("--passages", type=int, default=2000, help="paragraphs to embed")
    parser.add_argument("--questions", type=int, default=200, help="questions to embed one by one")
    parser.add_argument("--threads", type=int, default=DEFAULT_THREADS)
    parser.add_argument("--batch-size", type=int, default=BATCH_SIZE)
    parser.add_argument(
        "--search-sizes",
        default="10000,100000,1000000",
        help="vector store sizes for the search timing (empty: skip)",
    )
    parser.add_argument("--searches", type=int, default=100)
    parser.add_argument("--candidates", type=int, default=50, help="BM25 candidates to rerank")
    args = parser.parse_args(argv)

    print(
        f"# bench.embed — {time.strftime('%Y-%m-%d %H:%M')}, {platform.machine()}, "
        f"{os.cpu_count()} cores, Python {platform.python_version()}, "
        f"onnxruntime {version('onnxruntime')}, numpy {np.__version__}, "
        f"intra-op threads {args.threads}, batch {args.batch_size}"
    )
    # The machine is shared: the load average says how much of it this run had.
    print("load average at start: {:.1f} {:.1f} {:.1f}".format(*os.getloadavg()))
    stories = _reuters(args.reuters)
    for line in measure_model(
        stories, args.passages, args.questions, args.threads, args.batch_size
    ):
        print(line, flush=True)
    sizes = [int(size) for size in args.search_sizes.split(",") if size.strip()]
    for line in measure_search(sizes, args.searches, args.candidates):
        print(line, flush=True)
    print(f"peak resident memory (VmHWM): {_status_mb('VmHWM'):.0f} MB")
    print("load average at end: {:.1f} {:.1f} {:.1f}".format(*os.getloadavg()))
    sys.stdout.flush()


if __name__ == "__main__":
    main()
