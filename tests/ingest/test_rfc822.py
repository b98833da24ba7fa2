"""RFC 822 dates as feeds and HTTP send them."""

from __future__ import annotations

import datetime as dt

import pytest

from bot.ingest.rfc822 import parse_rfc822


def test_an_rfc_822_date_keeps_its_own_offset():
    moment = parse_rfc822(" Mon, 12 Apr 2021 09:30:00 +0900 ")
    assert moment == dt.datetime(2021, 4, 12, 0, 30, tzinfo=dt.UTC)
    assert moment is not None and moment.utcoffset() == dt.timedelta(hours=9)


def test_an_unknown_zone_comes_back_naive_for_the_caller_to_decide():
    moment = parse_rfc822("Mon, 12 Apr 2021 09:30:00 -0000")
    assert moment is not None and moment.tzinfo is None


@pytest.mark.parametrize("text", ["", "yesterday", "2021-04-12", "Mon, 99 Foo 2021", "9" * 400])
def test_anything_else_is_none_never_an_exception(text: str):
    assert parse_rfc822(text) is None
