"""Retrieval evaluation: SciFact, headline -> story on Reuters and BBC, own questions, not-found."""

from __future__ import annotations

import argparse
import hashlib
import json
import random
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import ir_measures
import numpy as np
from ir_measures import RR, R, Success, nDCG

from bot.answers import records as answers
from bot.answers.ask import ask
from bot.index.engines import bm25_build
from bot.index.engines.base import Engine
from bot.index.engines.registry import engine_kind
from bot.index.newsindex import NewsIndex
from bot.index.opening import open_index
from bot.ingest.articles import Article, Paragraph
from bot.text import analysis
from bot.text.passages import DEFAULT_MAX_TOKENS, DEFAULT_MIN_TOKENS, Passage, split_articles

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
LUCENE_SCIFACT = {"nDCG@10": 0.6789, "R@100": 0.9253}  # Pyserini BEIR "flat", pyserini 2cr
TARGETS = {
    "scifact nDCG@10": 0.69,
    "scifact R@100": 0.93,
    "reuters MRR@10": 0.62,
    "own Found": 0.95,
    "offcorpus NotFound": 0.90,
}
NEWS_QUERIES = 0  # headlines asked per news set (0 = every story): all are cheap enough
NEWS_FETCH = 100  # passages fetched per headline before they are grouped into stories
SEED = 1987
# SciFact --semantic: BM25 stories reranked per claim, and passages embedded per cached step.
SCIFACT_RERANK = 100
SCIFACT_EMBED_STEP = 512

Qrels = dict[str, dict[str, int]]
Run = dict[str, dict[str, float]]

if TYPE_CHECKING:
    from bot.semantic import VectorStore


@dataclass
class Built:
    """An engine over the passages of some articles, built the way the index builds it."""

    articles: list[Article]
    passages: list[Passage]
    engine: Engine
    seconds: float
    query_seconds: list[float] = field(default_factory=list)

    def search(self, question: str, k: int) -> list[tuple[Passage, float]]:
        """The project's query path: question handling, analyzer, engine."""
        started = time.perf_counter()
        hits = self.engine.search(answers.question_terms(question), k)
        self.query_seconds.append(time.perf_counter() - started)
        return [(self.passages[h.doc], h.score) for h in hits]


def build(articles: Sequence[Article], index_titles: bool, engine: str = "bm25") -> Built:
    """Passages and engine as the index builds them; titles left out when they are the queries."""
    started = time.perf_counter()
    passages = split_articles(articles, DEFAULT_MAX_TOKENS, DEFAULT_MIN_TOKENS)
    titles = {a.article_id: a.title for a in articles} if index_titles else {}
    terms = [analysis.passage_terms(titles.get(p.article_id, ""), p.text) for p in passages]
    built = engine_kind(engine).build(enumerate(terms))
    return Built(list(articles), passages, built, time.perf_counter() - started)


def article(article_id: str, title: str, paragraphs: Iterable[str], source: str) -> Article:
    kept = tuple(Paragraph(" ".join(p.split())) for p in paragraphs if p and p.strip())
    return Article(article_id, title, kept, f"{source}/{article_id}", source=source)


def read_jsonl(path: Path) -> Iterator[dict]:
    with open(path, encoding="utf-8") as handle:
        for line in handle:
            if line.strip():
                yield json.loads(line)


def evaluate(qrels: Qrels, run: Run, measures: Sequence) -> dict[str, float]:
    """Mean of each measure over all judged queries (ir_measures scores a query with no hits 0)."""
    values = ir_measures.calc_aggregate(measures, qrels, run)
    return {str(measure): float(values.get(measure, 0.0)) for measure in measures}


# --- SciFact -------------------------------------------------------------------------------


