"""Feeds against a real HTTP server on 127.0.0.1: stories, politeness, failures and dedup."""

from __future__ import annotations

import asyncio
import datetime as dt
import fcntl
import json
import logging
import os
import tracemalloc
from collections import Counter
from pathlib import Path
from types import SimpleNamespace

import pytest
from aiohttp import web

from bot import feeds
from bot.discord_app.exts.feed_pulls import Feeds
from bot.feeds.http import FetchError, page_check
from bot.feeds.options import FetchOptions
from bot.feeds.pull import fetch_all
from bot.feeds.state import STATE_VERSION
from bot.feeds.urls import FeedURLError, parse_feed_urls
from bot.ingest.readers import read_file
from bot.settings import SettingsError, load_settings
from tests.helpers import FIXTURES as SHARED_FIXTURES

FIXTURES = SHARED_FIXTURES / "feeds"
NOW = dt.datetime(2024, 5, 1, 12, 0, tzinfo=dt.UTC)
OPTIONS = FetchOptions(timeout=2.0, backoff_base=60.0, backoff_cap=600.0, page_backoff=30.0)
ETAG = '"rss-v1"'
# Three items with control characters (ESC starting a terminal title sequence, SOH, form feed)
# that lxml refuses, between two plain ones.
HOSTILE_FEED = """<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0"><channel><title>Hostile Herald</title>
<item><title>First plain story about the harbor</title><link>{base}/h/1</link>
<guid>h-1</guid><pubDate>Mon, 12 Apr 2021 09:00:00 +0000</pubDate>
<description>&lt;p&gt;The harbor reopened on Monday.&lt;/p&gt;</description></item>
<item><title>Escape&#27;]0;owned&#7; in the summary</title><link>{base}/h/2</link>
<guid>h-2</guid><pubDate>Mon, 12 Apr 2021 10:00:00 +0000</pubDate>
<description>&lt;p&gt;Ferries&#27;[2J ran late.&lt;/p&gt;</description></item>
<item><title>Start of heading&#1; in the title</title><link>{base}/h/3</link>
<guid>h-3</guid><pubDate>Mon, 12 Apr 2021 11:00:00 +0000</pubDate>
<description>&lt;p&gt;A&#1; festival&#1; began.&lt;/p&gt;</description></item>
<item><title>Form feed in the text</title><link>{base}/h/4</link>
<guid>h-4</guid><pubDate>Mon, 12 Apr 2021 12:00:00 +0000</pubDate>
<description>&lt;p&gt;Page one&#12;page two.&lt;/p&gt;</description></item>
<item><title>Last plain story about the market</title><link>{base}/h/5</link>
<guid>h-5</guid><pubDate>Mon, 12 Apr 2021 13:00:00 +0000</pubDate>
<description>&lt;p&gt;The night market opened.&lt;/p&gt;</description></item>
</channel></rss>
"""
LAST_MODIFIED = "Mon, 12 Apr 2021 01:00:00 GMT"


