"""Loopback fake of Discord's REST API and gateway for a real, unmodified discord.py client."""

from __future__ import annotations

import asyncio
import contextlib
import copy
import json
import os
import re
import secrets
import time
import unicodedata
from collections.abc import AsyncIterator, Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Final

import aiohttp
import discord
import discord.gateway
import discord.http
import discord.webhook.async_
import yarl
from aiohttp import web

try:  # `regex` knows \p{L}/\p{N}; the stdlib `re` does not.
    import regex as _regex
except ImportError:  # pragma: no cover - depends on the environment
    _regex = None

JSON = dict[str, Any]

API_PREFIX: Final = "/api/v10"
DISCORD_EPOCH_MS: Final = 1_420_070_400_000

# Fixed ids make failures readable and let tests import them as constants.
DEFAULT_APPLICATION_ID: Final = 1_100_000_000_000_000_001
DEFAULT_GUILD_ID: Final = 1_100_000_000_000_000_002
DEFAULT_CHANNEL_ID: Final = 1_100_000_000_000_000_003
DEFAULT_OWNER_ID: Final = 1_100_000_000_000_000_004
DEFAULT_USER_ID: Final = 1_100_000_000_000_000_005
DEFAULT_TOKEN: Final = "fake-bot-token"

# Message flags.
SUPPRESS_EMBEDS: Final = 1 << 2
EPHEMERAL: Final = 1 << 6
LOADING: Final = 1 << 7
SUPPRESS_NOTIFICATIONS: Final = 1 << 12
IS_COMPONENTS_V2: Final = 1 << 15
_SETTABLE_FLAGS: Final = SUPPRESS_EMBEDS | EPHEMERAL | SUPPRESS_NOTIFICATIONS | IS_COMPONENTS_V2

# Gateway intents that need a switch in the developer portal (members, presences, content).
PRIVILEGED_INTENTS: Final = (1 << 1) | (1 << 8) | (1 << 15)
_GUILD_MESSAGES_INTENT: Final = 1 << 9
_MESSAGE_CONTENT_INTENT: Final = 1 << 15

# Interaction types and the callback types Discord accepts for each.
PING, APPLICATION_COMMAND, MESSAGE_COMPONENT, AUTOCOMPLETE, MODAL_SUBMIT = 1, 2, 3, 4, 5
_ALLOWED_CALLBACKS: Final[dict[int, frozenset[int]]] = {
    APPLICATION_COMMAND: frozenset({4, 5, 9}),
    MESSAGE_COMPONENT: frozenset({4, 5, 6, 7, 9}),
    AUTOCOMPLETE: frozenset({8}),
    MODAL_SUBMIT: frozenset({4, 5, 6, 7}),
}
_SELECT_TYPES: Final = frozenset({3, 5, 6, 7, 8})

# What @everyone can do in an ordinary server: view, send, embed, attach, history, reactions,
# external emoji, use application commands.
DEFAULT_MEMBER_PERMISSIONS: Final = (
    (1 << 6) | (1 << 10) | (1 << 11) | (1 << 14) | (1 << 15) | (1 << 16) | (1 << 18) | (1 << 31)
)
ADMINISTRATOR: Final = 1 << 3
MANAGE_CHANNELS: Final = 1 << 4
VIEW_CHANNEL: Final = 1 << 10
SEND_MESSAGES: Final = 1 << 11
EMBED_LINKS: Final = 1 << 14

# Application command types: slash, user context menu, message context menu.
CHAT_INPUT, USER_COMMAND, MESSAGE_COMMAND = 1, 2, 3


class FakeDiscordIncompatible(RuntimeError):
    """discord.py changed an internal the fake relies on; the fake needs updating."""


def check_discord_internals() -> None:
    """Raise FakeDiscordIncompatible if the discord.py internals `patch()` rewrites moved."""
    problems: list[str] = []
    route = getattr(discord.http, "Route", None)
    base = getattr(route, "BASE", None)
    if not isinstance(base, str) or not base.startswith(("https://", "http://")):
        problems.append(f"discord.http.Route.BASE should be an http(s) URL string, got {base!r}")
    elif not base.rstrip("/").endswith(API_PREFIX):
        problems.append(f"discord.http.Route.BASE no longer ends in {API_PREFIX}: {base!r}")
    else:
        try:
            url = route("GET", "/users/@me").url  # type: ignore[misc]
        except Exception as exc:  # any failure means the API moved
            problems.append(f"discord.http.Route('GET', path).url failed: {exc!r}")
        else:
            if url != base + "/users/@me":
                problems.append(f"Route.url is no longer BASE + path: {url!r}")
    # Follow-ups and callbacks go through the webhook adapter; it must share http.Route.
    if getattr(discord.webhook.async_, "Route", None) is not route:
        problems.append("discord.webhook.async_ no longer uses discord.http.Route")
    ws_cls = getattr(discord.gateway, "DiscordWebSocket", None)
    gateway = getattr(ws_cls, "DEFAULT_GATEWAY", None)
    if not isinstance(gateway, yarl.URL) or gateway.scheme not in ("ws", "wss"):
        problems.append(
            f"discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY should be a ws(s) yarl.URL, "
            f"got {gateway!r}"
        )
    if discord.version_info.major != 2:
        problems.append(f"fake written for discord.py 2.x, found {discord.__version__}")
    if problems:
        raise FakeDiscordIncompatible(
            "tests/fake_discord.py cannot point discord.py at the fake: " + "; ".join(problems)
        )


# Where a client in a child process reads the fake's address (see client_environment()).
ENV_BASE_URL: Final = "FAKE_DISCORD_BASE_URL"
ENV_GATEWAY_URL: Final = "FAKE_DISCORD_GATEWAY_URL"


def point_discord_py_at(base_url: str, gateway_url: str) -> tuple[str, yarl.URL]:
    """Point discord.py's REST base and default gateway elsewhere; return the old values."""
    check_discord_internals()
    route_cls = discord.http.Route
    ws_cls = discord.gateway.DiscordWebSocket
    old = (route_cls.BASE, ws_cls.DEFAULT_GATEWAY)
    route_cls.BASE = base_url
    ws_cls.DEFAULT_GATEWAY = yarl.URL(gateway_url)
    return old


def patch_from_environment(environ: Mapping[str, str] | None = None) -> None:
    """In a child process: point discord.py at the fake named by client_environment()."""
    env = os.environ if environ is None else environ
    try:
        base, gateway = env[ENV_BASE_URL], env[ENV_GATEWAY_URL]
    except KeyError as exc:
        raise RuntimeError(f"{exc.args[0]} is not set; pass fake.client_environment()") from None
    point_discord_py_at(base, gateway)


# --------------------------------------------------------------------------- validation


class _Errors:
    """Collects Discord-style form errors and renders them as the nested `errors` object."""

    def __init__(self) -> None:
        self.items: list[tuple[tuple[str | int, ...], str, str]] = []

    def add(self, path: tuple[str | int, ...], code: str, message: str) -> None:
        self.items.append((path, code, message))

    def __bool__(self) -> bool:
        return bool(self.items)

    def tree(self) -> JSON:
        tree: JSON = {}
        for path, code, message in self.items:
            node = tree
            for key in path:
                node = node.setdefault(str(key), {})
            node.setdefault("_errors", []).append({"code": code, "message": message})
        return tree

    def lines(self) -> list[str]:
        return [".".join(map(str, path)) + f": {message}" for path, _, message in self.items]


def _check_str(
    errs: _Errors,
    path: tuple[str | int, ...],
    value: Any,
    low: int,
    high: int,
    *,
    required: bool = False,
) -> int:
    """Check a string's length; return the length so callers can sum embed totals."""
    if value is None:
        if required:
            errs.add(path, "BASE_TYPE_REQUIRED", "This field is required")
        return 0
    if not isinstance(value, str):
        errs.add(path, "BASE_TYPE_STRING", "Could not interpret value as string.")
        return 0
    n = len(value)
    if n > high or n < low:
        if low <= 0:
            errs.add(path, "BASE_TYPE_MAX_LENGTH", f"Must be {high} or fewer in length.")
        else:
            errs.add(path, "BASE_TYPE_BAD_LENGTH", f"Must be between {low} and {high} in length.")
    return n


def _check_count(
    errs: _Errors, path: tuple[str | int, ...], items: Any, high: int, low: int = 0
) -> list[Any]:
    if items is None:
        return []
    if not isinstance(items, list):
        errs.add(path, "BASE_TYPE_ARRAY", "Must be an array.")
        return []
    if len(items) > high:
        errs.add(path, "BASE_TYPE_MAX_LENGTH", f"Must be {high} or fewer in length.")
    elif len(items) < low:
        errs.add(path, "BASE_TYPE_MIN_LENGTH", f"Must be {low} or more in length.")
    return items


def _check_embed(errs: _Errors, path: tuple[str | int, ...], embed: Any) -> int:
    if not isinstance(embed, dict):
        errs.add(path, "DICT_TYPE_CONVERT", "Only dictionaries may be used in a DictType")
        return 0
    total = _check_str(errs, (*path, "title"), embed.get("title"), 0, 256)
    total += _check_str(errs, (*path, "description"), embed.get("description"), 0, 4096)
    fields = _check_count(errs, (*path, "fields"), embed.get("fields"), 25)
    for i, fld in enumerate(fields):
        fpath = (*path, "fields", i)
        if not isinstance(fld, dict):
            errs.add(fpath, "DICT_TYPE_CONVERT", "Only dictionaries may be used in a DictType")
            continue
        # Discord rejects empty field names and values, not just long ones.
        total += _check_str(errs, (*fpath, "name"), fld.get("name"), 1, 256, required=True)
        total += _check_str(errs, (*fpath, "value"), fld.get("value"), 1, 1024, required=True)
    footer = embed.get("footer")
    if isinstance(footer, dict):
        total += _check_str(errs, (*path, "footer", "text"), footer.get("text"), 0, 2048)
    author = embed.get("author")
    if isinstance(author, dict):
        total += _check_str(errs, (*path, "author", "name"), author.get("name"), 0, 256)
    for key in ("url",):
        _check_str(errs, (*path, key), embed.get(key), 0, 2048)
    return total


def _children(component: JSON) -> list[Any]:
    kids: list[Any] = list(component.get("components") or [])
    for key in ("accessory", "component"):
        if isinstance(component.get(key), dict):
            kids.append(component[key])
    return kids


def _check_component(
    errs: _Errors, path: tuple[str | int, ...], comp: Any, seen_ids: set[str]
) -> int:
    """Validate one component and its children; return how many components it contains."""
    if not isinstance(comp, dict):
        errs.add(path, "DICT_TYPE_CONVERT", "Only dictionaries may be used in a DictType")
        return 0
    ctype = comp.get("type")
    custom_id = comp.get("custom_id")
    if isinstance(custom_id, str):
        if custom_id in seen_ids:
            errs.add(
                (*path, "custom_id"),
                "COMPONENT_CUSTOM_ID_DUPLICATED",
                "Component custom id cannot be duplicated",
            )
        seen_ids.add(custom_id)
    if ctype == 1:
        kids = _check_count(errs, (*path, "components"), comp.get("components"), 5, low=1)
        has_select = any(isinstance(k, dict) and k.get("type") in _SELECT_TYPES for k in kids)
        if has_select and len(kids) > 1:
            errs.add(
                (*path, "components"),
                "COMPONENT_LAYOUT_WIDTH_EXCEEDED",
                "The specified component exceeds the maximum width",
            )
    elif ctype == 2:
        style = comp.get("style")
        _check_str(errs, (*path, "label"), comp.get("label"), 0, 80)
        if style == 5:
            _check_str(errs, (*path, "url"), comp.get("url"), 1, 512, required=True)
            if custom_id is not None:
                errs.add(
                    (*path, "custom_id"),
                    "BUTTON_COMPONENT_CUSTOM_ID_FORBIDDEN",
                    "A link button cannot have a custom id",
                )
        elif style != 6:
            _check_str(errs, (*path, "custom_id"), custom_id, 1, 100, required=True)
        if style not in (1, 2, 3, 4, 5, 6):
            errs.add(
                (*path, "style"), "BASE_TYPE_CHOICES", "Value must be one of (1, 2, 3, 4, 5, 6)."
            )
    elif ctype in _SELECT_TYPES:
        _check_str(errs, (*path, "custom_id"), custom_id, 1, 100, required=True)
        _check_str(errs, (*path, "placeholder"), comp.get("placeholder"), 0, 150)
        if ctype == 3:
            options = _check_count(errs, (*path, "options"), comp.get("options"), 25, low=1)
            for i, opt in enumerate(options):
                if isinstance(opt, dict):
                    opath = (*path, "options", i)
                    _check_str(errs, (*opath, "label"), opt.get("label"), 1, 100, required=True)
                    _check_str(errs, (*opath, "value"), opt.get("value"), 1, 100, required=True)
                    _check_str(errs, (*opath, "description"), opt.get("description"), 0, 100)
    elif ctype == 4:
        _check_str(errs, (*path, "custom_id"), custom_id, 1, 100, required=True)
        _check_str(errs, (*path, "label"), comp.get("label"), 0, 45)
        _check_str(errs, (*path, "value"), comp.get("value"), 0, 4000)
        _check_str(errs, (*path, "placeholder"), comp.get("placeholder"), 0, 100)
    elif ctype == 10:
        _check_str(errs, (*path, "content"), comp.get("content"), 1, 4000, required=True)
    count = 1
    for i, kid in enumerate(_children(comp)):
        count += _check_component(errs, (*path, "components", i), kid, seen_ids)
    return count


def _check_components(
    errs: _Errors, path: tuple[str | int, ...], components: Any, *, v2: bool
) -> None:
    top = _check_count(errs, path, components, 40 if v2 else 5)
    seen: set[str] = set()
    total = 0
    for i, comp in enumerate(top):
        if not v2 and isinstance(comp, dict) and comp.get("type") != 1:
            errs.add(
                (*path, i, "type"),
                "COMPONENT_TYPE_INVALID",
                "Top-level components must be action rows unless IS_COMPONENTS_V2 is set",
            )
        total += _check_component(errs, (*path, i), comp, seen)
    if v2 and total > 40:
        errs.add(
            path,
            "COMPONENT_MAX_TOTAL_COMPONENTS_EXCEEDED",
            "Total number of components exceeds the maximum of 40",
        )


