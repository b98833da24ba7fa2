"""The answer path: stories from the engine, copies merged, the passage that answers, not-found."""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass, field, replace

from bot.answers import casing, copies, dating, meaning, records, refusal
from bot.answers.choose import Fit, coverage, rank, with_sentence
from bot.answers.question import (
    LIGHT_WORDS,
    Asked,
    acronyms_written,
    addresses,
    content_terms,
    named,
    read_question,
    spelled_out,
    unmet,
)
from bot.answers.reading import CHOOSE_PASSAGES, Read
from bot.answers.records import (
    QUESTION_WORDS,
    Answer,
    Citation,
    Copy,
    QuestionError,
    cite,
    clean_question,
    rank_stories,
    search_text,
    story_term_set,
    term_weights,
)
from bot.index.newsindex import NewsIndex
from bot.text import analysis
from bot.text.passages import Passage

# The module itself, for its thresholds read at call time (bench sweeps set them).
base = records

# A story's next passage fills a free slot of a found answer when it scores at least this share
# of the shown one's (chosen on the tune split of bench/qa).
SECOND_FIT = 0.6
# Share of the question's weight a second passage must add (words the first lacks) to count
# as answering another part of it.
NEW_PART = 0.05
# The best story's next passage takes the last slot from the weakest story when it scores at
# least this share of the shown one's: the fact asked about is more often in the paragraph
# after the lead than in a third story (tune split of bench/qa, rounds 1 and 2, layer off:
# answer in a shown passage 213 -> 216 of 263, the expected story among those shown 234 -> 233).
TOP_SECOND = 0.7

# A copy is cited in place of the one that ranked best when it holds this many times its text.
CUT_SHORT = 1.3

# A reranker sees the engine's passages for a question and returns them in its own order (with
# its own scores): the hook where a semantic score is fused with BM25 (bot.semantic.rerank).
Reranker = Callable[[str, list[tuple[Passage, float]]], list[tuple[Passage, float]]]
# A semantic layer's reading of one question: its cosine with each of the given passages that
# has a vector (the others are left out). With it, meaning as well as words chooses the passage
# shown and decides "found" (bot.answers.meaning); without it, answers are BM25's alone.
Similarity = Callable[[str, Sequence[Passage]], Mapping[str, float]]


@dataclass
class _Story:
    """A candidate story: its score, the engine's passages of it, and the copies merged in."""

    article_id: str
    score: float
    hits: list[tuple[Passage, float]]
    copies: list[str] = field(default_factory=list)
    fits: list[Fit] = field(default_factory=list)
    extra: list[Fit] = field(default_factory=list)  # its next-best passage, if slots are free
    cover: float = 0.0  # best coverage among its chosen passages (headline included)
    sim: float | None = None  # the question's cosine with its chosen passage (semantic layer on)
    near: float | None = None  # and with the closest of its passages weighed


