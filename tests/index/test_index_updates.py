"""Updates in place: regrouping only what changed, the engine journal, readers during writes."""

import random
import threading
import time
from pathlib import Path

import pytest

from bot.index import generations
from bot.index import updates as indexing
from bot.index.newsindex import NewsIndex
from bot.index.opening import open_index
from tests.helpers import missile_versions, wire_story, write_story

ENGINES = ["bm25", "tantivy"]


def _shape(index: NewsIndex) -> dict[str, object]:
    """Everything a user could see of an index, by id."""
    return {
        "current": [a.article_id for a in index.current],
        "stories": {a: index.story[a] for a in sorted(index.articles)},
        "passages": {p: index.passages[p].text for p in sorted(index.passages)},
    }


def _ranked(index: NewsIndex, question: str) -> list[tuple[float, str]]:
    # Equal scores are ordered by passage number, which an update assigns differently.
    return sorted((-round(s, 4), p.passage_id) for p, s in index.search(question, 100))


def _found(index: NewsIndex, question: str) -> set[str]:
    return {p.passage_id for p, _ in index.search(question, 100)}


@pytest.mark.parametrize("engine", ENGINES)
def test_removing_a_resend_makes_the_earlier_version_newest_again(tmp_path: Path, engine: str):
    corpus, cache = tmp_path / "corpus", tmp_path / "cache"
    for name, text in missile_versions(1, ["", "LEAD"]).items():
        write_story(corpus, name, text)
    index, _ = open_index(corpus, cache, engine=engine)
    assert [a.article_id for a in index.current] == ["nk1-lead"]

    (corpus / "nk1-lead.txt").unlink()
    index, report = open_index(corpus, cache, engine=engine)

    assert report.action == "refreshed"
    assert [a.article_id for a in index.current] == ["nk1-first"]
    # Its passages come from its own file, read again: it was never the newest before.
    assert "North Korea fired missile number 1" in index.by_article["nk1-first"][0].text
    assert index.search("missile number 1", 1)[0][0].article_id == "nk1-first"


@pytest.mark.parametrize("engine", ENGINES)
def test_any_sequence_of_changes_ends_as_a_fresh_build_would(tmp_path: Path, engine: str):
    corpus, cache = tmp_path / "corpus", tmp_path / "cache"
    pool = {}
    for topic in range(4):
        pool.update(missile_versions(topic, ["", "LEAD", "2nd LD"]))
    pool["port.txt"] = wire_story("Busan opens new port", ["Busan opened a port on Tuesday."])
    rng = random.Random(4)
    for step in range(8):
        for name in rng.sample(sorted(pool), 4):
            path = corpus / name
            if path.exists() and rng.random() < 0.6:
                path.unlink()
            else:
                write_story(corpus, name, pool[name] + ("\n" * rng.randint(0, 2)))
        time.sleep(0.01)
        if not any(corpus.iterdir()):
            continue
        index, _ = open_index(corpus, cache, engine=engine)
        fresh, _ = open_index(corpus, tmp_path / f"fresh-{step}", engine=engine)
        assert _shape(index) == _shape(fresh), f"step {step}"
        for question in ("missile number 2", "Seoul condemned launch", "Busan port"):
            if engine == "tantivy":  # deleted passages weigh in its statistics until merged
                assert _found(index, question) == _found(fresh, question), question
            else:
                assert _ranked(index, question) == _ranked(fresh, question), question


