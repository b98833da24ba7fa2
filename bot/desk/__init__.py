"""The news desk: followed topics posted as stories arrive, claim checks, source feedback."""

from bot._lazy import exports

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
# Lazy, as the other packages: a fresh `newsbot ask` needs only the lease and the paused
# channels of ``follows``, not the feedback log or the claim checks (with tempfile and kin).
__getattr__ = exports(
    __name__,
    {
        "EmptyMessage": ".claims",
        "message_question": ".claims",
        "AnsweredQuestion": ".feedback",
        "FeedbackLog": ".feedback",
        "cited_ids": ".feedback",
        "Action": ".follows",
        "Desk": ".follows",
        "Follow": ".follows",
        "FollowError": ".follows",
        "PausedChannel": ".follows",
        "desk_path": ".follows",
        "paused_channels": ".follows",
        "IndexerLease": ".lease",
        "Card": ".topics",
        "Topic": ".topics",
        "TopicError": ".topics",
    },
)
