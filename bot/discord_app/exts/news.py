"""The news cog: /ask, /latest and /source, with autocomplete and page buttons."""

from __future__ import annotations

import asyncio
import logging
from typing import TYPE_CHECKING

import discord
from discord import app_commands
from discord.ext import commands

from bot.answers.ask import QuestionError, clean_question
from bot.discord_app import embeds
from bot.discord_app.exts.feedback import Feedback, WrongSource

if TYPE_CHECKING:
    from bot.discord_app.client import NewsBot

log = logging.getLogger(__name__)

PAGE_TIMEOUT = 180.0
MAX_QUESTION = 500


def per_user_cooldown(interaction: discord.Interaction) -> app_commands.Cooldown | None:
    """One /ask per user per ``NEWSBOT_COOLDOWN_SECONDS`` (none when it is 0)."""
    seconds = getattr(interaction.client, "settings", None)
    rate = seconds.cooldown_seconds if seconds else 10.0
    return app_commands.Cooldown(1, rate) if rate > 0 else None


class Pager(discord.ui.View):
    """Previous/next buttons over embed pages; only the person who asked can turn them."""

    def __init__(
        self, owner_id: int, pages: list[discord.Embed], timeout: float = PAGE_TIMEOUT
    ) -> None:
        super().__init__(timeout=timeout)
        self.owner_id = owner_id
        self.pages = pages
        self.page = 0
        self.message: discord.InteractionMessage | discord.WebhookMessage | None = None
        self._sync_buttons()

    def _sync_buttons(self) -> None:
        self.previous.disabled = self.page == 0
        self.next.disabled = self.page >= len(self.pages) - 1

    async def interaction_check(self, interaction: discord.Interaction) -> bool:
        """True for the person who asked; anyone else is told the pages are not theirs."""
        if interaction.user.id != self.owner_id:
            await interaction.response.send_message(
                "Only the person who asked can turn these pages; run the command yourself.",
                ephemeral=True,
            )
            return False
        return True

    @discord.ui.button(label="Previous", style=discord.ButtonStyle.secondary)
    async def previous(self, interaction: discord.Interaction, _: discord.ui.Button[Pager]) -> None:
        """Show the previous page."""
        self.page = max(0, self.page - 1)
        self._sync_buttons()
        await interaction.response.edit_message(embed=self.pages[self.page], view=self)

    @discord.ui.button(label="Next", style=discord.ButtonStyle.secondary)
    async def next(self, interaction: discord.Interaction, _: discord.ui.Button[Pager]) -> None:
        """Show the next page."""
        self.page = min(len(self.pages) - 1, self.page + 1)
        self._sync_buttons()
        await interaction.response.edit_message(embed=self.pages[self.page], view=self)

    async def on_timeout(self) -> None:
        """Disable the buttons on the message once the pages time out."""
        for item in self.children:
            if isinstance(item, discord.ui.Button):
                item.disabled = True
        if self.message is not None:
            try:
                await self.message.edit(view=self)
            except discord.HTTPException:
                pass  # the message was deleted or the token expired: nothing left to disable