def _check_message(errs: _Errors, path: tuple[str | int, ...], payload: Any) -> None:
    if not isinstance(payload, dict):
        errs.add(path, "DICT_TYPE_CONVERT", "Only dictionaries may be used in a DictType")
        return
    _check_str(errs, (*path, "content"), payload.get("content"), 0, 2000)
    embeds = _check_count(errs, (*path, "embeds"), payload.get("embeds"), 10)
    total = sum(_check_embed(errs, (*path, "embeds", i), e) for i, e in enumerate(embeds))
    if total > 6000:
        errs.add(
            (*path, "embeds"), "MAX_EMBED_SIZE_EXCEEDED", "Embed size exceeds maximum size of 6000"
        )
    if payload.get("allowed_mentions") is not None:
        _check_allowed_mentions(errs, (*path, "allowed_mentions"), payload["allowed_mentions"])
    flags = payload.get("flags") or 0
    if payload.get("components") is not None:
        _check_components(
            errs,
            (*path, "components"),
            payload["components"],
            v2=bool(int(flags) & IS_COMPONENTS_V2),
        )


_MENTION_KINDS: Final = ("users", "roles", "everyone")


def _check_allowed_mentions(errs: _Errors, path: tuple[str | int, ...], value: Any) -> None:
    if not isinstance(value, dict):
        errs.add(path, "DICT_TYPE_CONVERT", "Only dictionaries may be used in a DictType")
        return
    parse = _check_count(errs, (*path, "parse"), value.get("parse"), 3)
    for i, kind in enumerate(parse):
        if kind not in _MENTION_KINDS:
            errs.add(
                (*path, "parse", i),
                "BASE_TYPE_CHOICES",
                "Value must be one of ('users', 'roles', 'everyone').",
            )
    for kind in ("users", "roles"):
        _check_count(errs, (*path, kind), value.get(kind), 100)
        # Discord refuses to be told both "ping every X" and "ping only these X".
        if kind in parse and value.get(kind):
            errs.add(
                (*path, "parse"),
                "MESSAGE_ALLOWED_MENTIONS_PARSE_EXCLUSIVE",
                f'parse:["{kind}"] and {kind}: [ids...] are mutually exclusive.',
            )


_USER_MENTION_RE: Final = re.compile(r"<@!?(\d+)>")
_ROLE_MENTION_RE: Final = re.compile(r"<@&(\d+)>")


def _pings(
    content: str, allowed: Any, replied_user_id: int | None
) -> tuple[list[int], list[int], bool]:
    """(user ids, role ids, @everyone/@here) that `content` notifies under `allowed` mentions.

    Without allowed_mentions Discord parses everything and pings a replied-to author; with it,
    only what it lists (replied_user defaults to false there).
    """
    users = [int(u) for u in dict.fromkeys(_USER_MENTION_RE.findall(content))]
    roles = [int(r) for r in dict.fromkeys(_ROLE_MENTION_RE.findall(content))]
    everyone = "@everyone" in content or "@here" in content
    if isinstance(allowed, dict):
        parse = set(allowed.get("parse") or [])
        listed_users = {int(u) for u in allowed.get("users") or []}
        listed_roles = {int(r) for r in allowed.get("roles") or []}
        users = [u for u in users if "users" in parse or u in listed_users]
        roles = [r for r in roles if "roles" in parse or r in listed_roles]
        everyone = everyone and "everyone" in parse
        reply_pings = bool(allowed.get("replied_user"))
    else:
        reply_pings = True
    if replied_user_id is not None and reply_pings and replied_user_id not in users:
        users.append(replied_user_id)
    return users, roles, everyone


def _is_empty_message(payload: JSON, files: Sequence[Any]) -> bool:
    return not (
        payload.get("content")
        or payload.get("embeds")
        or payload.get("components")
        or payload.get("sticker_ids")
        or payload.get("poll")
        or files
    )


def _check_choices(errs: _Errors, path: tuple[str | int, ...], choices: Any) -> None:
    for i, choice in enumerate(_check_count(errs, path, choices, 25)):
        if not isinstance(choice, dict):
            errs.add((*path, i), "DICT_TYPE_CONVERT", "Only dictionaries may be used in a DictType")
            continue
        _check_str(errs, (*path, i, "name"), choice.get("name"), 1, 100, required=True)
        if isinstance(choice.get("value"), str):
            _check_str(errs, (*path, i, "value"), choice["value"], 0, 100)
        elif "value" not in choice:
            errs.add((*path, i, "value"), "BASE_TYPE_REQUIRED", "This field is required")


if _regex is not None:
    _NAME_RE = _regex.compile(r"^[-_\p{L}\p{N}]+$")

    def _name_chars_ok(name: str) -> bool:
        return _NAME_RE.fullmatch(name) is not None

else:  # pragma: no cover - fallback when `regex` is missing

    def _name_chars_ok(name: str) -> bool:
        return all(ch in "-_" or unicodedata.category(ch)[0] in "LN" for ch in name)


def _check_name(errs: _Errors, path: tuple[str | int, ...], name: Any, *, chat_input: bool) -> int:
    n = _check_str(errs, path, name, 1, 32, required=True)
    bad = isinstance(name, str) and (name != name.lower() or not _name_chars_ok(name))
    if chat_input and name and bad:
        errs.add(path, "APPLICATION_COMMAND_INVALID_NAME", f"Command name is invalid: {name!r}")
    return n


def _check_localizations(errs: _Errors, path: tuple[str | int, ...], value: Any, high: int) -> None:
    if isinstance(value, dict):
        for locale, text in value.items():
            _check_str(errs, (*path, locale), text, 1, high)


def _check_options(
    errs: _Errors, path: tuple[str | int, ...], options: Any, *, parent_type: int
) -> int:
    """Validate an options list (recursively); return the characters it contributes."""
    items = _check_count(errs, path, options, 25)
    total = 0
    names: set[str] = set()
    seen_optional = False
    for i, opt in enumerate(items):
        opath = (*path, i)
        if not isinstance(opt, dict):
            errs.add(opath, "DICT_TYPE_CONVERT", "Only dictionaries may be used in a DictType")
            continue
        otype = opt.get("type")
        if not isinstance(otype, int) or isinstance(otype, bool) or not 1 <= otype <= 11:
            errs.add(
                (*opath, "type"),
                "BASE_TYPE_CHOICES",
                "Value must be one of (1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11).",
            )
            continue
        total += _check_name(errs, (*opath, "name"), opt.get("name"), chat_input=True)
        total += _check_str(
            errs, (*opath, "description"), opt.get("description"), 1, 100, required=True
        )
        _check_localizations(
            errs, (*opath, "name_localizations"), opt.get("name_localizations"), 32
        )
        _check_localizations(
            errs, (*opath, "description_localizations"), opt.get("description_localizations"), 100
        )
        name = opt.get("name")
        if isinstance(name, str):
            if name in names:
                errs.add(
                    (*opath, "name"),
                    "APPLICATION_COMMAND_OPTION_NAME_ALREADY_EXISTS",
                    "Option name already exists",
                )
            names.add(name)
        if otype in (1, 2):
            # Groups hold only sub-commands; sub-commands hold no further nesting.
            if parent_type == 1 or (parent_type == 2 and otype == 2):
                errs.add(
                    (*opath, "type"),
                    "APPLICATION_COMMAND_OPTION_TYPE_INVALID",
                    "Sub-command nesting is too deep",
                )
            total += _check_options(
                errs, (*opath, "options"), opt.get("options"), parent_type=otype
            )
            continue
        if parent_type == 2:
            errs.add(
                (*opath, "type"),
                "APPLICATION_COMMAND_OPTION_TYPE_INVALID",
                "Sub-command groups may only contain sub-commands",
            )
        if opt.get("required"):
            if seen_optional:
                errs.add(
                    opath,
                    "APPLICATION_COMMAND_OPTIONS_REQUIRED_INVALID",
                    "Required options must be placed before non-required options",
                )
        else:
            seen_optional = True
        choices = opt.get("choices")
        if choices is not None:
            if otype not in (3, 4, 10):
                errs.add(
                    (*opath, "choices"),
                    "APPLICATION_COMMAND_OPTION_CHOICES_INVALID",
                    "Choices are only allowed for string, integer and number options",
                )
            if opt.get("autocomplete"):
                errs.add(
                    (*opath, "autocomplete"),
                    "AUTOCOMPLETE_AND_CHOICES_INVALID",
                    "Autocomplete cannot be enabled on options that have choices",
                )
            _check_choices(errs, (*opath, "choices"), choices)
            for choice in choices if isinstance(choices, list) else []:
                if isinstance(choice, dict):
                    total += len(str(choice.get("name", ""))) + len(str(choice.get("value", "")))
        for key in ("min_length", "max_length"):
            value = opt.get(key)
            if value is not None and not (isinstance(value, int) and 0 <= value <= 6000):
                errs.add(
                    (*opath, key), "NUMBER_TYPE_MAX", "int value should be between 0 and 6000."
                )
    return total


def _check_command(errs: _Errors, path: tuple[str | int, ...], cmd: Any) -> None:
    if not isinstance(cmd, dict):
        errs.add(path, "DICT_TYPE_CONVERT", "Only dictionaries may be used in a DictType")
        return
    ctype = cmd.get("type", 1)
    if ctype not in (1, 2, 3, 4):
        errs.add((*path, "type"), "BASE_TYPE_CHOICES", "Value must be one of (1, 2, 3, 4).")
        return
    chat_input = ctype == 1
    total = _check_name(errs, (*path, "name"), cmd.get("name"), chat_input=chat_input)
    _check_localizations(errs, (*path, "name_localizations"), cmd.get("name_localizations"), 32)
    if chat_input:
        total += _check_str(
            errs, (*path, "description"), cmd.get("description"), 1, 100, required=True
        )
        _check_localizations(
            errs, (*path, "description_localizations"), cmd.get("description_localizations"), 100
        )
        total += _check_options(errs, (*path, "options"), cmd.get("options"), parent_type=0)
        if total > 4000:
            errs.add(
                path,
                "APPLICATION_COMMAND_TOO_LARGE",
                "Command exceeds maximum size (4000 characters)",
            )
    elif cmd.get("description"):
        errs.add(
            (*path, "description"),
            "APPLICATION_COMMAND_CONTEXT_MENU_DESCRIPTION",
            "Context menu commands cannot have a description",
        )


def _check_commands(errs: _Errors, payload: Any) -> None:
    if not isinstance(payload, list):
        errs.add((), "BASE_TYPE_ARRAY", "Must be an array.")
        return
    seen: set[tuple[Any, Any]] = set()
    per_type: dict[Any, int] = {}
    for i, cmd in enumerate(payload):
        _check_command(errs, (i,), cmd)
        if isinstance(cmd, dict):
            key = (cmd.get("type", 1), cmd.get("name"))
            if key in seen:
                errs.add(
                    (i, "name"),
                    "APPLICATION_COMMANDS_DUPLICATE_NAME",
                    f"Application command names must be unique: {cmd.get('name')!r}",
                )
            seen.add(key)
            per_type[key[0]] = per_type.get(key[0], 0) + 1
    for ctype, limit in ((1, 100), (2, 5), (3, 5)):
        if per_type.get(ctype, 0) > limit:
            errs.add(
                (), "APPLICATION_COMMANDS_TOO_MANY", f"Maximum of {limit} commands of type {ctype}"
            )


def validate_message(payload: Mapping[str, Any]) -> list[str]:
    """Return the 50035 problems Discord would report for a message payload ([] if valid)."""
    errs = _Errors()
    _check_message(errs, (), dict(payload))
    return errs.lines()


def validate_commands(payload: Sequence[Mapping[str, Any]]) -> list[str]:
    """Return the 50035 problems Discord would report for a bulk command sync ([] if valid)."""
    errs = _Errors()
    _check_commands(errs, [dict(c) for c in payload])
    return errs.lines()


def validate_choices(choices: Sequence[Mapping[str, Any]]) -> list[str]:
    """Return the 50035 problems Discord would report for autocomplete results ([] if valid)."""
    errs = _Errors()
    _check_choices(errs, ("choices",), [dict(c) for c in choices])
    return errs.lines()


# --------------------------------------------------------------------------- records


class _Snowflakes:
    """Unique, increasing snowflakes stamped with the real clock (so created_at is sane)."""

    def __init__(self) -> None:
        self._last = 0

    def next(self) -> int:
        value = (int(time.time() * 1000) - DISCORD_EPOCH_MS) << 22
        self._last = value if value > self._last else self._last + 1
        return self._last

    def next_on_shard(self, shard_id: int, count: int) -> int:
        """The next snowflake whose guild would land on `shard_id` of `count` shards."""
        value = self.next()
        stamp = value >> 22
        stamp += (shard_id - stamp) % count  # moves the stamp at most count-1 ms ahead
        self._last = max(self._last, stamp << 22)
        return stamp << 22


def _now_iso() -> str:
    return datetime.now(UTC).isoformat()


def _truthy(value: str | None) -> bool:
    return value is not None and value.lower() in ("1", "true", "yes")


@dataclass
class RecordedRequest:
    """One REST request the fake received."""

    method: str
    path: str  # after /api/v10, e.g. "/applications/1/guilds/2/commands"
    query: dict[str, str]
    json: Any  # parsed JSON body, or the payload_json part of a multipart body
    files: list[JSON]  # multipart file parts: field, filename, content_type, size, data
    time: float  # loop.time() on arrival
    status: int = 0  # status the fake answered with


@dataclass
class Rejection:
    """A 4xx answer the fake gave, with Discord's error code and the reason."""

    method: str
    path: str
    status: int
    code: int
    message: str
    errors: JSON
    time: float
    interaction_id: int | None = None

    @property
    def reason(self) -> str:
        details = _Errors()
        _flatten(self.errors, (), details)
        extra = "; ".join(details.lines())
        return f"{self.status} code={self.code} {self.message}" + (f" ({extra})" if extra else "")


def _flatten(tree: JSON, path: tuple[str | int, ...], out: _Errors) -> None:
    for key, value in tree.items():
        if key == "_errors":
            for err in value:
                out.add(path, err.get("code", ""), err.get("message", ""))
        elif isinstance(value, dict):
            _flatten(value, (*path, key), out)


@dataclass(frozen=True)
class Pings:
    """Who a new message notified, after allowed_mentions (edits never notify)."""

    users: tuple[int, ...] = ()
    roles: tuple[int, ...] = ()
    everyone: bool = False

    def __bool__(self) -> bool:
        return bool(self.users or self.roles or self.everyone)


