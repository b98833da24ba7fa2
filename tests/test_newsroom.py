from pathlib import Path

import pytest

from bot.index import generations
from bot.index.newsindex import NewsIndex
from bot.newsroom import Newsroom
from tests.helpers import newsroom, write_story


def _front(title: str, date: str | None, body: str) -> str:
    head = f"---\ntitle: {title}\n" + (f"published: {date}\n" if date else "") + "---\n"
    return head + body + "\n"


def test_latest_lists_newest_first_and_undated_last(tmp_path: Path):
    corpus = tmp_path / "c"
    write_story(corpus, "old.md", _front("Old story", "2019-03-01", "Old news about rice prices."))
    write_story(corpus, "new.md", _front("New story", "2024-07-09", "New news about chip exports."))
    write_story(corpus, "undated.md", _front("Undated story", None, "Undated news about ferries."))
    room = newsroom(corpus, tmp_path / "cache")
    assert [a.article_id for a in room.latest(10)] == ["new", "old", "undated"]
    assert [a.article_id for a in room.latest(1)] == ["new"]


def test_latest_by_topic_keeps_only_matching_stories(tmp_path: Path):
    corpus = tmp_path / "c"
    write_story(corpus, "a.md", _front("Chip exports rise", "2024-07-09", "Chip exports rose."))
    write_story(corpus, "b.md", _front("Rice prices fall", "2024-07-10", "Rice prices fell."))
    room = newsroom(corpus, tmp_path / "cache")
    assert [a.article_id for a in room.latest(10, topic="chips")] == ["a"]
    assert room.latest(10, topic="volcano") == []


def test_shipped_latest_starts_with_the_newest_wikinews_story(shipped_room: Newsroom):
    stories = shipped_room.latest(50)
    assert len(stories) == 44
    dated = [a.published.sort_key() for a in stories if a.published and a.published.year]
    assert dated == sorted(dated, reverse=True)
    assert stories[0].published and stories[0].published.iso() == "2023-02-23"
    # The seed's year is unknown, so it sorts with the undated stories at the end.
    assert stories[-1].article_id == "us-expects-s-korea-flexible-cost-sharing"


def test_source_opens_by_passage_id_with_metadata_and_no_text_after_end(seed_room: Newsroom):
    view = seed_room.source("us-expects-s-korea-flexible-cost-sharing:2")
    assert view is not None
    assert view.passage is not None and "28,500" in view.passage.text
    a = view.article
    assert (a.byline, a.dateline, a.source) == ("Lee Haye-ah", "WASHINGTON", "Yonhap")
    assert "forced labor" not in a.text and "KG Mobility" not in a.text
    assert "(END)" not in a.text and "hague@yna.co.kr" not in a.text


def test_source_accepts_an_article_id_in_any_case(seed_room: Newsroom):
    view = seed_room.source("  US-Expects-S-Korea-Flexible-Cost-Sharing ")
    assert view is not None and view.passage is None
    assert len(view.passages) == 8


def test_unknown_ids_give_none(seed_room: Newsroom):
    assert seed_room.source("no-such-story") is None
    assert seed_room.source("no-such-story:3") is None
    assert seed_room.source("") is None


def test_suggest_is_capped_and_matches_titles(shipped_room: Newsroom):
    assert len(shipped_room.suggest("", limit=25)) == 25
    ids = [i for i, _ in shipped_room.suggest("cost-sharing")]
    assert ids == ["us-expects-s-korea-flexible-cost-sharing"]


def test_refresh_picks_up_a_new_story_without_restarting(tmp_path: Path):
    corpus = tmp_path / "c"
    write_story(corpus, "a.md", _front("Chip exports rise", "2024-07-09", "Chip exports rose."))
    room = newsroom(corpus, tmp_path / "cache")
    write_story(
        corpus,
        "b.md",
        _front(
            "Ferry service resumes", "2024-07-11", "The ferry to Jeju resumed service on Thursday."
        ),
    )
    report = room.refresh()
    assert report.action == "refreshed"
    assert room.latest(1)[0].article_id == "b"
    assert room.ask("When did the Jeju ferry resume?").citations[0].article_id == "b"


def test_a_refresh_that_failed_after_storing_is_finished_by_the_next(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    corpus = tmp_path / "c"
    write_story(corpus, "a.md", _front("Chip exports rise", "2024-07-09", "Chip exports rose."))
    room = newsroom(corpus, tmp_path / "cache")  # bm25: its engine is rebuilt to catch up
    write_story(corpus, "b.md", _front("Ferry resumes", "2024-07-11", "The Jeju ferry resumed."))
    catch_up = generations.catch_up

    def fail_after_storing(live: NewsIndex, known: object = None) -> object:
        if known is None:
            return catch_up(live)
        raise OSError("disk full while writing the engine")

    with monkeypatch.context() as patched:
        patched.setattr(generations, "catch_up", fail_after_storing)
        with pytest.raises(OSError):
            room.refresh()
    room.refresh()
    assert room.ask("When did the Jeju ferry resume?").citations[0].article_id == "b"


def test_latest_topic_terms_are_analyzed_once(seed_room: Newsroom):
    # "agreed" stems to "agre"; stemming that again gives "agr", which no passage holds.
    assert [a.article_id for a in seed_room.latest(5, topic="agreed")] == [
        "us-expects-s-korea-flexible-cost-sharing"
    ]