class FeedServer:
    """Serves the fixture feeds and article pages, and remembers every request it saw."""

    def __init__(self) -> None:
        self.base = ""
        self.requests: list[tuple[str, dict[str, str]]] = []
        self.hits: Counter[str] = Counter()
        self.failing_pages: set[str] = set()
        self.huge_sent = 0
        self.slow_answered = 0  # the slow feed's answers sent: 0 while it keeps a client waiting
        self.release = asyncio.Event()  # lets the slow handler finish at teardown

    def url(self, path: str) -> str:
        return self.base + path

    def fixture(self, name: str) -> str:
        return (FIXTURES / name).read_text(encoding="utf-8").replace("{base}", self.base)

    def seen(self, path: str) -> list[dict[str, str]]:
        return [headers for p, headers in self.requests if p == path]

    async def handle(self, request: web.Request) -> web.StreamResponse:
        path = request.path
        self.requests.append((path, dict(request.headers)))
        self.hits[path] += 1
        xml = "application/rss+xml"
        if path in ("/rss.xml", "/atom.xml"):
            if request.headers.get("If-None-Match") == ETAG:
                return web.Response(status=304, headers={"ETag": ETAG})
            name = path.lstrip("/")
            headers = {"ETag": ETAG, "Last-Modified": LAST_MODIFIED}
            return web.Response(text=self.fixture(name), content_type=xml, headers=headers)
        if path.startswith("/plain/"):  # no validators: every pull gets the whole feed
            return web.Response(text=self.fixture(path.removeprefix("/plain/")), content_type=xml)
        if path == "/copy.xml":  # another feed of the same site carrying the same items
            return web.Response(text=self.fixture("rss.xml"), content_type=xml)
        if path == "/relinked.xml":  # new guid, same link (tracking parameters aside)
            text = self.fixture("rss.xml").replace("gazette-2021-0412-ferry", "other-id-1")
            text = text.replace("?utm_source=rss", "?utm_medium=feed")
            return web.Response(text=text, content_type=xml)
        if path == "/retitled.xml":  # same guid and link, headline edited after sending
            text = self.fixture("rss.xml").replace("draws record crowd", "draws a record crowd")
            return web.Response(text=text, content_type=xml)
        if path == "/lead.xml":  # the ferry story re-sent as a (LEAD), same guid and link
            text = self.fixture("rss.xml").replace(
                "<title>Harbor City opens", "<title>(LEAD) Harbor City opens"
            )
            return web.Response(text=text, content_type=xml)
        if path == "/summary.xml":
            return web.Response(text=self.fixture("summary.xml"), content_type=xml)
        if path.startswith("/article/"):
            name = path.removeprefix("/article/")
            if name in self.failing_pages:
                return web.Response(status=503, text="try later")
            return web.Response(text=self.fixture(f"article-{name}.html"), content_type="text/html")
        if path == "/slow.xml":
            await self.release.wait()  # set at teardown: only the client's deadline ends this
            self.slow_answered += 1
            return web.Response(text=self.fixture("rss.xml"), content_type=xml)
        if path == "/hostile.xml":
            return web.Response(text=HOSTILE_FEED.replace("{base}", self.base), content_type=xml)
        if path == "/500.xml":
            return web.Response(status=500, text="Internal Server Error")
        if path == "/malformed.xml":
            return web.Response(text=self.fixture("malformed.xml"), content_type=xml)
        if path in ("/huge.xml", "/huge-declared.xml"):
            return await self.huge(request, declared=path == "/huge-declared.xml")
        if path == "/loop":
            raise web.HTTPFound("/loop")
        if path == "/moved.xml":
            raise web.HTTPMovedPermanently("/plain/atom.xml")
        return web.Response(status=404)

    async def huge(self, request: web.Request, declared: bool) -> web.StreamResponse:
        """50 MB of XML, written lazily so the test can tell how much the client took."""
        total = 50 * 2**20
        response = web.StreamResponse(headers={"Content-Type": "application/rss+xml"})
        if declared:
            response.content_length = total
        await response.prepare(request)
        chunk = b"<rss>" + b"x" * (64 * 1024 - 5)
        try:
            while self.huge_sent < total:
                await response.write(chunk)
                self.huge_sent += len(chunk)
        except (ConnectionError, RuntimeError):
            pass  # the client hung up, as it should
        return response


@pytest.fixture
async def server():
    feed_server = FeedServer()
    app = web.Application()
    app.router.add_route("GET", "/{tail:.*}", feed_server.handle)
    runner = web.AppRunner(app, shutdown_timeout=1.0)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    host, port = runner.addresses[0][:2]
    feed_server.base = f"http://{host}:{port}"
    yield feed_server
    feed_server.release.set()
    await runner.cleanup()


@pytest.fixture
def corpus(tmp_path: Path) -> Path:
    return tmp_path / "corpus"


@pytest.fixture
def state(tmp_path: Path) -> Path:
    return tmp_path / "cache" / "feeds.json"


async def pull(server, corpus, state, *paths, now=NOW, options=OPTIONS, force=False):
    urls = [server.url(p) for p in paths]
    return await fetch_all(urls, corpus, state, now=now, options=options, force=force)


def stories(corpus: Path) -> list[Path]:
    return sorted((corpus / "feeds").rglob("*.md")) if (corpus / "feeds").exists() else []


def leftovers(root: Path) -> list[Path]:
    """Temp files of an interrupted write: hidden, next to the stories."""
    return [p for p in root.rglob(".*") if p.is_file()] if root.exists() else []


def read(corpus: Path, path: Path):
    (article,) = read_file(path, path.relative_to(corpus).as_posix())
    return article


def front(path: Path) -> dict:
    from bot.ingest.readers import split_front_matter

    return split_front_matter(path.read_text(encoding="utf-8"))[0]


# --- settings -------------------------------------------------------------------------------


