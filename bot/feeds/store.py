"""Feed stories on disk: one Markdown file per item under ``<corpus>/feeds/<feed>/``.

Items are deduplicated against the files themselves when the state is lost.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from pathlib import Path

from bot.feeds.items import Story, clean, render_story, version_suffix
from bot.feeds.urls import normal_link
from bot.ingest.readers import ArticleError, split_front_matter
from bot.ingest.slugs import slug
from bot.storage import atomic_write

__all__ = ["FEEDS_FOLDER", "existing_keys", "fill_story", "keys_in_file", "write_story"]

FEEDS_FOLDER = "feeds"  # under the corpus folder


def keys_in_file(path: Path) -> set[str]:
    """Dedup keys of a story file written earlier (by us, or before the state was lost)."""
    try:
        with open(path, "rb") as handle:
            head = handle.read(16 * 1024).decode("utf-8", errors="replace")
        meta, _ = split_front_matter(head)
    except (OSError, ArticleError):
        return set()
    suffix = version_suffix(clean(meta.get("title")))
    keys = set()
    if meta.get("guid"):
        keys.add(f"guid:{clean(meta['guid'])}{suffix}")
    normal = normal_link(str(meta.get("url") or ""))
    if normal:
        keys.add(f"link:{normal}{suffix}")
    return keys


def existing_keys(folder: Path) -> set[str]:
    """Dedup keys of every story file under ``folder``."""
    keys: set[str] = set()
    if folder.is_dir():
        for path in folder.rglob("*.md"):
            if not path.name.startswith("."):
                keys |= keys_in_file(path)
    return keys


def write_story(folder: Path, story: Story, feed_url: str, fetched: dt.datetime) -> Path | None:
    """Write a new story file; None when a file of the same name already holds this item."""
    folder.mkdir(parents=True, exist_ok=True)
    title = slug(story.title, 60, ascii_only=True, shorten="words")
    stem = f"{story.published.date().isoformat()}-{title}"
    data = render_story(story.front_matter(feed_url, fetched), story.paragraphs or [story.title])
    for n in range(1, 100):
        path = folder / (f"{stem}.md" if n == 1 else f"{stem}-{n}.md")
        if path.exists():
            if keys_in_file(path) & set(story.keys):
                return None  # written before a crash or a lost state: already stored
            continue
        atomic_write(path, data)
        return path
    raise OSError(f"too many stories named {stem} in {folder}")


def fill_story(path: Path, paragraphs: Sequence[str]) -> bool:
    """Replace a stored summary with the article's full text; False if the file is gone."""
    try:
        meta, _ = split_front_matter(path.read_text(encoding="utf-8"))
    except (OSError, ArticleError, UnicodeDecodeError):
        return False
    meta["text_from"] = "page"
    atomic_write(path, render_story(meta, paragraphs))
    return True
