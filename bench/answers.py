"""Reader-level benchmark: what `newsbot ask` shows for the issue-10 questions, beside rank-bm25.

Usage::

    python -m bench.qa.build_corpus --data ../shared/data --out bench/out/qa-corpus
    python -m bench.answers --corpus bench/out/qa-corpus --out bench/results

Every question of ``bench/qa/*.jsonl`` goes through ``Newsroom.ask`` (the path ``newsbot ask``
takes, found decision included), k = 3. Measures, per split (tune / holdout) and kind
(lexical / paraphrase):

- story@1/@3: a *shown* citation (found answers only) is the expected story, a copy of it or
  another version of it (``manifest.json``'s copy groups, and the index's own version groups);
- answer@1/@3: the answer string (case-insensitive) is in the text of a shown passage;
- line@1/@3: it is in the answer line (the best sentence printed under a citation);
- found on answerable, not-found on off-corpus and near-miss;
- p50/p95 latency of ``Newsroom.ask``, in process.

The baseline, in the same run: rank-bm25's ``BM25Okapi`` over the same passages and the same
analyzer terms (headline included, as the index holds them), the whole question analyzed, the
best passage of each story, the top three stories, no found rule (it always answers).
Success@k comes from ir-measures (per query, a query with nothing shown scores 0).
"""

from __future__ import annotations

import argparse
import contextlib
import json
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import ir_measures
from ir_measures import Success
from rank_bm25 import BM25Okapi

from bot.newsroom import Newsroom
from bot.semantic import fusion
from bot.settings import load_settings
from bot.text import analysis
from bot.text.passages import Passage

if TYPE_CHECKING:
    pass

HERE = Path(__file__).resolve().parent
QA = HERE / "qa"
K = 3
SPLITS = ("tune", "holdout")
KINDS = ("lexical", "paraphrase", "all")

TARGETS = {
    "answer@3": 0.90,
    "story@3": 0.97,
    "found": 0.95,
    "offcorpus not found": 0.95,
    "nearmiss not found": 0.60,
}


@dataclass
class Shown:
    """What one system showed for one question: cited stories and passages, best first."""

    found: bool
    articles: list[str]
    passages: list[Passage]
    seconds: float = 0.0
    closest: list[str] = field(default_factory=list)
    # Each citation's answer line (newsbot's best sentence); empty for the baseline.
    lines: list[str] = field(default_factory=list)


def load_set(name: str, folder: Path = QA) -> list[dict[str, str]]:
    path = folder / f"{name}.jsonl"
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line]


class Corpus:
    """The built evaluation corpus: its manifest (stems, copy groups) and an index over it."""

    def __init__(
        self, folder: Path, cache: Path, engine: str = "bm25", semantic: bool = False
    ) -> None:
        manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
        self.article_of = {f["stem"]: f["article_id"] for f in manifest["files"]}
        self.group_of = {f["article_id"]: f["copy_group"] for f in manifest["files"]}
        settings = load_settings(
            environ={
                "NEWSBOT_CACHE_DIR": str(cache),
                "NEWSBOT_ENGINE": engine,
                "NEWSBOT_SEMANTIC": "on" if semantic else "off",
            },
            env_file=None,
            corpus_dir=folder,
        )
        self.room = Newsroom(settings)

    def same_story(self, cited: str, stem: str) -> bool:
        """A cited article counts for the expected stem when it is a copy or version of it."""
        expected = self.article_of.get(stem, stem)
        if cited == expected:
            return True
        group = self.group_of.get(expected)
        if group is not None and self.group_of.get(cited) == group:
            return True
        index = self.room.index
        versions = index.story.get(cited, ()) if cited in index.story else ()
        return expected in versions


def ask_newsbot(room: Newsroom, question: str) -> Shown:
    started = time.perf_counter()
    answer = room.ask(question, K)
    seconds = time.perf_counter() - started
    index = room.index
    passages = [index.passages[c.passage_id] for c in answer.citations]
    return Shown(
        answer.found,
        [c.article_id for c in answer.citations],
        passages,
        seconds,
        [c.article_id for c in answer.closest],
        [c.best_sentence or "" for c in answer.citations],
    )


