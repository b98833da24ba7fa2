"""One huge story costs an answer a bounded amount of work, never work per passage of it."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from bot.answers import records as answers
from bot.index import catalog
from bot.text import analysis
from tests.helpers import newsroom, wire_story, write_story


def _huge_story(corpus: Path, sentences: int) -> None:
    # One paragraph, as a feed item or a pasted dump delivers it: the splitter cuts it into
    # many passages that all belong to the same story.
    words = " ".join(
        f"The harbour crane number {n} lifted {n * 7} containers of rice and steel."
        for n in range(sentences)
    )
    write_story(corpus, "big/huge.txt", wire_story("Harbour cranes lift record cargo", [words]))
    write_story(
        corpus,
        "small/ferry.txt",
        wire_story("Ferry resumes service", ["The Ulleung ferry resumed daily service on Monday."]),
    )


@pytest.fixture(scope="module")
def big_room(tmp_path_factory: pytest.TempPathFactory):
    folder = tmp_path_factory.mktemp("big")
    _huge_story(folder / "corpus", 12_000)  # ~850 kB in one paragraph
    room = newsroom(folder / "corpus", folder / "cache")
    with room.index.reading():
        passages = len(room.index.by_article["huge"])
    assert passages > 2 * answers.STORY_PASSAGES  # else the test proves nothing
    return room


def test_asking_about_a_huge_story_never_loads_the_story_once_per_passage(
    big_room, monkeypatch: pytest.MonkeyPatch
):
    loads: list[str] = []
    real = catalog.article_from_row

    def counted(row: tuple[Any, ...]) -> Any:
        loads.append(row[0])  # every stored Article is decoded here, its whole text included
        return real(row)

    monkeypatch.setattr(catalog, "article_from_row", counted)
    answer = big_room.ask("How many containers did harbour crane 17 lift?", 3)
    assert answer.found and answer.citations[0].article_id == "huge"
    # A few full records for the citations shown, whatever the story's length (it was one
    # per passage of the story: hundreds here, each of them the whole 850 kB paragraph).
    assert len(loads) <= 2 * answers.COVERAGE_DEPTH


def test_judging_a_huge_story_reads_a_bounded_number_of_its_passages(
    big_room, monkeypatch: pytest.MonkeyPatch
):
    read: list[str] = []
    real_first, real_of = catalog.Catalog.first_passages, catalog.Catalog.passages_of

    def first(self: catalog.Catalog, ids: Any, limit: int) -> Any:
        found = real_first(self, ids, limit)
        read.extend(p.passage_id for _, rows in found.values() for p, _ in rows)
        return found

    def of(self: catalog.Catalog, article_id: str, limit: int = -1) -> Any:
        found = real_of(self, article_id, limit)
        read.extend(p.passage_id for p in found)
        return found

    monkeypatch.setattr(catalog.Catalog, "first_passages", first)
    monkeypatch.setattr(catalog.Catalog, "passages_of", of)
    # Opened again, so the story is judged afresh, not from an earlier test's memory.
    settings = big_room.settings
    room = newsroom(Path(settings.corpus_dir), Path(settings.cache_dir))
    answer = room.ask("How many containers did harbour crane 23 lift?", 3)
    assert answer.citations
    huge = [pid for pid in read if pid.startswith("huge:")]
    assert huge  # else the count below proves nothing
    assert len(huge) <= answers.STORY_PASSAGES


def test_an_answer_never_analyzes_a_stored_passage_again(
    big_room, monkeypatch: pytest.MonkeyPatch
):
    analyzed: list[str] = []
    real = analysis.analyze

    def counted(text: str) -> list[str]:
        analyzed.append(text)
        return real(text)

    settings = big_room.settings
    room = newsroom(Path(settings.corpus_dir), Path(settings.cache_dir))
    with room.index.reading():
        stored = {p.text for p in room.index.by_article["huge"]}
    monkeypatch.setattr(analysis, "analyze", counted)
    answer = room.ask("How many containers did harbour crane 23 lift?", 3)
    assert answer.citations
    # Its terms come from the catalog; only the shown passages' sentences are analyzed, and
    # the huge story's passages are several sentences each.
    assert not stored & set(analyzed)


def test_other_stories_still_answer_beside_a_huge_one(big_room):
    answer = big_room.ask("When did the Ulleung ferry resume service?", 3)
    assert answer.found and answer.citations[0].article_id == "ferry"