def scifact(
    path: Path, engine: str, semantic: bool = False, vectors_cache: Path | None = None
) -> dict[str, object]:
    """BEIR SciFact test: abstracts as stories (title + text), claims as questions.

    With ``semantic``, the same BM25 run is also scored after the semantic layer reranks its
    top SCIFACT_RERANK stories (the layer's fusion and constants, as tuned on bench/qa's tune
    split: SciFact stays held out); the vectors of the abstracts' passages are kept in
    ``vectors_cache`` so a rerun embeds nothing.
    """
    docs = [
        article(str(r["_id"]), r.get("title") or "", [r.get("text") or ""], "scifact")
        for r in read_jsonl(path / "corpus.jsonl")
    ]
    docs = [d for d in docs if d.paragraphs]
    queries = {str(r["_id"]): r["text"] for r in read_jsonl(path / "queries.test.jsonl")}
    qrels: Qrels = {}
    with open(path / "qrels" / "test.tsv", encoding="utf-8") as handle:
        next(handle)
        for line in handle:
            qid, did, score = line.split("\t")
            qrels.setdefault(qid, {})[did] = int(score)
    queries = {q: t for q, t in queries.items() if q in qrels}
    built = build(docs, index_titles=True, engine=engine)
    run: Run = {}
    ranked: dict[str, list[tuple[str, float]]] = {}
    for qid, text in queries.items():
        # Abstracts over the token budget are split; a story scores as answers.ask scores it.
        stories = answers.rank_stories(built.search(text, 1000))[:100]
        ranked[qid] = [(story[0][0].article_id, story[0][1]) for story in stories]
        run[qid] = dict(ranked[qid])
    metrics = evaluate(qrels, run, [nDCG @ 10, R @ 100])
    results: dict[str, object] = {
        "queries": len(queries),
        "stories": len(docs),
        "passages": len(built.passages),
        "build_s": round(built.seconds, 2),
        **_latency(built),
        "nDCG@10": metrics["nDCG@10"],
        "R@100": metrics["R@100"],
    }
    if semantic:
        reranked = semantic_rerank(built, queries, ranked, vectors_cache)
        layered = evaluate(qrels, reranked.pop("run"), [nDCG @ 10, R @ 100])  # type: ignore[arg-type]
        results.update({f"semantic {k}": v for k, v in reranked.items()})
        results["semantic nDCG@10"] = layered["nDCG@10"]
        results["semantic R@100"] = layered["R@100"]
    return results


def passage_vectors(built: Built, cache: Path | None) -> tuple[VectorStore, float, int]:
    """Vectors of every passage (headline + text, as the index embeds them), by position.

    Kept in ``cache`` (a folder) when given: saved after each step, so an interrupted run
    resumes, and reused only when it holds the same passages (a digest of their texts).
    Returns the store, the seconds spent embedding now and how many were embedded now.
    """
    from bot.semantic import VectorStore, shared_embedder

    embedder = shared_embedder()
    titles = {a.article_id: a.title for a in built.articles}
    texts = [f"{titles.get(p.article_id, '')}\n{p.text}" for p in built.passages]
    digest = hashlib.sha256("\0".join(texts).encode()).hexdigest()
    store = VectorStore(embedder.dimension, embedder.model_id)
    if cache is not None:
        stamp = cache / "passages.sha256"
        if VectorStore.exists(cache) and stamp.is_file() and stamp.read_text() == digest:
            store = VectorStore.load(cache, embedder.model_id)
        cache.mkdir(parents=True, exist_ok=True)
        stamp.write_text(digest)
    missing = [i for i in range(len(texts)) if i not in store]
    started = time.perf_counter()
    for start in range(0, len(missing), SCIFACT_EMBED_STEP):
        step = missing[start : start + SCIFACT_EMBED_STEP]
        store.add(step, embedder.embed([texts[i] for i in step]))
        if cache is not None:
            store.save(cache)
        print(f"  embedded {start + len(step)} of {len(missing)}", file=sys.stderr, flush=True)
    return store, time.perf_counter() - started, len(missing)


