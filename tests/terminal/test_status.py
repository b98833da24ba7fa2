"""/status, /refresh and `newsbot status`: what is indexed, what was skipped, feed health."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from bot.newsroom import Newsroom
from bot.terminal.cli import main
from tests.bot_fixtures import add_story, newsbot_on_fake, temp_corpus
from tests.fake_discord import EPHEMERAL
from tests.helpers import newsroom

MANAGE_GUILD = 1 << 5


def texts(message: dict[str, Any]) -> str:
    parts = [message.get("content") or ""]
    for embed in message.get("embeds") or []:
        parts += [embed.get("title") or "", embed.get("description") or ""]
        parts += [f"{f['name']} {f['value']}" for f in embed.get("fields") or []]
    return "\n".join(parts)


def is_ephemeral(message: dict[str, Any]) -> bool:
    return bool(int(message.get("flags") or 0) & EPHEMERAL)


def test_status_counts_stories_and_lists_skipped_files(tmp_path: Path) -> None:
    corpus = temp_corpus(tmp_path)
    (corpus / "empty.txt").write_text("")
    status = newsroom(corpus, tmp_path / "cache").status()
    assert (status.stories, status.versions, status.passages) == (1, 1, 8)
    assert status.engine == "bm25"
    assert status.skipped == {"empty.txt": "empty file"}
    assert status.feeds == ()


def test_newsbot_status_json(tmp_path: Path, capsys) -> None:
    corpus = temp_corpus(tmp_path)
    assert main(["status", "--json", "--corpus", str(corpus)]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["stories"] == 1 and data["engine"] == "bm25" and data["feeds"] == []


async def test_status_command_replies_privately_with_counts(seed_room: Newsroom) -> None:
    async with newsbot_on_fake(seed_room) as (fake, _):
        inter = await fake.invoke("status")
        await inter.wait_done()
    assert is_ephemeral(inter.messages[0])
    shown = texts(inter.messages[0])
    assert "Stories" in shown and "Passages" in shown and "bm25" in shown
    assert fake.rejections == []


async def test_refresh_is_refused_without_manage_server(seed_room: Newsroom) -> None:
    async with newsbot_on_fake(seed_room) as (fake, _):
        inter = await fake.invoke("refresh", permissions=0)
        await inter.wait_done()
    assert is_ephemeral(inter.messages[0])
    assert "cannot use this command" in texts(inter.messages[0])
    command = fake.command("refresh", fake.guild_id)
    assert command is not None and int(command["default_member_permissions"]) == MANAGE_GUILD


async def test_refresh_by_an_admin_picks_up_a_new_story(tmp_path: Path) -> None:
    corpus = temp_corpus(tmp_path)
    room = newsroom(corpus, tmp_path / "cache")
    async with newsbot_on_fake(room) as (fake, _):
        add_story(corpus, "ferry.md", "Jeju ferry resumes", "The Jeju ferry resumed on Monday.")
        inter = await fake.invoke("refresh", permissions=MANAGE_GUILD)
        await inter.wait_done()
        assert "Corpus: refreshed (1 added" in texts(inter.messages[-1])
        assert is_ephemeral(inter.messages[-1])
        ask = await fake.invoke("ask", {"question": "When did the Jeju ferry resume?"})
        await ask.wait_done()
    assert "Jeju ferry" in texts(ask.messages[-1])
    assert fake.rejections == []