class PlainBM25:
    """rank-bm25 as a newcomer would use it over newsbot's passages: no found rule."""

    def __init__(self, room: Newsroom) -> None:
        index = room.index
        with index.reading():
            rows = list(index.catalog.all_passages())
        self.passages = [passage for _, passage, _ in rows]
        self.model = BM25Okapi([analysis.passage_terms(title, p.text) for _, p, title in rows])

    def ask(self, question: str) -> Shown:
        started = time.perf_counter()
        scores = self.model.get_scores(analysis.analyze(question))
        order = sorted(range(len(scores)), key=lambda i: -scores[i])
        shown: list[Passage] = []
        seen: set[str] = set()
        for i in order:
            passage = self.passages[i]
            if passage.article_id not in seen:
                seen.add(passage.article_id)
                shown.append(passage)
                if len(shown) == K:
                    break
        seconds = time.perf_counter() - started
        return Shown(True, [p.article_id for p in shown], shown, seconds)


def success(qrels: dict[str, dict[str, int]], run: dict[str, dict[str, float]], k: int) -> float:
    """Mean Success@k over every query in ``qrels`` (no run, or nothing relevant: 0)."""
    if not qrels:
        return 0.0
    measure = Success @ k
    values = {m.query_id: m.value for m in ir_measures.iter_calc([measure], qrels, run)}
    return sum(values.get(q, 0.0) for q in qrels) / len(qrels)


def ranked_run(items: Sequence[str]) -> dict[str, float]:
    """Items in shown order as a run: descending scores, the first shown highest.

    An item shown twice (two passages of the right story) keeps its first, higher rank.
    """
    run: dict[str, float] = {}
    for i, item in enumerate(items):
        run.setdefault(item, float(len(items) - i))
    return run


def answerable_metrics(
    corpus: Corpus, rows: Sequence[dict[str, str]], shown: dict[str, Shown]
) -> dict[str, float]:
    """story@1/@3, answer@1/@3 and found rate of one system over ``rows``."""
    story_qrels: dict[str, dict[str, int]] = {}
    story_run: dict[str, dict[str, float]] = {}
    answer_qrels: dict[str, dict[str, int]] = {}
    answer_run: dict[str, dict[str, float]] = {}
    line_run: dict[str, dict[str, float]] = {}
    found = 0
    for row in rows:
        qid, got = row["id"], shown[row["id"]]
        found += got.found
        cited = got.articles if got.found else []
        passages = got.passages if got.found else []
        # Relevance is judged on what was shown: a cited story is right when it is the
        # expected one (or a copy), a shown passage when its text holds the answer.
        story_qrels[qid] = {"right": 1}
        story_run[qid] = ranked_run(
            ["right" if corpus.same_story(a, row["story"]) else f"wrong{i}" for i, a in
             enumerate(cited)]
        )  # fmt: skip
        answer = row["answer"].casefold()
        answer_qrels[qid] = {"holds": 1}
        answer_run[qid] = ranked_run(
            ["holds" if answer in p.text.casefold() else f"not{i}" for i, p in enumerate(passages)]
        )
        lines = got.lines if got.found else []
        line_run[qid] = ranked_run(
            ["holds" if answer in line.casefold() else f"not{i}" for i, line in enumerate(lines)]
        )
    story_run = {q: r for q, r in story_run.items() if r}
    answer_run = {q: r for q, r in answer_run.items() if r}
    line_run = {q: r for q, r in line_run.items() if r}
    n = max(1, len(rows))
    return {
        "questions": len(rows),
        "story@1": success(story_qrels, story_run, 1),
        "story@3": success(story_qrels, story_run, 3),
        "answer@1": success(answer_qrels, answer_run, 1),
        "answer@3": success(answer_qrels, answer_run, 3),
        # The answer line: the sentence printed first under each citation.
        "line@1": success(answer_qrels, line_run, 1),
        "line@3": success(answer_qrels, line_run, 3),
        "found": found / n,
    }


def not_found_rate(rows: Sequence[dict[str, str]], shown: dict[str, Shown]) -> dict[str, float]:
    n = max(1, len(rows))
    return {"questions": len(rows), "not found": sum(not shown[r["id"]].found for r in rows) / n}


def latency(shown: Iterable[Shown]) -> dict[str, float]:
    times = sorted(s.seconds for s in shown) or [0.0]
    return {
        "p50_ms": round(1000 * statistics.median(times), 2),
        "p95_ms": round(1000 * times[int(0.95 * (len(times) - 1))], 2),
    }