def semantic_rerank(
    built: Built,
    queries: dict[str, str],
    ranked: dict[str, list[tuple[str, float]]],
    cache: Path | None,
) -> dict[str, object]:
    """BM25's top SCIFACT_RERANK stories per claim, fused with the claim's cosine to each
    story's best passage, by the layer's own fusion (bot.semantic.fusion, tuned constants)."""
    from bot.semantic import fusion, shared_embedder

    store, embed_seconds, embedded = passage_vectors(built, cache)
    rows_of: dict[str, list[int]] = {}
    for row, passage in enumerate(built.passages):
        rows_of.setdefault(passage.article_id, []).append(row)
    # Story ids as integer keys, since the fusion functions rank integer keys.
    key_of = {a.article_id: n for n, a in enumerate(built.articles)}
    id_of = {n: article_id for article_id, n in key_of.items()}
    embedder = shared_embedder()
    run: Run = {}
    seconds: list[float] = []
    for qid, text in queries.items():
        top = ranked[qid][:SCIFACT_RERANK]
        started = time.perf_counter()
        question = embedder.embed_one(text)
        dense: list[tuple[int, float]] = []
        for article_id, _ in top:
            vectors = store.get(rows_of[article_id])
            best = max(float(np.dot(v, question)) for v in vectors.values())
            dense.append((key_of[article_id], best))
        dense.sort(key=lambda hit: (-hit[1], hit[0]))
        lexical = [(key_of[a], s) for a, s in top]
        fused = fusion.fuse(lexical, dense)
        seconds.append(time.perf_counter() - started)
        run[qid] = {id_of[key]: score for key, score in fused}
    return {
        "run": run,
        "reranked": SCIFACT_RERANK,
        "fusion": fusion.describe(),
        "embedded now": embedded,
        "embed s": round(embed_seconds, 1),
        "rerank p50 ms": round(1000 * statistics.median(seconds), 2) if seconds else 0.0,
    }


# --- Headline -> story ----------------------------------------------------------------------


def news(path: Path, source: str, engine: str, sample: int) -> dict[str, object]:
    """Each story's headline asks for the story; any of its passages is relevant.

    Headlines are not indexed, so the story has to be found from its body. Stories without a
    body (Reuters' title-only briefs) are neither indexed nor asked.
    """
    stories = []
    for record in read_jsonl(path):
        story = article(
            str(record["id"]).replace("/", "-"),
            record.get("title") or "",
            record.get("paragraphs") or [],
            source,
        )
        if story.paragraphs:
            stories.append(story)
    built = build(stories, index_titles=False, engine=engine)
    by_story: dict[str, list[str]] = {}
    for passage in built.passages:
        by_story.setdefault(passage.article_id, []).append(passage.passage_id)
    asked = [s for s in stories if analysis.analyze(s.title)]
    if sample and len(asked) > sample:
        asked = random.Random(SEED).sample(asked, sample)
    qrels: Qrels = {}
    run: Run = {}
    passages: Run = {}
    for story in asked:
        qrels[story.article_id] = dict.fromkeys(by_story[story.article_id], 1)
        hits = built.search(story.title, NEWS_FETCH)
        # What the bot shows: one passage per story, stories ranked as answers.ask ranks them.
        run[story.article_id] = {
            ranked[0][0].passage_id: ranked[0][1] for ranked in answers.rank_stories(hits)[:10]
        }
        # The engine's raw passage ranking, for comparison with passage-level baselines.
        passages[story.article_id] = {p.passage_id: s for p, s in hits[:10]}
    metrics = evaluate(qrels, run, [RR @ 10, Success @ 1, Success @ 10])
    raw = evaluate(qrels, passages, [RR @ 10])
    return {
        "queries": len(asked),
        "stories": len(stories),
        "passages": len(built.passages),
        "build_s": round(built.seconds, 2),
        **_latency(built),
        "MRR@10": metrics["RR@10"],
        "Success@1": metrics["Success@1"],
        "Success@10": metrics["Success@10"],
        "passage MRR@10": raw["RR@10"],
    }


def _latency(built: Built) -> dict[str, float]:
    times = sorted(built.query_seconds) or [0.0]
    return {
        "query_p50_ms": round(1000 * statistics.median(times), 2),
        "query_p95_ms": round(1000 * times[int(0.95 * (len(times) - 1))], 2),
    }


# --- The shipped corpus: own questions and off-corpus questions ----------------------------


def story_of(index: NewsIndex, article_id: str) -> str:
    """A story's file stem, which is the article id the question set names."""
    found = index.articles.get(article_id)
    return Path(found.path).stem if found else article_id