@dataclass
class SentMessage:
    """A message payload the bot sent (callback, follow-up, edit or channel message)."""

    kind: str  # "response" | "update" | "followup" | "edit" | "channel" | "channel_edit"
    payload: JSON
    message: JSON | None  # the message object the fake returned
    has_allowed_mentions: bool
    allowed_mentions: Any
    files: list[JSON]
    time: float
    interaction_id: int | None = None
    pings: Pings = field(default_factory=Pings)

    @property
    def message_id(self) -> int | None:
        return None if self.message is None else int(self.message["id"])

    @property
    def channel_id(self) -> int | None:
        return None if self.message is None else int(self.message["channel_id"])

    @property
    def content(self) -> str | None:
        return self.payload.get("content")

    @property
    def embeds(self) -> list[JSON]:
        return list(self.payload.get("embeds") or [])

    @property
    def components(self) -> list[JSON]:
        return list(self.payload.get("components") or [])

    @property
    def ephemeral(self) -> bool:
        source = self.message if self.message is not None else self.payload
        return bool(int(source.get("flags") or 0) & EPHEMERAL)


@dataclass
class CallbackRecord:
    """An accepted POST /interactions/{id}/{token}/callback."""

    type: int  # 4 message, 5 defer, 6 deferred update, 7 update, 8 autocomplete, 9 modal
    data: JSON | None
    time: float
    message: JSON | None  # message created or updated by this callback, if any


@dataclass
class GatewayConnection:
    """One websocket connection to the fake gateway."""

    path: str
    query: dict[str, str]
    opened_at: float
    kind: str = ""  # "identify" or "resume" once the client said which
    session_id: str | None = None
    shard: tuple[int, int] | None = None  # [id, count] of the session it serves
    dispatched: list[JSON] = field(default_factory=list)  # op 0 frames sent on this socket
    received: list[JSON] = field(default_factory=list)
    heartbeats: int = 0
    closed_at: float | None = None
    close_code: int | None = None
    ws: web.WebSocketResponse | None = field(default=None, repr=False)
    lock: asyncio.Lock = field(default_factory=asyncio.Lock, repr=False)

    @property
    def closed(self) -> bool:
        return self.closed_at is not None or self.ws is None or self.ws.closed

    @property
    def shard_id(self) -> int:
        """The shard this connection serves; an unsharded client is shard 0 of 1."""
        return 0 if self.shard is None else self.shard[0]

    def events(self, name: str) -> list[JSON]:
        """`d` of every `name` dispatch sent on this connection, oldest first."""
        return [f["d"] for f in self.dispatched if f.get("t") == name]


@dataclass
class _Session:
    id: str
    shard: tuple[int, int] | None
    intents: int
    seq: int = 0
    events: list[JSON] = field(default_factory=list)
    connection: GatewayConnection | None = None
    ready_sent: bool = False


class FakeInteraction:
    """An interaction the fake dispatched, and everything the bot did with it."""

    def __init__(
        self,
        fake: FakeDiscord,
        *,
        id: int,
        token: str,
        type: int,
        name: str,
        payload: JSON,
        dispatched_at: float,
        source_message_id: int | None = None,
    ) -> None:
        self._fake = fake
        self.id = id
        self.token = token
        self.type = type
        self.name = name  # command name, or custom_id for component clicks
        self.payload = payload  # the INTERACTION_CREATE `d` as sent
        self.dispatched_at = dispatched_at
        self.source_message_id = source_message_id  # the message a clicked component was on
        self.shard_id = 0  # the shard whose session carried INTERACTION_CREATE
        self.connection: GatewayConnection | None = None  # the socket it went out on
        self.responses: list[CallbackRecord] = []
        self.followups: list[SentMessage] = []
        self.edits: list[SentMessage] = []
        self.rejections: list[Rejection] = []
        self.deleted_message_ids: list[int] = []
        self.acknowledged_at: float | None = None
        self.original_id: int | None = None  # message that @original refers to
        self.followup_ids: list[int] = []
        self.dead = False  # set once the first response missed the deadline
        self.last_activity = dispatched_at

    def __repr__(self) -> str:
        return (
            f"<FakeInteraction id={self.id} type={self.type} name={self.name!r} "
            f"response_type={self.response_type} followups={len(self.followups)}>"
        )

    @property
    def response(self) -> CallbackRecord | None:
        """The accepted first callback, if any."""
        return self.responses[0] if self.responses else None

    @property
    def response_type(self) -> int | None:
        return self.responses[0].type if self.responses else None

    @property
    def acknowledged(self) -> bool:
        return self.acknowledged_at is not None

    @property
    def deferred(self) -> bool:
        return self.response_type in (5, 6)

    @property
    def ack_latency(self) -> float | None:
        """Seconds from dispatch to the accepted first callback."""
        return None if self.acknowledged_at is None else self.acknowledged_at - self.dispatched_at

    @property
    def original(self) -> JSON | None:
        """Current state of the @original message (None before a response or after deletion)."""
        return None if self.original_id is None else self._fake.messages.get(self.original_id)

    @property
    def messages(self) -> list[JSON]:
        """Current state of every visible message of this interaction, original first."""
        ids = ([self.original_id] if self.original_id is not None else []) + self.followup_ids
        seen: list[JSON] = []
        for mid in dict.fromkeys(ids):
            msg = self._fake.messages.get(mid)
            if msg is not None:
                seen.append(msg)
        return seen

    @property
    def contents(self) -> list[str]:
        return [m.get("content") or "" for m in self.messages]

    @property
    def choices(self) -> list[JSON] | None:
        """Autocomplete choices from a type 8 response."""
        resp = self.response
        if resp is None or resp.type != 8:
            return None
        return list((resp.data or {}).get("choices") or [])

    @property
    def modal(self) -> JSON | None:
        resp = self.response
        return resp.data if resp is not None and resp.type == 9 else None

    def _done(self) -> bool:
        if self.dead:
            return True
        if not self.acknowledged:
            return False
        if self.deferred:
            return bool(self.followups or self.edits or self.deleted_message_ids)
        return True

    def _describe(self) -> str:
        return (
            f"{self!r}; responses={[r.type for r in self.responses]}, "
            f"rejections={[r.reason for r in self.rejections]}"
        )

    async def wait_for_response(self, timeout: float = 5.0) -> CallbackRecord:
        """Wait for the first accepted callback."""
        await self._fake._wait(
            lambda: bool(self.responses),
            timeout,
            lambda: f"no interaction response: {self._describe()}",
        )
        return self.responses[0]

    async def wait_for_followup(self, count: int = 1, timeout: float = 5.0) -> SentMessage:
        """Wait until `count` follow-ups were accepted; return the count-th."""
        await self._fake._wait(
            lambda: len(self.followups) >= count,
            timeout,
            lambda: f"fewer than {count} follow-ups: {self._describe()}",
        )
        return self.followups[count - 1]

    async def wait_for_edit(self, count: int = 1, timeout: float = 5.0) -> SentMessage:
        """Wait until `count` edits were accepted; return the count-th."""
        await self._fake._wait(
            lambda: len(self.edits) >= count,
            timeout,
            lambda: f"fewer than {count} edits: {self._describe()}",
        )
        return self.edits[count - 1]

    async def wait_for_rejection(self, code: int | None = None, timeout: float = 5.0) -> Rejection:
        """Wait for a 4xx about this interaction (optionally with Discord error `code`)."""

        def match() -> Rejection | None:
            return next((r for r in self.rejections if code is None or r.code == code), None)

        await self._fake._wait(
            lambda: match() is not None,
            timeout,
            lambda: f"no rejection with code {code}: {self._describe()}",
        )
        found = match()
        assert found is not None
        return found

    async def wait_done(self, timeout: float = 5.0, quiet: float = 0.05) -> FakeInteraction:
        """Wait until answered (a defer counts once followed up or edited) or dead, then quiet.

        `quiet` is how long no further request for this interaction must arrive, so trailing
        follow-ups are captured too.
        """
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        await self._fake._wait(
            self._done, timeout, lambda: f"interaction not done: {self._describe()}"
        )
        while True:
            remaining = self.last_activity + quiet - loop.time()
            if remaining <= 0:
                return self
            if loop.time() + remaining > deadline:
                raise TimeoutError(f"interaction never went quiet: {self._describe()}")
            await asyncio.sleep(remaining)


# --------------------------------------------------------------------------- the fake


_Handler = Callable[..., Any]


