"""Settings from the environment and ``.env``, checked once with messages a person can act on."""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypeVar

from dotenv import dotenv_values

# A leaf: only light modules (names, limits, URL rules), never an engine, tiktoken or a feed
# client, so that checking the settings costs nothing and nothing imports back into here.
from bot.feeds.urls import FeedURLError, parse_feed_urls
from bot.index.engines.names import DEFAULT_ENGINE, ENGINE_SETTINGS
from bot.text.limits import DEFAULT_MAX_TOKENS, MAX_PASSAGE_TOKENS, MIN_PASSAGE_TOKENS

# Three base64url parts separated by dots: user id, timestamp, HMAC.
_TOKEN_SHAPE = re.compile(r"^[A-Za-z0-9_\-]{20,}\.[A-Za-z0-9_\-]{4,}\.[A-Za-z0-9_\-]{20,}$")


class SettingsError(ValueError):
    """A setting is missing or malformed; the message names it and never echoes a secret."""


class Secret(str):
    """A string that never shows itself in reprs, logs or tracebacks."""

    def __repr__(self) -> str:
        return "Secret('***')"

    def reveal(self) -> str:
        """The secret itself: only where it is used, never where it could be shown."""
        return str.__str__(self)

    def __str__(self) -> str:
        return "***"


@dataclass(frozen=True)
class Settings:
    """newsbot's settings, checked once: one field per environment variable."""

    corpus_dir: Path = Path("corpus")
    cache_dir: Path = field(default_factory=lambda: default_cache_dir())
    discord_token: Secret | None = field(default=None, repr=False)
    guild_id: int | None = None
    engine: str = DEFAULT_ENGINE
    passage_tokens: int = DEFAULT_MAX_TOKENS
    ask_count: int = 3
    cooldown_seconds: float = 10.0
    refresh_seconds: float = 5.0
    feeds: tuple[str, ...] = field(default=(), repr=False)  # URLs may carry credentials
    feed_minutes: float = 15.0
    log_level: str = "INFO"
    # Discord shards this process serves: None (with no count) is one unsharded connection.
    shard_count: int | None = None
    shard_ids: tuple[int, ...] | None = None
    # NEWSBOT_SEMANTIC: embeddings beside BM25 (rerank + dense recall). Off by default: embedding
    # costs minutes per 10k passages on a small CPU.
    semantic: bool = False

    def token(self) -> str:
        """The Discord token, checked for shape; raises SettingsError without echoing it."""
        if self.discord_token is None or not self.discord_token.reveal().strip():
            raise SettingsError(
                "DISCORD_TOKEN is not set: put the bot token from the Discord developer portal "
                "in .env (see .env.example)"
            )
        value = self.discord_token.reveal().strip()
        if not _TOKEN_SHAPE.match(value):
            raise SettingsError(
                "DISCORD_TOKEN does not look like a bot token (expected three dot-separated "
                "parts); copy it again from the Bot page of the developer portal"
            )
        return value


def default_cache_dir() -> Path:
    """``$XDG_CACHE_HOME/newsbot``, else ``~/.cache/newsbot``: indexes live there."""
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "newsbot"


N = TypeVar("N", int, float)


def _number(env: Mapping[str, str], name: str, kind: type[N], default: N, low: N, high: N) -> N:
    """A numeric setting within [low, high]; empty means the default."""
    raw = env.get(name, "").strip()
    if not raw:
        return default
    try:
        value = kind(raw)
    except ValueError:
        what = "a whole number" if kind is int else "a number"
        raise SettingsError(f"{name} must be {what}, got {raw[:40]!r}") from None
    if not low <= value <= high:
        raise SettingsError(f"{name} must be between {low} and {high}, got {value}")
    return value


# Discord asks for a shard per 1,000 guilds at most; nothing real needs more than this.
MAX_SHARDS = 65536


