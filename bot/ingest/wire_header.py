"""The header above a wire story's lead: headline, tags, byline, editor's note, page stamps."""

from __future__ import annotations

from bot.ingest.dates import Published, parse_metadata_date
from bot.ingest.wire_lines import (
    ASIDE,
    BYLINE,
    DAY_ONLY,
    GLUED_BYLINE,
    HEADER_LIMIT,
    NOTE,
    REPUBLISHED,
    TAG,
    all_tags,
    bare_line,
    headline_like,
    is_caption,
    is_chrome_line,
    note_text,
    page_stamp_date,
    slug_before,
    slug_like,
    split_headline,
    tags_only,
)


class Header:
    """What the lines above the lead say: headline, tags, note, byline, slug, page date."""

    def __init__(self) -> None:
        self.headline = ""
        self.tags: tuple[str, ...] = ()
        self.note: str | None = None
        self.byline: str | None = None
        self.slug: str | None = None
        self.published: Published | None = None
        self.captions: list[str] = []

    def set_headline(self, line: str) -> None:
        """Take ``line`` as the headline: its tags and title, and its note unless one is known."""
        tags, headline, note = split_headline(line)
        self.headline, self.tags = headline, tags
        self.note = self.note or note

    def read_above(self, lines: list[str], want_headline: bool) -> None:
        """Lines above a dateline: the headline is the nearest one that looks like one."""
        headline_at = None
        if want_headline:
            for index in range(len(lines) - 1, -1, -1):
                line = lines[index]
                if tags_only(line) or self._is_header_only(line) or not headline_like(line):
                    continue
                headline_at = index
                break
        for index, line in enumerate(lines):
            if index == headline_at:
                self._take_headline(line)
                above = lines[index - 1] if index > 0 else ""
                if above and tags_only(above):
                    self.tags = all_tags(above) + self.tags
                    above = lines[index - 2] if index > 1 else ""
                if above and slug_like(above):
                    self.slug = split_headline(above)[1]
            elif self._read_meta(line):
                continue
            elif is_caption(bare_line(line)):
                self.captions.append(bare_line(line))
            elif tags_only(line) and headline_at is not None and index < headline_at - 1:
                self.tags = all_tags(line) + self.tags

    def read_from_top(self, lines: list[str], want_headline: bool) -> int:
        """Read a header that has no full dateline; returns the index of the lead paragraph.

        Chrome at the top is skipped, the first headline-like line taken, then the meta lines
        under it.
        """
        index = 0
        pending_tags: tuple[str, ...] = ()
        limit = min(len(lines), HEADER_LIMIT)
        while index < limit:
            line = lines[index]
            skip = (
                self._read_meta(line)
                or is_chrome_line(line, bullets=want_headline)
                or bool(DAY_ONLY.match(bare_line(line)))  # "June 26": a date label with no year
                or bool(ASIDE.match(line.strip()))  # a photo credit or editor's aside
                or self._repeats_headline(line)
            )
            if skip:
                pass
            elif want_headline and not self.headline and tags_only(line):
                pending_tags += all_tags(line)  # "(EDITORIAL from Korea Times on July 29)"
            elif want_headline and not self.headline and is_caption(bare_line(line)):
                self.captions.append(bare_line(line))
            elif want_headline and not self.headline and headline_like(line):
                self._take_headline(line)
                self.tags = pending_tags + self.tags
            elif want_headline and not self.headline and len(line) < 60:
                pass  # a label above the headline: "Mon, 05/25/2009 - 11:47", "Photos"
            else:
                break
            index += 1
        if want_headline and not self.headline and pending_tags:
            self.tags = pending_tags
        return index

    def read_glued(self, prefix: str) -> None:
        """Naver copies glue slug, headline, note and byline in front of the dateline."""
        note = NOTE.search(prefix)
        if note:
            self.note = self.note or note_text(note.group(0))
            prefix = prefix[: note.start()] + " " + prefix[note.end() :]
        byline = GLUED_BYLINE.search(prefix.rstrip())
        if byline:
            self.byline = self.byline or byline.group("name")
            prefix = prefix[: byline.start()]
        prefix = " ".join(prefix.split())
        if not prefix:
            return
        if self.headline:
            slug, tags = slug_before(prefix, self.headline)
            self.slug = self.slug or slug
            self.tags = self.tags or tags
            return
        # No headline anywhere else: "slug (LEAD) headline" splits at the tags; without tags
        # the slug cannot be told from the headline, so all of it is the headline.
        tag = TAG.search(prefix)
        if tag and tag.start() > 0:
            self.slug = prefix[: tag.start()].strip() or None
            prefix = prefix[tag.start() :]
        self._take_headline(prefix)

    def _take_headline(self, line: str) -> None:
        tags, headline, note = split_headline(bare_line(line))
        self.headline = headline
        self.tags = self.tags + tags
        self.note = self.note or note

    def _repeats_headline(self, line: str) -> bool:
        return bool(self.headline) and split_headline(bare_line(line))[1] == self.headline

    def _is_header_only(self, line: str) -> bool:
        """A line that can never be the headline (meta, stamp, chrome, caption)."""
        bare = bare_line(line)
        return (
            bool(NOTE.fullmatch(bare) or REPUBLISHED.match(bare) or BYLINE.match(bare))
            or page_stamp_date(bare) is not None
            or is_chrome_line(line)
            or bool(DAY_ONLY.match(bare))
            or is_caption(bare)
            or bool(ASIDE.match(line.strip()))
        )

    def _read_meta(self, line: str) -> bool:
        """Take a note, byline or page date from a header line; True if the line was one."""
        bare = bare_line(line)
        if NOTE.fullmatch(bare):
            self.note = self.note or note_text(bare)
        elif m := REPUBLISHED.match(bare):
            stamp = m.group("date") + (f" {m.group('time')}" if m.group("time") else "")
            self.published = self.published or parse_metadata_date(stamp)
            if m.group("name").lower() not in ("yonhap", "yna"):  # a credit, not a reporter
                self.byline = self.byline or m.group("name")
        elif m := BYLINE.match(bare):
            self.byline = self.byline or m.group("name")
        elif (stamp_date := page_stamp_date(bare)) is not None:
            self.published = self.published or stamp_date
        else:
            return False
        return True
