"""Group the versions of one story ((LEAD), (2nd LD), ...) and pick the newest of each."""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable, Sequence

from bot.articles import Article

# Headlines of two versions share most words once tags are stripped; unrelated stories of
# the same day rarely share half.
SIMILAR_HEADLINES = 0.5


def _words(title: str) -> set[str]:
    return set(re.findall(r"[a-z0-9]+", title.lower()))


def _similar(a: str, b: str) -> bool:
    wa, wb = _words(a), _words(b)
    if not wa or not wb:
        return False
    return len(wa & wb) / len(wa | wb) >= SIMILAR_HEADLINES


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

    Clues, strongest first: Yonhap's web id without its version digits; the slug line; else
    the same source and dateline day with a similar headline.
    """
    groups = _Groups(len(articles))
    by_key: dict[tuple[object, ...], list[int]] = defaultdict(list)
    for index, article in enumerate(articles):
        if article.web_id:
            by_key[("web", article.web_id[:15])].append(index)
        if article.slug:
            by_key[("slug", article.source, article.slug.lower())].append(index)
        day = (article.published.month, article.published.day) if article.published else None
        by_key[("day", article.source, day)].append(index)
    for key, members in by_key.items():
        if key[0] != "day":
            for other in members[1:]:
                groups.join(members[0], other)
            continue
        for n, i in enumerate(members):
            for j in members[n + 1 :]:
                a, b = articles[i], articles[j]
                if key[2] is None and a.title != b.title:
                    continue  # undated: only an identical headline is evidence enough
                if _same_year_or_unknown(a, b) and _similar(a.title, b.title):
                    groups.join(i, j)
    stories: dict[int, list[Article]] = defaultdict(list)
    for index, article in enumerate(articles):
        stories[groups.find(index)].append(article)
    return [newest_first(versions) for versions in stories.values()]


def _same_year_or_unknown(a: Article, b: Article) -> bool:
    ya = a.published.year if a.published else None
    yb = b.published.year if b.published else None
    return ya is None or yb is None or ya == yb