def evaluate(corpus: Corpus, sets: dict[str, list[dict[str, str]]]) -> dict[str, object]:
    """Both systems over every question; metrics per split and kind; misses for reading."""
    room = corpus.room
    plain = PlainBM25(room)
    questions = [row for rows in sets.values() for row in rows]
    room.ask("warm up the caches", K)  # the first ask opens SQLite pages: not a reader's wait
    newsbot = {row["id"]: ask_newsbot(room, row["question"]) for row in questions}
    # The same questions as many type them in a chat: all in lower case.
    lower = {row["id"]: ask_newsbot(room, row["question"].lower()) for row in questions}
    baseline = {row["id"]: plain.ask(row["question"]) for row in sets["answerable"]}
    results: dict[str, object] = {}
    for split in SPLITS:
        answerable = [r for r in sets["answerable"] if r["split"] == split]
        rows: dict[str, object] = {}
        for kind in KINDS:
            chosen = [r for r in answerable if kind == "all" or r["kind"] == kind]
            rows[kind] = {
                "newsbot": answerable_metrics(corpus, chosen, newsbot),
                "rank-bm25": answerable_metrics(corpus, chosen, baseline),
            }
        for name in ("offcorpus", "nearmiss"):
            chosen = [r for r in sets[name] if r["split"] == split]
            rows[name] = not_found_rate(chosen, newsbot)
        asked = [r for r in questions if r["split"] == split]
        rows["lower case"] = typed_lower(corpus, sets, split, newsbot, lower)
        rows["latency"] = latency(newsbot[r["id"]] for r in asked)
        rows["latency rank-bm25"] = latency(baseline[r["id"]] for r in answerable)
        results[split] = rows
    for split in SPLITS:
        results[f"{split} rounds"] = by_round(corpus, sets, newsbot, baseline, split)
    results["misses"] = misses(corpus, sets, newsbot)
    return results


def by_round(
    corpus: Corpus,
    sets: dict[str, list[dict[str, str]]],
    newsbot: dict[str, Shown],
    baseline: dict[str, Shown],
    split: str = "holdout",
) -> dict[str, dict[str, float]]:
    """The headline figures of each round of a split on its own: a round asked for the first
    time and one asked again after more tuning are not the same evidence (a fresh tune round
    shows how rules made on the others carry over)."""
    rounds = sorted({int(r["round"]) for rows in sets.values() for r in rows if
                     r["split"] == split})  # fmt: skip
    figures: dict[str, dict[str, float]] = {}
    for number in rounds:
        chosen = {n: [r for r in rows if int(r["round"]) == number] for n, rows in sets.items()}
        mine = answerable_metrics(corpus, chosen["answerable"], newsbot)
        theirs = answerable_metrics(corpus, chosen["answerable"], baseline)
        paraphrase = [r for r in chosen["answerable"] if r["kind"] == "paraphrase"]
        figures[str(number)] = {
            "answerable": mine["questions"],
            "answer@3": mine["answer@3"],
            "rank-bm25 answer@3": theirs["answer@3"],
            "story@3": mine["story@3"],
            "paraphrase story@3": answerable_metrics(corpus, paraphrase, newsbot)["story@3"],
            "found": mine["found"],
            "offcorpus not found": not_found_rate(chosen["offcorpus"], newsbot)["not found"],
            "nearmiss not found": not_found_rate(chosen["nearmiss"], newsbot)["not found"],
        }
    return figures


def typed_lower(
    corpus: Corpus,
    sets: dict[str, list[dict[str, str]]],
    split: str,
    typed: dict[str, Shown],
    lower: dict[str, Shown],
) -> dict[str, float]:
    """The figures that depend on how a question is typed, asked in lower case.

    ``same``: the share of questions whose answer (found or not, and the stories cited) is
    the one they get as written.
    """
    answerable = [r for r in sets["answerable"] if r["split"] == split]
    metrics = answerable_metrics(corpus, answerable, lower)
    asked = [r for rows in sets.values() for r in rows if r["split"] == split]

    def answer(shown: Shown) -> tuple[bool, list[str]]:
        return shown.found, shown.articles

    same = sum(answer(typed[r["id"]]) == answer(lower[r["id"]]) for r in asked)
    return {
        "answer@3": metrics["answer@3"],
        "found": metrics["found"],
        **{
            f"{name} not found": not_found_rate(
                [r for r in sets[name] if r["split"] == split], lower
            )["not found"]
            for name in ("offcorpus", "nearmiss")
        },
        "same": same / max(1, len(asked)),
    }


