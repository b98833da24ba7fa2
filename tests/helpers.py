"""Shared test helpers: tiny corpora written on the fly, and a Newsroom over them."""

from __future__ import annotations

from pathlib import Path

from bot.newsroom import Newsroom
from bot.settings import Settings

REPO = Path(__file__).resolve().parents[1]
SHIPPED_CORPUS = REPO / "corpus"
SEED = SHIPPED_CORPUS / "yonhap" / "us-expects-s-korea-flexible-cost-sharing.txt"
FIXTURES = REPO / "tests" / "fixtures"


def write_story(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def wire_story(
    headline: str,
    body: list[str],
    dateline: str = "SEOUL, June 2 (Yonhap) -- ",
    byline: str | None = "By Park Min-ji",
) -> str:
    lines = [headline]
    if byline:
        lines.append(byline)
    lines.append(dateline + body[0])
    lines += body[1:]
    lines += ["mjpark@yna.co.kr", "(END)"]
    return "\n".join(lines) + "\n"


def newsroom(corpus: Path, cache: Path, **overrides: object) -> Newsroom:
    settings = Settings(corpus_dir=corpus, cache_dir=cache, **overrides)  # type: ignore[arg-type]
    return Newsroom(settings)


def harbour_corpus(folder: Path, stories: int = 40) -> Path:
    """A corpus of ``stories`` nine-paragraph port stories under ``folder/corpus/port``."""
    corpus = folder / "corpus"
    for n in range(stories):
        write_story(
            corpus,
            f"port/story-{n}.txt",
            wire_story(
                f"Harbour {n} handles record cargo",
                [f"Harbour {n} handled {n * 13} containers of rice and steel this week."]
                + [f"Dock workers at harbour {n} expect ships in month {m}." for m in range(8)],
            ),
        )
    return corpus


def missile_versions(topic: int, tags: list[str]) -> dict[str, str]:
    """Files holding versions of one wire story: the plain one, then (LEAD), (2nd LD)..."""
    files = {}
    for tag in tags:
        headline = f"N. Korea fires missile number {topic} into East Sea"
        body = [f"North Korea fired missile number {topic} on Tuesday, officials said."]
        if tag:
            headline = f"({tag}) {headline}"
            body.append(f"The {tag} version adds that Seoul condemned launch {topic}.")
        name = f"nk{topic}-{tag.replace(' ', '').lower() or 'first'}.txt"
        files[name] = wire_story(headline, body)
    return files
