"""/ask, /latest, /source, autocomplete, cooldown and the error path of the real NewsBot.

Each test logs newsbot's own client in to the loopback Discord (tests/fake_discord.py), which
enforces Discord's limits and the 3-second acknowledgement deadline.
"""

from __future__ import annotations

import asyncio
import logging
import re
from pathlib import Path

import pytest

from bot.newsroom import Newsroom
from tests.bot_fixtures import (
    GENERIC_ERROR,
    TROOPS,
    add_story,
    answer_embed,
    assert_never_pings,
    assert_no_generic_errors,
    button_id,
    buttons,
    is_ephemeral,
    newsbot_on_fake,
    temp_corpus,
    texts,
)
from tests.helpers import newsroom

OTHER_USER = 1_200_000_000_000_000_077


# --------------------------------------------------------------------------- /ask


async def test_ask_defers_in_time_and_answers_with_cited_bold_sentence(seed_room: Newsroom) -> None:
    async with newsbot_on_fake(seed_room) as (fake, _):
        inter = await fake.invoke("ask", {"question": TROOPS})
        await inter.wait_done()

    # Deferred (type 5) first, within the deadline, then one follow-up with the answer.
    assert inter.response_type == 5 and not inter.dead
    assert inter.ack_latency is not None and inter.ack_latency < fake.ack_deadline
    embed = answer_embed(inter)
    assert "28,500" in embed["description"]
    # The best sentence (the one with the figure) is the bold part of the passage.
    bold = re.findall(r"\*\*(.+?)\*\*", embed["description"])
    assert any("28,500" in part for part in bold), embed["description"]
    sources = {f["name"]: f["value"] for f in embed["fields"]}["Sources"]
    assert "Yonhap" in sources and "May 5, year unknown" in sources
    # The passage id is shown so /source can open it.
    assert re.search(r"`[^`]+:\d+`", sources), sources
    assert not is_ephemeral(inter.followups[0])  # an answer is for the whole channel
    assert fake.rejections == []
    assert_never_pings(fake.sent_messages)


@pytest.mark.parametrize("count", [50, 0, -3])
async def test_ask_count_out_of_range_is_clamped_never_an_error(tmp_path: Path, count: int) -> None:
    # Six stories that all answer the question, so every clamped count can be filled.
    corpus = temp_corpus(tmp_path)
    for n in range(6):
        add_story(
            corpus,
            f"ferry-{n}.md",
            f"Ferry line {n} resumes Jeju service",
            f"Ferry line {n} resumed its service to Jeju island on Monday after storms.",
        )
    room = newsroom(corpus, tmp_path / "cache")
    # Discord only advertises 1-5; a modified client can send anything.
    async with newsbot_on_fake(room, ask_count=3) as (fake, _):
        question = "When did the ferry service to Jeju resume?"
        inter = await fake.invoke("ask", {"question": question, "count": count})
        await inter.wait_done()
    embed = answer_embed(inter)
    expected = {50: 5, 0: 3, -3: 1}[count]  # over 5 -> 5; 0 -> the default; negative -> 1
    cited = re.findall(r"^\*\*\[(\d+)\]\*\*", embed["description"], re.MULTILINE)
    assert cited == [str(n) for n in range(1, expected + 1)], embed["description"]
    # Every cited passage keeps its full source line, passage id included, however many.
    sources = "\n".join(f["value"] for f in embed["fields"] if f["name"].startswith("Sources"))
    listed = re.findall(r"^\*\*\[(\d+)\]\*\* .* · `[^`]+:\d+`$", sources, re.MULTILINE)
    assert listed == cited, sources
    assert fake.rejections == []
    assert_no_generic_errors(fake.sent_messages)


async def test_ask_with_words_absent_from_the_corpus_says_not_found(seed_room: Newsroom) -> None:
    assert not seed_room.ask("zzyzx qwertyuiop").found  # the premise: the core finds nothing
    async with newsbot_on_fake(seed_room) as (fake, _):
        inter = await fake.invoke("ask", {"question": "zzyzx qwertyuiop"})
        await inter.wait_done()
    embed = answer_embed(inter)
    assert "No stored story answers this" in embed["description"]
    assert "Sources" not in {f["name"] for f in embed.get("fields") or []}
    assert fake.rejections == []
    assert_no_generic_errors(fake.sent_messages)