def respond(
    index: NewsIndex,
    question: str,
    k: int = 3,
    per_story: int = 1,
    rerank: Reranker | None = None,
    similar: Similarity | None = None,
) -> Answer:
    """The ``k`` best passages for ``question``, at most ``per_story`` from any one story.

    Steps: the engine's passages (optionally reordered by ``rerank``) are grouped into stories;
    copies of one story (near-duplicates) are merged; each top story shows the passage that
    best answers (answer-type cues, captions and fragments discounted); a story that lacks the
    question's figures, years or names does not answer it. ``found`` is False when no story
    is left that covers enough of the question: the nearest are then returned as ``closest``.
    With ``similar`` (the semantic layer), the question's meaning weighs in the passage shown
    and in "found" (``bot.answers.meaning``).
    """
    text = clean_question(question)
    query = search_text(text)
    terms = analysis.analyze(query)
    if not terms:
        raise QuestionError("the question has no searchable words (only stop words or symbols)")
    k = max(1, min(k, 10))
    depth = max(k, base.COVERAGE_DEPTH)
    asked = read_question(text, QUESTION_WORDS)
    hits = index.search_terms(terms, depth * base.OVERFETCH)
    if rerank is not None:
        hits = rerank(text, hits)
    weights = term_weights(index, terms)
    ranked = rank_stories(hits, per_story=len(hits) or 1)[: depth + base.CLOSEST]
    read = Read(index, [hits[0][0].article_id for hits in ranked])
    read.reach([p for hits in ranked for p, _ in hits])
    if casing.caseless(text):
        asked = _truecased(asked, weights, read, ranked)
    elif casing.capitalises_first_only(text):
        # "Who is the captain of the samsung lions?": when a word the stories write as a name
        # is no English word, the writer does not capitalise names, and the question is read
        # as one typed in lower case; else its lower-case words stay common words.
        truecased = _truecased(asked, weights, read, ranked)
        if casing.unlisted_names(text, truecased.truecased):
            asked = replace(truecased, common=frozenset())
    stories = _merge_copies(index, read, ranked, depth)
    # Light verbs and particles ("go down" for "sank") count on neither side of the found
    # decision: a story is judged on the question's telling words.
    judged = {t: w for t, w in weights.items() if t not in LIGHT_WORDS} or weights
    for story in stories:
        _choose(read, story, weights, asked, per_story, judged, text, similar)
    answering = [s for s in stories if _answers(index, read, s, asked, weights)]
    if similar is not None:
        answering = meaning.reorder(answering, [s.near for s in answering])
    best = answering[0] if answering else None
    best_terms = _held(read, asked, best.article_id) if best else frozenset()
    found = best is not None and (
        coverage(judged, best_terms) >= base.MIN_STORY_COVERAGE
        and max(s.cover for s in answering) >= base.MIN_COVERAGE
        # One shared word is a coincidence ("population of Brazil" -> a story naming Brazil);
        # an answer shares at least two of the question's words when it has two.
        and len(set(judged) & best_terms) >= min(base.MIN_SHARED_TERMS, len(judged))
    )
    if similar is not None:
        found = meaning.found(
            found, [s.sim for s in answering], [s.near for s in answering],
            max((s.cover for s in answering), default=0.0),
        )  # fmt: skip
    # "How much did the move cost?" is not answered by stories that give no figure at all:
    # their topic is stored, the asked fact is not.
    shows = answering[:k]
    dated = asked.expects == "date" and any(read.published(s.article_id) for s in shows)
    untyped = found and not asked.given_by(
        (f.passage.text for s in shows for f in (*s.fits, *s.extra)), dated
    )
    found = found and not untyped
    if found:
        # Stories that merely rank (one rare word, repeated) are not shown as answers: fewer
        # citations beat padding an answer with noise.
        shown = [s for s in answering if s.cover >= base.MIN_COVERAGE or meaning.vouches(s.sim)][:k]
    else:
        shown = stories[: base.CLOSEST]
    # Slots a found answer leaves free go to a story's next passage when it answers nearly as
    # well: the question's other part, or the figure beside the paragraph that names it.
    spare = k - sum(len(s.fits) for s in shown) if found else 0
    second: Fit | None = None
    if found and spare <= 0 and len(shown) > 1 and shown[0].extra:
        top = shown[0]
        if top.extra[0].score >= TOP_SECOND * top.fits[0].score:
            shown, second = shown[:-1], top.extra[0]
    read.articles([a for s in shown for a in (s.article_id, *s.copies)])
    citations: list[Citation] = []
    for story in shown:
        extra = [
            f
            for f in story.extra
            if f.score >= SECOND_FIT * story.fits[0].score
            # With the semantic layer a passage's score holds its meaning: one that scores
            # nearly as well is close to the question too, whatever words it repeats.
            and (
                story.sim is not None
                or _adds(weights, asked, story.fits[0].passage, f.passage, read)
            )
        ]
        shows = story.fits + extra[: max(0, spare)]
        if second is not None and story is shown[0]:
            shows = [*story.fits, second]
        spare -= len(shows) - len(story.fits)
        article = read.article(story.article_id)
        if article is None:  # read in the committed state its passages came from: never
            raise KeyError(story.article_id)
        for chosen in shows:
            # Only the passages shown are cut into sentences for their answer line.
            chosen = with_sentence(chosen, weights, asked)
            cover = coverage(weights, read.terms(chosen.passage))
            citations.append(
                cite(len(citations) + 1, article, chosen.passage, story.score, weights, cover,
                     chosen.sentence, _copies(read, story))
            )  # fmt: skip
    if found:
        return Answer(text, True, tuple(citations))
    why = _why_not(index, read, text, shown, asked, weights, untyped)
    return Answer(text, False, (), tuple(citations), why)


