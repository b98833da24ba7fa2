"""Behaviour every engine shares (run on each), plus the tantivy engine's incremental updates."""

from __future__ import annotations

import gc
import json
import random
import zipfile
from array import array
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.index.engines import bm25
from bot.index.engines.base import Engine, Hit, idf
from bot.index.engines.bm25 import RankBM25Engine
from bot.index.engines.tantivy import TantivyEngine
from bot.text.analysis import analyze

ENGINES = {"bm25": RankBM25Engine, "tantivy": TantivyEngine}

PASSAGES = [
    "South Korea hosted a semiconductor summit in Seoul on Tuesday.",
    "Chipmakers pledged to expand research funding for memory chips.",
    "North Korea fired a short-range missile into the sea, the military said.",
    "The central bank left interest rates unchanged, citing inflation risks.",
    "Samsung said memory chip prices would recover in the second half.",
    "Heavy rain flooded parts of Seoul, and the city closed riverside roads.",
    "Exports of semiconductors rose 12 percent in March from a year earlier.",
    "The summit ended with a joint statement on chip supply chains.",
]
DOCS = [analyze(text) for text in PASSAGES]

QUESTIONS = [
    "Where was the semiconductor summit?",
    "memory chip prices",
    "Did North Korea fire a missile?",
    "interest rates inflation",
    "Seoul flooding roads",
    "chip chip exports",  # a repeated term counts twice in both engines
]


@pytest.fixture(params=sorted(ENGINES))
def engine_cls(request: pytest.FixtureRequest):
    return ENGINES[request.param]


def _docs(hits: Sequence[Hit]) -> list[int]:
    return [h.doc for h in hits]


def _ranking(hits: Sequence[Hit]) -> list[int]:
    """Passage numbers best first, equal scores (to float32 precision) by number."""
    return [h.doc for h in sorted(hits, key=lambda h: (-round(h.score, 4), h.doc))]


def test_the_best_passage_comes_first(engine_cls):
    engine = engine_cls.build(enumerate(DOCS))
    assert _docs(engine.search(analyze("semiconductor summit in Seoul"), 3))[0] == 0
    assert _docs(engine.search(analyze("missile"), 3)) == [2]
    hits = engine.search(analyze("memory chips"), 10)
    assert set(_docs(hits)) == {1, 4, 7}  # "chips" and "chip" share a stem
    assert [h.score for h in hits] == sorted((h.score for h in hits), reverse=True)


def test_only_positive_scores_and_only_matching_passages(engine_cls):
    engine = engine_cls.build(enumerate(DOCS))
    hits = engine.search(analyze("missile rain"), 10)
    assert set(_docs(hits)) == {2, 5}
    assert all(h.score > 0 for h in hits)
    assert engine.search(["zzzunknown"], 10) == []


def test_k_is_respected(engine_cls):
    engine = engine_cls.build(enumerate(DOCS))
    terms = analyze("Seoul chip summit memory")
    assert len(engine.search(terms, 2)) == 2
    assert len(engine.search(terms, 1)) == 1
    assert engine.search(terms, 0) == []
    assert len(engine.search(terms, 1000)) == len(
        {d for d, ts in enumerate(DOCS) if set(ts) & set(terms)}
    )


def test_hits_carry_the_passage_numbers_given_at_build(engine_cls):
    # Numbers are sparse once passages are deleted: they are keys, not positions.
    engine = engine_cls.build((100 + 7 * n, terms) for n, terms in enumerate(DOCS))
    assert _docs(engine.search(analyze("missile"), 3)) == [100 + 7 * 2]


def test_empty_query_and_empty_corpus(engine_cls, tmp_path: Path):
    assert engine_cls.build(enumerate(DOCS)).search([], 10) == []
    empty = engine_cls.build(enumerate([]))
    assert empty.search(analyze("Seoul"), 10) == []
    empty.save(tmp_path)
    assert engine_cls.load(tmp_path).search(analyze("Seoul"), 10) == []


