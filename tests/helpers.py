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