def test_feed_urls_are_split_on_commas_and_whitespace():
    raw = " https://a.example/rss.xml, http://b.example/feed\n https://a.example/rss.xml "
    assert parse_feed_urls(raw) == ("https://a.example/rss.xml", "http://b.example/feed")
    assert parse_feed_urls("") == ()
    assert parse_feed_urls("  \n ") == ()


@pytest.mark.parametrize(
    "raw",
    [
        "file:///etc/passwd",
        "ftp://example.com/feed.xml",
        "javascript:alert(1)",
        "example.com/rss",
        "https://",
        "http://host:notaport/rss",
        "https://ok.example/rss gopher://old.example/",
    ],
)
def test_non_http_feed_urls_are_rejected_with_a_clear_message(raw):
    with pytest.raises(FeedURLError):
        parse_feed_urls(raw)
    with pytest.raises(SettingsError, match="NEWSBOT_FEEDS must list http"):
        load_settings({"NEWSBOT_FEEDS": raw}, env_file=None)


async def test_fetch_all_refuses_a_non_http_url_without_any_request(server, corpus, state):
    report = await fetch_all(["file:///etc/passwd"], corpus, state, now=NOW, options=OPTIONS)
    (result,) = report.results
    assert result.status == "error" and "refused" in (result.error or "")
    assert server.requests == [] and stories(corpus) == []


# --- normal feeds ---------------------------------------------------------------------------


async def test_rss_items_become_stories_with_front_matter_and_a_certain_year(server, corpus, state):
    report = await pull(server, corpus, state, "/rss.xml")
    (result,) = report.results
    assert result.status == "ok" and len(result.new) == 2
    files = stories(corpus)
    assert [p.name for p in files] == [
        "2021-04-11-lighthouse-festival-draws-record-crowd-of-40-000-visitors.md",
        "2021-04-12-harbor-city-opens-new-ferry-terminal-after-three-years-of.md",
    ]
    assert {p.parent.name for p in files} == {"127-0-0-1-rss-xml"}
    meta = front(files[1])
    assert meta["title"] == "Harbor City opens new ferry terminal after three years of work"
    assert meta["published"] == "2021-04-12T09:30:00+09:00"  # the publisher's own offset
    assert meta["url"] == server.url("/news/ferry-terminal?utm_source=rss")
    assert meta["source"] == "Harbor City Gazette"
    assert meta["guid"] == "gazette-2021-0412-ferry"
    assert meta["author"] == "Kim Ha-neul"
    ferry = read(corpus, files[1])
    assert ferry.published.year == 2021 and ferry.published.year_certain
    assert (ferry.published.month, ferry.published.day) == (4, 12)
    assert ferry.source == "Harbor City Gazette" and ferry.byline == "Kim Ha-neul"
    assert len(ferry.paragraphs) == 3 and "12 ferries a day" in ferry.text
    festival = read(corpus, files[0])
    assert "never stored" not in festival.text  # scripts in feed HTML are dropped
    assert len(festival.paragraphs) == 2
    assert leftovers(corpus) == [] and leftovers(state.parent) == []


async def test_atom_entries_become_stories(server, corpus, state):
    report = await pull(server, corpus, state, "/atom.xml")
    assert report.results[0].status == "ok" and len(report.new) == 1
    (path,) = stories(corpus)
    assert path.name == "2022-11-02-researchers-map-glacier-retreat-with-drone-swarms.md"
    article = read(corpus, path)
    assert article.title == "Researchers map glacier retreat with drone swarms"
    assert article.published.year == 2022 and article.published.year_certain
    assert article.source == "Valley Science Wire" and article.byline == "Anna Berg"
    assert article.url == server.url("/science/glacier-drones")
    assert len(article.paragraphs) == 3


async def test_a_feed_without_a_title_is_named_by_its_host(server, corpus, state, monkeypatch):
    original = server.fixture

    def untitled(name):
        return original(name).replace("<title>Valley Science Wire</title>", "")

    monkeypatch.setattr(server, "fixture", untitled)
    await pull(server, corpus, state, "/atom.xml")
    (path,) = stories(corpus)
    assert front(path)["source"] == "127.0.0.1"


# --- politeness -----------------------------------------------------------------------------