def _truecased(
    asked: Asked,
    weights: Mapping[str, float],
    read: Read,
    ranked: Sequence[Sequence[tuple[Passage, float]]],
) -> Asked:
    """A caseless question with the names its candidate stories write capitalised.

    Typed in lower case, "who won the 2022 fifa world cup?" has no names to hold a story to;
    the stories found write "FIFA" and "World Cup", so those are its names, as if typed so.
    """
    words = [t for t in weights if t not in asked.names and t not in asked.numbers]
    # The passages the engine found hold the question's words by construction.
    texts = (p.text for hits in ranked for p, _ in hits)
    found = casing.written_as_names(texts, words)
    if not found:
        return asked
    # A name is no common word that a story's capitalised name cannot hold (bot.answers.casing).
    truecased = frozenset(found)
    return replace(
        asked, names=asked.names | truecased, common=asked.common - truecased, truecased=truecased
    )


def _held(read: Read, asked: Asked, source: Passage | str) -> Collection[str]:
    """The question's terms a passage (or a whole story, by id) holds as the question means them.

    Names met in another form count ("korean" for "korea"); a word the question writes in
    lower case does not count where the text has it only as a name inside a sentence ("Waters
    pointed" for "the boiling point of water"). Headline words keep counting (headlines
    capitalise every word), and so do those of a story not read whole.
    """
    if isinstance(source, Passage):
        terms = named(asked, read.terms(source))
        texts: Sequence[Passage] | None = [source]
        article_id = source.article_id
    else:
        terms = named(asked, story_term_set(read.index, source))
        texts = read.opening(source)
        article_id = source
    # A year or month asked about is held by a story dated then ("in December 2025" by a story
    # of Dec. 30, 2025; "in 2026" by one saying "next year"), and "12 years" by one that writes
    # "twelve years".
    dated = read.dated(article_id).intersection(asked.numbers | asked.names)
    if asked.numbers:
        dated |= spelled_out(asked.numbers, terms)
    if dated - set(terms):
        terms = set(terms).union(dated)
    if not asked.common or texts is None:
        return terms
    doubtful = asked.common.intersection(terms).difference(read.text(article_id).headline)
    # All the question's lower-case words are looked for (one pattern per question, compiled
    # once), and the answer read for the doubtful ones.
    names = (
        casing.only_names((p.text for p in texts), asked.common) & doubtful if doubtful else set()
    )
    return set(terms).difference(names) if names else terms


def _adds(
    weights: Mapping[str, float], asked: Asked, shown: Passage, other: Passage, read: Read
) -> bool:
    """Whether ``other`` answers another part of the question than ``shown``.

    It does when it holds question words the shown one lacks, or the asked kind of thing (a
    figure, a name, a date) the shown one lacks.
    """
    held = set(read.own(shown))
    new = set(read.own(other)) - held
    if coverage(weights, new) >= NEW_PART:
        return True
    return asked.answered_by(other.text) and not asked.answered_by(shown.text)


def _answers(
    index: NewsIndex, read: Read, story: _Story, asked: Asked, weights: Mapping[str, float]
) -> bool:
    """Whether a story holds the question's figures, years and names, and ``addresses`` it.

    Its dates count (``Read.dated``). A question about 2022 is not answered by a 2018 story,
    nor one about France's president by a story with no France in it.

    A story whose chosen passage the semantic layer finds close in meaning addresses the
    question in other words ("do for a living" -> "attorney"); its figures and names must
    still be there.
    """
    if not meaning.vouches(story.sim) and not addresses(
        asked, weights, story_term_set(index, story.article_id)
    ):
        return False
    if not asked.numbers and not asked.names:
        return True
    return not _unmet(index, read, story, asked)


