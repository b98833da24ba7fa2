"""The ``newsbot`` command: run the Discord bot, or ask, list, open and index from a terminal."""

from __future__ import annotations

import argparse
import json
import logging
import os
import sqlite3
import sys
from collections import Counter
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from bot.answers.ask import QuestionError
from bot.index.engines.names import AUTO_TANTIVY_ABOVE
from bot.index.newsindex import Report
from bot.ingest.corpus import CorpusError
from bot.newsroom import Newsroom
from bot.settings import Settings, SettingsError, load_settings
from bot.terminal import render as terminal

if TYPE_CHECKING:
    from tqdm import tqdm

log = logging.getLogger("newsbot")

# Above this many passages the embedded rank-bm25 engine costs seconds to restart and GBs of
# memory (README: Scale), where tantivy stays in milliseconds and tens of MB: the threshold
# NEWSBOT_ENGINE=auto switches at, and past which an explicit bm25 earns a tip.
LARGE_CORPUS = AUTO_TANTIVY_ABOVE


class ProgressBar:
    """A tqdm bar over corpus files, counting what changed; shown only when files are read."""

    def __init__(self, enabled: bool = True) -> None:
        self.enabled = enabled
        self.bar: tqdm[Any] | None = None

    def __call__(self, total: int) -> Callable[[str, str], None]:
        """A per-file callback for an update of ``total`` files, drawing the bar when enabled."""
        if self.enabled:
            # Here, not at the top: only a command that reads files draws a bar, and tqdm
            # costs a fresh `newsbot ask` a tenth of its start.
            from tqdm import tqdm

            self.bar = tqdm(
                total=total,
                desc="reading corpus",
                unit="file",
                file=sys.stderr,
                leave=False,
                dynamic_ncols=True,
            )
        counts: Counter[str] = Counter()

        def tick(name: str, status: str) -> None:
            counts[status] += 1
            if self.bar is not None:
                # Unchanged files are most of a large corpus: count them without formatting.
                if status != "unchanged" or counts[status] % 1000 == 0:
                    summary = ", ".join(f"{n} {s}" for s, n in sorted(counts.items()))
                    latest = f" · {status} {name[-30:]}" if status != "unchanged" else ""
                    self.bar.set_postfix_str(summary + latest, refresh=False)
                self.bar.update(1)

        return tick

    def embedding(self, total: int) -> Callable[[int], None]:
        """A bar over the passages the semantic layer embeds, after the corpus bar."""
        self.close()
        if not self.enabled:
            return lambda count: None
        from tqdm import tqdm

        self.bar = bar = tqdm(
            total=total,
            desc="embedding passages",
            unit="passage",
            file=sys.stderr,
            leave=False,
            dynamic_ncols=True,
        )
        return lambda count: bar.update(count)

    def close(self) -> None:
        """Remove the bar from the terminal, if one was drawn."""
        if self.bar is not None:
            self.bar.close()
            self.bar = None


def _newsroom(
    settings: Settings, rebuild: bool = False, quiet: bool = False, quick: bool = False
) -> Newsroom:
    """The newsroom over the corpus, with a progress bar unless ``quiet``.

    ``quick``: answer from the committed index when no folder changed (reading questions),
    instead of a stat of every file (``index``, ``status``).
    """
    bar = ProgressBar(enabled=not quiet)
    try:
        newsroom = Newsroom(
            settings, progress=bar, rebuild=rebuild, quick=quick, embed_progress=bar.embedding
        )
    finally:
        bar.close()
    report = newsroom.report
    if report.action != "reused" and not quiet:
        print(f"index {report.action}: {report.changes.summary()}", file=sys.stderr)
    _warn_problems(report)
    return newsroom


def _warn_problems(report: Report) -> None:
    if report.problems:
        print(
            f"{len(report.problems)} file(s) skipped (run `newsbot index` for the list)",
            file=sys.stderr,
        )


def _print_json(data: dict[str, Any]) -> None:
    print(json.dumps(data, ensure_ascii=False, indent=2))


def cmd_ask(args: argparse.Namespace, settings: Settings) -> int:
    """``newsbot ask``: print the answer to a question, with numbered citations."""
    newsroom = _newsroom(settings, quiet=args.json, quick=True)
    answer = newsroom.ask(" ".join(args.question), args.count)
    if args.json:
        _print_json(terminal.answer_json(answer))
    else:
        print(terminal.render_answer(answer, bold=sys.stdout.isatty()))
    return 0


def cmd_latest(args: argparse.Namespace, settings: Settings) -> int:
    """``newsbot latest``: print the newest stories, optionally about a topic."""
    newsroom = _newsroom(settings, quiet=args.json, quick=True)
    articles = newsroom.latest(args.n, args.topic)
    if args.json:
        _print_json(terminal.latest_json(articles))
    else:
        print(terminal.render_latest(articles, args.topic))
    return 0


