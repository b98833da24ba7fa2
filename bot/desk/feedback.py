"""'Wrong source?' reports: a JSON Lines file in the cache, one press per user per answer.

Each line: when, the answer (its Discord message id), the question, the cited passage ids and
the user as a salted hash (HMAC-SHA256 with a random key kept beside the file), never the raw
id. Appends happen under a file lock, so the bot's processes (shards) share one file; the
bench question sets can grow from what it collects (``newsbot feedback``).
"""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import json
import os
import secrets
import sqlite3
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bot.storage import corpus_cache_path, exclusive_lock

SALT_BYTES = 32


@dataclass(frozen=True)
class AnsweredQuestion:
    """What an answer message cited, kept so that a press on its button can be recorded."""

    answer_id: int
    question: str
    passage_ids: tuple[str, ...]
    guild_id: int | None = None


class FeedbackLog:
    """The feedback file of one corpus, its salt and the answers its buttons belong to."""

    def __init__(self, cache_dir: Path, corpus_dir: Path) -> None:
        base = corpus_cache_path(Path(cache_dir), Path(corpus_dir), prefix="feedback-")
        self.path = base.with_name(base.name + ".jsonl")
        self._lock = base.with_name("." + base.name + ".lock")
        self._salt = base.with_name(base.name + ".salt")
        self._answers = base.with_name(base.name + "-answers.sqlite")

    # ------------------------------------------------------------------ answers

    @contextlib.contextmanager
    def _db(self) -> Iterator[sqlite3.Connection]:
        self._answers.parent.mkdir(parents=True, exist_ok=True)
        db = sqlite3.connect(self._answers, timeout=30, isolation_level=None)
        try:
            db.execute("PRAGMA journal_mode=WAL")
            db.execute(
                "CREATE TABLE IF NOT EXISTS answers (answer_id INTEGER PRIMARY KEY, "
                "question TEXT NOT NULL, passages TEXT NOT NULL, guild_id INTEGER, at REAL)"
            )
            yield db
        finally:
            db.close()

    def remember(self, answer: AnsweredQuestion) -> None:
        """Keep what an answer message cited (any process may later take a press on it)."""
        with self._db() as db:
            db.execute(
                "INSERT OR REPLACE INTO answers VALUES (?, ?, ?, ?, ?)",
                (answer.answer_id, answer.question, json.dumps(list(answer.passage_ids)),
                 answer.guild_id, time.time()),
            )  # fmt: skip

    def answer(self, answer_id: int) -> AnsweredQuestion | None:
        """What answer message ``answer_id`` cited, or None when it was never remembered."""
        with self._db() as db:
            row = db.execute(
                "SELECT question, passages, guild_id FROM answers WHERE answer_id = ?",
                (answer_id,),
            ).fetchone()
        if row is None:
            return None
        return AnsweredQuestion(answer_id, row[0], tuple(json.loads(row[1])), row[2])

    # ------------------------------------------------------------------ reports

    def user_hash(self, user_id: int) -> str:
        """The user as a keyed hash: stable for this cache, useless to anyone without the key."""
        return hmac.new(self._key(), str(user_id).encode(), hashlib.sha256).hexdigest()[:32]

    def _key(self) -> bytes:
        # Made once per cache, under the lock so that two processes agree on it; never shown.
        self._salt.parent.mkdir(parents=True, exist_ok=True)
        with exclusive_lock(self._lock):
            with contextlib.suppress(FileNotFoundError):
                key = self._salt.read_bytes()
                if len(key) == SALT_BYTES:
                    return key
            key = secrets.token_bytes(SALT_BYTES)
            fd = os.open(self._salt, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            with os.fdopen(fd, "wb") as handle:
                handle.write(key)
                handle.flush()
                os.fsync(handle.fileno())
            return key

    def record(self, answer: AnsweredQuestion, user_id: int) -> bool:
        """Append one report; False (nothing written) when this user already reported it."""
        who = self.user_hash(user_id)
        entry = {
            "at": round(time.time(), 3),
            "answer_id": str(answer.answer_id),
            "question": answer.question,
            "passage_ids": list(answer.passage_ids),
            "user": who,
        }
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with exclusive_lock(self._lock):
            for seen in self.entries():
                if seen.get("answer_id") == entry["answer_id"] and seen.get("user") == who:
                    return False
            line = json.dumps(entry, ensure_ascii=False) + "\n"
            with open(self.path, "a", encoding="utf-8") as handle:
                handle.write(line)
                handle.flush()
                os.fsync(handle.fileno())
        return True

    def entries(self) -> list[dict[str, Any]]:
        """Every report, oldest first; a line cut short by a crash is skipped."""
        if not self.path.is_file():
            return []
        found = []
        with open(self.path, encoding="utf-8") as handle:
            for line in handle:
                try:
                    item = json.loads(line)
                except json.JSONDecodeError:
                    continue
                if isinstance(item, dict):
                    found.append(item)
        return found


def cited_ids(citations: Sequence[Any]) -> tuple[str, ...]:
    """Passage ids of an answer's citations, in their order."""
    return tuple(str(c.passage_id) for c in citations)