def own_questions(index: NewsIndex, path: Path) -> dict[str, object]:
    """Success@1/@3 of ``ask`` on hand-written questions, and how many were answered at all."""
    records = list(read_jsonl(path))
    hits1 = hits3 = ranked1 = ranked3 = answered = 0
    misses = []
    for record in records:
        answer = ask(index, record["question"], 3)
        stories = [story_of(index, c.article_id) for c in answer.citations]
        # The ranking alone, whether or not the answer was judged found.
        ranked = stories or [story_of(index, c.article_id) for c in answer.closest]
        answered += answer.found
        hits1 += stories[:1] == [record["story"]]
        hits3 += record["story"] in stories[:3]
        ranked1 += ranked[:1] == [record["story"]]
        ranked3 += record["story"] in ranked[:3]
        if stories[:1] != [record["story"]]:
            misses.append({"question": record["question"], "found": answer.found, "got": ranked})
    n = max(1, len(records))
    return {
        "queries": len(records),
        "Success@1": hits1 / n,
        "Success@3": hits3 / n,
        "Ranked@1": ranked1 / n,
        "Ranked@3": ranked3 / n,
        "Found": answered / n,
        "misses": misses,
    }


def off_corpus(index: NewsIndex, questions: Sequence[str]) -> dict[str, object]:
    """Share of questions the stored news cannot answer that come back not-found."""
    wrongly = []
    for question in questions:
        try:
            answer = ask(index, question, 3)
        except answers.QuestionError:
            continue  # refused outright is also not an answer
        if answer.found:
            wrongly.append(question)
    n = max(1, len(questions))
    return {"queries": len(questions), "NotFound": 1 - len(wrongly) / n, "found": wrongly}


def everyday_questions(path: Path) -> list[str]:
    lines = path.read_text(encoding="utf-8").splitlines()
    return [line.strip() for line in lines if line.strip() and not line.startswith("#")]


def scifact_claims(path: Path) -> list[str]:
    return [r["text"] for r in read_jsonl(path / "queries.test.jsonl")]


# --- Report ---------------------------------------------------------------------------------


def table(results: dict[str, dict[str, object]]) -> str:
    """The results as a Markdown table, with targets and reference numbers beside them."""
    rows = ["| set | metric | newsbot | reference / target |", "|---|---|---:|---|"]

    def add(name: str, metric: str, reference: str = "") -> None:
        value = results.get(name, {}).get(metric)
        if isinstance(value, float):
            rows.append(f"| {name} | {metric} | {value:.4f} | {reference} |")

    add("scifact", "nDCG@10", "Lucene flat 0.6789; target >= 0.69")
    add("scifact", "R@100", "Lucene flat 0.9253; target >= 0.93")
    fusion = results.get("scifact", {}).get("semantic fusion", "")
    add("scifact", "semantic nDCG@10", f"layer on ({fusion}, top 100 reranked); target > 0.72")
    add("reuters", "MRR@10", "rank-bm25 0.581, tantivy 0.598; target >= 0.62")
    add("reuters", "Success@1")
    add("reuters", "Success@10", "rank-bm25 0.777, tantivy 0.793")
    add("reuters", "passage MRR@10", "engine's passage ranking, several passages per story")
    add("bbc", "MRR@10")
    add("bbc", "Success@1")
    add("bbc", "Success@10")
    add("bbc", "passage MRR@10", "engine's passage ranking, several passages per story")
    add("own", "Success@1", "found, and the expected story first")
    add("own", "Success@3", "found, and the expected story in the top 3")
    add("own", "Ranked@1", "ranking only, found or not")
    add("own", "Ranked@3", "ranking only, found or not")
    add("own", "Found", "target >= 0.95")
    add("offcorpus-everyday", "NotFound", "target >= 0.90")
    add("offcorpus-scifact", "NotFound", "target >= 0.90")
    add("offcorpus", "NotFound", "target >= 0.90")
    lines = ["\n".join(rows), ""]
    sizes = ["| set | queries | stories | passages | build s | query p50 ms | p95 ms |"]
    sizes.append("|---|---:|---:|---:|---:|---:|---:|")
    for name in ("scifact", "reuters", "bbc"):
        if name in results:
            r = results[name]
            sizes.append(
                f"| {name} | {r['queries']} | {r['stories']} | {r['passages']} | {r['build_s']} "
                f"| {r['query_p50_ms']} | {r['query_p95_ms']} |"
            )
    if len(sizes) > 2:
        lines += ["\n".join(sizes), ""]
    return "\n".join(lines)


def settings_line() -> str:
    return (
        f"analyzer v{analysis.ANALYZER_VERSION}, bm25 k1={bm25_build.K1} b={bm25_build.B}, "
        f"passages <= {DEFAULT_MAX_TOKENS} tokens, title weight {analysis.TITLE_WEIGHT}, "
        f"story = best passage + {answers.SECOND_PASSAGE_WEIGHT} x second, "
        f"found: story coverage >= {answers.MIN_STORY_COVERAGE}, passage >= {answers.MIN_COVERAGE}"
    )