def cmd_source(args: argparse.Namespace, settings: Settings) -> int:
    """``newsbot source``: print a story by article or passage id; 1 when none has it."""
    newsroom = _newsroom(settings, quiet=args.json, quick=True)
    view = newsroom.source(args.id)
    if view is None:
        print(
            f"newsbot: no stored story has the id {args.id!r} "
            "(ids are shown in answers and by `newsbot latest`)",
            file=sys.stderr,
        )
        return 1
    if args.json:
        _print_json(terminal.source_json(view))
    else:
        print(terminal.render_source(view))
    return 0


def cmd_index(args: argparse.Namespace, settings: Settings) -> int:
    """``newsbot index``: build or refresh the index and print what it did and skipped."""
    # Only the folders whose time changed are listed, unless asked to stat every file (which
    # also sees a file rewritten in place, keeping its folder's time).
    quick = not (args.full or args.rebuild)
    newsroom = _newsroom(settings, rebuild=args.rebuild, quiet=bool(args.json), quick=quick)
    report = newsroom.report
    summary = {
        "action": report.action,
        "engine": report.engine,
        "stories": report.stories,
        "articles": report.articles,
        "passages": report.passages,
        "seconds": round(report.seconds, 3),
        "added": list(report.changes.added),
        "changed": list(report.changes.changed),
        "removed": list(report.changes.removed),
        "skipped": report.problems,
    }
    if args.json:
        _print_json(summary)
        return 0
    print(
        f"index {report.action} with engine {report.engine} in {report.seconds:.2f} s: "
        f"{report.stories} stories ({report.articles} versions), {report.passages} passages"
    )
    print(f"files: {report.changes.summary()}")
    if newsroom.semantic is not None:
        print(f"semantic layer: {newsroom.status().semantic}")
    if report.engine == "bm25" and report.passages >= LARGE_CORPUS:
        print(
            f"tip: at {report.passages:,} passages the tantivy engine answers faster, restarts "
            "faster and holds far less in memory: set NEWSBOT_ENGINE=tantivy (README: Scale)"
        )
    if report.note:
        print(f"note: {report.note}")
    for path, reason in report.problems.items():
        print(f"skipped {path}: {reason}")
    return 0


def cmd_status(args: argparse.Namespace, settings: Settings) -> int:
    """``newsbot status``: print what is indexed, skipped files, feeds and paused channels."""
    status = _newsroom(settings, quiet=True).status()
    paused = [
        {"channel_id": str(p.channel_id), "guild_id": str(p.guild_id), "reason": p.reason,
         "since": p.since}
        for p in status.paused
    ]  # fmt: skip
    if args.json:
        _print_json({**terminal.status_json(status), "paused_channels": paused,
                     "indexer": status.indexer})  # fmt: skip
    else:
        print(terminal.render_status(status))
        # /follow channels the bot could not post in: nothing goes there until /follow again.
        for p in paused:
            print(f"follow channel {p['channel_id']} paused: {terminal.safe(p['reason'])}")
    return 0


def cmd_feedback(args: argparse.Namespace, settings: Settings) -> int:
    """``newsbot feedback``: print the Wrong source? reports people made."""
    from bot.desk.feedback import FeedbackLog

    entries = FeedbackLog(settings.cache_dir, settings.corpus_dir).entries()
    if args.json:
        _print_json({"feedback": entries})
        return 0
    if not entries:
        print("no 'Wrong source?' reports yet")
    for entry in entries:
        cited = ", ".join(entry.get("passage_ids") or []) or "nothing cited"
        print(f"{terminal.safe(str(entry.get('question', '')))}\n    cited: {cited}")
    return 0


def cmd_fetch(args: argparse.Namespace, settings: Settings) -> int:
    """``newsbot fetch``: pull new stories from the feeds into the corpus and print a summary."""
    from bot import feeds

    if not settings.feeds:
        raise SettingsError("no feeds to fetch: list http(s) feed URLs in NEWSBOT_FEEDS")
    if not Path(settings.corpus_dir).is_dir():
        raise CorpusError(f"corpus folder {settings.corpus_dir} does not exist or is not a folder")
    state = feeds.state_path(settings.cache_dir, settings.corpus_dir)
    report = feeds.fetch(settings.feeds, settings.corpus_dir, state, force=args.force)
    if args.json:
        _print_json(report.as_json())
    else:
        print(report.summary())
        for result in report.results:
            if result.status in ("error", "skipped", "busy"):
                print(f"{result.status}: {result.url}: {result.error or ''}", file=sys.stderr)
    return 1 if report.errors else 0


def cmd_run(args: argparse.Namespace, settings: Settings) -> int:
    """``newsbot run``: serve the Discord bot until stopped; returns its exit code."""
    from bot.discord_app.client import run_bot

    token = settings.token()  # fails with one clear line before anything else starts
    newsroom = _newsroom(settings, quick=True)  # its periodic scan then checks every file
    return run_bot(settings, newsroom, token)