def _shard_ids(raw: str, count: int | None) -> tuple[int, ...] | None:
    """``NEWSBOT_SHARD_IDS``: shard numbers separated by commas or spaces, each below the count."""
    parts = raw.replace(",", " ").split()
    if not parts:
        return None
    if count is None:
        raise SettingsError(
            "NEWSBOT_SHARD_IDS needs NEWSBOT_SHARD_COUNT (the total number of shards) as well"
        )
    ids: set[int] = set()
    for part in parts:
        if not part.isascii() or not part.isdigit() or len(part) > 6:
            raise SettingsError(
                f"NEWSBOT_SHARD_IDS must list whole numbers such as 0,1, got {part[:20]!r}"
            )
        if int(part) >= count:
            raise SettingsError(
                f"NEWSBOT_SHARD_IDS: shard {int(part)} does not exist with NEWSBOT_SHARD_COUNT="
                f"{count} (shards are numbered 0 to {count - 1})"
            )
        ids.add(int(part))
    return tuple(sorted(ids))


def load_settings(
    environ: Mapping[str, str] | None = None,
    env_file: Path | None = Path(".env"),
    corpus_dir: Path | None = None,
) -> Settings:
    """Settings from ``.env`` overlaid by the real environment (which wins), then checked."""
    env: dict[str, str] = {}
    if env_file is not None and env_file.is_file():
        env.update({k: v for k, v in dotenv_values(env_file).items() if v is not None})
    env.update(os.environ if environ is None else environ)

    guild = _number(env, "DISCORD_GUILD_ID", int, 0, 1, 2**64 - 1) or None
    tokens = _number(
        env,
        "NEWSBOT_PASSAGE_TOKENS",
        int,
        DEFAULT_MAX_TOKENS,
        MIN_PASSAGE_TOKENS,
        MAX_PASSAGE_TOKENS,
    )
    count = _number(env, "NEWSBOT_ASK_COUNT", int, 3, 1, 10)
    engine = env.get("NEWSBOT_ENGINE", "").strip().lower() or DEFAULT_ENGINE
    if engine not in ENGINE_SETTINGS:
        raise SettingsError(
            f"NEWSBOT_ENGINE must be one of {', '.join(sorted(ENGINE_SETTINGS))}, "
            f"got {engine[:40]!r}"
        )
    cooldown = _number(env, "NEWSBOT_COOLDOWN_SECONDS", float, 10.0, 0.0, 3600.0)
    refresh = _number(env, "NEWSBOT_REFRESH_SECONDS", float, 5.0, 0.0, 86400.0)
    try:
        feed_urls = parse_feed_urls(env.get("NEWSBOT_FEEDS", ""))
    except FeedURLError as error:
        raise SettingsError(
            f"NEWSBOT_FEEDS must list http:// or https:// feed URLs separated by spaces or "
            f"commas; {error}"
        ) from None
    feed_minutes = _number(env, "NEWSBOT_FEED_MINUTES", float, 15.0, 0.0, 7 * 24 * 60.0)
    level = env.get("NEWSBOT_LOG_LEVEL", "INFO").strip().upper() or "INFO"
    if level not in ("DEBUG", "INFO", "WARNING", "ERROR"):
        raise SettingsError(
            f"NEWSBOT_LOG_LEVEL must be DEBUG, INFO, WARNING or ERROR, got {level[:20]!r}"
        )
    shard_count = _number(env, "NEWSBOT_SHARD_COUNT", int, 0, 1, MAX_SHARDS) or None
    shard_ids = _shard_ids(env.get("NEWSBOT_SHARD_IDS", ""), shard_count)
    semantic = env.get("NEWSBOT_SEMANTIC", "").strip().lower() or "off"
    if semantic not in ("off", "on"):
        raise SettingsError(f"NEWSBOT_SEMANTIC must be off or on, got {semantic[:20]!r}")
    token = env.get("DISCORD_TOKEN")
    cache = env.get("NEWSBOT_CACHE_DIR", "").strip()
    return Settings(
        corpus_dir=corpus_dir or Path(env.get("NEWSBOT_CORPUS_DIR", "").strip() or "corpus"),
        cache_dir=Path(cache).expanduser() if cache else default_cache_dir(),
        discord_token=Secret(token) if token else None,
        guild_id=guild,
        engine=engine,
        passage_tokens=tokens,
        ask_count=count,
        cooldown_seconds=cooldown,
        refresh_seconds=refresh,
        feeds=feed_urls,
        feed_minutes=feed_minutes,
        log_level=level,
        shard_count=shard_count,
        shard_ids=shard_ids,
        semantic=semantic == "on",
    )
