"""Group the versions of one story ((LEAD), (2nd LD), ...) and pick the newest of each."""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable, Sequence

from bot.ingest.articles import Article

# Headlines of two versions share most words once tags are stripped, and a re-send keeps most
# of the body; unrelated stories of the same day rarely pass both tests.
SIMILAR_HEADLINES = 0.5
SHARED_BODY = 0.5
_MINOR = frozenset(
    ["a", "an", "and", "as", "at", "by", "for", "from", "in", "of", "on", "or", "the", "to", "with"]
)


def _words(text: str) -> frozenset[str]:
    return frozenset(w for w in re.findall(r"[a-z0-9]+", text.lower()) if w not in _MINOR)


def _overlap(a: frozenset[str], b: frozenset[str], containment: bool = False) -> float:
    if not a or not b:
        return 0.0
    return len(a & b) / (min(len(a), len(b)) if containment else len(a | b))


class _Groups:
    def __init__(self, size: int) -> None:
        self.parent = list(range(size))

    def find(self, i: int) -> int:
        while self.parent[i] != i:
            self.parent[i] = self.parent[self.parent[i]]
            i = self.parent[i]
        return i

    def join(self, i: int, j: int) -> None:
        self.parent[self.find(i)] = self.find(j)


def newest_first(versions: Iterable[Article]) -> list[Article]:
    """Later re-sends first: by version rank, then publish time, then path for stability."""
    return sorted(
        versions,
        key=lambda a: (a.version, a.published.sort_key() if a.published else (0, 0, 0, ""), a.path),
        reverse=True,
    )


def group_versions(articles: Sequence[Article]) -> list[list[Article]]:
    """Stories as lists of versions, newest first.

    Evidence, strongest first: Yonhap's web id without its version digits; the same headline
    from the same source on the same (known) day, i.e. one story saved twice; else a re-send:
    a tagged version ((LEAD), (2nd LD) ...) joins the one most similar earlier-ranked story of
    the same source and day whose headline and body both largely agree (a shared slug counts
    for one of the two: Yonhap reuses slugs for different stories on one topic). Two untagged
    stories are never merged on similarity alone: a wrong merge hides a story.
    """
    groups = _Groups(len(articles))
    by_key: dict[tuple[str, ...], list[int]] = defaultdict(list)
    by_day: dict[str, list[int]] = defaultdict(list)
    for index, article in enumerate(articles):
        web = web_key(article)
        if web is not None:
            by_key[("web", web)].append(index)
        day = day_key(article)
        if day is not None:
            by_key[("title", day, article.title.lower())].append(index)
            by_day[day].append(index)
    for members in by_key.values():
        for other in members[1:]:
            groups.join(members[0], other)

    titles: dict[int, frozenset[str]] = {}
    bodies: dict[int, frozenset[str]] = {}

    def words(cache: dict[int, frozenset[str]], i: int, text: str) -> frozenset[str]:
        if i not in cache:
            cache[i] = _words(text)
        return cache[i]

    for members in by_day.values():
        for i in members:
            resend = articles[i]
            if resend.version <= 0:
                continue
            best: tuple[float, int] | None = None
            for j in members:
                earlier = articles[j]
                if earlier.version >= resend.version:
                    continue
                headline = _overlap(words(titles, i, resend.title), words(titles, j, earlier.title))
                body = _overlap(
                    words(bodies, i, resend.text), words(bodies, j, earlier.text), containment=True
                )
                slug = (
                    bool(resend.slug)
                    and (resend.slug or "").lower() == (earlier.slug or "").lower()
                )
                agree = (headline >= SIMILAR_HEADLINES) + (body >= SHARED_BODY) + slug
                if agree >= 2 and (best is None or headline + body > best[0]):
                    best = (headline + body, j)
            if best is not None:
                groups.join(i, best[1])
    stories: dict[int, list[Article]] = defaultdict(list)
    for index, article in enumerate(articles):
        stories[groups.find(index)].append(article)
    return [newest_first(versions) for versions in stories.values()]


def day_key(article: Article) -> str | None:
    """Source and day of publication: versions of one story share it (None when undated).

    Grouping compares only articles with the same key (or web key), so an update regroups
    just the days it touches.
    """
    published = article.published
    if published is None:
        return None
    return f"{article.source}\x1f{published.year}-{published.month}-{published.day}"


def web_key(article: Article) -> str | None:
    """Yonhap's web id without its version digits: every version of a story shares it."""
    if not article.web_id:
        return None
    # AEN + date (8) + serial (4) + version (2) + desk (3): drop only the version.
    return article.web_id[:15] + article.web_id[17:]