@pytest.mark.parametrize("engine", ENGINES)
def test_a_crash_between_catalog_and_engine_is_finished_on_the_next_open(
    tmp_path: Path, engine: str, monkeypatch: pytest.MonkeyPatch
):
    corpus, cache = tmp_path / "corpus", tmp_path / "cache"
    write_story(corpus, "port.txt", wire_story("Busan opens new port", ["Busan opened a port."]))
    open_index(corpus, cache, engine=engine)
    time.sleep(0.01)
    write_story(corpus, "ferry.txt", wire_story("Jeju ferry resumes", ["The ferry resumed."]))
    (corpus / "port.txt").unlink()

    catch_up = generations.catch_up

    def crash(index: NewsIndex, known: object = None) -> object:
        if known is None:  # the check before an update: nothing pending yet
            return catch_up(index)
        raise KeyboardInterrupt("killed after the catalog committed")

    with monkeypatch.context() as patched:
        patched.setattr(generations, "catch_up", crash)
        with pytest.raises(KeyboardInterrupt):
            open_index(corpus, cache, engine=engine)

    index, report = open_index(corpus, cache, engine=engine)
    assert report.action == "reused"  # the catalog had it all; only the engine was behind
    assert index.catalog.pending() == ([], [])
    assert [p.article_id for p, _ in index.search("ferry resumed", 3)] == ["ferry"]
    assert index.search("Busan port", 3) == []


def test_worker_processes_build_what_one_process_builds(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    corpus = tmp_path / "corpus"
    for topic in range(6):
        for name, text in missile_versions(topic, ["", "LEAD"]).items():
            write_story(corpus, name, text)
    write_story(corpus, "broken.md", "---\ntitle: [unclosed\n---\nBody.\n")
    serial, serial_report = open_index(corpus, tmp_path / "serial", engine="tantivy")
    monkeypatch.setattr(indexing, "PARALLEL_FROM", 2)
    monkeypatch.setattr(indexing, "FILES_PER_TASK", 3)
    pooled, pooled_report = open_index(corpus, tmp_path / "pooled", engine="tantivy")
    assert _shape(pooled) == _shape(serial)
    assert pooled_report.problems == serial_report.problems == {
        "broken.md": pooled_report.problems["broken.md"]
    }


def test_a_reader_sees_one_state_while_an_update_commits(tmp_path: Path):
    corpus, cache = tmp_path / "corpus", tmp_path / "cache"
    write_story(corpus, "port.txt", wire_story("Busan opens new port", ["Busan opened a port."]))
    index, _ = open_index(corpus, cache, engine="tantivy")
    time.sleep(0.01)
    write_story(corpus, "ferry.txt", wire_story("Jeju ferry resumes", ["The ferry resumed."]))
    with index.reading():
        before = len(index.current)
        updater = threading.Thread(target=open_index, args=(corpus, cache, "tantivy"))
        updater.start()
        updater.join(timeout=60)
        assert not updater.is_alive()
        assert len(index.current) == before == 1  # the update committed, but not for this read
    assert len(index.current) == 2


def test_searches_keep_working_while_the_engine_is_updated_in_place(tmp_path: Path):
    corpus, cache = tmp_path / "corpus", tmp_path / "cache"
    for n in range(40):
        write_story(corpus, f"port-{n}.txt", wire_story(f"Port {n} grows", [f"Port {n} grew."]))
    index, _ = open_index(corpus, cache, engine="tantivy")
    errors: list[BaseException] = []
    answered = [0]
    stop = threading.Event()

    def ask() -> None:
        while not stop.is_set():
            try:
                with index.reading():
                    hits = index.search("port grew", 5)
                    assert all(index.articles[p.article_id] for p, _ in hits)
                answered[0] += 1
            except BaseException as error:  # any failure at all fails the test
                errors.append(error)

    readers = [threading.Thread(target=ask) for _ in range(2)]
    for reader in readers:
        reader.start()
    try:
        for round_ in range(5):
            time.sleep(0.01)
            write_story(corpus, f"new-{round_}.txt", wire_story("Port opens", ["It grew."]))
            (corpus / f"port-{round_}.txt").unlink()
            open_index(corpus, cache, engine="tantivy", current=index)
    finally:
        stop.set()
        for reader in readers:
            reader.join(timeout=30)
    assert not errors, errors[:3]
    assert answered[0] > 0
