"""Hostile and odd input to the real NewsBot: never an error, never a ping, never a rejection."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from bot.newsroom import Newsroom
from tests.bot_fixtures import (
    TROOPS,
    add_story,
    assert_never_pings,
    assert_no_generic_errors,
    newsbot_on_fake,
    temp_corpus,
    texts,
)
from tests.fake_discord import FakeInteraction
from tests.helpers import newsroom

ZWSP = "\u200b"
RLO = "\u202e"  # right-to-left override

HOSTILE_QUESTIONS = {
    "6000 characters": ("How many troops " * 400)[:6000],
    "6000 characters without spaces": "x" * 6000,
    "empty": "",
    "whitespace only": " \t\n  \u3000 ",
    "markdown": "**How many** _troops_ ~~are~~ __in__ ||South Korea||? # heading\n> quote",
    "code fence": "```py\nprint('troops')\n``` How many troops in `South Korea`?",
    "everyone": "@everyone @here how many American troops are in South Korea?",
    "user and role mentions": "<@123456789012345678> <@!123456789012345678> <@&987654321098765432> "
    "<#111111111111111111> troops in Korea?",
    "zero-width": f"troops{ZWSP}in{ZWSP}{ZWSP}Korea{ZWSP}?",
    "only zero-width": ZWSP * 50,
    "right-to-left": f"{RLO}?aeroK htuoS ni spoort {RLO}مرحبا كم جندي",
    "emoji": "🪖🪖 how many 🇺🇸 troops in 🇰🇷? 👍🏽" * 3,
    "masked link": "[click me](https://evil.example/@everyone) troops",
    "control characters": "troops\x00\x07\x1b[31m in Korea\r\n?",
}


def _interaction_texts(fake_messages: list, inter: FakeInteraction) -> str:
    return "\n".join(texts(s) for s in fake_messages if s.interaction_id == inter.id)


@pytest.mark.parametrize("label", list(HOSTILE_QUESTIONS))
async def test_hostile_question_gets_a_reply_without_error_ping_or_rejection(
    seed_room: Newsroom, label: str
) -> None:
    question = HOSTILE_QUESTIONS[label]
    async with newsbot_on_fake(seed_room) as (fake, _):
        inter = await fake.invoke("ask", {"question": question})
        await inter.wait_done()
        # The bot is still fine afterwards.
        after = await fake.invoke("ask", {"question": TROOPS}, user_id=fake.user_id + 1)
        await after.wait_done()

    assert fake.rejections == [], [r.reason for r in fake.rejections]
    assert inter.acknowledged and not inter.dead
    assert inter.messages, f"{label}: the asker saw nothing"
    assert_no_generic_errors(fake.sent_messages)
    assert_never_pings(fake.sent_messages)
    shown = _interaction_texts(fake.sent_messages, inter)
    # Mention syntax is also neutralised in the text itself, so even a client that ignored
    # allowed_mentions would show it literally.
    assert "@everyone" not in shown and "@here" not in shown
    assert not re.search(r"<@[!&]?\d+>", shown), shown
    assert "28,500" in texts(after.followups[0])


async def test_question_of_empty_text_is_refused_privately_and_politely(
    seed_room: Newsroom,
) -> None:
    async with newsbot_on_fake(seed_room) as (fake, _):
        inter = await fake.invoke("ask", {"question": "   "})
        await inter.wait_done()
    reply = inter.responses[0].message
    assert inter.response_type == 4 and reply is not None
    assert reply["flags"] & (1 << 6)  # only the asker sees the refusal
    assert "Cannot ask that" in reply["content"] and "empty" in reply["content"]


async def test_stored_markdown_and_mentions_cannot_break_the_layout(tmp_path: Path) -> None:
    corpus = temp_corpus(tmp_path)
    add_story(
        corpus,
        "tricky.md",
        '"**Breaking** `ferry` @everyone news"',  # quoted: YAML reads a leading * as an alias
        "The **ferry** to Ulleung island carried `412` passengers @everyone <@123456789012345678> "
        "said the operator in a [statement](https://evil.example) ~~today~~ ||secret||.\n\n"
        "```\nfenced code in a story\n```\n\n"
        "Ferry operators expect __more__ passengers in the summer season.",
        "2024-06-01",
    )
    room = newsroom(corpus, tmp_path / "cache")
    [(article_id, _)] = room.suggest("tricky")
    async with newsbot_on_fake(room) as (fake, _):
        ask = await fake.invoke("ask", {"question": "How many passengers did the ferry carry?"})
        await ask.wait_done()
        latest = await fake.invoke("latest", {})
        await latest.wait_done()
        source = await fake.invoke("source", {"id": article_id})
        await source.wait_done()

    assert fake.rejections == []
    assert_never_pings(fake.sent_messages)
    answer = ask.followups[0].embeds[0]
    assert "412" in answer["description"]
    for inter in (ask, latest, source):
        shown = _interaction_texts(fake.sent_messages, inter)
        assert "@everyone" not in shown and "<@123456789012345678>" not in shown
        # Stored markup arrives escaped: no bold, code, strike-through or spoiler from the story.
        assert "`ferry`" not in shown and "~~today~~" not in shown and "||secret||" not in shown
        assert "**ferry**" not in shown and "**Breaking**" not in shown
        assert "```" not in shown
    source_text = _interaction_texts(fake.sent_messages, source)
    assert r"\*\*ferry\*\*" in source_text and r"\`412\`" in source_text
    # The bot's own markup still works: the cited number is in its bold best sentence.
    unescaped_stars_only = answer["description"].replace(r"\*", "")
    assert re.search(r"\*\*[^*]*412[^*]*\*\*", unescaped_stars_only), answer["description"]


async def test_source_id_with_markdown_mentions_and_huge_length_is_answered_safely(
    shipped_room: Newsroom,
) -> None:
    ids = ["@everyone", "<@&987654321098765432>", "`x`" * 80, "a" * 5000, ZWSP, "🙂" * 300]
    async with newsbot_on_fake(shipped_room) as (fake, _):
        inters = []
        for value in ids:
            inter = await fake.invoke("source", {"id": value})
            await inter.wait_done()
            inters.append(inter)
    assert fake.rejections == [], [r.reason for r in fake.rejections]
    for inter in inters:
        reply = inter.responses[0].message
        assert reply is not None and reply["flags"] & (1 << 6)
        assert "No stored story has the id" in reply["content"]
        assert "@everyone" not in reply["content"] and "<@&" not in reply["content"]
    assert_never_pings(fake.sent_messages)


ROLE = "<@&987654321098765432>"


@pytest.mark.parametrize("topic", ["@everyone", "**x**" * 40, " ", "🙂" * 150, f"{ROLE} troops"])
async def test_latest_topic_abuse_is_answered_safely(shipped_room: Newsroom, topic: str) -> None:
    async with newsbot_on_fake(shipped_room) as (fake, _):
        inter = await fake.invoke("latest", {"topic": topic})
        await inter.wait_done()
    assert fake.rejections == [], [r.reason for r in fake.rejections]
    assert inter.messages
    shown = _interaction_texts(fake.sent_messages, inter)
    assert "@everyone" not in shown and ROLE not in shown
    assert_no_generic_errors(fake.sent_messages)
    assert_never_pings(fake.sent_messages)
