"""Countries and their peoples' words (France/French, Greece/Greek), from countryinfo's data."""

from __future__ import annotations

import functools
import hashlib
import importlib.util
import json
import logging
import os
from collections import Counter
from collections.abc import Collection, Iterable
from pathlib import Path

from bot.storage import atomic_write
from bot.text import analysis

log = logging.getLogger(__name__)

# Bumped when the table's rules change, so that a remembered table is derived again.
TABLE_VERSION = 3
_folder: Path | None = None


def remember_in(folder: Path | None) -> None:
    """Keep the derived table in ``folder`` (the cache).

    countryinfo reads 256 JSON files (~0.1 s), which a fresh ``newsbot ask`` should not pay
    for every question with a place.
    """
    global _folder
    _folder = folder  # a table already read stays: it is the same wherever it is kept


# Short forms news copy uses for countries whose names are several words: countryinfo has
# them only as codes ("US", "GB"), left out of the table, and "U.S." is analyzed as "us".
_SHORT_FORMS = (("us", "america", "american"), ("uk", "britain", "british"))
_SHORT = {t: frozenset(group) - {t} for group in _SHORT_FORMS for t in group}


def kin(term: str) -> frozenset[str]:
    """Other analyzed terms naming the same country as ``term`` ("franc" -> {"french"}).

    Empty for a term that names no country, or one no other way. Read once, on first use:
    most questions meet their places by the stem or a regular ending and never need it.
    """
    found = _table().get(term, frozenset())
    short = _SHORT.get(term)
    return found | short if short else found


def is_country(term: str) -> bool:
    """Whether a term of a question typed without capitals names a country ("greec", "uk").

    "us" does not: typed in lower case it is the pronoun as often as the country.
    """
    return term in _table() or (term in _SHORT and term != "us")


def names_country(text: str, besides: Collection[str] = ()) -> bool:
    """Whether ``text`` names a country (or its people) other than those of ``besides``.

    "Which country buys the most Korean webtoons?" is answered by a sentence naming Japan,
    not by one naming Korea again. Countries named in one word only ("Japan", "Chinese").
    """
    table = _table()
    mentioned = {t for t in analysis.analyze(text) if t in table}
    for name in besides:
        mentioned.discard(name)
        mentioned.difference_update(table.get(name, ()))
    return bool(mentioned)


@functools.cache
def _table() -> dict[str, frozenset[str]]:
    path = _remembered()
    if path is not None:
        try:
            stored = json.loads(path.read_text(encoding="utf-8"))
            return {str(t): frozenset(map(str, others)) for t, others in stored.items()}
        except (OSError, ValueError, AttributeError, TypeError):
            pass  # not there yet, or not ours: derived again below
    table = derive()
    if path is not None:
        data = json.dumps({t: sorted(o) for t, o in sorted(table.items())}).encode()
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            atomic_write(path, data)
        except OSError as error:  # a read-only cache still answers; it derives each time
            log.debug("country table not kept in %s: %s", path, error)
    return table


def _remembered() -> Path | None:
    """Where the table is kept: named for the countryinfo files and the analyzer it came from."""
    spec = importlib.util.find_spec("countryinfo")
    if _folder is None or spec is None or spec.origin is None:
        return None
    # The package's own file times stand for its version (reading its metadata costs 60 ms).
    stat = os.stat(spec.origin)
    versions = f"{analysis.ANALYZER_VERSION}|{TABLE_VERSION}"
    key = f"{spec.origin}|{stat.st_mtime_ns}|{stat.st_size}|{versions}"
    return _folder / f"places-{hashlib.sha256(key.encode()).hexdigest()[:16]}.json"


def derive() -> dict[str, frozenset[str]]:
    """The table from countryinfo: each country's name, demonyms and spelled-out other names."""
    from countryinfo import all_countries

    # A word several places share ("French": France, Martinique, Réunion...) means the most
    # populous of them; otherwise "French" would make "reunion" a place.
    claims: dict[str, tuple[int, str]] = {}
    grouped: list[tuple[str, set[str]]] = []
    countries = []
    primary: set[str] = set()
    for country in all_countries():
        own = [country.name(), *(country.demonym() or "").split(",")]
        # Codes ("FR", "GBR") are left out: "IT", "IN" and "NO" are words, not places.
        others = [s for s in country.alt_spellings() if not s.isupper() and s.isascii()]
        analyzed = [analysis.analyze(f) for f in own + others if f.strip()]
        primary.update(f[0] for f in analyzed[: len(own)] if len(f) == 1)
        countries.append((country.name(), country.population() or 0, analyzed))
    # Words in the names of three or more countries are what names are made of ("republic",
    # "island", "south", "state"), not places: Iceland's other name "Island" must not make
    # "Jeju Island" a country. A country's own one-word name or demonym stays ("China" is in
    # Taiwan's and Macau's long names too, "French" in French Guiana's).
    spread = Counter(t for _, _, analyzed in countries for t in {t for f in analyzed for t in f})
    generic = {t for t, n in spread.items() if n >= 3} - primary
    for name, people, analyzed in countries:
        for group in _groups(analyzed, generic):
            grouped.append((name, group))
            for term in group:
                if people >= claims.get(term, (-1, ""))[0]:
                    claims[term] = (people, name)
    table: dict[str, set[str]] = {}
    for name, group in grouped:
        own = {t for t in group if claims[t][1] == name}
        for term in own:
            table.setdefault(term, set()).update(own - {term})
    return {term: frozenset(others) for term, others in table.items()}


def _groups(forms: Iterable[list[str]], generic: Collection[str] = ()) -> list[set[str]]:
    """Terms that stand for one another among one country's names.

    One-word forms all do ("greec", "greek", "hellen"); of two forms of many words, the one
    word that differs does ("south korea" / "south korean": "korea", "korean"), and no other:
    "korea" must not become kin to "republ" through "Republic of Korea".
    """
    forms = [f for f in forms if f]
    single = {f[0] for f in forms if len(f) == 1 and len(f[0]) >= 3 and f[0] not in generic}
    groups = [single] if single else []
    for i, one in enumerate(forms):
        for other in forms[i + 1 :]:
            if len(one) != len(other) or len(one) < 2:
                continue
            differ = [(a, b) for a, b in zip(one, other, strict=True) if a != b]
            if len(differ) == 1 and min(map(len, differ[0])) >= 3 and not generic & {*differ[0]}:
                groups.append(set(differ[0]))
    return groups