def _unmet(index: NewsIndex, read: Read, story: _Story, asked: Asked) -> list[str]:
    """The question's figures, years and names a story holds in no form: words, date, acronym."""
    terms = story_term_set(index, story.article_id)
    held = read.dated(story.article_id)
    held = held | dating.unchecked_years(
        read.published(story.article_id), asked.names, asked.numbers
    )
    if asked.acronyms:
        texts = [p.text for p in read.text(story.article_id).passages]
        held = held | acronyms_written(asked, terms, texts)
    return unmet(asked, terms, held)


def _why_not(
    index: NewsIndex,
    read: Read,
    text: str,
    closest: Sequence[_Story],
    asked: Asked,
    weights: Mapping[str, float],
    untyped: bool = False,
) -> str:
    """Why the ``closest`` stories do not answer (``bot.answers.refusal``)."""
    if untyped and asked.expects is not None:
        return refusal.lacks_kind(asked.expects)
    missing = [_unmet(index, read, s, asked) for s in closest]
    addressed = [
        meaning.vouches(s.sim) or addresses(asked, weights, story_term_set(index, s.article_id))
        for s in closest
    ]
    return refusal.why_not(text, missing, addressed, content_terms(asked, weights))


def _merge_copies(
    index: NewsIndex, read: Read, ranked: list[list[tuple[Passage, float]]], depth: int
) -> list[_Story]:
    """The top ``depth`` stories, each with the copies (near-duplicates) ranked below it."""
    stories = [_Story(hits[0][0].article_id, hits[0][1], hits) for hits in ranked]
    groups = copies.group(
        [s.article_id for s in stories],
        lambda article_id: story_term_set(index, article_id),
        lambda article_id: copies.story_signature(index, article_id, read.opening(article_id)),
    )
    by_id = {s.article_id: s for s in stories}
    merged = []
    for group in groups[:depth]:
        # A copy cut short (a page copy, a newspaper trimming the end) gives way to the
        # fullest, in its place.
        fullest = group[0]
        if len(group) > 1:
            longest = max(group, key=lambda a: (_length(read, a), -group.index(a)))
            if _length(read, longest) >= CUT_SHORT * _length(read, fullest):
                fullest = longest
        story = by_id[fullest]
        story.score = by_id[group[0]].score
        story.copies = [a for a in group if a != fullest]
        merged.append(story)
    return merged


def _length(read: Read, article_id: str) -> int:
    """How much of a story there is, as far as it is read: its passages' characters."""
    return sum(len(p.text) for p in read.text(article_id).passages)


def _choose(
    read: Read,
    story: _Story,
    weights: Mapping[str, float],
    asked: Asked,
    count: int,
    judged: Mapping[str, float] | None = None,
    question: str = "",
    similar: Similarity | None = None,
) -> None:
    """The story's passages that best answer, and how much of the ``judged`` words they cover."""
    judged = weights if judged is None else judged
    retrieved = [p for p, _ in story.hits]
    # A story's first passages and those the engine found: bounded for a giant story.
    seen = {p.passage_id for p in retrieved}
    text = read.text(story.article_id)
    first = text.passages[:CHOOSE_PASSAGES]
    pool = retrieved + [p for p in first if p.passage_id not in seen]
    pool.sort(key=lambda p: p.position)
    own = [read.own(p) for p in pool]
    engine_order = [p.passage_id for p in retrieved]
    cosines = similar(question, pool) if similar is not None else None
    fits = rank(pool, own, text.headline, weights, asked, count + 1, engine_order, cosines)
    story.fits, story.extra = fits[:count], fits[count:]
    if cosines:  # passages without a vector (not embedded yet) say nothing either way
        shown = (f.passage.passage_id for f in story.fits)
        story.sim = max((cosines[p] for p in shown if p in cosines), default=None)
        story.near = max(cosines.values())
    story.cover = max(
        (coverage(judged, _held(read, asked, f.passage)) for f in story.fits), default=0.0
    )
    # The engine's best passage may cover more of the question than the one shown (which won
    # on its answer cue): the story is judged on what it holds, the display on what answers.
    if story.hits:
        top = coverage(judged, _held(read, asked, story.hits[0][0]))
        story.cover = max(story.cover, top)


def _copies(read: Read, story: _Story) -> tuple[Copy, ...]:
    found = []
    for article_id in story.copies:
        article = read.article(article_id)
        if article is not None:
            found.append(Copy(article_id, article.source, article.title))
    return tuple(found)
