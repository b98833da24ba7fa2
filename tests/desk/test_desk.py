"""The news desk's core: refresh news, topic matching, follows, rate limits, feedback, shards."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bot.desk import Desk, FeedbackLog, FollowError, message_question
from bot.desk.claims import EmptyMessage
from bot.desk.feedback import AnsweredQuestion
from bot.desk.topics import Topic
from bot.newsroom import Newsroom
from bot.settings import SettingsError, load_settings
from tests.bot_fixtures import add_story, temp_corpus
from tests.helpers import newsroom, wire_story, write_story

GUILD, CHANNEL, OTHER_CHANNEL, USER = 11, 22, 33, 44

MISSILE = wire_story(
    "N. Korea fires ballistic missile into East Sea",
    [
        "North Korea fired a ballistic missile into the East Sea on Tuesday, the military said.",
        "The launch was the North's third missile test this month.",
    ],
)
MISSILE_LEAD = wire_story(
    "(LEAD) N. Korea fires ballistic missile into East Sea",
    [
        "North Korea fired a ballistic missile into the East Sea on Tuesday, the military said, "
        "adding the missile flew about 600 kilometers.",
        "The launch was the North's third missile test this month.",
    ],
)
FERRY = wire_story(
    "Ferry service to Jeju resumes after storm",
    ["Ferry service to Jeju island resumed on Tuesday after a storm passed, officials said."],
)


class Clock:
    def __init__(self) -> None:
        self.now = 1_000_000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def corpus(tmp_path: Path) -> Path:
    return temp_corpus(tmp_path)


@pytest.fixture
def room(corpus: Path, tmp_path: Path) -> Newsroom:
    return newsroom(corpus, tmp_path / "cache")


# --------------------------------------------------------------------------- refresh news


def test_a_refresh_reports_new_stories_and_a_lead_as_an_update(
    corpus: Path, room: Newsroom
) -> None:
    write_story(corpus, "missile.txt", MISSILE)
    write_story(corpus, "ferry.txt", FERRY)
    first = room.refresh()
    assert set(first.stories_added) == {"missile", "ferry"} and first.stories_updated == ()

    write_story(corpus, "missile-lead.txt", MISSILE_LEAD)
    second = room.refresh()
    assert second.stories_added == () and second.stories_updated == ("missile-lead",)


def test_a_story_appended_to_a_jsonl_file_is_new_and_its_neighbours_are_not(
    corpus: Path, room: Newsroom
) -> None:
    line = {"id": "a", "title": "Seoul opens a river park", "body": "Seoul opened a river park."}
    bulk = corpus / "bulk.jsonl"
    bulk.write_text(json.dumps(line) + "\n")
    assert room.refresh().stories_added == ("bulk-a",)
    more = {"id": "b", "title": "Busan hosts film week", "body": "Busan hosted a film week."}
    bulk.write_text(json.dumps(line) + "\n" + json.dumps(more) + "\n")
    report = room.refresh()
    assert report.stories_added == ("bulk-b",)
    assert report.stories_updated == (
        "bulk-a",
    )  # its file changed; the desk edits only if shown text did


def test_a_build_reports_no_news(tmp_path: Path) -> None:
    corpus = temp_corpus(tmp_path)
    write_story(corpus, "missile.txt", MISSILE)
    room = newsroom(corpus, tmp_path / "cache")
    assert room.report.action == "built" and room.report.stories_added == ()


# --------------------------------------------------------------------------- topics


def test_a_topic_matches_by_the_rules_ask_answers_by(corpus: Path, room: Newsroom) -> None:
    write_story(corpus, "missile.txt", MISSILE)
    write_story(corpus, "ferry.txt", FERRY)
    room.refresh()
    with room.index.reading():
        topic = Topic(room.index, "north korea missile")
        assert topic.matches("missile")
        assert not topic.matches("ferry")
        assert not Topic(room.index, "north korea tariffs").matches("missile")


# --------------------------------------------------------------------------- follows


def desk_for(room: Newsroom, clock: Clock, per_minute: int = 5) -> Desk:
    return Desk(room.desk_path, posts_per_minute=per_minute, clock=clock)


def test_follow_refuses_empty_topics_duplicates_and_can_be_undone(room: Newsroom) -> None:
    desk = desk_for(room, Clock())
    with pytest.raises(FollowError, match="no searchable words"):
        desk.follow(GUILD, CHANNEL, "the of and", USER)
    made = desk.follow(GUILD, CHANNEL, "North Korea  missile", USER)
    assert made.topic == "North Korea missile"
    with pytest.raises(FollowError, match="already follows"):
        desk.follow(GUILD, CHANNEL, "north korea missile", USER)
    assert [f.id for f in desk.following(GUILD)] == [made.id]
    assert desk.unfollow(GUILD + 1, made.id) is None  # another server's id is not yours
    assert desk.unfollow(GUILD, made.id) == made
    assert desk.following(GUILD) == []


def test_a_story_is_posted_once_and_its_update_is_an_edit(corpus: Path, room: Newsroom) -> None:
    desk = desk_for(room, Clock())
    follow = desk.follow(GUILD, CHANNEL, "north korea missile", USER)
    write_story(corpus, "missile.txt", MISSILE)
    write_story(corpus, "ferry.txt", FERRY)
    report = room.refresh()
    assert desk.note_news(room.index, report.stories_added, report.stories_updated) == 1
    [post] = desk.due()
    assert post.kind == "post" and post.cards[0].title.startswith("N. Korea fires")
    # The lead sentence, dateline and all, as the wire sent it.
    assert post.cards[0].lead.startswith("SEOUL, June 2 (Yonhap) -- North Korea fired a")
    desk.sent(post, message_id=500)
    # The same news again (a second process, a repeated refresh) posts nothing.
    assert desk.note_news(room.index, report.stories_added, report.stories_updated) == 0
    assert desk.due() == []

    write_story(corpus, "missile-lead.txt", MISSILE_LEAD)
    report = room.refresh()
    desk.note_news(room.index, report.stories_added, report.stories_updated)
    [edit] = desk.due()
    assert (edit.kind, edit.message_id) == ("edit", 500)
    assert edit.cards[0].version_tag == "LEAD" and "600 kilometers" in edit.cards[0].lead
    assert desk.posts(follow.id) == [("missile-lead", 500, False)]


def test_past_the_rate_limit_stories_are_summarised_once_then_wait_for_the_next_minute(
    corpus: Path, room: Newsroom
) -> None:
    clock = Clock()
    desk = desk_for(room, clock, per_minute=2)
    desk.follow(GUILD, CHANNEL, "ferry service", USER)
    for n in range(4):
        add_story(corpus, f"ferry-{n}.md", f"Ferry service {n} resumes",
                  f"Ferry service number {n} resumed on Monday after the storm.")  # fmt: skip
    report = room.refresh()
    desk.note_news(room.index, report.stories_added, report.stories_updated)
    actions = desk.due()
    assert [a.kind for a in actions] == ["post", "post", "summary"]
    assert len(actions[2].cards) == 2 and actions[2].topics == ("ferry service",)
    for n, action in enumerate(actions):
        desk.sent(action, 600 + n)

    add_story(corpus, "ferry-late.md", "Ferry service late resumes",
              "Ferry service late resumed on Monday after the storm.")  # fmt: skip
    report = room.refresh()
    desk.note_news(room.index, report.stories_added, report.stories_updated)
    assert desk.due() == []  # two posts and a summary this minute already: it waits
    clock.now += 61
    [late] = desk.due()
    assert late.kind == "post" and late.cards[0].title == "Ferry service late resumes"


def test_a_channel_that_failed_for_good_is_paused_until_followed_again(
    corpus: Path, room: Newsroom
) -> None:
    desk = desk_for(room, Clock())
    desk.follow(GUILD, CHANNEL, "ferry service", USER)
    write_story(corpus, "ferry.txt", FERRY)
    report = room.refresh()
    desk.note_news(room.index, report.stories_added, report.stories_updated)
    [post] = desk.due()
    desk.failed(post, "the bot may not post there (403, code 50013)")
    assert [p.channel_id for p in room.status().paused] == [CHANNEL]
    add_story(corpus, "ferry-2.md", "Ferry service two resumes", "Ferry service two resumed.")
    report = room.refresh()
    assert desk.note_news(room.index, report.stories_added, report.stories_updated) == 0
    assert desk.due() == []
    desk.follow(GUILD, CHANNEL, "jeju ferry", USER)  # following again there resumes it
    assert room.status().paused == ()


# --------------------------------------------------------------------------- claims


def test_a_message_question_is_its_text_or_its_embeds_and_never_empty() -> None:
    assert message_question("  Did   Seoul pay more? ", []) == "Did Seoul pay more?"
    assert message_question("", [("Cost talks", "Seoul and Washington"), (None, None)]) == (
        "Cost talks Seoul and Washington"
    )
    assert len(message_question("word " * 400, [])) <= 500
    with pytest.raises(EmptyMessage):
        message_question(" \n ", [(None, "")])


# --------------------------------------------------------------------------- feedback


def test_feedback_is_recorded_once_per_user_with_a_salted_hash(tmp_path: Path) -> None:
    log = FeedbackLog(tmp_path / "cache", tmp_path / "corpus")
    answer = AnsweredQuestion(77, "How many troops?", ("story:2", "other:1"))
    log.remember(answer)
    assert log.answer(77) == answer
    user = 123456789012345678
    assert log.record(answer, user)
    assert not log.record(answer, user)
    assert log.record(answer, user + 1)
    entries = log.entries()
    assert [e["passage_ids"] for e in entries] == [["story:2", "other:1"]] * 2
    assert str(user) not in log.path.read_text()
    # Salted: the hash is not the plain SHA-256 of the id, and another cache hashes differently.
    other = FeedbackLog(tmp_path / "cache2", tmp_path / "corpus")
    assert entries[0]["user"] != other.user_hash(user)


# --------------------------------------------------------------------------- settings


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"NEWSBOT_SHARD_IDS": "0"}, "needs NEWSBOT_SHARD_COUNT"),
        ({"NEWSBOT_SHARD_COUNT": "2", "NEWSBOT_SHARD_IDS": "2"}, "shard 2 does not exist"),
        ({"NEWSBOT_SHARD_COUNT": "2", "NEWSBOT_SHARD_IDS": "one"}, "whole numbers"),
        ({"NEWSBOT_SHARD_COUNT": "0"}, "NEWSBOT_SHARD_COUNT must be between"),
    ],
)
def test_bad_shard_settings_stop_with_one_line(env: dict[str, str], message: str) -> None:
    with pytest.raises(SettingsError, match=message) as caught:
        load_settings(env, env_file=None)
    assert "\n" not in str(caught.value)


def test_shard_settings_are_read() -> None:
    settings = load_settings({"NEWSBOT_SHARD_COUNT": "4", "NEWSBOT_SHARD_IDS": "3, 1"}, None)
    assert (settings.shard_count, settings.shard_ids) == (4, (1, 3))
    assert load_settings({}, None).shard_count is None