def run(args: argparse.Namespace, say: Callable[[str], None] = print) -> dict[str, object]:
    if args.k1 is not None:
        bm25_build.K1 = args.k1
    if args.b is not None:
        bm25_build.B = args.b
    if args.second_weight is not None:
        answers.SECOND_PASSAGE_WEIGHT = args.second_weight
    results: dict[str, dict[str, object]] = {}
    if args.scifact:
        say("scifact ...")
        results["scifact"] = scifact(
            args.scifact, args.engine, args.semantic, args.vectors_cache
        )
    if args.reuters:
        say("reuters ...")
        results["reuters"] = news(args.reuters, "reuters", args.engine, args.news_queries)
    if args.bbc:
        say("bbc ...")
        results["bbc"] = news(args.bbc, "bbc", args.engine, args.news_queries)
    if args.corpus and not args.no_corpus:
        with tempfile.TemporaryDirectory() as cache:
            index, _ = open_index(args.corpus, Path(cache), args.engine, DEFAULT_MAX_TOKENS)
            if args.questions:
                say("own questions ...")
                results["own"] = own_questions(index, args.questions)
            offcorpus: list[str] = []
            if args.offcorpus:
                everyday = everyday_questions(args.offcorpus)
                results["offcorpus-everyday"] = off_corpus(index, everyday)
                offcorpus += everyday
            if args.scifact:
                claims = scifact_claims(args.scifact)
                results["offcorpus-scifact"] = off_corpus(index, claims)
                offcorpus += claims
            if offcorpus:
                results["offcorpus"] = off_corpus(index, offcorpus)
    if args.qa_corpus:
        from bench import answers as reader

        say("reader-level question sets ...")
        reader.run(args.qa_corpus, args.out, args.engine, say=say)
    markdown = f"Settings: {settings_line()}\n\n{table(results)}"
    say(markdown)
    if args.out:
        args.out.mkdir(parents=True, exist_ok=True)
        (args.out / "results.md").write_text(markdown + "\n", encoding="utf-8")
        payload = {"settings": settings_line(), "results": results}
        (args.out / "results.json").write_text(json.dumps(payload, indent=2) + "\n")
    return results


def parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m bench.eval",
        description="Measure newsbot's retrieval on public data sets (paths are arguments).",
    )
    parser.add_argument("--scifact", type=Path, help="BEIR SciFact folder (corpus.jsonl, ...)")
    parser.add_argument(
        "--semantic",
        action="store_true",
        help="also score SciFact with the semantic layer reranking BM25's top 100 stories",
    )
    parser.add_argument(
        "--vectors-cache",
        type=Path,
        help="folder keeping SciFact's passage vectors between runs (--semantic)",
    )
    parser.add_argument("--reuters", type=Path, help="reuters21578.jsonl")
    parser.add_argument("--bbc", type=Path, help="bbc-news.jsonl")
    parser.add_argument("--corpus", type=Path, default=REPO / "corpus", help="shipped corpus")
    parser.add_argument("--questions", type=Path, default=HERE / "questions.jsonl")
    parser.add_argument("--offcorpus", type=Path, default=HERE / "offcorpus.txt")
    parser.add_argument("--no-corpus", action="store_true", help="skip the shipped-corpus sets")
    parser.add_argument(
        "--qa-corpus",
        type=Path,
        help="folder from bench.qa.build_corpus: run the reader-level sets (bench.answers)",
    )
    parser.add_argument("--out", type=Path, help="folder for results.md and results.json")
    parser.add_argument("--engine", default="bm25")
    parser.add_argument("--news-queries", type=int, default=NEWS_QUERIES, help="0 = all")
    parser.add_argument("--k1", type=float, help="override bm25_build.K1 (for parameter sweeps)")
    parser.add_argument("--b", type=float, help="override bm25_build.B (for parameter sweeps)")
    parser.add_argument(
        "--second-weight",
        type=float,
        help="override answers.SECOND_PASSAGE_WEIGHT (0 = a story scores as its best passage)",
    )
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    run(parser().parse_args(argv), say=lambda text: print(text, file=sys.stdout, flush=True))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