class FakeDiscord:
    """An aiohttp server on 127.0.0.1 that speaks enough REST + gateway for discord.py 2.x."""

    def __init__(
        self,
        *,
        token: str = DEFAULT_TOKEN,
        application_id: int = DEFAULT_APPLICATION_ID,
        guild_id: int = DEFAULT_GUILD_ID,
        channel_id: int = DEFAULT_CHANNEL_ID,
        owner_id: int = DEFAULT_OWNER_ID,
        user_id: int = DEFAULT_USER_ID,
        bot_name: str = "newsbot-test",
        guild_name: str = "Fake Guild",
        ack_deadline: float = 3.0,
        token_lifetime: float = 15 * 60.0,
        heartbeat_interval: float = 41.25,
        shard_count: int = 1,
        privileged_intents: int = 0,
        require_synced: bool = False,
        daily_command_creates: int = 200,
    ) -> None:
        self.token = token
        self.application_id = application_id
        self.bot_user_id = application_id  # modern bots share the application's id
        self.guild_id = guild_id
        self.channel_id = channel_id
        self.owner_id = owner_id
        self.user_id = user_id
        self.bot_name = bot_name
        self.guild_name = guild_name
        self.ack_deadline = ack_deadline
        self.token_lifetime = token_lifetime
        self.heartbeat_interval = heartbeat_interval
        self.shard_count = shard_count
        self.privileged_intents = privileged_intents
        self.require_synced = require_synced
        self.daily_command_creates = daily_command_creates

        self.host = "127.0.0.1"
        self.port: int | None = None
        self.requests: list[RecordedRequest] = []
        self.rejections: list[Rejection] = []
        self.unknown_routes: list[RecordedRequest] = []
        self.commands: dict[int | None, list[JSON]] = {}  # scope (None = global) -> commands
        self.synced_scopes: list[int | None] = []
        self.command_creates: dict[int | None, int] = {}
        self.messages: dict[int, JSON] = {}
        self.sent_messages: list[SentMessage] = []
        self.channel_messages: list[SentMessage] = []
        self.interactions: list[FakeInteraction] = []
        self.identify_payloads: list[JSON] = []
        self.presence_updates: list[JSON] = []
        self.gateway_connections: list[GatewayConnection] = []
        self.guilds: dict[int, str] = {guild_id: guild_name}  # id -> name, the bot is in each
        self.channels: dict[int, JSON] = {
            channel_id: self._channel_payload(channel_id, "general", position=0)
        }
        self.deleted_channels: dict[int, JSON] = {}
        # Every version of every message, oldest first: creation, then one per edit.
        self.message_versions: dict[int, list[JSON]] = {}

        self._ids = _Snowflakes()
        self._interactions_by_id: dict[int, FakeInteraction] = {}
        self._interactions_by_token: dict[str, FakeInteraction] = {}
        self._sessions: dict[str, _Session] = {}
        self._shard_sessions: dict[int, _Session] = {}
        self._runner: web.AppRunner | None = None
        self._cond: asyncio.Condition | None = None
        self._patch_depth = 0
        self._verify_key = secrets.token_hex(32)
        self._routes = self._build_routes()

    # ----------------------------------------------------------------- lifecycle

    async def start(self) -> None:
        """Start the server on a random port of 127.0.0.1."""
        if self._runner is not None:
            return
        self._cond = asyncio.Condition()
        app = web.Application(client_max_size=64 * 1024 * 1024)
        app.router.add_route("*", "/{tail:.*}", self._handle)
        # A short shutdown timeout: a leftover websocket must not stall teardown for 60 s.
        runner = web.AppRunner(app, access_log=None, shutdown_timeout=1.0)
        await runner.setup()
        site = web.TCPSite(runner, self.host, 0)
        await site.start()
        self._runner = runner
        self.port = runner.addresses[0][1]

    async def close(self) -> None:
        """Close open websockets and stop the server (close clients first, or they reconnect)."""
        for conn in self.gateway_connections:
            if conn.ws is not None and not conn.ws.closed:
                with contextlib.suppress(Exception):
                    await conn.ws.close(code=1001, message=b"fake discord shutting down")
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def __aenter__(self) -> FakeDiscord:
        await self.start()
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.close()

    @property
    def base_url(self) -> str:
        """REST base, e.g. http://127.0.0.1:PORT/api/v10 (what Route.BASE is set to)."""
        return f"http://{self.host}:{self._require_port()}{API_PREFIX}"

    @property
    def gateway_url(self) -> str:
        return f"ws://{self.host}:{self._require_port()}/"

    @property
    def resume_gateway_url(self) -> str:
        # A distinct path so tests can see the client resumed where READY told it to.
        return f"ws://{self.host}:{self._require_port()}/resume"

    def _require_port(self) -> int:
        if self.port is None:
            raise RuntimeError("FakeDiscord is not started; await fake.start() first")
        return self.port

    @contextlib.contextmanager
    def patch(self) -> Iterator[FakeDiscord]:
        """Point discord.py's REST base and default gateway at this fake; restore on exit."""
        old_base, old_gateway = point_discord_py_at(self.base_url, self.gateway_url)
        self._patch_depth += 1
        try:
            yield self
        finally:
            self._patch_depth -= 1
            discord.http.Route.BASE = old_base
            discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = old_gateway

    def client_environment(self) -> dict[str, str]:
        """Variables that let a client in another process find this fake.

        The child calls `patch_from_environment()` before logging in; several such processes
        (each with its own shards) can connect at once.
        """
        return {ENV_BASE_URL: self.base_url, ENV_GATEWAY_URL: self.gateway_url}

    @contextlib.asynccontextmanager
    async def run_client(
        self, client: discord.Client, *, timeout: float = 10.0
    ) -> AsyncIterator[discord.Client]:
        """Log `client` in, connect it in a task, wait for on_ready; close it cleanly on exit.

        discord.py sleeps 5 s before each extra shard's IDENTIFY (`before_identify_hook`); a
        sharded test client should override that hook to start quickly.
        """
        if self._patch_depth == 0:
            raise RuntimeError("use `with fake.patch():` around run_client()")
        connect_task: asyncio.Task[None] | None = None
        ready_task: asyncio.Task[None] | None = None
        try:
            await client.login(self.token)
            connect_task = asyncio.create_task(client.connect(), name="fake-discord-connect")
            ready_task = asyncio.create_task(client.wait_until_ready(), name="fake-discord-ready")
            done, _ = await asyncio.wait(
                {connect_task, ready_task}, timeout=timeout, return_when=asyncio.FIRST_COMPLETED
            )
            if ready_task not in done:
                if connect_task in done:
                    connect_task.result()  # re-raise why the connection ended
                raise TimeoutError(f"client not ready within {timeout}s")
            yield client
        finally:
            if ready_task is not None and not ready_task.done():
                ready_task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await ready_task
            await client.close()
            # Wait for what we cancel, so no task of the client outlives run_client().
            leftovers = _stop_views(client) + _cancel_delayed_ready(client)
            if leftovers:
                await asyncio.wait(leftovers, timeout=1.0)
            if connect_task is not None:
                # connect() returns once close() shut the socket; if it does not, wait_for
                # cancels it, and a cancelled task is all teardown needs.
                with contextlib.suppress(asyncio.CancelledError, TimeoutError):
                    await asyncio.wait_for(connect_task, timeout=5.0)

    # ----------------------------------------------------------------- helpers for tests

    def requests_to(self, path_substring: str, method: str | None = None) -> list[RecordedRequest]:
        """Recorded requests whose path contains `path_substring` (and match `method`)."""
        return [
            r
            for r in self.requests
            if path_substring in r.path and (method is None or r.method == method.upper())
        ]

    async def wait_for_request(
        self,
        path_substring: str,
        method: str | None = None,
        count: int = 1,
        timeout: float = 5.0,
    ) -> RecordedRequest:
        """Wait until `count` matching requests were answered; return the count-th."""

        def answered() -> list[RecordedRequest]:
            return [r for r in self.requests_to(path_substring, method) if r.status]

        await self._wait(
            lambda: len(answered()) >= count,
            timeout,
            lambda: f"fewer than {count} requests to {path_substring!r}",
        )
        return answered()[count - 1]

    @property
    def sync_count(self) -> int:
        """How many bulk command syncs were accepted."""
        return len(self.synced_scopes)

    @property
    def identify_count(self) -> int:
        return sum(1 for c in self.gateway_connections if c.kind == "identify")

    @property
    def resume_count(self) -> int:
        return sum(1 for c in self.gateway_connections if c.kind == "resume")

    @property
    def last_identify(self) -> JSON | None:
        """`d` of the last IDENTIFY, token masked."""
        return self.identify_payloads[-1] if self.identify_payloads else None

    @property
    def intents(self) -> int | None:
        ident = self.last_identify
        return None if ident is None else ident.get("intents")

    def command(
        self, name: str, guild_id: int | None = None, type: int = CHAT_INPUT
    ) -> JSON | None:
        """The synced command `name` of `type` as a client in `guild_id` sees it (guild first)."""
        scopes: list[int | None] = [guild_id, None] if guild_id is not None else [None]
        for scope in scopes:
            for cmd in self.commands.get(scope, []):
                if cmd.get("name") == name and cmd.get("type", 1) == type:
                    return cmd
        return None

    def add_channel(
        self, name: str, channel_id: int | None = None, *, guild_id: int | None = None
    ) -> int:
        """Add a text channel to a guild (before the client connects, so READY carries it)."""
        gid = self.guild_id if guild_id is None else guild_id
        if gid not in self.guilds:
            raise LookupError(f"no guild {gid}; add_guild() first")
        cid = channel_id if channel_id is not None else self._ids.next()
        position = len(self.guild_channels(gid))
        self.channels[cid] = self._channel_payload(cid, name, position=position, guild_id=gid)
        return cid

    def add_guild(
        self,
        name: str,
        guild_id: int | None = None,
        *,
        shard: tuple[int, int] | None = None,
        channel_name: str = "general",
    ) -> int:
        """Add a guild the bot is in, with one text channel; return its id.

        `shard=(id, count)` picks an id that Discord's `(guild_id >> 22) % count` puts on that
        shard. Add guilds before the client connects: READY lists the guilds it had then.
        """
        if guild_id is None:
            guild_id = self._ids.next() if shard is None else self._ids.next_on_shard(*shard)
        self.guilds[guild_id] = name
        self.add_channel(channel_name, guild_id=guild_id)
        return guild_id

    def guild_channels(self, guild_id: int | None = None) -> list[int]:
        """Ids of the (undeleted) channels of a guild, in position order."""
        gid = str(self.guild_id if guild_id is None else guild_id)
        found = [c for c in self.channels.values() if c.get("guild_id") == gid]
        return [int(c["id"]) for c in sorted(found, key=lambda c: (c["position"], int(c["id"])))]

    def _default_channel(self, guild_id: int) -> int:
        if guild_id == self.guild_id and self.channel_id in self.channels:
            return self.channel_id
        channels = self.guild_channels(guild_id)
        return channels[0] if channels else self.channel_id

    # ----------------------------------------------------------------- shards

    def shard_of(self, guild_id: int | None, count: int | None = None) -> int:
        """The shard that serves `guild_id`: `(guild_id >> 22) % count`; DMs go to shard 0.

        Without `count`, the count the connected clients identified with (1 if unsharded).
        """
        return self._shard_of(guild_id, count)

    def guilds_on_shard(self, shard_id: int, count: int) -> list[int]:
        return [g for g in self.guilds if self._shard_of(g, count) == shard_id]

    @property
    def open_connections(self) -> list[GatewayConnection]:
        """Live gateway sockets that identified or resumed, oldest first."""
        return [c for c in self.gateway_connections if c.session_id is not None and not c.closed]

    def open_shards(self) -> list[tuple[int, int]]:
        """(shard id, shard count) of each open connection, sorted; unsharded is (0, 1)."""
        return sorted(c.shard or (0, 1) for c in self.open_connections)

    def connection_for_shard(self, shard_id: int) -> GatewayConnection | None:
        """The live connection serving `shard_id` (the one guild events go to), if any."""
        session = self._shard_sessions.get(shard_id)
        return session.connection if self._live(session) and session is not None else None

    async def wait_for_shards(
        self, shard_ids: Iterable[int], count: int | None = None, timeout: float = 10.0
    ) -> list[GatewayConnection]:
        """Wait until every shard in `shard_ids` has a live session (READY sent); return them.

        With `count`, each must also have identified with that shard count.
        """
        wanted = sorted(set(shard_ids))

        def ready() -> bool:
            for sid in wanted:
                session = self._shard_sessions.get(sid)
                if not self._live(session) or session is None:
                    return False
                if count is not None and (session.shard or (0, 1))[1] != count:
                    return False
            return True

        await self._wait(
            ready, timeout, lambda: f"shards {wanted} not all live; open: {self.open_shards()}"
        )
        conns = [self.connection_for_shard(sid) for sid in wanted]
        return [c for c in conns if c is not None]

    # ----------------------------------------------------------------- channels and faults

    def bot_permissions(self, channel_id: int) -> int:
        """What the bot may do in a channel: @everyone's role, then overwrites, as Discord does."""
        channel = self.channels.get(channel_id)
        if channel is None:
            return 0
        perms = DEFAULT_MEMBER_PERMISSIONS
        overwrites = {
            (int(o["type"]), int(o["id"])): o for o in channel.get("permission_overwrites") or []
        }
        # Order matters: @everyone overwrite, then (no extra roles here) the member's own.
        for key in ((0, int(channel["guild_id"])), (1, self.bot_user_id)):
            over = overwrites.get(key)
            if over is not None:
                perms = (perms & ~int(over.get("deny") or 0)) | int(over.get("allow") or 0)
        return perms

    async def set_bot_overwrite(
        self, channel_id: int, *, allow: int = 0, deny: int = 0, notify: bool = True
    ) -> None:
        """Set the bot's own permission overwrite in a channel (0/0 removes it).

        With `notify`, CHANNEL_UPDATE goes to the shard serving the channel's guild, so the
        client's cache (`permissions_for(guild.me)`) sees the change.
        """
        channel = self.channels.get(channel_id)
        if channel is None:
            raise LookupError(f"no channel {channel_id}")
        others = [
            o
            for o in channel.get("permission_overwrites") or []
            if not (int(o["type"]) == 1 and int(o["id"]) == self.bot_user_id)
        ]
        if allow or deny:
            others.append(
                {"id": str(self.bot_user_id), "type": 1, "allow": str(allow), "deny": str(deny)}
            )
        channel["permission_overwrites"] = others
        if notify:
            await self._guild_event(
                int(channel["guild_id"]), "CHANNEL_UPDATE", copy.deepcopy(channel)
            )

    async def revoke_send(self, channel_id: int, *, notify: bool = True) -> None:
        """Take Send Messages from the bot in a channel: its posts there get 403 / 50013."""
        await self.set_bot_overwrite(channel_id, deny=SEND_MESSAGES, notify=notify)

    async def restore_permissions(self, channel_id: int, *, notify: bool = True) -> None:
        """Remove the bot's overwrite in a channel again."""
        await self.set_bot_overwrite(channel_id, notify=notify)

    async def delete_channel(self, channel_id: int, *, notify: bool = True) -> None:
        """Delete a channel and its messages: anything sent there gets 404 / 10003.

        With `notify`, CHANNEL_DELETE goes to the shard serving the channel's guild.
        """
        channel = self.channels.pop(channel_id, None)
        if channel is None:
            raise LookupError(f"no channel {channel_id}")
        self.deleted_channels[channel_id] = channel
        for mid in [m for m, msg in self.messages.items() if msg["channel_id"] == str(channel_id)]:
            del self.messages[mid]
        if notify:
            await self._guild_event(int(channel["guild_id"]), "CHANNEL_DELETE", channel)
        await self._notify()

    async def _guild_event(self, guild_id: int, event: str, data: JSON) -> None:
        """Dispatch a guild's event to the session of its shard, if one was identified."""
        session = self._session_for(guild_id)
        if session is not None:
            await self._session_dispatch(session, event, data)
        await self._notify()

    # ----------------------------------------------------------------- messages

    def history(self, message_id: int) -> list[JSON]:
        """Every version of a message, oldest first (creation, then each accepted edit)."""
        return [copy.deepcopy(v) for v in self.message_versions.get(message_id, [])]

    def messages_in(self, channel_id: int) -> list[JSON]:
        """Current state of the messages in a channel, oldest first (ephemeral ones excluded)."""
        found = [
            m
            for m in self.messages.values()
            if m["channel_id"] == str(channel_id) and not m["flags"] & EPHEMERAL
        ]
        return sorted(found, key=lambda m: int(m["id"]))

    def posts(self, channel_id: int | None = None) -> list[SentMessage]:
        """Messages the bot created with POST /channels/{id}/messages (optionally one channel)."""
        return [
            s
            for s in self.channel_messages
            if s.kind == "channel" and (channel_id is None or s.channel_id == channel_id)
        ]

    def edits_of(self, message_id: int) -> list[SentMessage]:
        """Accepted PATCH /channels/{id}/messages/{message_id} requests, oldest first."""
        return [
            s
            for s in self.channel_messages
            if s.kind == "channel_edit" and s.message_id == message_id
        ]

    async def wait_for_post(
        self, channel_id: int | None = None, count: int = 1, timeout: float = 5.0
    ) -> SentMessage:
        """Wait until the bot posted `count` channel messages (in `channel_id`); the count-th."""
        await self._wait(
            lambda: len(self.posts(channel_id)) >= count,
            timeout,
            lambda: (
                f"fewer than {count} posts in channel {channel_id}: {len(self.posts())} "
                f"in all; rejections: {[r.reason for r in self.rejections]}"
            ),
        )
        return self.posts(channel_id)[count - 1]

    async def wait_for_message_edit(
        self, message_id: int, count: int = 1, timeout: float = 5.0
    ) -> SentMessage:
        """Wait until the bot edited channel message `message_id` `count` times; the count-th."""
        await self._wait(
            lambda: len(self.edits_of(message_id)) >= count,
            timeout,
            lambda: (
                f"fewer than {count} edits of message {message_id}; "
                f"rejections: {[r.reason for r in self.rejections]}"
            ),
        )
        return self.edits_of(message_id)[count - 1]

    async def wait_for_rejection(
        self, code: int | None = None, count: int = 1, timeout: float = 5.0
    ) -> Rejection:
        """Wait for the count-th 4xx answer (optionally with Discord error `code`)."""

        def matching() -> list[Rejection]:
            return [r for r in self.rejections if code is None or r.code == code]

        await self._wait(
            lambda: len(matching()) >= count,
            timeout,
            lambda: (
                f"fewer than {count} rejections with code {code}: "
                f"{[r.reason for r in self.rejections]}"
            ),
        )
        return matching()[count - 1]

    async def add_message(
        self,
        channel_id: int | None = None,
        content: str = "",
        *,
        embeds: Sequence[Mapping[str, Any]] = (),
        author_id: int | None = None,
        author_bot: bool = False,
    ) -> JSON:
        """A message someone else posted (a member, or another bot when `author_bot`).

        Returns the stored message object, e.g. to invoke a message context menu on it. The
        client gets MESSAGE_CREATE if it asked for guild messages; without the privileged
        message content intent its content, embeds and attachments arrive empty, as on Discord.
        """
        cid = self.channel_id if channel_id is None else channel_id
        channel = self.channels.get(cid)
        if channel is None:
            raise LookupError(f"no channel {cid}")
        uid = self.user_id if author_id is None else author_id
        payload: JSON = {"content": content, "embeds": [dict(e) for e in embeds]}
        errors = validate_message(payload)
        if errors:
            raise ValueError(f"Discord would refuse this message: {errors}")
        msg = self._new_message(
            payload,
            [],
            channel_id=cid,
            guild_id=int(channel["guild_id"]),
            flags=0,
            inter=None,
            author=self.user_payload(uid, bot=author_bot),
        )
        session = self._session_for(int(channel["guild_id"]))
        if session is not None and session.intents & _GUILD_MESSAGES_INTENT:
            event = copy.deepcopy(msg)
            mentioned = str(self.bot_user_id) in {u["id"] for u in msg["mentions"]}
            if not session.intents & _MESSAGE_CONTENT_INTENT and not mentioned:
                event.update(content="", embeds=[], attachments=[], components=[])
            event["member"] = self.member_payload(uid)
            event["member"].pop("user")
            await self._session_dispatch(session, "MESSAGE_CREATE", event)
        await self._notify()
        return copy.deepcopy(msg)

    # ----------------------------------------------------------------- waiting

    async def _notify(self) -> None:
        if self._cond is None:
            return
        async with self._cond:
            self._cond.notify_all()

    async def wait_until(
        self, predicate: Callable[[], bool], timeout: float = 5.0, what: str = "condition"
    ) -> None:
        """Wait until `predicate()` holds; it is re-checked after every request and frame."""
        await self._wait(predicate, timeout, lambda: f"{what} never held")

    async def _wait(
        self, predicate: Callable[[], bool], timeout: float, describe: Callable[[], str]
    ) -> None:
        if self._cond is None:
            raise RuntimeError("FakeDiscord is not started")
        try:
            async with self._cond:
                await asyncio.wait_for(self._cond.wait_for(predicate), timeout)
        except TimeoutError:
            raise TimeoutError(f"after {timeout}s: {describe()}") from None

    # ----------------------------------------------------------------- payload builders

    def user_payload(self, user_id: int, *, bot: bool = False) -> JSON:
        if user_id == self.bot_user_id:
            name, bot = self.bot_name, True
        elif user_id == self.owner_id:
            name = "owner"
        else:
            name = f"user{user_id % 10_000}"
        return {
            "id": str(user_id),
            "username": name,
            "global_name": None if bot else name.title(),
            "discriminator": "0" if not bot else "0001",
            "avatar": None,
            "bot": bot,
            "public_flags": 0,
            "banner": None,
            "accent_color": None,
        }

    def member_payload(
        self, user_id: int, *, roles: Sequence[int] = (), permissions: int | None = None
    ) -> JSON:
        member: JSON = {
            "user": self.user_payload(user_id),
            "roles": [str(r) for r in roles],
            "nick": None,
            "avatar": None,
            "banner": None,
            "joined_at": "2024-01-01T00:00:00+00:00",
            "premium_since": None,
            "deaf": False,
            "mute": False,
            "flags": 0,
            "pending": False,
            "communication_disabled_until": None,
        }
        if permissions is not None:
            member["permissions"] = str(permissions)
        return member

    def _channel_payload(
        self, channel_id: int, name: str, *, position: int, guild_id: int | None = None
    ) -> JSON:
        return {
            "id": str(channel_id),
            "type": 0,
            "guild_id": str(self.guild_id if guild_id is None else guild_id),
            "name": name,
            "position": position,
            "permission_overwrites": [],
            "nsfw": False,
            "parent_id": None,
            "topic": None,
            "rate_limit_per_user": 0,
            "last_message_id": None,
            "flags": 0,
        }

    def guild_payload(self, guild_id: int | None = None) -> JSON:
        """GUILD_CREATE `d`: a small but complete guild with the bot as its only cached member."""
        gid = self.guild_id if guild_id is None else guild_id
        return {
            "id": str(gid),
            "name": self.guilds[gid],
            "icon": None,
            "splash": None,
            "discovery_splash": None,
            "owner_id": str(self.owner_id),
            "afk_channel_id": None,
            "afk_timeout": 300,
            "verification_level": 0,
            "default_message_notifications": 0,
            "explicit_content_filter": 0,
            "mfa_level": 0,
            "nsfw_level": 0,
            "premium_tier": 0,
            "roles": [
                {
                    "id": str(gid),
                    "name": "@everyone",
                    "permissions": str(DEFAULT_MEMBER_PERMISSIONS),
                    "position": 0,
                    "color": 0,
                    "colors": {"primary_color": 0},
                    "hoist": False,
                    "managed": False,
                    "mentionable": False,
                    "flags": 0,
                }
            ],
            "emojis": [],
            "stickers": [],
            "features": [],
            "system_channel_id": None,
            "system_channel_flags": 0,
            "rules_channel_id": None,
            "preferred_locale": "en-US",
            "public_updates_channel_id": None,
            "premium_subscription_count": 0,
            "premium_progress_bar_enabled": False,
            "max_members": 500000,
            "joined_at": "2024-01-01T00:00:00+00:00",
            "large": False,
            "unavailable": False,
            "member_count": 2,
            "voice_states": [],
            "presences": [],
            "threads": [],
            "stage_instances": [],
            "guild_scheduled_events": [],
            "soundboard_sounds": [],
            "members": [self.member_payload(self.bot_user_id)],
            "channels": [copy.deepcopy(self.channels[c]) for c in self.guild_channels(gid)],
        }

    def application_payload(self) -> JSON:
        return {
            "id": str(self.application_id),
            "name": self.bot_name,
            "icon": None,
            "description": "",
            "summary": "",
            "type": None,
            "bot_public": True,
            "bot_require_code_grant": False,
            "owner": self.user_payload(self.owner_id),
            "team": None,
            "verify_key": self._verify_key,
            "flags": 0,
            "tags": [],
            "redirect_uris": [],
            "interactions_endpoint_url": None,
            "approximate_guild_count": 1,
            "bot": self.user_payload(self.bot_user_id, bot=True),
        }

    def _attachments(self, files: Sequence[JSON], payload: JSON) -> list[JSON]:
        described = {
            str(a.get("id")): a for a in payload.get("attachments") or [] if isinstance(a, dict)
        }
        out: list[JSON] = []
        for i, f in enumerate(files):
            aid = self._ids.next()
            filename = f.get("filename") or f"file{i}"
            meta = described.get(str(i), {})
            out.append(
                {
                    "id": str(aid),
                    "filename": filename,
                    "size": f.get("size", 0),
                    "url": f"http://{self.host}:{self.port}/attachments/{aid}/{filename}",
                    "proxy_url": f"http://{self.host}:{self.port}/attachments/{aid}/{filename}",
                    "content_type": f.get("content_type"),
                    "description": meta.get("description"),
                }
            )
        return out

    def _new_message(
        self,
        payload: JSON,
        files: Sequence[JSON],
        *,
        channel_id: int,
        guild_id: int | None,
        flags: int,
        inter: FakeInteraction | None,
        mtype: int = 0,
        author: JSON | None = None,
    ) -> JSON:
        mid = self._ids.next()
        msg: JSON = {
            "id": str(mid),
            "channel_id": str(channel_id),
            "type": mtype,
            "content": payload.get("content") or "",
            "embeds": [{"type": "rich", **e} for e in payload.get("embeds") or []],
            "components": copy.deepcopy(payload.get("components") or []),
            "attachments": self._attachments(files, payload),
            "author": author or self.user_payload(self.bot_user_id, bot=True),
            "flags": flags,
            "timestamp": _now_iso(),
            "edited_timestamp": None,
            "tts": bool(payload.get("tts")),
            "mention_everyone": False,
            "mentions": [],
            "mention_roles": [],
            "pinned": False,
        }
        if guild_id is not None:
            msg["guild_id"] = str(guild_id)
        if payload.get("message_reference"):
            msg["message_reference"] = payload["message_reference"]
        if inter is not None:
            msg["webhook_id"] = str(self.application_id)
            msg["application_id"] = str(self.application_id)
            user = inter.payload.get("member", {}).get("user") or inter.payload.get("user")
            msg["interaction_metadata"] = {
                "id": str(inter.id),
                "type": inter.type,
                "user": user,
                "authorizing_integration_owners": inter.payload.get(
                    "authorizing_integration_owners", {}
                ),
            }
            if inter.type == APPLICATION_COMMAND:
                msg["interaction_metadata"]["name"] = inter.name
        self._set_mentions(msg, payload)
        self.messages[mid] = msg
        self.message_versions[mid] = [copy.deepcopy(msg)]
        return msg

    def _set_mentions(self, msg: JSON, payload: JSON) -> Pings:
        """Fill the message's mention fields with what `payload` may ping; return those pings."""
        replied: int | None = None
        reference = msg.get("message_reference") or {}
        if reference.get("message_id") is not None:
            target = self.messages.get(int(reference["message_id"]))
            if target is not None:
                replied = int(target["author"]["id"])
        users, roles, everyone = _pings(
            msg.get("content") or "", payload.get("allowed_mentions"), replied
        )
        msg["mentions"] = [self.user_payload(u) for u in users]
        msg["mention_roles"] = [str(r) for r in roles]
        msg["mention_everyone"] = everyone
        return Pings(tuple(users), tuple(roles), everyone)

    def _apply_edit(self, msg: JSON, payload: JSON, files: Sequence[JSON]) -> None:
        was_loading = bool(msg["flags"] & LOADING)
        if "content" in payload:
            msg["content"] = payload["content"] or ""
        if "embeds" in payload:
            msg["embeds"] = [{"type": "rich", **e} for e in payload["embeds"] or []]
        if "components" in payload:
            msg["components"] = copy.deepcopy(payload["components"] or [])
        if "attachments" in payload or files:
            keep = {
                str(a.get("id")) for a in payload.get("attachments") or [] if isinstance(a, dict)
            }
            kept = [a for a in msg["attachments"] if a["id"] in keep]
            msg["attachments"] = kept + self._attachments(files, payload)
        if payload.get("flags") is not None:
            # Only embed suppression can be toggled; ephemerality is fixed at creation.
            new = int(payload["flags"])
            msg["flags"] = (msg["flags"] & ~SUPPRESS_EMBEDS) | (new & SUPPRESS_EMBEDS)
            msg["flags"] |= new & IS_COMPONENTS_V2
        msg["flags"] &= ~LOADING
        if not was_loading:
            msg["edited_timestamp"] = _now_iso()
        if "content" in payload or "allowed_mentions" in payload:
            self._set_mentions(msg, payload)
        self.message_versions.setdefault(int(msg["id"]), []).append(copy.deepcopy(msg))

    def _record_sent(
        self,
        kind: str,
        rec: RecordedRequest,
        payload: JSON,
        message: JSON | None,
        inter: FakeInteraction | None,
    ) -> SentMessage:
        pings = Pings()
        if kind in ("response", "followup", "channel") and message is not None:
            # Only a new message notifies; a thinking defer's first follow-up is one too.
            pings = Pings(
                tuple(int(u["id"]) for u in message.get("mentions") or []),
                tuple(int(r) for r in message.get("mention_roles") or []),
                bool(message.get("mention_everyone")),
            )
        sent = SentMessage(
            kind=kind,
            payload=payload,
            message=copy.deepcopy(message),
            has_allowed_mentions="allowed_mentions" in payload,
            allowed_mentions=payload.get("allowed_mentions"),
            files=[{k: v for k, v in f.items() if k != "data"} for f in rec.files],
            time=rec.time,
            interaction_id=None if inter is None else inter.id,
            pings=pings,
        )
        self.sent_messages.append(sent)
        return sent

    # ----------------------------------------------------------------- HTTP plumbing

    def _build_routes(self) -> list[tuple[str, Any, _Handler, bool]]:
        """(method, compiled path regex, handler, needs bot auth)."""
        snow = r"(?P<{}>\d+)"
        tok = r"(?P<token>[^/]+)"
        msg = r"(?P<message>@original|\d+)"
        table: list[tuple[str, str, _Handler, bool]] = [
            ("GET", "/users/@me", self._get_me, True),
            ("GET", "/oauth2/applications/@me", self._get_application, True),
            ("GET", "/applications/@me", self._get_application, True),
            ("GET", "/gateway", self._get_gateway, False),
            ("GET", "/gateway/bot", self._get_gateway_bot, True),
            ("PUT", f"/applications/{snow.format('app')}/commands", self._put_commands, True),
            (
                "PUT",
                f"/applications/{snow.format('app')}/guilds/{snow.format('guild')}/commands",
                self._put_commands,
                True,
            ),
            ("GET", f"/applications/{snow.format('app')}/commands", self._get_commands, True),
            (
                "GET",
                f"/applications/{snow.format('app')}/guilds/{snow.format('guild')}/commands",
                self._get_commands,
                True,
            ),
            (
                "POST",
                f"/interactions/{snow.format('interaction')}/{tok}/callback",
                self._post_callback,
                False,
            ),
            ("POST", f"/webhooks/{snow.format('app')}/{tok}", self._post_followup, False),
            (
                "GET",
                f"/webhooks/{snow.format('app')}/{tok}/messages/{msg}",
                self._get_webhook_message,
                False,
            ),
            (
                "PATCH",
                f"/webhooks/{snow.format('app')}/{tok}/messages/{msg}",
                self._patch_webhook_message,
                False,
            ),
            (
                "DELETE",
                f"/webhooks/{snow.format('app')}/{tok}/messages/{msg}",
                self._delete_webhook_message,
                False,
            ),
            ("GET", f"/channels/{snow.format('channel')}", self._get_channel, True),
            ("POST", f"/channels/{snow.format('channel')}/typing", self._post_typing, True),
            (
                "POST",
                f"/channels/{snow.format('channel')}/messages",
                self._post_channel_message,
                True,
            ),
            (
                "GET",
                f"/channels/{snow.format('channel')}/messages/{snow.format('message')}",
                self._get_channel_message,
                True,
            ),
            (
                "PATCH",
                f"/channels/{snow.format('channel')}/messages/{snow.format('message')}",
                self._patch_channel_message,
                True,
            ),
            (
                "DELETE",
                f"/channels/{snow.format('channel')}/messages/{snow.format('message')}",
                self._delete_channel_message,
                True,
            ),
        ]
        return [(m, re.compile(p), h, auth) for m, p, h, auth in table]

    @staticmethod
    def _json(data: Any, status: int = 200) -> web.Response:
        # Exactly "application/json": with "; charset=utf-8" discord.py hands back a str.
        return web.Response(
            status=status,
            body=json.dumps(data).encode(),
            headers={"Content-Type": "application/json"},
        )

    def _reject(
        self,
        rec: RecordedRequest,
        status: int,
        code: int,
        message: str,
        errors: _Errors | None = None,
        inter: FakeInteraction | None = None,
    ) -> web.Response:
        tree = errors.tree() if errors else {}
        rejection = Rejection(
            method=rec.method,
            path=rec.path,
            status=status,
            code=code,
            message=message,
            errors=tree,
            time=rec.time,
            interaction_id=None if inter is None else inter.id,
        )
        self.rejections.append(rejection)
        if inter is not None:
            inter.rejections.append(rejection)
        body: JSON = {"message": message, "code": code}
        if tree:
            body["errors"] = tree
        return self._json(body, status)

    def _invalid_form(
        self, rec: RecordedRequest, errs: _Errors, inter: FakeInteraction | None = None
    ) -> web.Response:
        return self._reject(rec, 400, 50035, "Invalid Form Body", errs, inter)

    async def _read_body(self, request: web.Request) -> tuple[Any, list[JSON], bool]:
        """Return (json, files, ok); ok is False when the body is not valid JSON."""
        if request.content_type == "multipart/form-data":
            payload: Any = None
            files: list[JSON] = []
            reader = await request.multipart()
            while (part := await reader.next()) is not None:
                if not isinstance(part, aiohttp.BodyPartReader):
                    continue
                data = await part.read(decode=True)
                if part.name == "payload_json":
                    try:
                        payload = json.loads(data)
                    except ValueError:
                        return None, files, False
                else:
                    files.append(
                        {
                            "field": part.name,
                            "filename": part.filename,
                            "size": len(data),
                            "content_type": part.headers.get(aiohttp.hdrs.CONTENT_TYPE),
                            "data": data,
                        }
                    )
            return payload, files, True
        raw = await request.read()
        if not raw:
            return None, [], True
        try:
            return json.loads(raw), [], True
        except ValueError:
            return None, [], False

    async def _handle(self, request: web.Request) -> web.StreamResponse:
        if request.headers.get("Upgrade", "").lower() == "websocket":
            return await self._gateway(request)
        loop = asyncio.get_running_loop()
        path = request.path
        sub = path[len(API_PREFIX) :] if path.startswith(API_PREFIX + "/") else path
        body, files, ok = await self._read_body(request)
        rec = RecordedRequest(
            method=request.method,
            path=sub,
            query=dict(request.query),
            json=body,
            files=files,
            time=loop.time(),
        )
        self.requests.append(rec)
        response: web.Response | None = None
        if not ok:
            response = self._reject(rec, 400, 50109, "The request body contains invalid JSON.")
        elif path.startswith(API_PREFIX + "/"):
            for method, pattern, handler, needs_auth in self._routes:
                match = pattern.fullmatch(sub)
                if match is None or method != request.method:
                    continue
                if needs_auth and request.headers.get("Authorization") != f"Bot {self.token}":
                    response = self._reject(rec, 401, 0, "401: Unauthorized")
                else:
                    response = await handler(rec, request, **match.groupdict())
                break
        if response is None:
            self.unknown_routes.append(rec)
            response = self._reject(rec, 404, 0, "404: Not Found")
        rec.status = response.status
        await self._notify()
        return response

    # ----------------------------------------------------------------- REST: login

    async def _get_me(self, rec: RecordedRequest, request: web.Request) -> web.Response:
        user = self.user_payload(self.bot_user_id, bot=True)
        user.update({"verified": True, "mfa_enabled": False, "flags": 0, "locale": "en-US"})
        return self._json(user)

    async def _get_application(self, rec: RecordedRequest, request: web.Request) -> web.Response:
        return self._json(self.application_payload())

    async def _get_gateway(self, rec: RecordedRequest, request: web.Request) -> web.Response:
        return self._json({"url": self.gateway_url})

    async def _get_gateway_bot(self, rec: RecordedRequest, request: web.Request) -> web.Response:
        return self._json(
            {
                "url": self.gateway_url,
                "shards": self.shard_count,
                "session_start_limit": {
                    "total": 1000,
                    "remaining": 999,
                    "reset_after": 86_400_000,
                    "max_concurrency": 1,
                },
            }
        )

    # ----------------------------------------------------------------- REST: commands

    def _scope_problem(
        self, rec: RecordedRequest, app: str, guild: str | None
    ) -> web.Response | None:
        if int(app) != self.application_id or (guild is not None and int(guild) not in self.guilds):
            return self._reject(rec, 403, 50001, "Missing Access")
        return None

    async def _put_commands(
        self, rec: RecordedRequest, request: web.Request, app: str, guild: str | None = None
    ) -> web.Response:
        if (problem := self._scope_problem(rec, app, guild)) is not None:
            return problem
        errs = _Errors()
        _check_commands(errs, rec.json)
        if errs:
            return self._invalid_form(rec, errs)
        scope = None if guild is None else int(guild)
        previous = {(c.get("type", 1), c["name"]): c for c in self.commands.get(scope, [])}
        creates = sum(1 for c in rec.json if (c.get("type", 1), c["name"]) not in previous)
        if self.command_creates.get(scope, 0) + creates > self.daily_command_creates:
            return self._reject(
                rec,
                429,
                30034,
                f"Max number of daily application command creates has been reached "
                f"({self.daily_command_creates})",
            )
        self.command_creates[scope] = self.command_creates.get(scope, 0) + creates
        stored: list[JSON] = []
        for cmd in rec.json:
            prev = previous.get((cmd.get("type", 1), cmd["name"]))
            out: JSON = {
                "type": 1,
                "description": "",
                "options": [],
                "default_member_permissions": None,
                "nsfw": False,
                "contexts": None,
                "integration_types": [0],
                **copy.deepcopy(cmd),
                "id": prev["id"] if prev else str(self._ids.next()),
                "application_id": str(self.application_id),
                "version": str(self._ids.next()),
            }
            if scope is not None:
                out["guild_id"] = str(scope)
            stored.append(out)
        self.commands[scope] = stored
        self.synced_scopes.append(scope)
        return self._json(stored)

    async def _get_commands(
        self, rec: RecordedRequest, request: web.Request, app: str, guild: str | None = None
    ) -> web.Response:
        if (problem := self._scope_problem(rec, app, guild)) is not None:
            return problem
        return self._json(self.commands.get(None if guild is None else int(guild), []))

    # ----------------------------------------------------------------- REST: interactions

    async def _post_callback(
        self, rec: RecordedRequest, request: web.Request, interaction: str, token: str
    ) -> web.Response:
        inter = self._interactions_by_id.get(int(interaction))
        if inter is None or inter.token != token:
            return self._reject(rec, 404, 10062, "Unknown interaction")
        inter.last_activity = rec.time
        if inter.acknowledged:
            return self._reject(
                rec, 400, 40060, "Interaction has already been acknowledged.", inter=inter
            )
        if inter.dead or rec.time - inter.dispatched_at > self.ack_deadline:
            inter.dead = True  # Discord drops the token for good once the deadline passed
            return self._reject(rec, 404, 10062, "Unknown interaction", inter=inter)
        body = rec.json if isinstance(rec.json, dict) else {}
        ctype = body.get("type")
        data = body.get("data") if isinstance(body.get("data"), dict) else {}
        errs = _Errors()
        if ctype not in _ALLOWED_CALLBACKS.get(inter.type, frozenset()):
            errs.add(
                ("type",),
                "INTERACTION_CALLBACK_TYPE_INVALID",
                f"Callback type {ctype!r} is not valid for interaction type {inter.type}",
            )
        elif ctype in (4, 7):
            _check_message(errs, ("data",), data)
        elif ctype == 8:
            _check_choices(errs, ("data", "choices"), data.get("choices"))
        elif ctype == 9:
            _check_str(errs, ("data", "custom_id"), data.get("custom_id"), 1, 100, required=True)
            _check_str(errs, ("data", "title"), data.get("title"), 1, 45, required=True)
            _check_count(errs, ("data", "components"), data.get("components"), 5, low=1)
        if errs:
            return self._invalid_form(rec, errs, inter)
        if ctype == 4 and _is_empty_message(data, rec.files):
            return self._reject(rec, 400, 50006, "Cannot send an empty message", inter=inter)

        message: JSON | None = None
        flags = int(data.get("flags") or 0)
        channel_id = int(inter.payload.get("channel_id") or self.channel_id)
        guild_id = inter.payload.get("guild_id")
        gid = int(guild_id) if guild_id else None
        if ctype == 4:
            mtype = 20 if inter.type == APPLICATION_COMMAND else 0
            message = self._new_message(
                data,
                rec.files,
                channel_id=channel_id,
                guild_id=gid,
                flags=flags & _SETTABLE_FLAGS,
                inter=inter,
                mtype=mtype,
            )
            inter.original_id = int(message["id"])
            self._record_sent("response", rec, data, message, inter)
        elif ctype == 5:
            mtype = 20 if inter.type == APPLICATION_COMMAND else 0
            message = self._new_message(
                {},
                [],
                channel_id=channel_id,
                guild_id=gid,
                flags=(flags & EPHEMERAL) | LOADING,
                inter=inter,
                mtype=mtype,
            )
            inter.original_id = int(message["id"])
        elif ctype in (6, 7):
            inter.original_id = inter.source_message_id
            source = self.messages.get(inter.source_message_id or -1)
            if ctype == 7 and source is not None:
                self._apply_edit(source, data, rec.files)
                message = source
                self._record_sent("update", rec, data, message, inter)
        inter.acknowledged_at = rec.time
        inter.responses.append(
            CallbackRecord(
                type=ctype, data=data or None, time=rec.time, message=copy.deepcopy(message)
            )
        )
        if not _truthy(rec.query.get("with_response")):
            return web.Response(status=204)
        reply: JSON = {
            "interaction": {
                "id": str(inter.id),
                "type": inter.type,
                "response_message_loading": ctype == 5,
                "response_message_ephemeral": bool(message and message["flags"] & EPHEMERAL),
            },
            "resource": {"type": ctype},
        }
        if message is not None:
            reply["interaction"]["response_message_id"] = message["id"]
            reply["resource"]["message"] = message
        return self._json(reply)

    def _webhook_interaction(
        self, rec: RecordedRequest, app: str, token: str
    ) -> FakeInteraction | web.Response:
        inter = self._interactions_by_token.get(token)
        if int(app) != self.application_id or inter is None:
            return self._reject(rec, 404, 10015, "Unknown Webhook")
        inter.last_activity = rec.time
        if not inter.acknowledged:
            # The interaction webhook only exists once the interaction was acknowledged.
            return self._reject(rec, 404, 10015, "Unknown Webhook", inter=inter)
        if rec.time - inter.dispatched_at > self.token_lifetime:
            return self._reject(rec, 401, 50027, "Invalid Webhook Token", inter=inter)
        return inter

    def _interaction_message(
        self, rec: RecordedRequest, inter: FakeInteraction, message: str
    ) -> JSON | web.Response:
        mid = inter.original_id if message == "@original" else int(message)
        owned = mid is not None and (mid == inter.original_id or mid in inter.followup_ids)
        msg = self.messages.get(mid) if owned and mid is not None else None
        if msg is None:
            return self._reject(rec, 404, 10008, "Unknown Message", inter=inter)
        return msg

    def _message_payload(
        self, rec: RecordedRequest, inter: FakeInteraction | None = None
    ) -> dict[str, Any] | web.Response:
        """A request's message payload, or Discord's 50035 answer when it breaks a limit."""
        payload = rec.json if isinstance(rec.json, dict) else {}
        errs = _Errors()
        _check_message(errs, (), payload)
        return self._invalid_form(rec, errs, inter) if errs else payload

    async def _post_followup(
        self, rec: RecordedRequest, request: web.Request, app: str, token: str
    ) -> web.Response:
        inter = self._webhook_interaction(rec, app, token)
        if isinstance(inter, web.Response):
            return inter
        payload = self._message_payload(rec, inter)
        if isinstance(payload, web.Response):
            return payload
        if _is_empty_message(payload, rec.files):
            return self._reject(rec, 400, 50006, "Cannot send an empty message", inter=inter)
        original = inter.original
        if inter.response_type == 5 and original is not None and original["flags"] & LOADING:
            # Discord turns the first follow-up after a thinking defer into the loading
            # message itself, keeping the defer's ephemerality.
            self._apply_edit(original, payload, rec.files)
            message = original
        else:
            flags = int(payload.get("flags") or 0) & _SETTABLE_FLAGS
            guild_id = inter.payload.get("guild_id")
            message = self._new_message(
                payload,
                rec.files,
                channel_id=int(inter.payload.get("channel_id") or 0),
                guild_id=int(guild_id) if guild_id else None,
                flags=flags,
                inter=inter,
            )
            inter.followup_ids.append(int(message["id"]))
        inter.followups.append(self._record_sent("followup", rec, payload, message, inter))
        if _truthy(rec.query.get("wait")):
            return self._json(message)
        return web.Response(status=204)

    async def _get_webhook_message(
        self, rec: RecordedRequest, request: web.Request, app: str, token: str, message: str
    ) -> web.Response:
        inter = self._webhook_interaction(rec, app, token)
        if isinstance(inter, web.Response):
            return inter
        msg = self._interaction_message(rec, inter, message)
        return msg if isinstance(msg, web.Response) else self._json(msg)

    async def _patch_webhook_message(
        self, rec: RecordedRequest, request: web.Request, app: str, token: str, message: str
    ) -> web.Response:
        inter = self._webhook_interaction(rec, app, token)
        if isinstance(inter, web.Response):
            return inter
        msg = self._interaction_message(rec, inter, message)
        if isinstance(msg, web.Response):
            return msg
        payload = self._message_payload(rec, inter)
        if isinstance(payload, web.Response):
            return payload
        merged = {
            **msg,
            **{k: v for k, v in payload.items() if k in ("content", "embeds", "components")},
        }
        if _is_empty_message(merged, rec.files or msg.get("attachments") or []):
            return self._reject(rec, 400, 50006, "Cannot send an empty message", inter=inter)
        self._apply_edit(msg, payload, rec.files)
        inter.edits.append(self._record_sent("edit", rec, payload, msg, inter))
        return self._json(msg)

    async def _delete_webhook_message(
        self, rec: RecordedRequest, request: web.Request, app: str, token: str, message: str
    ) -> web.Response:
        inter = self._webhook_interaction(rec, app, token)
        if isinstance(inter, web.Response):
            return inter
        msg = self._interaction_message(rec, inter, message)
        if isinstance(msg, web.Response):
            return msg
        mid = int(msg["id"])
        del self.messages[mid]
        inter.deleted_message_ids.append(mid)
        return web.Response(status=204)

    # ----------------------------------------------------------------- REST: channels

    def _channel_or_reject(
        self, rec: RecordedRequest, channel: str, needs: int = VIEW_CHANNEL
    ) -> JSON | web.Response:
        """The channel, or Discord's answer when it is gone or the bot lacks `needs`."""
        data = self.channels.get(int(channel))
        if data is None:
            return self._reject(rec, 404, 10003, "Unknown Channel")
        perms = self.bot_permissions(int(channel))
        if not perms & VIEW_CHANNEL:
            return self._reject(rec, 403, 50001, "Missing Access")
        if needs & ~perms:
            return self._reject(rec, 403, 50013, "Missing Permissions")
        return data

    def _channel_message(
        self, rec: RecordedRequest, channel: str, message: str
    ) -> JSON | web.Response:
        found = self._channel_or_reject(rec, channel)
        if isinstance(found, web.Response):
            return found
        msg = self.messages.get(int(message))
        if msg is None or msg["channel_id"] != channel:
            return self._reject(rec, 404, 10008, "Unknown Message")
        return msg

    async def _get_channel(
        self, rec: RecordedRequest, request: web.Request, channel: str
    ) -> web.Response:
        found = self._channel_or_reject(rec, channel)
        return found if isinstance(found, web.Response) else self._json(found)

    async def _post_typing(
        self, rec: RecordedRequest, request: web.Request, channel: str
    ) -> web.Response:
        found = self._channel_or_reject(rec, channel)
        return found if isinstance(found, web.Response) else web.Response(status=204)

    async def _post_channel_message(
        self, rec: RecordedRequest, request: web.Request, channel: str
    ) -> web.Response:
        found = self._channel_or_reject(rec, channel, needs=VIEW_CHANNEL | SEND_MESSAGES)
        if isinstance(found, web.Response):
            return found
        payload = self._message_payload(rec)
        if isinstance(payload, web.Response):
            return payload
        if _is_empty_message(payload, rec.files):
            return self._reject(rec, 400, 50006, "Cannot send an empty message")
        flags = int(payload.get("flags") or 0) & (
            SUPPRESS_EMBEDS | SUPPRESS_NOTIFICATIONS | IS_COMPONENTS_V2
        )
        guild_id = int(found["guild_id"])
        msg = self._new_message(
            payload,
            rec.files,
            channel_id=int(channel),
            guild_id=guild_id,
            flags=flags,
            inter=None,
            mtype=19 if payload.get("message_reference") else 0,
        )
        self.channel_messages.append(self._record_sent("channel", rec, payload, msg, None))
        # Like Discord, echo the bot's own message on the gateway when it asked for it.
        session = self._session_for(guild_id)
        if session is not None and session.intents & _GUILD_MESSAGES_INTENT:
            await self._session_dispatch(session, "MESSAGE_CREATE", copy.deepcopy(msg))
        return self._json(msg)

    async def _get_channel_message(
        self, rec: RecordedRequest, request: web.Request, channel: str, message: str
    ) -> web.Response:
        msg = self._channel_message(rec, channel, message)
        return msg if isinstance(msg, web.Response) else self._json(msg)

    async def _patch_channel_message(
        self, rec: RecordedRequest, request: web.Request, channel: str, message: str
    ) -> web.Response:
        msg = self._channel_message(rec, channel, message)
        if isinstance(msg, web.Response):
            return msg
        if int(msg["author"]["id"]) != self.bot_user_id:
            return self._reject(rec, 403, 50005, "Cannot edit a message authored by another user")
        payload = self._message_payload(rec)
        if isinstance(payload, web.Response):
            return payload
        merged = {
            **msg,
            **{k: v for k, v in payload.items() if k in ("content", "embeds", "components")},
        }
        if _is_empty_message(merged, rec.files or msg.get("attachments") or []):
            return self._reject(rec, 400, 50006, "Cannot send an empty message")
        self._apply_edit(msg, payload, rec.files)
        self.channel_messages.append(self._record_sent("channel_edit", rec, payload, msg, None))
        return self._json(msg)

    async def _delete_channel_message(
        self, rec: RecordedRequest, request: web.Request, channel: str, message: str
    ) -> web.Response:
        msg = self._channel_message(rec, channel, message)
        if isinstance(msg, web.Response):
            return msg
        manage_messages = 1 << 13
        own = int(msg["author"]["id"]) == self.bot_user_id
        if not own and not self.bot_permissions(int(channel)) & manage_messages:
            return self._reject(rec, 403, 50013, "Missing Permissions")
        del self.messages[int(msg["id"])]
        return web.Response(status=204)

    # ----------------------------------------------------------------- gateway

    def _shard_of(self, guild_id: int | None, count: int | None = None) -> int:
        """Shard that receives `guild_id`'s events (Discord's (id >> 22) % count formula)."""
        if guild_id is None:
            return 0  # DMs arrive on shard 0
        if count is None:
            # The count the client identified with, not /gateway/bot's advice: an unsharded
            # client gets every guild whatever shard_count recommends.
            counts = [s.shard[1] for s in self._shard_sessions.values() if s.shard is not None]
            count = max(counts, default=1)
        return (guild_id >> 22) % max(count, 1)

    def _session_for(self, guild_id: int | None) -> _Session | None:
        return self._shard_sessions.get(self._shard_of(guild_id))

    def _live(self, session: _Session | None) -> bool:
        return (
            session is not None
            and session.ready_sent
            and session.connection is not None
            and not session.connection.closed
        )

    async def wait_for_session(self, shard_id: int = 0, timeout: float = 5.0) -> None:
        """Wait until shard `shard_id` has an identified or resumed live connection."""
        await self._wait(
            lambda: self._live(self._shard_sessions.get(shard_id)),
            timeout,
            lambda: f"no live gateway session for shard {shard_id}",
        )

    async def _ws_send(self, conn: GatewayConnection, frame: JSON) -> bool:
        if conn.ws is None or conn.closed:
            return False
        async with conn.lock:  # frames from concurrent tasks must not interleave
            try:
                await conn.ws.send_str(json.dumps(frame))
            except (ConnectionError, RuntimeError):
                return False  # the client went away; resumable events stay buffered
        if frame.get("op") == 0:
            conn.dispatched.append(frame)
        return True

    async def _session_dispatch(self, session: _Session, event: str, data: JSON) -> None:
        session.seq += 1
        frame = {"op": 0, "t": event, "s": session.seq, "d": data}
        session.events.append(frame)
        del session.events[:-1000]  # keep enough to replay on RESUME, not unbounded
        if session.connection is not None:
            await self._ws_send(session.connection, frame)

    async def dispatch(
        self, event: str, data: JSON, *, guild_id: int | None = None, timeout: float = 5.0
    ) -> None:
        """Send a raw DISPATCH event (op 0) to the shard that owns `guild_id`."""
        shard = self._shard_of(guild_id)
        await self.wait_for_session(shard, timeout)
        await self._session_dispatch(self._shard_sessions[shard], event, data)
        await self._notify()

    async def _gateway(self, request: web.Request) -> web.WebSocketResponse:
        ws = web.WebSocketResponse(autoping=True, max_msg_size=0)
        await ws.prepare(request)
        loop = asyncio.get_running_loop()
        conn = GatewayConnection(
            path=request.path, query=dict(request.query), opened_at=loop.time(), ws=ws
        )
        self.gateway_connections.append(conn)
        try:
            await self._ws_send(
                conn,
                {
                    "op": 10,
                    "d": {"heartbeat_interval": int(self.heartbeat_interval * 1000)},
                    "s": None,
                    "t": None,
                },
            )
            async for msg in ws:
                if msg.type is not aiohttp.WSMsgType.TEXT:
                    await ws.close(code=4002, message=b"Error while decoding payload.")
                    break
                try:
                    payload = json.loads(msg.data)
                except ValueError:
                    await ws.close(code=4002, message=b"Error while decoding payload.")
                    break
                conn.received.append(payload)
                await self._on_gateway_payload(conn, payload)
                await self._notify()
        finally:
            conn.closed_at = loop.time()
            conn.close_code = ws.close_code
            session = self._sessions.get(conn.session_id or "")
            if session is not None and session.connection is conn:
                session.connection = None
            await self._notify()
        return ws

    async def _on_gateway_payload(self, conn: GatewayConnection, payload: JSON) -> None:
        assert conn.ws is not None
        op, d = payload.get("op"), payload.get("d")
        if op == 1:
            conn.heartbeats += 1
            await self._ws_send(conn, {"op": 11, "d": None, "s": None, "t": None})
        elif op == 2:
            await self._identify(conn, d if isinstance(d, dict) else {})
        elif op == 6:
            await self._resume(conn, d if isinstance(d, dict) else {})
        elif conn.session_id is None:
            await conn.ws.close(code=4003, message=b"Not authenticated.")
        elif op == 3:
            self.presence_updates.append(d)
        elif op == 4:
            pass  # voice state updates: accepted and ignored
        elif op == 8 and isinstance(d, dict):
            # Member chunk requests get the one member the fake knows: the bot.
            session = self._sessions[conn.session_id]
            await self._session_dispatch(
                session,
                "GUILD_MEMBERS_CHUNK",
                {
                    "guild_id": str(d.get("guild_id")),
                    "members": [self.member_payload(self.bot_user_id)],
                    "chunk_index": 0,
                    "chunk_count": 1,
                    "not_found": [],
                    "nonce": d.get("nonce"),
                },
            )
        else:
            await conn.ws.close(code=4001, message=b"Unknown opcode.")

    async def _identify(self, conn: GatewayConnection, d: JSON) -> None:
        assert conn.ws is not None
        if conn.session_id is not None:
            await conn.ws.close(code=4005, message=b"Already authenticated.")
            return
        if d.get("token") != self.token:
            await conn.ws.close(code=4004, message=b"Authentication failed.")
            return
        intents = d.get("intents")
        if not isinstance(intents, int):
            await conn.ws.close(code=4013, message=b"Invalid intent(s).")
            return
        if intents & PRIVILEGED_INTENTS & ~self.privileged_intents:
            await conn.ws.close(code=4014, message=b"Disallowed intent(s).")
            return
        raw_shard = d.get("shard")
        shard: tuple[int, int] | None = None
        if raw_shard is not None:
            shard = (int(raw_shard[0]), int(raw_shard[1]))
            if not 0 <= shard[0] < shard[1]:
                await conn.ws.close(code=4010, message=b"Invalid shard.")
                return
        self.identify_payloads.append({**d, "token": "***"})
        session = _Session(id=secrets.token_hex(16), shard=shard, intents=intents)
        self._sessions[session.id] = session
        shard_id = 0 if shard is None else shard[0]
        self._shard_sessions[shard_id] = session
        session.connection = conn
        conn.session_id, conn.kind, conn.shard = session.id, "identify", shard
        count = 1 if shard is None else shard[1]
        guilds = [self.guild_payload(g) for g in self.guilds_on_shard(shard_id, count)]
        ready: JSON = {
            "v": 10,
            "user": {
                **self.user_payload(self.bot_user_id, bot=True),
                "verified": True,
                "mfa_enabled": False,
                "flags": 0,
            },
            # Unavailable first, then GUILD_CREATE: the order discord.py waits for.
            "guilds": [{"id": g["id"], "unavailable": True} for g in guilds],
            "session_id": session.id,
            "session_type": "normal",
            "resume_gateway_url": self.resume_gateway_url,
            "application": {"id": str(self.application_id), "flags": 0},
            "private_channels": [],
            "relationships": [],
            "presences": [],
            "geo_ordered_rtc_regions": [],
            "_trace": ["fake-discord"],
        }
        if shard is not None:
            ready["shard"] = list(shard)
        await self._session_dispatch(session, "READY", ready)
        for guild in guilds:
            await self._session_dispatch(session, "GUILD_CREATE", guild)
        session.ready_sent = True

    async def _resume(self, conn: GatewayConnection, d: JSON) -> None:
        assert conn.ws is not None
        if d.get("token") != self.token:
            await conn.ws.close(code=4004, message=b"Authentication failed.")
            return
        session = self._sessions.get(str(d.get("session_id")))
        shard_id = 0 if session is None or session.shard is None else session.shard[0]
        if session is None or self._shard_sessions.get(shard_id) is not session:
            await self._ws_send(conn, {"op": 9, "d": False, "s": None, "t": None})
            return
        old = session.connection
        session.connection = conn
        conn.session_id, conn.kind, conn.shard = session.id, "resume", session.shard
        if old is not None and old.ws is not None and not old.ws.closed:
            await old.ws.close(code=4000, message=b"Session resumed elsewhere.")
        last_seen = d.get("seq") or 0
        for frame in session.events:
            if frame["s"] > last_seen:
                await self._ws_send(conn, frame)
        await self._session_dispatch(session, "RESUMED", {"_trace": ["fake-discord"]})

    async def _current_connection(self, shard_id: int) -> GatewayConnection:
        await self.wait_for_session(shard_id)
        session = self._shard_sessions[shard_id]
        assert session.connection is not None
        return session.connection

    async def _wait_for_new_connection(
        self, shard_id: int, old: GatewayConnection, timeout: float
    ) -> None:
        def replaced() -> bool:
            session = self._shard_sessions.get(shard_id)
            return self._live(session) and session is not None and session.connection is not old

        await self._wait(replaced, timeout, lambda: f"shard {shard_id} did not reconnect")

    async def send_reconnect(
        self, shard_id: int = 0, *, wait: bool = True, timeout: float = 5.0
    ) -> None:
        """Send op 7 RECONNECT; with `wait`, return once the client resumed or re-identified."""
        conn = await self._current_connection(shard_id)
        await self._ws_send(conn, {"op": 7, "d": None, "s": None, "t": None})
        if wait:
            await self._wait_for_new_connection(shard_id, conn, timeout)

    async def send_invalid_session(
        self,
        resumable: bool = False,
        shard_id: int = 0,
        *,
        wait: bool = True,
        timeout: float = 10.0,
    ) -> None:
        """Send op 9 INVALID_SESSION; a non-resumable one forces a fresh IDENTIFY."""
        conn = await self._current_connection(shard_id)
        await self._ws_send(conn, {"op": 9, "d": resumable, "s": None, "t": None})
        if wait:
            await self._wait_for_new_connection(shard_id, conn, timeout)

    async def drop_connection(
        self, shard_id: int = 0, code: int = 4000, *, wait: bool = True, timeout: float = 10.0
    ) -> None:
        """Close the gateway socket from the server side (as a network blip would)."""
        conn = await self._current_connection(shard_id)
        assert conn.ws is not None
        await conn.ws.close(code=code, message=b"fake discord dropped the connection")
        if wait:
            await self._wait_for_new_connection(shard_id, conn, timeout)

    # ----------------------------------------------------------------- interactions

    def _option_schema(self, command: JSON | None, path: Sequence[str]) -> list[JSON]:
        options = list((command or {}).get("options") or [])
        for part in path:
            match = next((o for o in options if o.get("name") == part), None)
            options = list((match or {}).get("options") or [])
        return options

    @staticmethod
    def _infer_type(value: Any) -> int:
        if isinstance(value, bool):
            return 5
        if isinstance(value, int):
            return 4
        if isinstance(value, float):
            return 10
        return 3

    def _build_options(
        self,
        command: JSON | None,
        subcommands: Sequence[str],
        options: Mapping[str, Any] | Sequence[Mapping[str, Any]] | None,
        focus: str | None,
    ) -> list[JSON]:
        """Build Discord's [{"name", "type", "value"}] list; `focus` marks the focused option."""
        if options is None:
            leaf: list[JSON] = []
        elif isinstance(options, Mapping):
            schema = {o.get("name"): o for o in self._option_schema(command, subcommands)}
            leaf = []
            for name, value in options.items():
                otype = int(schema.get(name, {}).get("type") or self._infer_type(value))
                if otype in (6, 7, 8, 9):
                    value = str(value)  # snowflakes travel as strings
                opt: JSON = {"name": name, "type": otype, "value": value}
                if name == focus:
                    opt["focused"] = True
                    opt["value"] = str(value)  # the partially typed text, whatever the type
                leaf.append(opt)
        else:
            leaf = [dict(o) for o in options]
        # Wrap the options in their sub-command (and group), as Discord nests them.
        for depth in range(len(subcommands), 0, -1):
            schema_parent = self._option_schema(command, subcommands[: depth - 1])
            node = next((o for o in schema_parent if o.get("name") == subcommands[depth - 1]), None)
            default_type = 1 if depth == len(subcommands) else 2
            wrapper: JSON = {
                "name": subcommands[depth - 1],
                "type": int((node or {}).get("type") or default_type),
                "options": leaf,
            }
            leaf = [wrapper]
        return leaf

    def _resolved_for(self, options: Sequence[JSON], guild_id: int | None) -> JSON:
        resolved: JSON = {}
        for opt in options:
            if opt.get("type") in (1, 2):
                nested = self._resolved_for(opt.get("options") or [], guild_id)
                for key, value in nested.items():
                    resolved.setdefault(key, {}).update(value)
                continue
            if opt.get("focused"):
                continue
            value = opt.get("value")
            if opt.get("type") in (6, 9) and value is not None:
                uid = int(value)
                resolved.setdefault("users", {})[str(uid)] = self.user_payload(uid)
                if guild_id is not None:
                    member = self.member_payload(uid, permissions=DEFAULT_MEMBER_PERMISSIONS)
                    member.pop("user")
                    resolved.setdefault("members", {})[str(uid)] = member
            elif opt.get("type") == 7 and value is not None and int(value) in self.channels:
                channel = {
                    **self.channels[int(value)],
                    "permissions": str(DEFAULT_MEMBER_PERMISSIONS),
                }
                resolved.setdefault("channels", {})[str(value)] = channel
        return resolved

    async def _dispatch_interaction(
        self,
        itype: int,
        data: JSON,
        *,
        name: str,
        user_id: int | None,
        guild_id: int | None,
        dm: bool,
        channel_id: int | None,
        permissions: int | None,
        roles: Sequence[int],
        locale: str,
        message: JSON | None = None,
        timeout: float = 5.0,
    ) -> FakeInteraction:
        uid = self.user_id if user_id is None else user_id
        gid = None if dm else (self.guild_id if guild_id is None else guild_id)
        shard = self._shard_of(gid)
        await self.wait_for_session(shard, timeout)
        perms = DEFAULT_MEMBER_PERMISSIONS if permissions is None else permissions
        iid = self._ids.next()
        token = "fake-interaction-" + secrets.token_urlsafe(48)
        payload: JSON = {
            "id": str(iid),
            "application_id": str(self.application_id),
            "type": itype,
            "data": data,
            "token": token,
            "version": 1,
            "locale": locale,
            "app_permissions": str(DEFAULT_MEMBER_PERMISSIONS | (1 << 13)),
            "entitlements": [],
            "entitlement_sku_ids": [],
            "attachment_size_limit": 10 * 1024 * 1024,
        }
        if gid is not None:
            cid = channel_id if channel_id is not None else self._default_channel(gid)
            channel = self.channels.get(cid) or self._channel_payload(
                cid, "unknown", position=99, guild_id=gid
            )
            if cid in self.channels:
                payload["app_permissions"] = str(self.bot_permissions(cid))
            payload.update(
                {
                    "guild_id": str(gid),
                    "guild": {"id": str(gid), "locale": "en-US", "features": []},
                    "guild_locale": "en-US",
                    "channel_id": str(cid),
                    "channel": {**channel, "permissions": str(perms)},
                    "member": self.member_payload(uid, roles=roles, permissions=perms),
                    "authorizing_integration_owners": {"0": str(gid)},
                    "context": 0,
                }
            )
        else:
            cid = channel_id if channel_id is not None else self._ids.next()
            user = self.user_payload(uid)
            payload.update(
                {
                    "channel_id": str(cid),
                    "user": user,
                    "channel": {
                        "id": str(cid),
                        "type": 1,
                        "last_message_id": None,
                        "flags": 0,
                        "recipients": [user],
                    },
                    "authorizing_integration_owners": {"0": "0"},
                    "context": 1,
                }
            )
        if message is not None:
            payload["message"] = copy.deepcopy(message)
        loop = asyncio.get_running_loop()
        inter = FakeInteraction(
            self,
            id=iid,
            token=token,
            type=itype,
            name=name,
            payload=payload,
            dispatched_at=loop.time(),
            source_message_id=None if message is None else int(message["id"]),
        )
        self.interactions.append(inter)
        self._interactions_by_id[iid] = inter
        self._interactions_by_token[token] = inter
        session = self._shard_sessions[shard]
        inter.shard_id, inter.connection = shard, session.connection
        await self._session_dispatch(session, "INTERACTION_CREATE", copy.deepcopy(payload))
        await self._notify()
        return inter

    def _command_data(
        self,
        name: str,
        options: Mapping[str, Any] | Sequence[Mapping[str, Any]] | None,
        guild_id: int | None,
        dm: bool,
        focus: str | None,
    ) -> JSON:
        parts = name.split()
        if not parts:
            raise ValueError("empty command name")
        gid = None if dm else (self.guild_id if guild_id is None else guild_id)
        command = self.command(parts[0], gid)
        if command is None and self.require_synced:
            raise LookupError(f"/{parts[0]} was never synced (synced scopes: {self.synced_scopes})")
        data: JSON = {
            "id": command["id"] if command else str(self._ids.next()),
            "name": parts[0],
            "type": 1,
        }
        built = self._build_options(command, parts[1:], options, focus)
        if built:
            data["options"] = built
        if command is not None and command.get("guild_id"):
            data["guild_id"] = command["guild_id"]
        resolved = self._resolved_for(built, gid)
        if resolved:
            data["resolved"] = resolved
        return data

    async def invoke(
        self,
        name: str,
        options: Mapping[str, Any] | Sequence[Mapping[str, Any]] | None = None,
        *,
        user_id: int | None = None,
        guild_id: int | None = None,
        dm: bool = False,
        channel_id: int | None = None,
        permissions: int | None = None,
        roles: Sequence[int] = (),
        locale: str = "en-US",
        timeout: float = 5.0,
    ) -> FakeInteraction:
        """Dispatch a slash command (type 2). `name` may be "group sub"; options a dict or list."""
        data = self._command_data(name, options, guild_id, dm, focus=None)
        return await self._dispatch_interaction(
            APPLICATION_COMMAND,
            data,
            name=name.split()[0],
            user_id=user_id,
            guild_id=guild_id,
            dm=dm,
            channel_id=channel_id,
            permissions=permissions,
            roles=roles,
            locale=locale,
            timeout=timeout,
        )

    async def autocomplete(
        self,
        name: str,
        options: Mapping[str, Any] | Sequence[Mapping[str, Any]] | None = None,
        *,
        focused: str | None = None,
        user_id: int | None = None,
        guild_id: int | None = None,
        dm: bool = False,
        channel_id: int | None = None,
        locale: str = "en-US",
        timeout: float = 5.0,
    ) -> FakeInteraction:
        """Dispatch an autocomplete request (type 4); `focused` defaults to the last option."""
        if focused is None and isinstance(options, Mapping) and options:
            focused = list(options)[-1]
        data = self._command_data(name, options, guild_id, dm, focus=focused)
        return await self._dispatch_interaction(
            AUTOCOMPLETE,
            data,
            name=name.split()[0],
            user_id=user_id,
            guild_id=guild_id,
            dm=dm,
            channel_id=channel_id,
            permissions=None,
            roles=(),
            locale=locale,
            timeout=timeout,
        )

    def _context_menu_data(
        self, name: str, ctype: int, target_id: int, resolved: JSON, guild_id: int | None
    ) -> JSON:
        command = self.command(name, guild_id, type=ctype)
        if command is None and self.require_synced:
            raise LookupError(
                f"context menu {name!r} (type {ctype}) was never synced "
                f"(synced scopes: {self.synced_scopes})"
            )
        data: JSON = {
            "id": command["id"] if command else str(self._ids.next()),
            "name": name,
            "type": ctype,
            "target_id": str(target_id),
            "resolved": resolved,
        }
        if command is not None and command.get("guild_id"):
            data["guild_id"] = command["guild_id"]
        return data

    async def invoke_message_command(
        self,
        name: str,
        message: Mapping[str, Any] | int,
        *,
        user_id: int | None = None,
        permissions: int | None = None,
        roles: Sequence[int] = (),
        locale: str = "en-US",
        timeout: float = 5.0,
    ) -> FakeInteraction:
        """Right-click `message` -> Apps -> `name`: a message context menu command.

        INTERACTION_CREATE type 2 with data.type 3, `target_id`, and the whole message in
        `data.resolved.messages` (content and embeds included, whatever the client's intents).
        `message` is a stored message (from `add_message`, a post, or an id).
        """
        mid = message if isinstance(message, int) else int(message["id"])
        found = self.messages.get(mid)
        if found is None:
            raise LookupError(f"no such message (deleted, or never sent): {message!r}")
        guild_id = int(found["guild_id"]) if found.get("guild_id") else None
        data = self._context_menu_data(
            name,
            MESSAGE_COMMAND,
            mid,
            {"messages": {str(mid): copy.deepcopy(found)}},
            guild_id,
        )
        return await self._dispatch_interaction(
            APPLICATION_COMMAND,
            data,
            name=name,
            user_id=user_id,
            guild_id=guild_id,
            dm=guild_id is None,
            channel_id=int(found["channel_id"]),
            permissions=permissions,
            roles=roles,
            locale=locale,
            timeout=timeout,
        )

    async def invoke_user_command(
        self,
        name: str,
        target_user_id: int,
        *,
        user_id: int | None = None,
        guild_id: int | None = None,
        channel_id: int | None = None,
        permissions: int | None = None,
        locale: str = "en-US",
        timeout: float = 5.0,
    ) -> FakeInteraction:
        """Right-click a member -> Apps -> `name`: a user context menu command (data.type 2)."""
        gid = self.guild_id if guild_id is None else guild_id
        member = self.member_payload(target_user_id, permissions=DEFAULT_MEMBER_PERMISSIONS)
        member.pop("user")
        resolved: JSON = {
            "users": {str(target_user_id): self.user_payload(target_user_id)},
            "members": {str(target_user_id): member},
        }
        data = self._context_menu_data(name, USER_COMMAND, target_user_id, resolved, gid)
        return await self._dispatch_interaction(
            APPLICATION_COMMAND,
            data,
            name=name,
            user_id=user_id,
            guild_id=gid,
            dm=False,
            channel_id=channel_id,
            permissions=permissions,
            roles=(),
            locale=locale,
            timeout=timeout,
        )

    async def click(
        self,
        message: Mapping[str, Any] | FakeInteraction | int,
        custom_id: str,
        user_id: int | None = None,
        *,
        values: Sequence[str] | None = None,
        permissions: int | None = None,
        timeout: float = 5.0,
    ) -> FakeInteraction:
        """Click a button (or pick select `values`) on a message the bot sent (type 3)."""
        if isinstance(message, FakeInteraction):
            found = message.original
        elif isinstance(message, int):
            found = self.messages.get(message)
        else:
            found = self.messages.get(int(message["id"]))
        if found is None:
            raise LookupError(f"no such message (deleted, or never sent): {message!r}")
        component = _find_component(found.get("components") or [], custom_id)
        if component is None:
            present = _custom_ids(found.get("components") or [])
            raise LookupError(f"no component {custom_id!r} on message {found['id']}: {present}")
        if component.get("disabled"):
            raise ValueError(f"component {custom_id!r} is disabled; a user cannot click it")
        data: JSON = {"custom_id": custom_id, "component_type": component["type"]}
        if component["type"] in _SELECT_TYPES:
            data["values"] = list(values or [])
        elif values is not None:
            raise ValueError("values only apply to select menus")
        guild_id = found.get("guild_id")
        return await self._dispatch_interaction(
            MESSAGE_COMPONENT,
            data,
            name=custom_id,
            user_id=user_id,
            guild_id=int(guild_id) if guild_id else None,
            dm=guild_id is None,
            channel_id=int(found["channel_id"]),
            permissions=permissions,
            roles=(),
            locale="en-US",
            message=found,
            timeout=timeout,
        )