async def test_second_pull_is_conditional_and_a_304_writes_nothing(server, corpus, state):
    await pull(server, corpus, state, "/rss.xml")
    before = {p: p.stat().st_mtime_ns for p in stories(corpus)}
    report = await pull(server, corpus, state, "/rss.xml", now=NOW + dt.timedelta(minutes=15))
    assert report.results[0].status == "not-modified" and report.new == ()
    first, second = server.seen("/rss.xml")
    assert "If-None-Match" not in first and "If-Modified-Since" not in first
    assert second["If-None-Match"] == ETAG
    assert second["If-Modified-Since"] == LAST_MODIFIED
    assert {p: p.stat().st_mtime_ns for p in stories(corpus)} == before
    assert "newsbot" in second["User-Agent"]
    (status,) = feeds.feed_status(state)
    assert status.last_success == NOW + dt.timedelta(minutes=15) and status.healthy


async def test_an_item_seen_before_is_not_stored_again(server, corpus, state):
    await pull(server, corpus, state, "/plain/rss.xml")
    assert len(stories(corpus)) == 2
    report = await pull(server, corpus, state, "/plain/rss.xml", now=NOW + dt.timedelta(hours=1))
    assert report.results[0].status == "ok" and report.new == ()
    assert len(stories(corpus)) == 2


async def test_dedup_by_guid_and_link_holds_across_feeds(server, corpus, state):
    await pull(server, corpus, state, "/plain/rss.xml")
    # The same items in a second feed of the site, then under new guids with the same links.
    report = await pull(server, corpus, state, "/copy.xml", "/relinked.xml")
    assert [r.status for r in report.results] == ["ok", "ok"]
    assert report.new == ()
    assert len(stories(corpus)) == 2


async def test_dedup_falls_back_on_the_story_files_when_the_state_is_lost(server, corpus, state):
    await pull(server, corpus, state, "/rss.xml")
    state.unlink()
    report = await pull(server, corpus, state, "/rss.xml", now=NOW + dt.timedelta(hours=1))
    assert report.results[0].status == "ok" and report.new == ()
    assert len(stories(corpus)) == 2
    state.write_text("{ not json", encoding="utf-8")  # a corrupt state is no worse
    report = await pull(server, corpus, state, "/rss.xml", now=NOW + dt.timedelta(hours=2))
    assert report.new == () and len(stories(corpus)) == 2
    # Nor is a feed never pulled before that carries items stored from another feed.
    state.unlink()
    report = await pull(server, corpus, state, "/copy.xml", "/relinked.xml", "/retitled.xml")
    assert report.new == () and len(stories(corpus)) == 2


async def test_a_new_version_tag_is_stored_as_a_new_story_beside_the_old(server, corpus, state):
    await pull(server, corpus, state, "/plain/rss.xml")
    report = await pull(server, corpus, state, "/lead.xml")
    (new,) = report.new
    assert new.endswith("2021-04-12-lead-harbor-city-opens-new-ferry-terminal-after-three-years.md")
    assert len(stories(corpus)) == 3  # the first version stays; the index supersedes it
    lead = read(corpus, corpus / new)
    assert lead.version_tag == "LEAD"
    assert lead.title == "Harbor City opens new ferry terminal after three years of work"
    again = await pull(server, corpus, state, "/lead.xml")
    assert again.new == ()


# --- failures -------------------------------------------------------------------------------


async def test_a_slow_feed_times_out_and_backs_off(server, corpus, state):
    quick = FetchOptions(timeout=0.3, backoff_base=60.0, backoff_cap=600.0)
    report = await pull(server, corpus, state, "/slow.xml", options=quick)
    # The server never answered (it waits for teardown): the client's own deadline ended it.
    assert server.slow_answered == 0
    (result,) = report.results
    assert result.status == "error" and "timed out" in (result.error or "")
    assert result.next_attempt == NOW + dt.timedelta(seconds=60)
    # Still backing off ten seconds later: no request at all.
    later = await pull(
        server, corpus, state, "/slow.xml", now=NOW + dt.timedelta(seconds=10), options=quick
    )
    assert later.results[0].status == "skipped" and server.hits["/slow.xml"] == 1
    # Due again: fails again, and waits twice as long.
    third = await pull(
        server, corpus, state, "/slow.xml", now=NOW + dt.timedelta(seconds=61), options=quick
    )
    assert third.results[0].next_attempt == NOW + dt.timedelta(seconds=61 + 120)
    (status,) = feeds.feed_status(state)
    assert status.failures == 2 and "timed out" in (status.last_error or "")
    assert status.last_success is None and not status.healthy
    assert stories(corpus) == []


