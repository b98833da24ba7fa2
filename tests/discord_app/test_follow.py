"""/follow, the message menu and the feedback button of the real NewsBot on the loopback Discord."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

from discord.ext import commands

from bot.desk import FeedbackLog
from bot.discord_app.exts.desk_check import MENU_NAME, NOT_COVERED
from bot.discord_app.exts.feedback import LABEL
from tests.bot_fixtures import (
    TROOPS,
    assert_never_pings,
    button_id,
    newsbot_on_fake,
    temp_corpus,
)
from tests.desk.test_desk import MISSILE, MISSILE_LEAD
from tests.fake_discord import DEFAULT_MEMBER_PERMISSIONS, MANAGE_CHANNELS
from tests.helpers import newsroom, write_story


def desk_cog(bot: commands.Bot) -> Any:
    cog = bot.get_cog("Desk")
    assert cog is not None
    return cog


MANAGER = DEFAULT_MEMBER_PERMISSIONS | MANAGE_CHANNELS
OTHER_USER = 1_200_000_000_000_000_077


async def test_follow_needs_manage_channels_and_lists_and_unfollows(tmp_path: Path) -> None:
    room = newsroom(temp_corpus(tmp_path), tmp_path / "cache")
    async with newsbot_on_fake(room) as (fake, _):
        refused = await fake.invoke("follow", {"topic": "north korea missile"})
        await refused.wait_done()
        made = await fake.invoke("follow", {"topic": "north korea missile"}, permissions=MANAGER)
        await made.wait_done()
        listed = await fake.invoke("following", {})
        await listed.wait_done()
        gone = await fake.invoke("unfollow", {"id": 1}, permissions=MANAGER)
        await gone.wait_done()
        after = await fake.invoke("following", {})
        await after.wait_done()
    assert "You cannot use this command here" in refused.contents[0]
    assert "Following “north korea missile”" in made.contents[0]
    assert "`1` “north korea missile”" in listed.contents[0]
    assert "Stopped following" in gone.contents[0]
    assert "follows no topics" in after.contents[0]


async def test_a_new_story_is_posted_and_its_lead_edits_the_same_message(tmp_path: Path) -> None:
    corpus = temp_corpus(tmp_path)
    room = newsroom(corpus, tmp_path / "cache")
    async with newsbot_on_fake(room) as (fake, _):
        made = await fake.invoke("follow", {"topic": "north korea missile"}, permissions=MANAGER)
        await made.wait_done()
        write_story(corpus, "missile.txt", MISSILE)
        await asyncio.to_thread(room.refresh)
        post = await fake.wait_for_post(fake.channel_id)
        write_story(corpus, "missile-lead.txt", MISSILE_LEAD)
        await asyncio.to_thread(room.refresh)
        assert post.message_id is not None
        edit = await fake.wait_for_message_edit(post.message_id)
    [embed] = post.embeds
    assert embed["title"] == "N. Korea fires ballistic missile into East Sea"
    assert "North Korea fired a ballistic missile" in embed["description"]
    fields = {f["name"]: f["value"] for f in embed["fields"]}
    assert fields["Source"] == "Yonhap" and fields["Date"].startswith("June 2")
    [updated] = edit.embeds
    assert updated["title"].startswith("Updated: ")
    assert "600 kilometers" in updated["description"] and "updated" in updated["footer"]["text"]
    assert len(fake.posts()) == 1  # edited in place, never posted twice
    assert_never_pings(fake.posts())


async def test_past_the_rate_limit_the_rest_come_in_one_summary(
    tmp_path: Path, monkeypatch: object
) -> None:
    import bot.desk.follows

    # Read when the extension loads (discord.py runs its module afresh for each bot).
    monkeypatch.setattr(bot.desk.follows, "POSTS_PER_MINUTE", 2)  # type: ignore[attr-defined]
    corpus = temp_corpus(tmp_path)
    room = newsroom(corpus, tmp_path / "cache")
    async with newsbot_on_fake(room) as (fake, _):
        made = await fake.invoke("follow", {"topic": "ferry service"}, permissions=MANAGER)
        await made.wait_done()
        for n in range(5):
            text = f"Ferry service number {n} resumed on Monday after the storm."
            write_story(
                corpus, f"ferry-{n}.md", f"---\ntitle: Ferry service {n} resumes\n---\n{text}\n"
            )
        await asyncio.to_thread(room.refresh)
        summary = await fake.wait_for_post(fake.channel_id, count=3)
    assert len(fake.posts()) == 3
    assert "3 more new stories about “ferry service”" in summary.embeds[0]["title"]


async def test_a_channel_that_lost_send_permission_is_paused_and_shown_in_status(
    tmp_path: Path,
) -> None:
    corpus = temp_corpus(tmp_path)
    room = newsroom(corpus, tmp_path / "cache")
    async with newsbot_on_fake(room) as (fake, bot):
        made = await fake.invoke("follow", {"topic": "north korea missile"}, permissions=MANAGER)
        await made.wait_done()
        await fake.revoke_send(fake.channel_id)
        write_story(corpus, "missile.txt", MISSILE)
        await asyncio.to_thread(room.refresh)
        await fake.wait_for_rejection(50013)
        await asyncio.wait_for(desk_cog(bot).idle.wait(), 10)
        assert [p.channel_id for p in room.status().paused] == [fake.channel_id]
        status = await fake.invoke("status", {})
        await status.wait_done()
        # More news for the paused channel is not tried again.
        write_story(corpus, "missile-lead.txt", MISSILE_LEAD)
        await asyncio.to_thread(room.refresh)
        await asyncio.wait_for(desk_cog(bot).idle.wait(), 10)
        listed = await fake.invoke("following", {})
        await listed.wait_done()
    assert len(fake.rejections) == 1
    assert status.original is not None
    shown = str(status.original["embeds"])
    assert "Paused follow channels (1)" in shown and "50013" in shown
    assert "paused" in listed.contents[0]


async def test_find_in_stored_news_on_text_on_an_embed_and_on_an_empty_message(
    tmp_path: Path,
) -> None:
    room = newsroom(temp_corpus(tmp_path), tmp_path / "cache")
    async with newsbot_on_fake(room) as (fake, _):
        claim = await fake.add_message(content=f"  {TROOPS}  ")
        embedded = await fake.add_message(
            embeds=[{"title": "US troops in South Korea", "description": TROOPS}]
        )
        unrelated = await fake.add_message(content="Who won the rugby world cup final in 1995?")
        empty = await fake.add_message(embeds=[{"image": {"url": "https://example.com/a.png"}}])
        found = await fake.invoke_message_command(MENU_NAME, claim)
        from_embed = await fake.invoke_message_command(MENU_NAME, embedded)
        missing = await fake.invoke_message_command(MENU_NAME, unrelated)
        refused = await fake.invoke_message_command(MENU_NAME, empty)
        for inter in (found, from_embed, missing, refused):
            await inter.wait_done()
    for inter in (found, from_embed):
        assert inter.messages and inter.messages[-1]["flags"] & 64  # ephemeral
        assert "28,500" in inter.messages[-1]["embeds"][0]["description"]
    assert missing.messages[-1]["content"] == NOT_COVERED
    assert "has no text to look up" in refused.contents[0]


async def test_wrong_source_is_recorded_once_per_user(tmp_path: Path) -> None:
    room = newsroom(temp_corpus(tmp_path), tmp_path / "cache")
    async with newsbot_on_fake(room) as (fake, _):
        ask = await fake.invoke("ask", {"question": TROOPS})
        await ask.wait_done()
        answer = ask.followups[0].message
        assert answer is not None
        pressed = button_id(answer, LABEL)
        # One press at a time: pressed together, either of the same user's two presses may be
        # handled first, and the test would depend on which.
        first = await fake.click(answer, pressed)
        await first.wait_done()
        again = await fake.click(answer, pressed)
        await again.wait_done()
        other = await fake.click(answer, pressed, user_id=OTHER_USER)
        await other.wait_done()
    assert "recorded" in first.contents[0]
    assert "already reported" in again.contents[0]
    assert "recorded" in other.contents[0]
    entries = FeedbackLog(room.settings.cache_dir, room.settings.corpus_dir).entries()
    assert len(entries) == 2 and {e["question"] for e in entries} == {TROOPS}
    assert all(e["passage_ids"] and ":" in e["passage_ids"][0] for e in entries)
    assert str(fake.user_id) not in str(entries) and str(OTHER_USER) not in str(entries)