def _stop_views(client: discord.Client) -> list[asyncio.Task[Any]]:
    """Stop views still registered on a closed client; return their cancelled timeout tasks.

    Client.close() leaves each view's timeout task sleeping (180 s by default); it would outlive
    the test. This reads discord.py's private view store, hence every getattr has a default.
    """
    store = getattr(getattr(client, "_connection", None), "_view_store", None)
    views: list[Any] = []
    for items in dict(getattr(store, "_views", None) or {}).values():
        views.extend(item.view for item in dict(items).values() if item.view is not None)
    views.extend(dict(getattr(store, "_synced_message_views", None) or {}).values())
    views.extend(dict(getattr(store, "_modals", None) or {}).values())
    tasks: list[asyncio.Task[Any]] = []
    for view in dict.fromkeys(views):
        task = getattr(view, "_BaseView__timeout_task", None)
        view.stop()
        if isinstance(task, asyncio.Task) and not task.done():
            tasks.append(task)
    return tasks


def _cancel_delayed_ready(client: discord.Client) -> list[asyncio.Task[Any]]:
    """Cancel discord.py's pending on_ready timer left behind by a close() right after READY.

    discord.py cancels this task itself when a new READY arrives; close() does not. Private
    attribute, hence the getattr defaults.
    """
    task = getattr(getattr(client, "_connection", None), "_ready_task", None)
    if isinstance(task, asyncio.Task) and not task.done():
        task.cancel()
        return [task]
    return []


def _walk_components(components: Sequence[Any]) -> Iterator[JSON]:
    for comp in components:
        if isinstance(comp, dict):
            yield comp
            yield from _walk_components(_children(comp))


def _find_component(components: Sequence[Any], custom_id: str) -> JSON | None:
    return next((c for c in _walk_components(components) if c.get("custom_id") == custom_id), None)


def _custom_ids(components: Sequence[Any]) -> list[str]:
    return [c["custom_id"] for c in _walk_components(components) if "custom_id" in c]