def misses(
    corpus: Corpus, sets: dict[str, list[dict[str, str]]], newsbot: dict[str, Shown]
) -> list[dict[str, object]]:
    """Questions newsbot got wrong, with what it showed, for reading (tune and holdout alike)."""
    wrong: list[dict[str, object]] = []
    for row in sets["answerable"]:
        got = newsbot[row["id"]]
        holds = got.found and any(row["answer"].casefold() in p.text.casefold()
                                  for p in got.passages)  # fmt: skip
        if not holds:
            wrong.append({
                "id": row["id"], "split": row["split"], "kind": row["kind"],
                "question": row["question"], "answer": row["answer"], "story": row["story"],
                "found": got.found,
                "story_shown": any(corpus.same_story(a, row["story"]) for a in got.articles),
                "shown": [p.passage_id for p in got.passages] or got.closest,
            })  # fmt: skip
    for name in ("offcorpus", "nearmiss"):
        for row in sets[name]:
            got = newsbot[row["id"]]
            if got.found:
                wrong.append({
                    "id": row["id"], "split": row["split"], "question": row["question"],
                    "found": True, "shown": [p.passage_id for p in got.passages],
                })  # fmt: skip
    return wrong


def pct(value: object) -> str:
    return f"{100 * float(value):.1f}" if isinstance(value, float) else str(value)


def table(results: dict[str, object]) -> str:
    """Markdown: one block per split, newsbot beside rank-bm25, targets beside holdout."""
    lines: list[str] = []
    for split in SPLITS:
        rows = results[split]
        assert isinstance(rows, dict)
        lines += [
            f"### {split}",
            "",
            "| questions | n | system | story@1 | story@3 | answer@1 | answer@3 | line@1 | line@3 "
            "| found |",
            "|---|---:|---|---:|---:|---:|---:|---:|---:|---:|",
        ]
        for kind in KINDS:
            for system in ("newsbot", "rank-bm25"):
                m = rows[kind][system]
                lines.append(
                    f"| answerable {kind} | {m['questions']} | {system} | {pct(m['story@1'])} | "
                    f"{pct(m['story@3'])} | {pct(m['answer@1'])} | {pct(m['answer@3'])} | "
                    + (
                        f"{pct(m['line@1'])} | {pct(m['line@3'])} | {pct(m['found'])} |"
                        if system == "newsbot"
                        else "– | – | (always) |"
                    )
                )
        lines += ["", "| set | n | not found % |", "|---|---:|---:|"]
        for name in ("offcorpus", "nearmiss"):
            m = rows[name]
            lines.append(f"| {name} | {m['questions']} | {pct(m['not found'])} |")
        low = rows["lower case"]
        lines += [
            "",
            f"Asked in lower case: answer@3 {pct(low['answer@3'])}, found {pct(low['found'])}, "
            f"off-corpus not found {pct(low['offcorpus not found'])}, near-miss not found "
            f"{pct(low['nearmiss not found'])}; {pct(low['same'])}% of all questions get the "
            "answer they get as written.",
        ]
        lat, base = rows["latency"], rows["latency rank-bm25"]
        lines += [
            "",
            f"newsbot `Newsroom.ask` latency over all {split} questions: p50 {lat['p50_ms']} ms, "
            f"p95 {lat['p95_ms']} ms; rank-bm25 `get_scores` + grouping: p50 {base['p50_ms']} ms,"
            f" p95 {base['p95_ms']} ms.",
            "",
        ]
    for split in SPLITS:
        rounds = results.get(f"{split} rounds")
        if not isinstance(rounds, dict) or not rounds:
            continue
        names = list(next(iter(rounds.values())))
        lines += [
            f"### {split}, round by round",
            "",
            "| round | " + " | ".join(names) + " |",
            "|---|" + "---:|" * len(names),
        ]
        for number, row in rounds.items():
            lines.append(f"| {number} | " + " | ".join(pct(row[n]) for n in names) + " |")
        lines.append("")
    return "\n".join(lines)