# --------------------------------------------------------------------------- cooldown


async def test_second_rapid_ask_gets_ephemeral_cooldown_but_other_users_do_not(
    seed_room: Newsroom,
) -> None:
    async with newsbot_on_fake(seed_room, cooldown_seconds=60.0) as (fake, _):
        first = await fake.invoke("ask", {"question": TROOPS})
        await first.wait_done()
        second = await fake.invoke("ask", {"question": TROOPS})
        await second.wait_done()
        other = await fake.invoke("ask", {"question": TROOPS}, user_id=OTHER_USER)
        await other.wait_done()

    assert "28,500" in answer_embed(first)["description"]
    # The refusal is the first response (no defer), private, and says when to retry.
    assert second.response_type == 4
    refusal = second.responses[0].message
    assert refusal is not None and "Slow down" in refusal["content"]
    assert re.search(r"try again in \d+ s", refusal["content"])
    assert is_ephemeral(next(s for s in fake.sent_messages if s.interaction_id == second.id))
    assert "28,500" in answer_embed(other)["description"]
    assert fake.rejections == []


# --------------------------------------------------------------------------- errors


async def test_exception_in_ask_reaches_user_as_short_ephemeral_and_the_log(
    seed_room: Newsroom,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    def broken(question: str, k: int | None = None) -> None:
        raise RuntimeError("index exploded")

    monkeypatch.setattr(seed_room, "ask", broken)
    caplog.set_level(logging.ERROR, logger="bot.discord_app.client")
    async with newsbot_on_fake(seed_room) as (fake, _):
        inter = await fake.invoke("ask", {"question": TROOPS})
        await inter.wait_done()

    assert fake.rejections == []
    # Nobody but the asker sees anything: the public "thinking" message is gone and every
    # visible message of the interaction is ephemeral.
    visible = inter.messages
    assert visible, inter
    assert all(m["flags"] & (1 << 6) for m in visible), visible
    [notice] = [m for m in visible if m.get("content")]
    assert GENERIC_ERROR in notice["content"] and len(notice["content"]) < 200
    assert "index exploded" not in notice["content"] and "Traceback" not in notice["content"]
    logged = [r for r in caplog.records if r.name == "bot.discord_app.client" and r.exc_info]
    assert logged and "index exploded" in str(logged[0].exc_info[1])
    assert_never_pings(fake.sent_messages)


async def _wait_for_warning(caplog: pytest.LogCaptureFixture, text: str) -> None:
    async with asyncio.timeout(5):
        while not any(text in r.getMessage() for r in caplog.records):
            await asyncio.sleep(0.01)


async def test_expired_interaction_in_error_path_does_not_crash_and_bot_keeps_serving(
    seed_room: Newsroom, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING)
    async with newsbot_on_fake(seed_room) as (fake, _):
        # Every first response now comes too late: the defer gets 404/10062, and so does the
        # error handler's reply about it.
        fake.ack_deadline = 0.0
        dead = await fake.invoke("ask", {"question": TROOPS})
        await _wait_for_warning(caplog, "could not deliver")
        assert [r.code for r in dead.rejections] == [10062, 10062]

        fake.ack_deadline = 3.0
        alive = await fake.invoke("ask", {"question": TROOPS})
        await alive.wait_done()
    assert "28,500" in answer_embed(alive)["description"]
    assert alive.rejections == []


async def test_webhook_token_expired_after_defer_does_not_crash_and_bot_keeps_serving(
    seed_room: Newsroom, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING)
    async with newsbot_on_fake(seed_room) as (fake, _):
        # The defer is in time, but the follow-up token is already dead (as after 15 minutes):
        # the answer, the removal of "thinking" and the error notice all get 401/50027.
        fake.token_lifetime = 0.0
        dead = await fake.invoke("ask", {"question": TROOPS})
        await _wait_for_warning(caplog, "could not deliver")
        assert dead.deferred and {r.code for r in dead.rejections} == {50027}

        fake.token_lifetime = 15 * 60.0
        alive = await fake.invoke("ask", {"question": TROOPS})
        await alive.wait_done()
    assert "28,500" in answer_embed(alive)["description"]
    assert alive.rejections == []


# --------------------------------------------------------------------------- /latest


async def test_latest_pages_turn_for_the_asker_only(shipped_room: Newsroom) -> None:
    async with newsbot_on_fake(shipped_room) as (fake, _):
        inter = await fake.invoke("latest", {"count": 25})
        await inter.wait_done()
        original = inter.original
        assert original is not None
        assert original["embeds"][0]["footer"]["text"].startswith("Page 1/5")
        assert buttons(original) == {"Previous": True, "Next": False}

        nxt = await fake.click(inter, button_id(inter, "Next"), user_id=fake.user_id)
        assert (await nxt.wait_for_response()).type == 7  # the message itself is updated
        assert inter.original["embeds"][0]["footer"]["text"].startswith("Page 2/5")
        assert buttons(inter.original) == {"Previous": False, "Next": False}

        # Someone else pressing Next gets a private refusal, and the page stays put.
        intruder = await fake.click(inter, button_id(inter, "Next"), user_id=OTHER_USER)
        refusal = await intruder.wait_for_response()
        assert refusal.type == 4 and refusal.message is not None
        assert refusal.message["flags"] & (1 << 6)
        assert "Only the person who asked" in refusal.message["content"]
        assert inter.original["embeds"][0]["footer"]["text"].startswith("Page 2/5")

        prev = await fake.click(inter, button_id(inter, "Previous"), user_id=fake.user_id)
        await prev.wait_for_response()
        assert inter.original["embeds"][0]["footer"]["text"].startswith("Page 1/5")

        for _ in range(4):  # to the last page, where Next is disabled
            click = await fake.click(inter, button_id(inter, "Next"), user_id=fake.user_id)
            await click.wait_for_response()
        assert inter.original["embeds"][0]["footer"]["text"].startswith("Page 5/5")
        assert buttons(inter.original) == {"Previous": False, "Next": True}
    assert fake.rejections == []
    assert_never_pings(fake.sent_messages)


async def test_page_buttons_are_disabled_when_the_pager_times_out(
    shipped_room: Newsroom, monkeypatch: pytest.MonkeyPatch
) -> None:
    async with newsbot_on_fake(shipped_room) as (fake, newsbot):
        # load_extension executes a fresh copy of the module: patch the one the bot runs.
        monkeypatch.setattr(newsbot.extensions["bot.discord_app.exts.news"], "PAGE_TIMEOUT", 0.5)
        inter = await fake.invoke("latest", {"count": 25})
        await inter.wait_done()
        assert buttons(inter.original)["Next"] is False
        shown = len(inter.edits)  # /latest answers its "thinking" reply with an edit
        edit = await inter.wait_for_edit(count=shown + 1, timeout=3.0)
        assert set(buttons(edit.payload).values()) == {True}
        assert set(buttons(inter.original).values()) == {True}
        with pytest.raises(ValueError, match="disabled"):
            await fake.click(inter, button_id(inter, "Next"), user_id=fake.user_id)
    assert fake.rejections == []
    assert_never_pings(fake.sent_messages)


async def test_latest_on_a_topic_nothing_mentions_is_a_single_page_without_buttons(
    shipped_room: Newsroom,
) -> None:
    async with newsbot_on_fake(shipped_room) as (fake, _):
        inter = await fake.invoke("latest", {"topic": "zzyzx"})
        await inter.wait_done()
    assert inter.response_type == 5  # acknowledged first, answered by editing that reply
    assert "No stored stories about zzyzx" in inter.original["embeds"][0]["description"]
    assert not inter.original.get("components")
    assert fake.rejections == []


# --------------------------------------------------------------------------- /source


def _multi_page_id(room: Newsroom) -> str:
    from bot.discord_app import embeds

    for article_id, _ in room.suggest("", limit=100):
        view = room.source(article_id)
        if view is not None and len(embeds.source_pages(view)) > 1:
            return article_id
    raise AssertionError("the shipped corpus has no story longer than one page")


async def test_source_opens_a_story_and_pages_through_it(shipped_room: Newsroom) -> None:
    article_id = _multi_page_id(shipped_room)
    async with newsbot_on_fake(shipped_room) as (fake, _):
        inter = await fake.invoke("source", {"id": article_id})
        await inter.wait_done()
        first = inter.original["embeds"][0]
        assert first["footer"]["text"].startswith(f"id {article_id} · page 1/")
        click = await fake.click(inter, button_id(inter, "Next"), user_id=fake.user_id)
        await click.wait_for_response()
        assert " · page 2/" in inter.original["embeds"][0]["footer"]["text"]
        assert inter.original["embeds"][0]["description"] != first["description"]
    assert fake.rejections == []
    assert_never_pings(fake.sent_messages)


async def test_source_with_unknown_id_gets_friendly_ephemeral_reply(shipped_room: Newsroom) -> None:
    async with newsbot_on_fake(shipped_room) as (fake, _):
        inter = await fake.invoke("source", {"id": "no-such-story @everyone **x**"})
        await inter.wait_done()
    reply = inter.responses[0].message
    assert inter.response_type == 4 and reply is not None and reply["flags"] & (1 << 6)
    assert "No stored story has the id" in reply["content"]
    assert "/latest" in reply["content"]
    assert "@everyone" not in reply["content"]  # escaped, on top of allowed_mentions
    assert fake.rejections == []
    assert_never_pings(fake.sent_messages)


async def test_source_with_id_of_a_removed_story_gets_friendly_ephemeral_reply(
    tmp_path: Path,
) -> None:
    corpus = temp_corpus(tmp_path)
    story = add_story(
        corpus,
        "ferry.md",
        "Ferry service resumes",
        "The island ferry runs again.",
        "2024-05-01",
    )
    room = newsroom(corpus, tmp_path / "cache")
    [(stale_id, _)] = room.suggest("ferry")
    async with newsbot_on_fake(room) as (fake, _):
        story.unlink()
        await asyncio.to_thread(room.refresh)
        inter = await fake.invoke("source", {"id": stale_id})
        await inter.wait_done()
        suggestions = await fake.autocomplete("source", {"id": "ferry"})
        await suggestions.wait_for_response()
    reply = inter.responses[0].message
    assert reply is not None and reply["flags"] & (1 << 6)
    assert "No stored story has the id" in reply["content"] and stale_id in reply["content"]
    assert suggestions.choices == []  # the removed story is no longer suggested
    assert fake.rejections == []


# --------------------------------------------------------------------------- autocomplete


@pytest.mark.parametrize("typed", ["", "korea", "2018", "x" * 150, "**`@everyone"])
async def test_source_autocomplete_returns_at_most_25_real_ids_quickly(
    shipped_room: Newsroom, typed: str
) -> None:
    async with newsbot_on_fake(shipped_room) as (fake, _):
        inter = await fake.autocomplete("source", {"id": typed})
        response = await inter.wait_for_response()
    assert response.type == 8 and inter.rejections == []
    assert inter.ack_latency is not None and inter.ack_latency < fake.ack_deadline
    choices = inter.choices or []
    assert len(choices) <= 25
    for choice in choices:
        assert shipped_room.source(choice["value"]) is not None, choice
        assert 1 <= len(choice["name"]) <= 100
        if typed:
            assert typed.lower() in choice["name"].lower()
    if typed == "":
        assert len(choices) == 25  # more than 25 stories are stored: the list is capped
    if typed == "korea":
        assert choices


async def test_autocomplete_then_pick_opens_the_story(shipped_room: Newsroom) -> None:
    async with newsbot_on_fake(shipped_room) as (fake, _):
        suggest = await fake.autocomplete("source", {"id": "korea"})
        await suggest.wait_for_response()
        picked = (suggest.choices or [])[0]
        inter = await fake.invoke("source", {"id": picked["value"]})
        await inter.wait_done()
    assert inter.original is not None
    assert inter.original["embeds"][0]["footer"]["text"].startswith(f"id {picked['value']} ")
    assert "Korea" in texts(fake.sent_messages[-1]) or "korea" in picked["value"]
    assert fake.rejections == []
