"""The catalog keeps each passage's analyzed terms, so answers never re-analyze stored text."""

from __future__ import annotations

from pathlib import Path

from bot.index.newsindex import NewsIndex
from bot.index.opening import open_index
from bot.index.terms import STORY_PASSAGES
from bot.text import analysis
from tests.helpers import wire_story, write_story

FERRY = wire_story(
    "Ulleung ferry resumes service",
    [
        "The Ulleung ferry resumed daily service on Monday after a week of storms.",
        "Some 1,400 passengers booked seats for the first sailing, the operator's figures showed.",
    ],
)
CHIPS = wire_story(
    "Seoul hosts chip summit",
    ["South Korea hosted a semiconductor summit on Tuesday, drawing chipmakers from 12 nations."],
)


def _stored_match_analysis(index: NewsIndex) -> None:
    with index.reading():
        ids = [a.article_id for a in index.current]
        texts = index.story_texts(ids, STORY_PASSAGES)
        assert set(texts) == set(ids)
        for article_id, text in texts.items():
            assert text.passages == tuple(index.by_article[article_id])
            assert text.headline == tuple(analysis.analyze(index.titles[article_id]))
            for passage, own in zip(text.passages, text.own, strict=True):
                assert own == tuple(analysis.analyze(passage.text))
                expected = frozenset(analysis.passage_terms(text.title, passage.text))
                assert index.passage_terms(passage) == expected


def test_a_build_stores_each_passages_terms_as_the_analyzer_gives_them(tmp_path: Path):
    corpus, cache = tmp_path / "corpus", tmp_path / "cache"
    write_story(corpus, "ferry.txt", FERRY)
    write_story(corpus, "chips.txt", CHIPS)
    index, _ = open_index(corpus, cache)
    _stored_match_analysis(index)


def test_an_update_in_place_stores_the_new_passages_terms_too(tmp_path: Path):
    corpus, cache = tmp_path / "corpus", tmp_path / "cache"
    write_story(corpus, "ferry.txt", FERRY)
    open_index(corpus, cache)[0].close()
    write_story(corpus, "chips.txt", CHIPS)
    index, report = open_index(corpus, cache)
    assert report.action == "refreshed"
    _stored_match_analysis(index)


def test_a_storys_term_set_is_its_headlines_and_its_passages_terms(tmp_path: Path):
    corpus, cache = tmp_path / "corpus", tmp_path / "cache"
    write_story(corpus, "ferry.txt", FERRY)
    index, _ = open_index(corpus, cache)
    with index.reading():
        passages = index.by_article["ferry"]
        title = index.titles["ferry"]
        expected = {t for p in passages for t in analysis.passage_terms(title, p.text)}
        assert index.story_terms("ferry") == frozenset(expected)
        assert index.story_terms("no-such-story") == frozenset()