def test_back_off_doubles_up_to_the_cap():
    options = FetchOptions(backoff_base=60.0, backoff_cap=3600.0)
    delays = [feeds.backoff_delay(n, options) for n in range(0, 9)]
    assert delays == [0, 60, 120, 240, 480, 960, 1920, 3600, 3600]
    assert feeds.backoff_delay(10_000, options) == 3600


async def test_a_server_error_is_recorded_and_status_shows_it(server, corpus, state):
    report = await pull(server, corpus, state, "/500.xml", "/rss.xml")
    broken, good = report.results
    assert broken.status == "error" and broken.error.startswith("HTTP 500")
    assert good.status == "ok" and len(good.new) == 2  # one bad feed costs only itself
    statuses = {s.url: s for s in feeds.feed_status(state)}
    bad = statuses[server.url("/500.xml")]
    assert bad.last_error.startswith("HTTP 500") and bad.last_error_at == NOW
    assert bad.next_attempt == NOW + dt.timedelta(seconds=60)
    assert "HTTP 500" in bad.describe() and "next attempt" in bad.describe()
    assert statuses[server.url("/rss.xml")].stories == 2


async def test_a_forced_pull_ignores_the_back_off(server, corpus, state):
    await pull(server, corpus, state, "/500.xml")
    report = await pull(server, corpus, state, "/500.xml", force=True)
    assert report.results[0].status == "error" and server.hits["/500.xml"] == 2


async def test_a_malformed_feed_is_an_error_and_writes_nothing(server, corpus, state):
    report = await pull(server, corpus, state, "/malformed.xml")
    (result,) = report.results
    assert result.status == "error" and "malformed" in (result.error or "")
    assert stories(corpus) == []
    assert result.next_attempt is not None


async def test_a_50_mb_body_is_cut_off_at_the_cap_without_reading_it(server, corpus, state):
    tracemalloc.start()
    try:
        report = await pull(server, corpus, state, "/huge.xml")
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    (result,) = report.results
    assert result.status == "error" and "cap" in (result.error or "")
    # The client hung up after about 5 MiB; sockets buffer a few more, never the 50.
    assert server.huge_sent < 25 * 2**20
    assert peak < 16 * 2**20  # the body was streamed, never held whole
    assert stories(corpus) == []


async def test_a_declared_oversize_body_is_refused_before_reading(server, corpus, state):
    report = await pull(server, corpus, state, "/huge-declared.xml")
    assert "over the 5 MiB cap" in (report.results[0].error or "")


async def test_a_redirect_loop_is_an_error_and_a_move_is_followed(server, corpus, state):
    report = await pull(server, corpus, state, "/loop", "/moved.xml")
    loop, moved = report.results
    assert loop.status == "error" and "redirect" in (loop.error or "")
    assert server.hits["/loop"] == OPTIONS.max_redirects + 1
    assert moved.status == "ok" and len(moved.new) == 1