def test_an_empty_passage_is_indexed_but_never_found(engine_cls):
    engine = engine_cls.build(enumerate([*DOCS, []]))
    assert len(DOCS) not in _docs(engine.search(analyze("Seoul summit"), 100))


def test_save_and_load_give_identical_results(engine_cls, tmp_path: Path):
    built = engine_cls.build(enumerate(DOCS))
    generation = tmp_path / "staging"
    generation.mkdir()
    built.save(generation)
    # The index renames the staging folder into place after saving: the files must not care.
    moved = generation.rename(tmp_path / "gen-1")
    loaded = engine_cls.load(moved)
    for question in QUESTIONS:
        assert loaded.search(analyze(question), 5) == built.search(analyze(question), 5)


def test_a_saved_index_outlives_the_engine_that_built_it(engine_cls, tmp_path: Path):
    built = engine_cls.build(enumerate(DOCS))
    expected = built.search(analyze("chip summit"), 5)
    built.save(tmp_path)
    del built
    gc.collect()
    assert engine_cls.load(tmp_path).search(analyze("chip summit"), 5) == expected


def test_loading_from_a_folder_without_an_index_fails(engine_cls, tmp_path: Path):
    with pytest.raises(FileNotFoundError):
        engine_cls.load(tmp_path)


def test_bm25_saves_plain_arrays_and_json_that_load_without_pickle(tmp_path: Path):
    built = RankBM25Engine.build(enumerate(DOCS))
    built.save(tmp_path)
    # One file, so the index replaces a saved engine in one rename.
    assert [p.name for p in tmp_path.iterdir()] == [bm25.FILE]
    # A JSON manifest and raw numeric arrays: nothing in the file is code to run.
    with zipfile.ZipFile(tmp_path / bm25.FILE) as stored:
        assert sorted(stored.namelist()) == sorted([bm25.MANIFEST, *bm25.ARRAYS])
        manifest = json.loads(stored.read(bm25.MANIFEST))
    assert set(manifest["vocab"]) == {term for doc in DOCS for term in doc}
    loaded = RankBM25Engine.load(tmp_path)
    terms = ["seoul", "chip", "zzzunknown"]
    assert loaded.document_frequencies(terms) == built.document_frequencies(terms)
    for question in QUESTIONS:
        assert loaded.search(analyze(question), 8) == built.search(analyze(question), 8)


