"""The news desk: followed topics posted as stories arrive, claim checks, source feedback."""

from bot.desk.claims import EmptyMessage, message_question
from bot.desk.feedback import AnsweredQuestion, FeedbackLog, cited_ids
from bot.desk.follows import (
    Action,
    Desk,
    Follow,
    FollowError,
    PausedChannel,
    desk_path,
    paused_channels,
)
from bot.desk.lease import IndexerLease
from bot.desk.topics import Card, Topic, TopicError

__all__ = [
    "Action",
    "AnsweredQuestion",
    "Card",
    "Desk",
    "EmptyMessage",
    "FeedbackLog",
    "Follow",
    "FollowError",
    "IndexerLease",
    "PausedChannel",
    "Topic",
    "TopicError",
    "cited_ids",
    "desk_path",
    "message_question",
    "paused_channels",
]
