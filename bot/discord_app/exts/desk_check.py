"""The "Find in stored news" message menu: a chat message's claim looked up in the stored news."""

from __future__ import annotations

from typing import TYPE_CHECKING

import discord
from discord import app_commands
from discord.ext import commands

from bot.answers.ask import QuestionError
from bot.desk.claims import EmptyMessage, message_question
from bot.discord_app import embeds

if TYPE_CHECKING:
    from bot.discord_app.client import NewsBot

MENU_NAME = "Find in stored news"
NOT_COVERED = "Nothing stored covers it."


class Check(commands.Cog):
    """Right-click a message -> Apps -> Find in stored news (the reply only the asker sees)."""

    def __init__(self, bot: NewsBot) -> None:
        self.bot = bot
        self.menu = app_commands.ContextMenu(name=MENU_NAME, callback=self.find)

    async def cog_load(self) -> None:
        """Register the message menu with the command tree."""
        self.bot.tree.add_command(self.menu)

    async def cog_unload(self) -> None:
        """Remove the message menu from the command tree."""
        self.bot.tree.remove_command(self.menu.name, type=self.menu.type)

    async def find(self, interaction: discord.Interaction, message: discord.Message) -> None:
        """Find in stored news: ask a message's text and show the asker what is stored."""
        try:
            question = message_question(
                message.content, [(e.title, e.description) for e in message.embeds]
            )
        except EmptyMessage as error:
            await interaction.response.send_message(
                f"Cannot look that up: {error}.", ephemeral=True
            )
            return
        await interaction.response.defer(ephemeral=True, thinking=True)
        try:
            answer = await self.bot.searches.run(self.bot.newsroom.ask, question, None)
        except QuestionError as error:
            await interaction.followup.send(f"Cannot look that up: {error}.", ephemeral=True)
            return
        await interaction.followup.send(
            None if answer.found else NOT_COVERED,
            embed=embeds.answer_embed(answer),
            ephemeral=True,
        )


async def setup(bot: NewsBot) -> None:
    """Add the message menu to the bot (discord.py's extension entry point)."""
    await bot.add_cog(Check(bot))