async def test_a_pull_already_running_elsewhere_is_not_doubled(server, corpus, state):
    state.parent.mkdir(parents=True)
    with open(state.with_name(state.name + ".lock"), "w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        report = await pull(server, corpus, state, "/rss.xml")
    assert [r.status for r in report.results] == ["busy"] and server.requests == []


# --- summaries and article pages ------------------------------------------------------------


async def test_a_summary_only_item_gets_the_article_text_from_its_page(server, corpus, state):
    report = await pull(server, corpus, state, "/summary.xml")
    assert len(report.new) == 2
    path = next(p for p in stories(corpus) if "library" in p.name)
    assert front(path)["text_from"] == "page"
    article = read(corpus, path)
    assert "42 million euros" in article.text and "children's wing" in article.text
    for chrome in ("Advertisement", "Copyright", "Most read", "Celebrity chef"):
        assert chrome not in article.text
    assert article.published.year == 2023 and article.source == "Northern Times"


async def test_a_failed_page_keeps_the_summary_and_is_retried_next_time(server, corpus, state):
    server.failing_pages.add("strike")
    report = await pull(server, corpus, state, "/summary.xml")
    assert len(report.new) == 2
    path = next(p for p in stories(corpus) if "strike" in p.name)
    assert front(path)["text_from"] == "summary"
    assert read(corpus, path).text == "Rail workers returned on Tuesday after a deal on pay."
    (status,) = feeds.feed_status(state)
    assert status.pending_pages == 1 and status.healthy  # the feed itself is fine

    # Before the page's back-off is over nothing is asked; after it, the story is completed.
    server.failing_pages.clear()
    soon = await pull(server, corpus, state, "/summary.xml", now=NOW + dt.timedelta(seconds=5))
    assert soon.results[0].filled == () and server.hits["/article/strike"] == 1
    later = await pull(server, corpus, state, "/summary.xml", now=NOW + dt.timedelta(seconds=31))
    (result,) = later.results
    assert result.new == () and result.filled == (path.relative_to(corpus).as_posix(),)
    assert later.changed
    assert len(stories(corpus)) == 2  # completed in place, not stored twice
    article = read(corpus, path)
    assert "6 percent" in article.text and front(path)["text_from"] == "page"
    assert article.published.year == 2023 and article.published.year_certain
    assert feeds.feed_status(state)[0].pending_pages == 0
    assert leftovers(corpus) == []


async def test_a_page_that_keeps_failing_is_given_up_after_the_attempts(server, corpus, state):
    server.failing_pages.add("strike")
    options = FetchOptions(timeout=2.0, page_attempts=2, page_backoff=1.0)
    await pull(server, corpus, state, "/summary.xml", options=options)
    await pull(
        server, corpus, state, "/summary.xml", options=options, now=NOW + dt.timedelta(seconds=10)
    )
    assert server.hits["/article/strike"] == 2
    assert feeds.feed_status(state)[0].pending_pages == 0
    path = next(p for p in stories(corpus) if "strike" in p.name)
    assert "deal on pay" in read(corpus, path).text  # the summary stays


async def test_page_fetches_per_pull_are_capped_and_the_rest_wait(server, corpus, state):
    options = FetchOptions(timeout=2.0, pages_per_feed=1)
    report = await pull(server, corpus, state, "/summary.xml", options=options)
    assert len(report.new) == 2
    assert sum(n for p, n in server.hits.items() if p.startswith("/article/")) == 1
    assert feeds.feed_status(state)[0].pending_pages == 1
    later = await pull(server, corpus, state, "/summary.xml", options=options)
    assert len(later.results[0].filled) == 1
    assert {front(p)["text_from"] for p in stories(corpus)} == {"page"}


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1/admin",
        "http://169.254.169.254/latest/meta-data/",
        "http://10.0.0.8/",
        "http://[::1]/",
        "http://localhost:8080/",
        "file:///etc/passwd",
        "javascript:alert(1)",
    ],
)
async def test_links_in_a_public_feed_never_reach_local_addresses(url):
    check = page_check(private_ok=False)
    with pytest.raises(FetchError, match="refused"):
        await check(url)


# --- files ----------------------------------------------------------------------------------


async def test_story_files_are_written_atomically(server, corpus, state, monkeypatch):
    real_replace = os.replace

    def failing_replace(src, dst):
        if str(dst).endswith(".md"):
            raise OSError(28, "No space left on device")
        return real_replace(src, dst)

    monkeypatch.setattr(os, "replace", failing_replace)
    report = await pull(server, corpus, state, "/rss.xml")
    assert report.results[0].status == "error"
    assert "could not store stories: No space left" in (report.results[0].error or "")
    assert stories(corpus) == [] and leftovers(corpus) == []
    # Nothing was recorded as stored, so the next pull stores the stories.
    monkeypatch.setattr(os, "replace", real_replace)
    report = await pull(server, corpus, state, "/rss.xml", force=True)
    assert len(report.new) == 2 and leftovers(corpus) == []
    assert json.loads(state.read_text())["version"] == STATE_VERSION


async def test_the_synchronous_wrapper_pulls_too(server, corpus, state):
    report = await asyncio.to_thread(
        feeds.fetch, [server.url("/atom.xml")], corpus, state, NOW, OPTIONS
    )
    assert len(report.new) == 1 and "1 new story" in report.summary()
    assert report.as_json()["feeds"][0]["status"] == "ok"


async def test_pulled_stories_reach_the_index_and_a_lead_supersedes(
    server, corpus, state, tmp_path
):
    from tests.helpers import newsroom

    await pull(server, corpus, state, "/plain/rss.xml", "/atom.xml")
    room = await asyncio.to_thread(newsroom, corpus, tmp_path / "index-cache")
    titles = [a.title for a in room.latest(10)]
    assert titles[0] == "Researchers map glacier retreat with drone swarms"  # 2022, newest
    assert "Harbor City opens new ferry terminal after three years of work" in titles
    await pull(server, corpus, state, "/lead.xml")
    await asyncio.to_thread(room.refresh)
    ferry = [a for a in room.latest(10) if a.title.startswith("Harbor City opens")]
    assert [a.version_tag for a in ferry] == ["LEAD"]  # one story, newest version


