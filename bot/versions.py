"""Group the versions of one story ((LEAD), (2nd LD), ...) and pick the newest of each."""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable, Sequence

from bot.articles import Article

# Headlines of two versions share most words once tags are stripped, and a re-send keeps most
# of the body; unrelated stories of the same day rarely pass both tests.
SIMILAR_HEADLINES = 0.5
SHARED_BODY = 0.5
_MINOR = frozenset(
    ["a", "an", "and", "as", "at", "by", "for", "from", "in", "of", "on", "or", "the", "to", "with"]
)


def _words(text: str) -> frozenset[str]:
    return frozenset(w for w in re.findall(r"[a-z0-9]+", text.lower()) if w not in _MINOR)


def _similar(a: Article, b: Article, words: dict[str, frozenset[str]]) -> bool:
    ta, tb = _words(a.title), _words(b.title)
    if not ta or not tb or len(ta & tb) / len(ta | tb) < SIMILAR_HEADLINES:
        return False
    ba, bb = words[a.article_id], words[b.article_id]
    return bool(ba and bb) and len(ba & bb) / min(len(ba), len(bb)) >= SHARED_BODY


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

    Clues, strongest first: Yonhap's web id without its version digits; the slug line; the
    same headline on the same day (a story saved twice); else a re-send (a version tag such as
    LEAD on one side, a different one on the other) from the same source and day with a
    similar headline and mostly the same body. Two untagged stories are never merged on
    similarity alone: wrongly merging would hide a story, which is worse than showing two.
    """
    groups = _Groups(len(articles))
    by_key: dict[tuple[object, ...], list[int]] = defaultdict(list)
    by_day: dict[tuple[object, ...], list[int]] = defaultdict(list)
    for index, article in enumerate(articles):
        if article.web_id:
            # AEN + date (8) + serial (4) + version (2) + desk (3): drop only the version.
            by_key[("web", article.web_id[:15] + article.web_id[17:])].append(index)
        if article.slug:
            by_key[("slug", article.source, article.slug.lower())].append(index)
        day = _day(article)
        by_key[("title", article.source, day, article.title.lower())].append(index)
        if day is not None:
            by_day[(article.source, day)].append(index)
    for members in by_key.values():
        for other in members[1:]:
            groups.join(members[0], other)
    body_words: dict[str, frozenset[str]] = {}
    for members in by_day.values():
        resent = [i for i in members if articles[i].version != 0]
        for i in resent:
            for j in members:
                a, b = articles[i], articles[j]
                if i == j or a.version == b.version or groups.find(i) == groups.find(j):
                    continue
                for article in (a, b):
                    if article.article_id not in body_words:
                        body_words[article.article_id] = _words(article.text)
                if _similar(a, b, body_words):
                    groups.join(i, j)
    stories: dict[int, list[Article]] = defaultdict(list)
    for index, article in enumerate(articles):
        stories[groups.find(index)].append(article)
    return [newest_first(versions) for versions in stories.values()]


def _day(article: Article) -> tuple[int | None, int, int] | None:
    published = article.published
    if published is None:
        return None
    return (published.year, published.month, published.day)
