"""RFC 822 / RFC 2822 dates ("Mon, 12 Apr 2021 01:00:00 GMT"), as feeds and HTTP send them."""

from __future__ import annotations

import datetime as dt

__all__ = ["parse_rfc822"]


def parse_rfc822(text: str) -> dt.datetime | None:
    """The moment ``text`` names, or None when it is not an RFC 822 date.

    A date without a zone (or with ``-0000``, "zone unknown") comes back naive: the caller
    knows whether UTC is a fair guess.
    """
    # Here, not at the top: email.utils brings socket and more (~8 ms), and every fresh
    # `newsbot ask` imports this module (through Published) without ever parsing a date.
    import email.utils

    try:
        return email.utils.parsedate_to_datetime(text.strip())
    except (TypeError, ValueError, IndexError, OverflowError):
        return None
