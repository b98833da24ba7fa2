"""Followed topics per Discord guild, what was posted for them, and paused channels (SQLite).

One file per corpus in the cache folder, in WAL mode, shared by every process of the bot
(shards may run apart): a claim on a story is a row inserted under a UNIQUE key, so two
processes can never post the same story for the same follow. Nothing here speaks Discord;
the bot turns ``Action`` items into messages and reports back what happened.
"""

from __future__ import annotations

import contextlib
import sqlite3
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from bot.desk.topics import Card, Topic, TopicError, card, topic_terms
from bot.index.newsindex import NewsIndex
from bot.storage import corpus_cache_path

__all__ = [
    "Action",
    "Desk",
    "Follow",
    "FollowError",
    "PausedChannel",
    "desk_path",
    "paused_channels",
]

POSTS_PER_MINUTE = 5  # story posts per channel per minute; the rest go in one summary
WINDOW_SECONDS = 60.0
MAX_FOLLOWS_PER_GUILD = 25
MAX_TOPIC_CHARS = 100
SUMMARY_STORIES = 10  # stories listed by name in a summary; beyond that, a count

_SCHEMA = """
CREATE TABLE IF NOT EXISTS follows (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    guild_id INTEGER NOT NULL,
    channel_id INTEGER NOT NULL,
    topic TEXT NOT NULL,
    created_by INTEGER NOT NULL,
    created_at REAL NOT NULL,
    active INTEGER NOT NULL DEFAULT 1
);
CREATE INDEX IF NOT EXISTS follows_guild ON follows (guild_id, active);
-- One row per story posted (or being posted) for a follow: the claim that keeps it single.
-- article_id moves to the newest version when the message is edited for an update.
CREATE TABLE IF NOT EXISTS posts (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    follow_id INTEGER NOT NULL,
    channel_id INTEGER NOT NULL,
    article_id TEXT NOT NULL,
    message_id INTEGER,
    digest TEXT NOT NULL,
    posted_at REAL NOT NULL,
    summary INTEGER NOT NULL DEFAULT 0,
    UNIQUE (follow_id, article_id)
);
CREATE INDEX IF NOT EXISTS posts_channel ON posts (channel_id, posted_at);
-- Every version id a post has shown, so that a later version finds the message to edit.
CREATE TABLE IF NOT EXISTS post_versions (
    follow_id INTEGER NOT NULL,
    article_id TEXT NOT NULL,
    post_id INTEGER NOT NULL,
    PRIMARY KEY (follow_id, article_id)
);
-- Work waiting for a channel's rate limit: new stories to post, posted ones to edit.
CREATE TABLE IF NOT EXISTS queue (
    follow_id INTEGER NOT NULL,
    story_key TEXT NOT NULL,
    kind TEXT NOT NULL,
    post_id INTEGER,
    card TEXT NOT NULL,
    queued_at REAL NOT NULL,
    PRIMARY KEY (follow_id, story_key)
);
CREATE TABLE IF NOT EXISTS paused (
    channel_id INTEGER PRIMARY KEY,
    guild_id INTEGER NOT NULL,
    reason TEXT NOT NULL,
    since REAL NOT NULL
);
"""


class FollowError(ValueError):
    """A follow cannot be made; the message says why, for the person who asked."""


@dataclass(frozen=True)
class Follow:
    """A topic followed in one channel: who asked, when, and what to match."""

    id: int
    guild_id: int
    channel_id: int
    topic: str
    created_by: int
    created_at: float


@dataclass(frozen=True)
class PausedChannel:
    """A channel the bot could not post in: nothing is sent there until /follow runs there again."""

    channel_id: int
    guild_id: int
    reason: str
    since: float


@dataclass(frozen=True)
class Action:
    """One message to send or edit. ``kind``: "post", "edit" or "summary".

    post: ``cards[0]`` as a new message for ``follow``; edit: message ``message_id`` now shows
    ``cards[0]`` (marked updated); summary: one message naming ``cards`` (all of the channel's
    follows whose stories went over the rate limit, ``topics``).
    """

    kind: str
    channel_id: int
    guild_id: int
    cards: tuple[Card, ...]
    post_ids: tuple[int, ...]
    follow: Follow | None = None
    message_id: int | None = None
    topics: tuple[str, ...] = field(default=())


def desk_path(cache_dir: Path, corpus_dir: Path) -> Path:
    """The desk's SQLite file for one corpus, beside its index."""
    return corpus_cache_path(Path(cache_dir), Path(corpus_dir), prefix="desk-", suffix=".sqlite")


