"""HTTP for feeds: GET with every redirect hop checked, a deadline, a size cap, and no SSRF.

Errors carry a short message fit for /status (a class of failure, never an address or raw
exception text) and, apart, the detail for the operator's log.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import ipaddress
import socket
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from http import HTTPStatus
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from bot.feeds.options import FetchOptions
from bot.feeds.urls import redact_text, url_problem
from bot.ingest.rfc822 import parse_rfc822

if TYPE_CHECKING:
    import aiohttp

__all__ = ["Check", "FetchError", "Response", "feed_check", "get", "host_is_private", "page_check"]

_REDIRECTS = (301, 302, 303, 307, 308)

Check = Callable[[str], Awaitable[None]]


class FetchError(Exception):
    """A request that did not give a usable response.

    ``str(error)`` is short and safe to show anyone; ``detail`` (redacted) is for the log.
    """

    def __init__(
        self, message: str, retry_after: float | None = None, detail: str | None = None
    ) -> None:
        super().__init__(message)
        self.retry_after = retry_after
        self.detail = redact_text(detail) if detail else None


@dataclass(frozen=True)
class Response:
    """A final (non-redirect) response, its body read in full under the cap."""

    status: int
    body: bytes
    headers: Mapping[str, str]
    url: str


async def get(
    session: aiohttp.ClientSession,
    url: str,
    options: FetchOptions,
    check: Check,
    headers: Mapping[str, str] | None = None,
) -> Response:
    """GET with our own redirect handling (every hop checked), a deadline and a size cap."""
    import aiohttp
    from multidict import CIMultiDict
    from yarl import URL

    current = url
    try:
        async with asyncio.timeout(options.timeout):
            for _hop in range(options.max_redirects + 1):
                await check(current)
                async with session.get(
                    current,
                    headers=dict(headers or {}),
                    allow_redirects=False,
                ) as response:
                    if response.status in _REDIRECTS:
                        location = response.headers.get("Location")
                        if not location:
                            raise FetchError(f"HTTP {response.status} without a Location")
                        current = str(response.url.join(URL(location)))
                        continue
                    if response.status == 304:
                        return Response(304, b"", CIMultiDict(response.headers), current)
                    if response.status >= 400:
                        raise FetchError(
                            _status_text(response.status),
                            retry_after=retry_after(response.headers.get("Retry-After")),
                            detail=f"{response.status} {response.reason or ''}",
                        )
                    body = await _read_capped(response, options.max_bytes)
                    return Response(response.status, body, CIMultiDict(response.headers), current)
    except TimeoutError:
        raise FetchError(f"timed out after {options.timeout:g} s") from None
    except aiohttp.TooManyRedirects:
        raise FetchError(f"too many redirects (more than {options.max_redirects})") from None
    except (aiohttp.ClientError, ValueError, OSError) as error:
        raise FetchError(
            f"connection failed: {_connection_problem(error)}",
            detail=f"{type(error).__name__}: {error}",
        ) from None
    raise FetchError(f"too many redirects (more than {options.max_redirects})")


def _status_text(status: int) -> str:
    # The standard phrase, not the server's: a reason line is whatever the server chose to say.
    try:
        return f"HTTP {status} {HTTPStatus(status).phrase}"
    except ValueError:
        return f"HTTP {status}"


def _connection_problem(error: BaseException) -> str:
    """A class of failure people can act on; the raw text names internal hosts and ports."""
    import aiohttp

    kinds: tuple[tuple[type[BaseException], str], ...] = (
        (getattr(aiohttp, "ClientConnectorDNSError", ()), "host name not found"),
        (aiohttp.ClientConnectorCertificateError, "TLS certificate not accepted"),
        (aiohttp.ClientSSLError, "TLS error"),
        (aiohttp.ClientConnectorError, "could not connect"),
        (aiohttp.ServerDisconnectedError, "server disconnected"),
        (aiohttp.ClientPayloadError, "broken response body"),
        (aiohttp.ClientResponseError, "bad response"),
        (aiohttp.InvalidURL, "invalid URL"),
        (socket.gaierror, "host name not found"),
        (ConnectionRefusedError, "could not connect"),
        (ConnectionError, "connection lost"),
        (ValueError, "invalid URL or response"),
    )
    for kind, text in kinds:
        if kind and isinstance(error, kind):
            return text
    return "network error"


async def _read_capped(response: aiohttp.ClientResponse, cap: int) -> bytes:
    """The body, streamed so that an endless or huge one costs at most ``cap`` bytes of memory."""
    limit = f"{cap / 2**20:g} MiB" if cap >= 2**20 else f"{cap} bytes"
    if response.content_length is not None and response.content_length > cap:
        response.close()  # drop the connection instead of draining the body
        raise FetchError(f"response of {response.content_length} bytes is over the {limit} cap")
    chunks: list[bytes] = []
    total = 0
    async for chunk in response.content.iter_chunked(64 * 1024):
        total += len(chunk)
        if total > cap:
            response.close()
            raise FetchError(f"response over the {limit} cap; stopped reading")
        chunks.append(chunk)
    return b"".join(chunks)


def retry_after(value: str | None) -> float | None:
    """Seconds a ``Retry-After`` header asks us to wait (a number or an HTTP date)."""
    if not value:
        return None
    if value.strip().isdigit():
        return float(value.strip())
    moment = parse_rfc822(value)
    if moment is None:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.UTC)
    return max(0.0, (moment - dt.datetime.now(dt.UTC)).total_seconds())


async def feed_check(url: str) -> None:
    """Feed URLs come from the settings: any http(s) URL, private addresses included."""
    problem = url_problem(url)
    if problem:
        raise FetchError(f"refused: the URL {problem}")


def _is_private(address: str) -> bool:
    try:
        ip = ipaddress.ip_address(address.split("%", 1)[0])
    except ValueError:
        return False
    return not ip.is_global or ip.is_multicast


async def host_is_private(host: str) -> bool:
    """True when ``host`` is, or resolves to, a loopback, private, link-local or local address."""
    if _is_private(host):
        return True
    if host.lower() == "localhost" or host.lower().endswith(".localhost"):
        return True
    try:
        infos = await asyncio.get_running_loop().getaddrinfo(host, None, type=socket.SOCK_STREAM)
    except OSError:
        return False  # the request itself will fail and say so
    return any(_is_private(str(info[4][0])) for info in infos)


def page_check(private_ok: bool) -> Check:
    """The check for article links, which come from the feed, not from settings.

    Only http(s), and never an address inside the bot's own network unless the feed itself
    lives there (its operator chose it).
    """

    async def check(url: str) -> None:
        problem = url_problem(url)
        if problem:
            raise FetchError(f"refused: the link {problem}")
        host = urlsplit(url).hostname or ""
        if not private_ok and await host_is_private(host):
            raise FetchError("refused: the link points at a private or local address")

    return check
