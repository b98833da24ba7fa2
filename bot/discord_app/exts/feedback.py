"""The "Wrong source?" button under each /ask answer: a press is recorded once per user."""

from __future__ import annotations

import asyncio
import logging
from typing import TYPE_CHECKING

import discord
from discord.ext import commands

from bot.answers.ask import Answer
from bot.desk.feedback import AnsweredQuestion, FeedbackLog, cited_ids

if TYPE_CHECKING:
    from bot.discord_app.client import NewsBot

log = logging.getLogger(__name__)

BUTTON_ID = "newsbot:wrong-source"
LABEL = "Wrong source?"


class WrongSource(discord.ui.View):
    """One persistent button for every answer: the message it sits on says which answer."""

    def __init__(self) -> None:
        super().__init__(timeout=None)

    @discord.ui.button(label=LABEL, style=discord.ButtonStyle.secondary, custom_id=BUTTON_ID)
    async def wrong(
        self, interaction: discord.Interaction, _: discord.ui.Button[WrongSource]
    ) -> None:
        # By name, not class: discord.py runs an extension's module apart from its imports.
        """Wrong source?: report the answer's cited passages (handled by the Feedback cog)."""
        client = interaction.client
        cog = client.get_cog("Feedback") if isinstance(client, commands.Bot) else None
        pressed = getattr(cog, "pressed", None)
        if pressed is None:
            await interaction.response.send_message("Feedback is not on.", ephemeral=True)
            return
        await pressed(interaction)


class Feedback(commands.Cog):
    """Records which answers people think cite the wrong story (``newsbot feedback``)."""

    def __init__(self, bot: NewsBot) -> None:
        self.bot = bot
        settings = bot.newsroom.settings
        self.log = FeedbackLog(settings.cache_dir, settings.corpus_dir)

    async def cog_load(self) -> None:
        # Registered once: presses on answers sent before a restart (or by another shard's
        # process) still arrive here.
        """Register the Wrong source? button so presses on older answers still arrive."""
        self.bot.add_view(WrongSource())

    async def remember(self, interaction_id: int, answer: Answer, guild_id: int | None) -> None:
        """Keep what an answer cited, by the id of the /ask interaction that it answers."""
        record = AnsweredQuestion(
            interaction_id, answer.question, cited_ids(answer.citations), guild_id
        )
        await asyncio.to_thread(self.log.remember, record)

    async def pressed(self, interaction: discord.Interaction) -> None:
        # The answer message names the /ask interaction that made it: the key it was kept by.
        """Record a Wrong source? press, once per user per answer, and tell the user."""
        meta = interaction.message.interaction_metadata if interaction.message else None
        answer = await asyncio.to_thread(self.log.answer, meta.id) if meta else None
        if answer is None:
            await interaction.response.send_message(
                "This answer is not on record any more, so it cannot be reported.", ephemeral=True
            )
            return
        recorded = await asyncio.to_thread(self.log.record, answer, interaction.user.id)
        await interaction.response.send_message(
            "Thanks: this answer is recorded as citing the wrong source, to improve newsbot."
            if recorded
            else "You already reported this answer; it counts once.",
            ephemeral=True,
        )


async def setup(bot: NewsBot) -> None:
    """Add the feedback button's handler to the bot (discord.py's extension entry point)."""
    await bot.add_cog(Feedback(bot))