def build_parser() -> argparse.ArgumentParser:
    """The ``newsbot`` argument parser, each subcommand bound to its ``cmd_*`` handler."""
    parser = argparse.ArgumentParser(
        prog="newsbot", description="Answers questions from stored news, with citations."
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    def command(name: str, help_text: str, handler: Callable[..., int]) -> argparse.ArgumentParser:
        p = sub.add_parser(name, help=help_text, description=help_text)
        p.add_argument(
            "--corpus",
            type=Path,
            metavar="DIR",
            help="corpus folder (default: NEWSBOT_CORPUS_DIR or ./corpus)",
        )
        p.set_defaults(handler=handler)
        return p

    p = command("ask", "answer a question from the stored news", cmd_ask)
    p.add_argument("question", nargs="+", help='the question, e.g. "Who won the election?"')
    p.add_argument("-k", "--count", type=int, default=None, help="passages to show (1-10)")
    p.add_argument("--json", action="store_true", help="print JSON for scripts")

    p = command("latest", "list the newest stories", cmd_latest)
    p.add_argument("-n", type=int, default=10, help="how many stories (default 10)")
    p.add_argument("--topic", help="only stories that mention these words")
    p.add_argument("--json", action="store_true", help="print JSON for scripts")

    p = command("source", "open a story by its article id or a cited passage id", cmd_source)
    p.add_argument("id", help="an id from an answer or from `newsbot latest`")
    p.add_argument("--json", action="store_true", help="print JSON for scripts")

    p = command("index", "build or refresh the index of the corpus", cmd_index)
    p.add_argument("--rebuild", action="store_true", help="rebuild from scratch")
    p.add_argument(
        "--full",
        action="store_true",
        help="stat every file, not only those in folders whose time changed (finds files "
        "rewritten in place)",
    )
    p.add_argument("--json", action="store_true", help="print JSON for scripts")

    p = command("status", "what is indexed, skipped files, and each feed's health", cmd_status)
    p.add_argument("--json", action="store_true", help="print JSON for scripts")

    p = command("fetch", "pull new stories from the feeds in NEWSBOT_FEEDS", cmd_fetch)
    p.add_argument("--force", action="store_true", help="ignore the back-off after failures")
    p.add_argument("--json", action="store_true", help="print JSON for scripts")

    p = command("feedback", "list the 'Wrong source?' reports made on /ask answers", cmd_feedback)
    p.add_argument("--json", action="store_true", help="print JSON for scripts")

    command("run", "run the Discord bot (needs DISCORD_TOKEN)", cmd_run)
    return parser


def _storage_problem(settings: Settings | None, error: OSError | sqlite3.Error) -> str:
    """One line for a file-system or database failure, naming the setting when it is the cache."""
    cache = Path(settings.cache_dir) if settings is not None else None
    if isinstance(error, sqlite3.Error):
        reason = " ".join(str(error).split()) or error.__class__.__name__
        where = f"the index in {cache}" if cache else "the index"
        return f"cannot use {where} (NEWSBOT_CACHE_DIR): {reason}"
    name = str(error.filename) if error.filename else ""
    reason = error.strerror or str(error)
    if cache is not None and (not name or _inside(Path(name), cache)):
        return f"cannot use the cache folder {cache} (NEWSBOT_CACHE_DIR): {reason}" + (
            f" ({name})" if name and Path(name) != cache else ""
        )
    return f"{reason}: {name}" if name else reason


def _inside(path: Path, folder: Path) -> bool:
    try:
        return path.absolute().is_relative_to(folder.absolute())
    except (OSError, ValueError):
        return False


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command ``argv`` names; returns the exit code, printing one line on failure."""
    args = build_parser().parse_args(argv)
    settings: Settings | None = None
    try:
        settings = load_settings(corpus_dir=args.corpus)
        logging.basicConfig(
            level=settings.log_level if args.command == "run" else logging.WARNING,
            format="%(asctime)s %(levelname)s %(name)s: %(message)s",
        )
        if getattr(args, "count", None) is not None and not 1 <= args.count <= 10:
            raise SettingsError("--count must be between 1 and 10")
        if getattr(args, "n", None) is not None and not 1 <= args.n <= 100:
            raise SettingsError("-n must be between 1 and 100")
        return int(args.handler(args, settings))
    except (SettingsError, CorpusError, QuestionError) as error:
        print(f"newsbot: {error}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:  # `newsbot ... | head`: the reader left; say nothing more
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 141
    except (OSError, sqlite3.Error) as error:
        # A cache folder that is a file, unwritable or full: one line, not a traceback.
        print(f"newsbot: {_storage_problem(settings, error)}", file=sys.stderr)
        return 1