def run(
    corpus_dir: Path,
    out: Path | None,
    engine: str = "bm25",
    qa: Path = QA,
    say: Callable[[str], None] = print,
    semantic: Sequence[str] = ("off",),
    cache_dir: Path | None = None,
    tune: bool = False,
) -> dict[str, object]:
    """Every question through newsbot with each semantic mode in ``semantic`` (off, rerank,
    recall, both), over one index and one set of vectors; results by mode when several.

    With ``tune``, the layer's settings are swept over the tune split instead (see ``sweep``).
    ``cache_dir`` keeps the index and its vectors between runs (a temporary folder otherwise).
    """
    sets = {name: load_set(name, qa) for name in ("answerable", "offcorpus", "nearmiss")}
    by_mode: dict[str, object] = {}
    with contextlib.ExitStack() as stack:
        cache = cache_dir or Path(stack.enter_context(tempfile.TemporaryDirectory()))
        wants_layer = tune or set(semantic) != {"off"}
        corpus = Corpus(corpus_dir, Path(cache), engine, semantic=wants_layer)
        if tune:
            from bench.answers_sweep import sweep, sweep_table

            best, rows = sweep(corpus, sets, say)
            corpus.room.index.close()
            markdown = sweep_table(best, rows)
            say(markdown)
            if out is not None:
                out.mkdir(parents=True, exist_ok=True)
                (out / "semantic-sweep.md").write_text(markdown + "\n", encoding="utf-8")
                payload = {"chosen": best.describe(), "rows": dict(rows)}
                (out / "semantic-sweep.json").write_text(json.dumps(payload, indent=2) + "\n")
            return {"chosen": best.describe(), "rows": dict(rows)}
        layer = corpus.room.semantic
        for mode in semantic:
            # Off is the layer removed, as NEWSBOT_SEMANTIC=off leaves it.
            corpus.room.semantic = None if mode == "off" else layer
            if layer is not None and mode != "off":
                layer.mode = mode  # type: ignore[assignment]
            by_mode[mode] = evaluate(corpus, sets)
        corpus.room.semantic = layer
        stats = corpus.room.status()
        corpus.room.index.close()
        if layer is not None:
            about_layer = f"; fusion {fusion.describe(layer.method, layer.rrf_k, layer.weight)}, "
            about_layer += f"{layer.candidates} candidates compared, recall {layer.recall}"
            about_layer += "" if layer.recall_new_stories else " (reorders only)"
        else:
            about_layer = ""
    about = (
        f"corpus {corpus_dir.name}: {stats.stories} stories, {stats.passages} passages; "
        f"engine {engine}; k = {K}; semantic layer: {stats.semantic}{about_layer}"
    )
    if len(by_mode) == 1:
        results = next(iter(by_mode.values()))
        assert isinstance(results, dict)
        markdown = f"{about}\n\n{table(results)}"
    else:
        results = by_mode
        blocks = [f"## semantic {mode}\n\n{table(r)}" for mode, r in by_mode.items()]  # type: ignore[arg-type]
        markdown = f"{about}\n\n" + "\n".join(blocks)
    say(markdown)
    if out is not None:
        out.mkdir(parents=True, exist_ok=True)
        (out / "answers.md").write_text(markdown + "\n", encoding="utf-8")
        payload = {"about": about, "targets": TARGETS, "results": results}
        (out / "answers.json").write_text(json.dumps(payload, indent=2) + "\n", encoding="utf-8")
    return results


def parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m bench.answers", description=__doc__)
    parser.add_argument("--corpus", type=Path, required=True, help="bench.qa.build_corpus's out")
    parser.add_argument("--out", type=Path, help="folder for answers.md and answers.json")
    parser.add_argument("--engine", default="bm25")
    parser.add_argument("--qa", type=Path, default=QA, help="folder of the question sets")
    parser.add_argument(
        "--semantic",
        default="off",
        help="semantic layer modes to run, comma-separated: off, rerank, recall, both "
        "(one index and one embedding serve them all)",
    )
    parser.add_argument(
        "--cache",
        type=Path,
        help="cache folder kept between runs (index and vectors: embedding happens once)",
    )
    parser.add_argument(
        "--sweep",
        action="store_true",
        help="tune the semantic layer's fusion on the tune split only (the holdout is not asked)",
    )
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = parser().parse_args(argv)
    modes = [m.strip() for m in args.semantic.split(",") if m.strip()]
    unknown = set(modes) - {"off", "rerank", "recall", "both"}
    if not modes or unknown:
        raise SystemExit(f"--semantic: unknown mode(s) {sorted(unknown)}")
    run(args.corpus, args.out, args.engine, args.qa,
        say=lambda t: print(t, file=sys.stdout, flush=True), semantic=modes,
        cache_dir=args.cache, tune=args.sweep)  # fmt: skip
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