class News(commands.Cog):
    """Questions, newest stories and sources."""

    def __init__(self, bot: NewsBot) -> None:
        self.bot = bot

    @app_commands.command(
        name="ask", description="Ask a question; answers come from stored news, with sources"
    )
    @app_commands.describe(question="What you want to know", count="How many sources to show (1-5)")
    @app_commands.checks.dynamic_cooldown(per_user_cooldown)
    async def ask(
        self,
        interaction: discord.Interaction,
        question: app_commands.Range[str, 1, MAX_QUESTION],
        count: app_commands.Range[int, 1, 5] | None = None,
    ) -> None:
        # Discord only advertises the ranges; nothing enforces them, so check again here.
        """/ask: answer a question from the stored news, with numbered sources."""
        try:
            text = clean_question(str(question)[:MAX_QUESTION])
        except QuestionError as error:
            await interaction.response.send_message(f"Cannot ask that: {error}.", ephemeral=True)
            return
        k = max(1, min(5, count or self.bot.settings.ask_count))
        await interaction.response.defer(thinking=True)
        try:
            # BM25 scoring is CPU work: off the event loop, so heartbeats keep flowing, and on
            # the search threads, so slow searches never hold other commands' threads.
            answer = await self.bot.searches.run(self.bot.newsroom.ask, text, k)
        except QuestionError as error:
            await interaction.followup.send(f"Cannot ask that: {error}.")
            return
        # A "Wrong source?" button under every answer. What it cited is kept (by this
        # interaction's id, which the answer message carries) before anyone can press it.
        feedback: Feedback | None = self.bot.get_cog("Feedback")  # type: ignore[assignment]
        if feedback is not None:
            await feedback.remember(interaction.id, answer, interaction.guild_id)
        await interaction.followup.send(embed=embeds.answer_embed(answer), view=WrongSource())

    @app_commands.command(name="latest", description="The newest stored stories")
    @app_commands.describe(
        count="How many stories (1-25)", topic="Only stories that mention these words"
    )
    async def latest(
        self,
        interaction: discord.Interaction,
        count: app_commands.Range[int, 1, 25] | None = None,
        topic: app_commands.Range[str, 1, 100] | None = None,
    ) -> None:
        """/latest: the newest stored stories, optionally about a topic, five per page."""
        n = max(1, min(25, count or 10))
        wanted = " ".join(str(topic).split())[:100] if topic else None
        # Acknowledged before any thread work: Discord drops an interaction unanswered in 3 s.
        await interaction.response.defer(thinking=True)
        articles = await asyncio.to_thread(self.bot.newsroom.latest, n, wanted)
        await self._send_pages(interaction, embeds.latest_pages(articles, wanted))

    @app_commands.command(name="source", description="Open a cited story by its id")
    @app_commands.describe(id="The id shown in backticks under an answer or in /latest")
    async def source(
        self, interaction: discord.Interaction, id: app_commands.Range[str, 1, 200]
    ) -> None:
        # SQLite reads (and a whole story's passages): off the event loop, like every lookup.
        """/source: open a stored story by article or passage id, paged when long."""
        view = await asyncio.to_thread(self.bot.newsroom.source, str(id)[:200])
        if view is None:
            await interaction.response.send_message(
                f"No stored story has the id `{embeds.safe(embeds.trim(str(id), 100))}`. "
                "It may have "
                "been removed; pick one from the suggestions or from /latest.",
                ephemeral=True,
            )
            return
        await self._send_pages(interaction, embeds.source_pages(view))

    @source.autocomplete("id")
    async def source_autocomplete(
        self, interaction: discord.Interaction, current: str
    ) -> list[app_commands.Choice[str]]:
        # Runs on every keystroke: a substring scan capped at Discord's 25 choices, in a thread
        # all the same, since a scan of a large catalog is SQLite work the loop must not wait on.
        """Up to 25 story ids whose id or title holds what the user has typed."""
        found = await asyncio.to_thread(self.bot.newsroom.suggest, current[:100], 25)
        return [
            app_commands.Choice(name=embeds.choice_name(article_id, title), value=article_id)
            for article_id, title in found
            if len(article_id) <= embeds.CHOICE_VALUE
        ]

    async def _send_pages(
        self, interaction: discord.Interaction, pages: list[discord.Embed]
    ) -> None:
        deferred = interaction.response.is_done()  # a "thinking" reply to replace
        if len(pages) == 1:
            if deferred:
                await interaction.edit_original_response(embed=pages[0])
            else:
                await interaction.response.send_message(embed=pages[0])
            return
        # PAGE_TIMEOUT is read here, not bound as Pager's default, so it can be tuned at run time.
        pager = Pager(interaction.user.id, pages, timeout=PAGE_TIMEOUT)
        if deferred:
            pager.message = await interaction.edit_original_response(embed=pages[0], view=pager)
            return
        await interaction.response.send_message(embed=pages[0], view=pager)
        pager.message = await interaction.original_response()


async def setup(bot: NewsBot) -> None:
    """Add /ask, /latest and /source to the bot (discord.py's extension entry point)."""
    await bot.add_cog(News(bot))