def paused_channels(path: Path) -> list[PausedChannel]:
    """Paused channels recorded in a desk file (none when there is no file yet)."""
    if not Path(path).is_file():
        return []
    with contextlib.closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=10)) as db:
        try:
            query = "SELECT channel_id, guild_id, reason, since FROM paused ORDER BY since"
            rows = db.execute(query)
            return [PausedChannel(*row) for row in rows]
        except sqlite3.OperationalError:  # a file from before the table existed
            return []


class Desk:
    """Follows and their posts for one corpus; safe to share between threads and processes."""

    def __init__(
        self,
        path: Path,
        *,
        posts_per_minute: int = POSTS_PER_MINUTE,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.path = Path(path)
        self.posts_per_minute = max(1, posts_per_minute)
        self.clock = clock
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with self._db() as db:
            db.execute("PRAGMA journal_mode=WAL")
            db.executescript(_SCHEMA)

    @contextlib.contextmanager
    def _db(self) -> Iterator[sqlite3.Connection]:
        # A connection per call: several threads and processes use the file, and opening a
        # small SQLite file costs microseconds next to a Discord round trip.
        db = sqlite3.connect(self.path, timeout=30, isolation_level=None)
        try:
            yield db
        finally:
            db.close()

    @contextlib.contextmanager
    def _writing(self) -> Iterator[sqlite3.Connection]:
        with self._db() as db:
            db.execute("BEGIN IMMEDIATE")
            try:
                yield db
            except BaseException:
                db.execute("ROLLBACK")
                raise
            db.execute("COMMIT")

    # ------------------------------------------------------------------ follows

    def follow(self, guild_id: int, channel_id: int, topic: str, user_id: int) -> Follow:
        """Follow ``topic`` in a channel; following again there also resumes a paused channel."""
        text = " ".join(topic.split())
        if len(text) > MAX_TOPIC_CHARS:
            raise FollowError(f"a topic is at most {MAX_TOPIC_CHARS} characters")
        try:
            topic_terms(text)
        except TopicError as error:
            raise FollowError(str(error)) from None
        now = self.clock()
        with self._writing() as db:
            count = db.execute(
                "SELECT COUNT(*) FROM follows WHERE guild_id = ? AND active", (guild_id,)
            ).fetchone()[0]
            if count >= MAX_FOLLOWS_PER_GUILD:
                raise FollowError(
                    f"this server already follows {count} topics (the most is "
                    f"{MAX_FOLLOWS_PER_GUILD}); remove one with /unfollow first"
                )
            same = db.execute(
                "SELECT id FROM follows WHERE guild_id = ? AND channel_id = ? AND active "
                "AND lower(topic) = lower(?)",
                (guild_id, channel_id, text),
            ).fetchone()
            if same:
                raise FollowError(f"this channel already follows that topic (id {same[0]})")
            cursor = db.execute(
                "INSERT INTO follows (guild_id, channel_id, topic, created_by, created_at) "
                "VALUES (?, ?, ?, ?, ?)",
                (guild_id, channel_id, text, user_id, now),
            )
            db.execute("DELETE FROM paused WHERE channel_id = ?", (channel_id,))
            follow_id = int(cursor.lastrowid or 0)
        return Follow(follow_id, guild_id, channel_id, text, user_id, now)

    def unfollow(self, guild_id: int, follow_id: int) -> Follow | None:
        """Stop a follow of this guild; None when it has no such follow."""
        with self._writing() as db:
            found = self._follows(db, "id = ? AND guild_id = ? AND active", (follow_id, guild_id))
            if not found:
                return None
            db.execute("UPDATE follows SET active = 0 WHERE id = ?", (follow_id,))
            db.execute("DELETE FROM queue WHERE follow_id = ?", (follow_id,))
        return found[0]

    def following(self, guild_id: int) -> list[Follow]:
        """The active follows of one server, oldest first (paused channels included)."""
        with self._db() as db:
            return self._follows(db, "guild_id = ? AND active", (guild_id,))

    def active(self) -> list[Follow]:
        """Every follow whose channel is not paused."""
        with self._db() as db:
            return self._follows(
                db, "active AND channel_id NOT IN (SELECT channel_id FROM paused)", ()
            )

    @staticmethod
    def _follows(db: sqlite3.Connection, where: str, args: Sequence[object]) -> list[Follow]:
        query = (
            "SELECT id, guild_id, channel_id, topic, created_by, created_at FROM follows "  # noqa: S608 - only ? placeholders and fixed columns
            f"WHERE {where} ORDER BY id"
        )
        return [Follow(*row) for row in db.execute(query, tuple(args))]

    # ------------------------------------------------------------------ news in

    def note_news(self, index: NewsIndex, added: Sequence[str], updated: Sequence[str]) -> int:
        """Queue posts of new matching stories and edits of posted ones; returns how many.

        ``added`` and ``updated`` are newest article ids from a refresh (``Report``). An
        updated story that was posted is edited wherever it was posted; one that was not is
        posted if it now matches (its new version may be the first to name the topic).
        """
        follows = self.active()
        if not follows or not (added or updated):
            return 0
        queued = 0
        now = self.clock()
        with index.reading():
            cards = {a: c for a in {*added, *updated} if (c := card(index, a)) is not None}
            versions = {a: index.story.get(a, (a,)) for a in cards}
            for follow in follows:
                try:
                    topic = Topic(index, follow.topic)
                except TopicError:
                    continue
                with self._writing() as db:
                    for article_id, shown in cards.items():
                        queued += self._note(db, follow, topic, article_id, shown,
                                             versions[article_id], now)  # fmt: skip
        return queued

    def _note(
        self,
        db: sqlite3.Connection,
        follow: Follow,
        topic: Topic,
        article_id: str,
        shown: Card,
        versions: Sequence[str],
        now: float,
    ) -> int:
        marks = ",".join("?" * len(versions))
        post = db.execute(
            f"SELECT p.id, p.article_id, p.digest, p.summary FROM post_versions v "  # noqa: S608 - only ? placeholders and fixed columns
            f"JOIN posts p ON p.id = v.post_id WHERE v.follow_id = ? AND v.article_id IN ({marks}) "
            "ORDER BY p.id LIMIT 1",
            (follow.id, *versions),
        ).fetchone()
        if post is not None:
            post_id, posted_id, digest, summary = post
            if summary or (posted_id == article_id and digest == shown.digest()):
                return 0  # named in a summary (no message of its own), or nothing new to show
            db.execute(
                "INSERT INTO queue VALUES (?, ?, 'edit', ?, ?, ?) ON CONFLICT "
                "(follow_id, story_key) DO UPDATE SET card = excluded.card",
                (follow.id, f"post:{post_id}", post_id, shown.to_json(), now),
            )
            return 1
        if not topic.matches(article_id):
            return 0
        cursor = db.execute(
            "INSERT INTO queue VALUES (?, ?, 'post', NULL, ?, ?) ON CONFLICT "
            "(follow_id, story_key) DO UPDATE SET card = excluded.card",
            (follow.id, f"story:{versions[-1]}", shown.to_json(), now),
        )
        return cursor.rowcount

    # ------------------------------------------------------------------ work out

    def due(self) -> list[Action]:
        """Claim what may be sent now: every edit, and posts within each channel's rate limit.

        Posts past a channel's limit go into one summary message per channel per window;
        when that summary was already sent, they wait in the queue for the next window.
        Claimed posts are recorded at once (without a message id), so no other process or
        later call claims them again; report the outcome with ``sent`` or ``failed``.
        """
        now = self.clock()
        actions: list[Action] = []
        with self._writing() as db:
            rows = db.execute(
                "SELECT q.follow_id, q.story_key, q.kind, q.post_id, q.card, p.message_id "
                "FROM queue q JOIN follows f ON f.id = q.follow_id "
                "LEFT JOIN posts p ON p.id = q.post_id "
                "WHERE f.active AND f.channel_id NOT IN (SELECT channel_id FROM paused) "
                "ORDER BY q.queued_at, q.follow_id, q.story_key"
            ).fetchall()
            follows = {f.id: f for f in self._follows(db, "active", ())}
            waiting: dict[int, list[tuple[Follow, str, Card]]] = {}
            for follow_id, key, kind, post_id, text, message_id in rows:
                follow = follows[follow_id]
                shown = Card.from_json(text)
                if kind == "edit":
                    db.execute(
                        "DELETE FROM queue WHERE follow_id = ? AND story_key = ?", (follow_id, key)
                    )
                    if message_id is None:
                        continue  # its post never went out (or went out in a summary)
                    self._moved(db, post_id, follow_id, shown)
                    actions.append(
                        Action("edit", follow.channel_id, follow.guild_id, (shown,), (post_id,),
                               follow, message_id)
                    )  # fmt: skip
                else:
                    waiting.setdefault(follow.channel_id, []).append((follow, key, shown))
            since = now - WINDOW_SECONDS
            for channel_id, items in waiting.items():
                posted, summaries = db.execute(
                    "SELECT COALESCE(SUM(summary = 0), 0), COALESCE(SUM(summary = 1), 0) "
                    "FROM (SELECT DISTINCT COALESCE(message_id, -id) AS m, summary FROM posts "
                    "WHERE channel_id = ? AND posted_at > ?)",
                    (channel_id, since),
                ).fetchone()
                room = max(0, self.posts_per_minute - posted)
                singles, rest = items[:room], items[room:]
                for follow, key, shown in singles:
                    post_id = self._claim(db, follow, key, shown, now, summary=False)
                    actions.append(
                        Action("post", channel_id, follow.guild_id, (shown,), (post_id,), follow)
                    )
                if rest and not summaries:
                    ids = [self._claim(db, f, k, c, now, summary=True) for f, k, c in rest]
                    topics = tuple(dict.fromkeys(f.topic for f, _, _ in rest))
                    actions.append(
                        Action("summary", channel_id, rest[0][0].guild_id,
                               tuple(c for _, _, c in rest), tuple(ids), topics=topics)
                    )  # fmt: skip
        return actions

    def _claim(
        self, db: sqlite3.Connection, follow: Follow, key: str, shown: Card, now: float,
        summary: bool,
    ) -> int:  # fmt: skip
        db.execute("DELETE FROM queue WHERE follow_id = ? AND story_key = ?", (follow.id, key))
        cursor = db.execute(
            "INSERT INTO posts (follow_id, channel_id, article_id, digest, posted_at, summary) "
            "VALUES (?, ?, ?, ?, ?, ?)",
            (follow.id, follow.channel_id, shown.article_id, shown.digest(), now, int(summary)),
        )
        post_id = int(cursor.lastrowid or 0)
        db.execute(
            "INSERT OR IGNORE INTO post_versions VALUES (?, ?, ?)",
            (follow.id, shown.article_id, post_id),
        )
        # The story's older versions too: an edit finds its post by any id it has shown.
        db.execute(
            "INSERT OR IGNORE INTO post_versions VALUES (?, ?, ?)",
            (follow.id, key.removeprefix("story:"), post_id),
        )
        return post_id

    @staticmethod
    def _moved(db: sqlite3.Connection, post_id: int, follow_id: int, shown: Card) -> None:
        db.execute(
            "UPDATE OR IGNORE posts SET article_id = ?, digest = ? WHERE id = ?",
            (shown.article_id, shown.digest(), post_id),
        )
        db.execute(
            "INSERT OR IGNORE INTO post_versions VALUES (?, ?, ?)",
            (follow_id, shown.article_id, post_id),
        )

    # ------------------------------------------------------------------ outcomes

    def sent(self, action: Action, message_id: int) -> None:
        """The message for a claimed post or summary went out as ``message_id``."""
        if action.kind == "edit":
            return
        with self._writing() as db:
            db.executemany(
                "UPDATE posts SET message_id = ? WHERE id = ?",
                [(message_id, post_id) for post_id in action.post_ids],
            )

    def failed(self, action: Action, pause_reason: str | None) -> None:
        """A claimed message could not be sent: forget the claims so the stories may go later.

        With ``pause_reason`` (no access, channel gone) the channel is paused instead of retried.
        """
        with self._writing() as db:
            if action.kind != "edit":
                self._forget(db, action.post_ids)
            if pause_reason:
                self._pause(db, action.channel_id, action.guild_id, pause_reason)

    def message_gone(self, action: Action) -> None:
        """A posted message was deleted: its story stays posted (never twice), unedited."""
        with self._writing() as db:
            db.executemany(
                "UPDATE posts SET message_id = NULL WHERE id = ?", [(p,) for p in action.post_ids]
            )

    @staticmethod
    def _forget(db: sqlite3.Connection, post_ids: Iterable[int]) -> None:
        ids = [(p,) for p in post_ids]
        db.executemany("DELETE FROM post_versions WHERE post_id = ?", ids)
        db.executemany("DELETE FROM posts WHERE id = ?", ids)

    def _pause(self, db: sqlite3.Connection, channel_id: int, guild_id: int, reason: str) -> None:
        db.execute(
            "INSERT OR IGNORE INTO paused VALUES (?, ?, ?, ?)",
            (channel_id, guild_id, reason, self.clock()),
        )
        db.execute(
            "DELETE FROM queue WHERE follow_id IN (SELECT id FROM follows WHERE channel_id = ?)",
            (channel_id,),
        )

    def paused(self) -> list[PausedChannel]:
        """Channels paused because the bot lost access to them (with the reason), oldest first."""
        return paused_channels(self.path)

    def posts(self, follow_id: int) -> list[tuple[str, int | None, bool]]:
        """(article id, message id, in a summary) of each story posted for a follow."""
        with self._db() as db:
            rows = db.execute(
                "SELECT article_id, message_id, summary FROM posts WHERE follow_id = ? ORDER BY id",
                (follow_id,),
            )
            return [(a, m, bool(s)) for a, m, s in rows]