# --- the cog --------------------------------------------------------------------------------


class _Room:
    def __init__(self) -> None:
        self.refreshes = 0

    def refresh(self) -> None:
        self.refreshes += 1


def _bot(tmp_path: Path, corpus: Path, urls: tuple[str, ...]) -> SimpleNamespace:
    settings = SimpleNamespace(
        corpus_dir=corpus, cache_dir=tmp_path / "cache", feeds=urls, feed_minutes=15.0
    )
    return SimpleNamespace(settings=settings, newsroom=_Room())


async def test_the_cog_pulls_then_refreshes_the_index(server, corpus, tmp_path):
    bot = _bot(tmp_path, corpus, (server.url("/rss.xml"),))
    cog = Feeds(bot, options=OPTIONS)
    report = await cog.run_once()
    assert report is not None and len(report.new) == 2
    assert bot.newsroom.refreshes == 1
    assert await cog.run_once() is not None  # 304: nothing new, no refresh needed
    assert bot.newsroom.refreshes == 1
    (status,) = cog.status()
    assert status.title == "Harbor City Gazette" and status.healthy


async def test_the_cog_survives_a_failing_pull_and_a_failing_refresh(
    server, corpus, tmp_path, monkeypatch
):
    bot = _bot(tmp_path, corpus, (server.url("/rss.xml"),))

    def broken_refresh():
        raise RuntimeError("disk on fire")

    bot.newsroom.refresh = broken_refresh
    cog = Feeds(bot, options=OPTIONS)
    assert (await cog.run_once()) is not None  # stories stored; the refresh failure is logged

    async def broken_fetch(*args, **kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(feeds, "fetch_all", broken_fetch)
    assert await cog.run_once() is None


async def test_the_cog_stays_idle_without_feeds(corpus, tmp_path):
    cog = Feeds(_bot(tmp_path, corpus, ()))
    await cog.cog_load()
    assert not cog.pull.is_running()
    assert await cog.run_once() is None


async def test_the_cog_loop_starts_on_load_and_stops_on_unload(server, corpus, tmp_path):
    bot = _bot(tmp_path, corpus, (server.url("/rss.xml"),))
    cog = Feeds(bot, minutes=0.5, options=OPTIONS)
    first_round = asyncio.Event()
    run_once = cog.run_once

    async def signalling_run_once(force: bool = False):
        try:
            return await run_once(force)
        finally:
            first_round.set()

    cog.run_once = signalling_run_once  # type: ignore[method-assign]
    await cog.cog_load()
    assert cog.pull.is_running() and cog.pull.minutes == 0.5
    await first_round.wait()  # the first round runs at once, without waiting half a minute
    await cog.cog_unload()
    assert cog.last_report is not None and len(cog.last_report.new) == 2
    assert bot.newsroom.refreshes == 1


# --- secrets in feed URLs -------------------------------------------------------------------


def _secret_url(server, path: str) -> str:
    host = server.base.removeprefix("http://")
    return f"http://reader:secretpass@{host}{path}?apikey=SECRETKEY123&lang=en"


async def test_feed_credentials_never_reach_story_files_status_reports_or_logs(
    server, corpus, state, caplog
):
    from bot.terminal.render import render_status, status_json
    from tests.helpers import newsroom

    url = _secret_url(server, "/rss.xml")
    caplog.set_level(logging.DEBUG)
    report = await fetch_all([url], corpus, state, now=NOW, options=OPTIONS)
    assert len(report.new) == 2
    shown = [report.summary(), json.dumps(report.as_json()), repr(report)]
    for path in stories(corpus):
        shown.append(path.as_posix())
        shown.append(path.read_text(encoding="utf-8"))
    (status,) = feeds.feed_status(state, [url])
    shown += [status.describe(), status.url, status.name, repr(status)]
    room = await asyncio.to_thread(newsroom, corpus, tmp := state.parent / "idx", feeds=(url,))
    assert tmp.exists()
    room_status = await asyncio.to_thread(room.status)
    shown += [render_status(room_status), json.dumps(status_json(room_status))]
    # The bot's own log lines (the test server's access log shows what it was sent, by design).
    shown += [record.getMessage() for record in caplog.records if record.name.startswith("bot")]
    everything = "\n".join(shown)
    assert "secretpass" not in everything and "SECRETKEY123" not in everything
    assert "reader" not in everything  # the user name too: some services use it as the key
    assert status.name == "127.0.0.1/rss.xml"
    assert front(stories(corpus)[0])["feed"].endswith("/rss.xml?apikey=***&lang=en")


async def test_a_feed_url_in_a_settings_error_is_redacted():
    with pytest.raises(SettingsError) as caught:
        load_settings({"NEWSBOT_FEEDS": "ftp://reader:secretpass@host/x?token=SECRET"}, None)
    assert "secretpass" not in str(caught.value) and "SECRET" not in str(caught.value)
    settings = load_settings({"NEWSBOT_FEEDS": "http://reader:secretpass@host/x"}, None)
    assert "secretpass" not in repr(settings)


async def test_status_shows_a_short_error_class_never_an_internal_address(server, corpus, state):
    refused = "http://reader:secretpass@127.0.0.1:1/feed.xml?apikey=SECRETKEY123"
    report = await fetch_all([refused], corpus, state, now=NOW, options=OPTIONS)
    (result,) = report.results
    assert result.error == "connection failed: could not connect"
    (status,) = feeds.feed_status(state, [refused])
    line = status.describe()
    assert "connection failed: could not connect" in line
    for leak in ("127.0.0.1:1", "Cannot connect", "Errno", "secretpass", "SECRETKEY123"):
        assert leak not in line and leak not in (result.error or "")
    assert status.name == "127.0.0.1/feed.xml"


async def test_a_server_chosen_reason_phrase_is_not_shown(server, corpus, state):
    report = await pull(server, corpus, state, "/500.xml")
    assert report.results[0].error == "HTTP 500 Internal Server Error"


# --- hostile items --------------------------------------------------------------------------


async def test_control_characters_in_items_are_dropped_and_every_item_is_stored(
    server, corpus, state
):
    report = await pull(server, corpus, state, "/hostile.xml")
    (result,) = report.results
    assert result.status == "ok" and len(result.new) == 5 and result.bad_items == ()
    texts = [p.read_text(encoding="utf-8") for p in stories(corpus)]
    for text in texts:
        assert not any(ord(c) < 32 and c not in "\n\t" for c in text)
    titles = {front(p)["title"] for p in stories(corpus)}
    assert "First plain story about the harbor" in titles
    assert "Last plain story about the market" in titles
    assert any("page two" in t for t in texts)


async def test_an_item_that_cannot_be_read_is_skipped_and_reported_and_the_rest_stored(
    server, corpus, state, monkeypatch
):
    real = pulls_module().story_from_entry

    def fragile(entry, source, fetched):
        if "Escape" in str(entry.get("title")):
            raise ValueError("All strings must be XML compatible")
        return real(entry, source, fetched)

    monkeypatch.setattr(pulls_module(), "story_from_entry", fragile)
    report = await pull(server, corpus, state, "/hostile.xml")
    (result,) = report.results
    assert result.status == "ok" and len(result.new) == 4
    assert result.bad_items == ("item 2: unreadable (ValueError)",)
    assert "1 unreadable item(s) skipped" in report.summary()
    (status,) = feeds.feed_status(state)
    assert status.healthy and "1 unreadable item(s) skipped" in status.describe()


def pulls_module():
    import bot.feeds.pull

    return bot.feeds.pull


def test_the_discord_status_names_a_feed_by_host_and_path_and_escapes_its_title():
    from bot.discord_app.embeds import status_embed
    from bot.feeds.report import FeedStatus
    from bot.newsroom import Status

    secret = "https://reader:secretpass@news.example/private/rss.xml?apikey=SECRETKEY123"
    untitled = FeedStatus(url=secret, last_error="HTTP 403 Forbidden", last_error_at=NOW)
    titled = FeedStatus(url=secret, title="**Bold** @everyone", last_success=NOW)
    status = Status("corpus", "bm25", 1, 1, 1, 0.0, 0.0, {}, feeds=(untitled, titled))
    embed = status_embed(status).to_dict()
    text = json.dumps(embed)
    assert "secretpass" not in text and "SECRETKEY123" not in text and "reader" not in text
    names = [field["name"] for field in embed["fields"][-2:]]
    assert names[0].endswith("news.example/private/rss.xml")
    assert "\\*\\*Bold\\*\\*" in names[1]  # shown literally, not as Markdown
