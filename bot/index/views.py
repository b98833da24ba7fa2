"""Read-only views of a catalog by article id and passage id, loaded one row at a time."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator, Mapping, Sequence
from typing import TYPE_CHECKING, TypeVar, overload

from bot.index.catalog import Catalog
from bot.ingest.articles import Article
from bot.text.passages import Passage

if TYPE_CHECKING:
    pass

log = logging.getLogger(__name__)


V = TypeVar("V")


class ArticleView(Mapping[str, V]):
    """A read-only view of the catalog by article id: whatever ``find`` finds for an id."""

    def __init__(self, catalog: Catalog, find: Callable[[str], V | None]) -> None:
        self._catalog = catalog
        self._find = find

    def __getitem__(self, article_id: str) -> V:
        found = self._find(article_id)
        if found is None:
            raise KeyError(article_id)
        return found

    def __contains__(self, article_id: object) -> bool:
        return isinstance(article_id, str) and self._catalog.has_article(article_id)

    def __iter__(self) -> Iterator[str]:
        return iter(list(self._catalog.article_ids()))

    def __len__(self) -> int:
        return self._catalog.count("articles")


class PassagesByArticle(Mapping[str, list[Passage]]):
    """Passages of each story's newest version, in order."""

    def __init__(self, catalog: Catalog) -> None:
        self._catalog = catalog

    def __getitem__(self, article_id: str) -> list[Passage]:
        found = self._catalog.passages_of(article_id)
        if not found:
            raise KeyError(article_id)
        return found

    def __iter__(self) -> Iterator[str]:
        return iter([a.article_id for a in CurrentArticles(self._catalog)])

    def __len__(self) -> int:
        return self._catalog.count("stories")


class PassageById(Mapping[str, Passage]):
    """Passages by id ("<article>:<n>")."""

    def __init__(self, catalog: Catalog) -> None:
        self._catalog = catalog

    def __getitem__(self, passage_id: str) -> Passage:
        article_id, _, number = passage_id.rpartition(":")
        found = self._catalog.passage(article_id, int(number)) if number.isdigit() else None
        if found is None:
            raise KeyError(passage_id)
        return found

    def __iter__(self) -> Iterator[str]:
        return iter([p.passage_id for _, p, _ in self._catalog.all_passages()])

    def __len__(self) -> int:
        return self._catalog.count("passages")


class CurrentArticles(Sequence[Article]):
    """The newest version of every story, newest story first; read a page at a time."""

    PAGE = 500

    def __init__(self, catalog: Catalog) -> None:
        self._catalog = catalog

    def __len__(self) -> int:
        return self._catalog.count("stories")

    @overload
    def __getitem__(self, index: int) -> Article: ...

    @overload
    def __getitem__(self, index: slice) -> list[Article]: ...

    def __getitem__(self, index: int | slice) -> Article | list[Article]:
        if isinstance(index, slice):
            start, stop, step = index.indices(len(self))
            if step != 1:
                return [self[i] for i in range(start, stop, step)]
            return self._catalog.latest(max(0, stop - start), start)
        if index < 0:
            index += len(self)
        found = self._catalog.latest(1, index) if index >= 0 else []
        if not found:
            raise IndexError(index)
        return found[0]

    def __iter__(self) -> Iterator[Article]:
        offset = 0
        while page := self._catalog.latest(self.PAGE, offset):
            yield from page
            offset += len(page)