def _members(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as stored:
        return {name: stored.read(name) for name in stored.namelist()}


def _rewrite(path: Path, members: dict[str, bytes]) -> None:
    with zipfile.ZipFile(path, "w") as stored:
        for name, data in members.items():
            stored.writestr(name, data)


def test_bm25_refuses_arrays_that_do_not_fit_their_manifest(tmp_path: Path):
    RankBM25Engine.build(enumerate(DOCS)).save(tmp_path)
    path = tmp_path / bm25.FILE
    members = _members(path)
    _rewrite(path, {**members, "ids": members["ids"][:24]})  # three passage numbers
    with pytest.raises(ValueError, match="do not fit"):
        RankBM25Engine.load(tmp_path)
    _rewrite(path, {**members, "rows": members["rows"][:-1]})  # not whole int32 items
    with pytest.raises(ValueError):
        RankBM25Engine.load(tmp_path)
    _rewrite(path, {k: v for k, v in members.items() if k != bm25.MANIFEST})
    with pytest.raises(ValueError, match="no bm25 manifest"):
        RankBM25Engine.load(tmp_path)
    _rewrite(path, {k: v for k, v in members.items() if k != "weights"})
    with pytest.raises(ValueError, match="not a readable"):
        RankBM25Engine.load(tmp_path)
    # A file cut short (a full disk, a copy interrupted) is refused, not half read.
    _rewrite(path, members)
    path.write_bytes(path.read_bytes()[:-40])
    with pytest.raises(ValueError, match="not a readable"):
        RankBM25Engine.load(tmp_path)


def test_bm25_reads_a_file_written_in_the_other_byte_order(tmp_path: Path):
    built = RankBM25Engine.build(enumerate(DOCS))
    built.save(tmp_path)
    path = tmp_path / bm25.FILE
    members = _members(path)
    manifest = json.loads(members[bm25.MANIFEST])
    other = "big" if manifest["byteorder"] == "little" else "little"
    swapped = {}
    for name, code in bm25.ARRAYS.items():
        values = array(code, members[name])
        values.byteswap()
        swapped[name] = values.tobytes()
    manifest = json.dumps({**manifest, "byteorder": other}).encode()
    _rewrite(path, {bm25.MANIFEST: manifest, **swapped})
    loaded = RankBM25Engine.load(tmp_path)
    for question in QUESTIONS:
        assert loaded.search(analyze(question), 8) == built.search(analyze(question), 8)


def test_bm25_postings_score_as_rank_bm25_scores_after_a_reload(tmp_path: Path):
    rng = random.Random(3)
    vocab = [f"w{i}" for i in range(60)]
    docs = [[rng.choice(vocab) for _ in range(rng.randint(0, 20))] for _ in range(200)]
    built = RankBM25Engine.build(enumerate(docs))
    built.save(tmp_path)
    loaded = RankBM25Engine.load(tmp_path)
    assert built._model is not None
    for _ in range(10):
        query = [rng.choice(vocab) for _ in range(3)]
        expected = built._model.get_scores(query)
        hits = loaded.search(query, 200)
        assert {h.doc for h in hits} == {d for d in range(len(docs)) if expected[d] > 0}
        assert np.allclose([h.score for h in hits], expected[[h.doc for h in hits]], rtol=1e-5)


def test_bm25_scores_are_float32_sums_to_the_bit():
    # What the engine summed with numpy before search stopped loading it: the same scores, to
    # the last bit, keep rankings and ties (the earlier passage first) where they were.
    rng = random.Random(5)
    vocab = [f"w{i}" for i in range(40)]
    docs = [[rng.choice(vocab) for _ in range(rng.randint(1, 25))] for _ in range(300)]
    built = RankBM25Engine.build(enumerate(docs))
    postings = built._postings
    offsets = np.frombuffer(postings.offsets, np.int64)
    rows = np.frombuffer(postings.rows, np.int32)
    weights = np.frombuffer(postings.weights, np.float32)
    float64_differs = False
    for _ in range(30):
        query = [rng.choice(vocab) for _ in range(rng.randint(1, 6))]
        expected = np.zeros(len(docs), np.float32)
        wide = np.zeros(len(docs), np.float64)
        for term in query:
            start, end = offsets[postings.vocab[term]], offsets[postings.vocab[term] + 1]
            expected[rows[start:end]] += weights[start:end]
            wide[rows[start:end]] += weights[start:end]
        float64_differs |= bool((wide != expected).any())
        hits = built.search(query, len(docs))
        assert [h.score for h in hits] == [float(expected[h.doc]) for h in hits]
        order = sorted(np.flatnonzero(expected > 0), key=lambda d: (-expected[d], d))
        assert [h.doc for h in hits] == order
    assert float64_differs  # the check can tell float32 sums from float64 ones


def test_the_bm25_engine_scores_with_the_one_shared_idf():
    built = RankBM25Engine.build(enumerate(DOCS))
    assert built._model is not None
    size, counts = built.document_frequencies(["seoul", "chip"])
    for term, df in counts.items():
        assert built._model.idf[term] == idf(size, df)
    assert idf(10, 0) > idf(10, 5) > idf(10, 10) > 0  # Lucene's form never reaches zero


def test_document_frequencies_count_passages_per_term(engine_cls):
    engine = engine_cls.build(enumerate(DOCS))
    assert isinstance(engine, Engine)  # counting is part of the protocol, not an optional extra
    size, counts = engine.document_frequencies(["seoul", "chip", "zzzunknown"])
    assert size == len(DOCS)
    assert counts == {"seoul": 2, "chip": 3, "zzzunknown": 0}


def test_both_engines_rank_the_same_passages_with_the_same_scores():
    ours, theirs = RankBM25Engine.build(enumerate(DOCS)), TantivyEngine.build(enumerate(DOCS))
    for question in QUESTIONS:
        a, b = ours.search(analyze(question), 5), theirs.search(analyze(question), 5)
        assert _ranking(a) == _ranking(b), question
        scores = {h.doc: h.score for h in a}
        assert [h.score for h in b] == pytest.approx([scores[h.doc] for h in b], rel=1e-5)


# Passages of up to 40 terms: tantivy stores lengths exactly up to there, so scores must agree.
_TERM = st.sampled_from(["seoul", "chip", "summit", "rain", "bank", "rate", "export", "missil"])
_CORPUS = st.lists(st.lists(_TERM, min_size=1, max_size=40), min_size=1, max_size=30)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(docs=_CORPUS, query=st.lists(_TERM, min_size=1, max_size=4))
def test_scores_agree_on_any_small_corpus(docs, query):
    a = {h.doc: h.score for h in RankBM25Engine.build(enumerate(docs)).search(query, len(docs))}
    b = {h.doc: h.score for h in TantivyEngine.build(enumerate(docs)).search(query, len(docs))}
    assert set(a) == set(b) == {d for d, terms in enumerate(docs) if set(terms) & set(query)}
    for doc, score in a.items():
        assert b[doc] == pytest.approx(score, rel=1e-5)


# Incremental updates (tantivy only: rank-bm25 rebuilds, which is cheap at its scale).


def test_added_passages_are_searchable_after_commit_only():
    engine = TantivyEngine.build(enumerate(DOCS))
    new = len(DOCS)
    engine.add(
        [(new, analyze("A typhoon struck Busan overnight.")), (new + 1, analyze("Busan port"))]
    )
    assert engine.search(analyze("typhoon"), 5) == []
    engine.commit()
    assert _docs(engine.search(analyze("typhoon Busan"), 5)) == [new, new + 1]


def test_deleted_passages_disappear_after_commit():
    engine = TantivyEngine.build(enumerate(DOCS))
    engine.delete([2])
    assert _docs(engine.search(analyze("missile"), 5)) == [2]
    engine.commit()
    assert engine.search(analyze("missile"), 5) == []
    assert _docs(engine.search(analyze("Seoul summit"), 1)) == [0]


def test_adding_an_existing_number_replaces_the_passage():
    engine = TantivyEngine.build(enumerate(DOCS))
    engine.add([(2, analyze("North Korea fired two ballistic missiles."))])
    engine.commit()
    assert _docs(engine.search(analyze("missile"), 5)) == [2]
    assert engine.search(analyze("sea"), 5) == []


def test_updates_to_a_loaded_index_persist_in_its_folder(tmp_path: Path):
    TantivyEngine.build(enumerate(DOCS)).save(tmp_path)
    engine = TantivyEngine.load(tmp_path)
    engine.add([(100, analyze("Typhoon warning for Jeju"))])
    engine.delete([3])
    engine.commit()
    engine.close()
    reopened = TantivyEngine.load(tmp_path)
    assert _docs(reopened.search(analyze("typhoon"), 5)) == [100]
    assert reopened.search(analyze("interest rates"), 5) == []


def test_commit_without_changes_is_harmless():
    engine = TantivyEngine.build(enumerate(DOCS))
    engine.commit()
    engine.close()
    assert _docs(engine.search(analyze("missile"), 5)) == [2]


def test_tantivy_builds_from_a_stream_of_passages():
    streamed = TantivyEngine.build(enumerate(terms for terms in DOCS))
    assert streamed.search(analyze("chip summit"), 5) == TantivyEngine.build(
        enumerate(DOCS)
    ).search(analyze("chip summit"), 5)


def test_saving_includes_pending_updates(tmp_path: Path):
    engine = TantivyEngine.build(enumerate(DOCS))
    engine.add([(50, analyze("Typhoon warning for Jeju"))])
    engine.save(tmp_path)
    assert _docs(TantivyEngine.load(tmp_path).search(analyze("typhoon"), 5)) == [50]
    assert _docs(engine.search(analyze("typhoon"), 5)) == [50]
