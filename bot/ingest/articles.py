"""The Article record every reader produces, and how versions of a story are ranked."""

from __future__ import annotations

import re
from dataclasses import dataclass

from bot.ingest.dates import Published


@dataclass(frozen=True)
class Paragraph:
    """One paragraph of a story's body; captions are kept but marked."""

    text: str
    is_caption: bool = False


@dataclass(frozen=True)
class Article:
    """One stored story (one version of it), parsed from a file of the corpus."""

    article_id: str
    title: str
    paragraphs: tuple[Paragraph, ...]
    path: str  # relative to the corpus folder
    tags: tuple[str, ...] = ()  # headline tags such as "LEAD", "2nd LD", "News Focus"
    editor_note: str | None = None  # "(ATTN: ...)": metadata, never answerable text
    slug: str | None = None
    byline: str | None = None
    dateline: str | None = None  # the city, e.g. "WASHINGTON"
    source: str | None = None  # agency or publisher, e.g. "Yonhap", "Wikinews"
    url: str | None = None
    published: Published | None = None
    web_id: str | None = None  # Yonhap's AEN... id, when known
    license: str | None = None
    # The copy had no headline: the title is its lead sentence, trimmed (shown as such).
    title_derived: bool = False

    @property
    def text(self) -> str:
        """The body: paragraphs (captions included) separated by blank lines."""
        return "\n\n".join(p.text for p in self.paragraphs)

    @property
    def version(self) -> int:
        """The rank of this copy among re-sends of the story (see ``version_rank``)."""
        return version_rank(self.tags)

    @property
    def version_tag(self) -> str:
        """The tag that names this version ("LEAD", "2nd LD", "URGENT"), or "" for the first."""
        for tag in self.tags:
            if _version_of(tag) is not None:
                return tag
        return ""


_NTH_LD = re.compile(r"^(\d+)(?:st|nd|rd|th)\s+LD$", re.IGNORECASE)


def _version_of(tag: str) -> int | None:
    normalized = " ".join(tag.split())
    if normalized.upper() == "URGENT":
        return -1
    if normalized.upper() == "LEAD":
        return 1
    match = _NTH_LD.match(normalized)
    return int(match.group(1)) if match else None


def version_rank(tags: tuple[str, ...]) -> int:
    """Order of a re-send: URGENT (-1) < first version (0) < LEAD (1) < 2nd LD (2) < ..."""
    ranks = [rank for rank in (_version_of(tag) for tag in tags) if rank is not None]
    return max(ranks) if ranks else 0
