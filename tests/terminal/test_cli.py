import json
import subprocess
import sys
from pathlib import Path

import pytest

from bot.terminal.cli import main
from tests.helpers import REPO, SEED

TROOPS = "How many American troops are stationed in South Korea?"


@pytest.fixture
def corpus(seed_corpus: Path) -> str:
    return str(seed_corpus)


def test_ask_prints_the_cited_passage_with_title_source_byline_and_date(corpus, capsys):
    assert main(["ask", TROOPS, "--corpus", corpus]) == 0
    out = capsys.readouterr().out
    assert "[1]" in out and "28,500 American troops" in out
    assert "U.S. expects S. Korea to be flexible in defense cost-sharing talks: official" in out
    assert "Yonhap · By Lee Haye-ah · WASHINGTON · May 5, year unknown" in out
    assert "us-expects-s-korea-flexible-cost-sharing:2" in out


def test_ask_json_has_the_documented_keys(corpus, capsys):
    assert main(["ask", TROOPS, "--json", "--corpus", corpus]) == 0
    data = json.loads(capsys.readouterr().out)
    assert {"question", "found", "passages"} <= set(data)
    assert data["found"] is True
    passage = data["passages"][0]
    for key in (
        "citation",
        "article_id",
        "passage_id",
        "title",
        "text",
        "published",
        "source",
        "url",
        "score",
        "best_sentence",
    ):
        assert key in passage
    assert passage["published"] == "--05-05"
    assert passage["citation"] == 1


def test_latest_json_lists_articles(corpus, capsys):
    assert main(["latest", "-n", "5", "--json", "--corpus", corpus]) == 0
    data = json.loads(capsys.readouterr().out)
    assert [a["article_id"] for a in data["articles"]] == [
        "us-expects-s-korea-flexible-cost-sharing"
    ]
    assert set(data["articles"][0]) >= {"article_id", "title", "published", "source", "url"}


def test_source_json_shows_metadata_and_the_story_without_chrome(corpus, capsys):
    assert (
        main(["source", "us-expects-s-korea-flexible-cost-sharing:2", "--json", "--corpus", corpus])
        == 0
    )
    data = json.loads(capsys.readouterr().out)
    assert (data["byline"], data["dateline"], data["source"]) == (
        "Lee Haye-ah",
        "WASHINGTON",
        "Yonhap",
    )
    for key in ("article_id", "title", "published", "url", "version", "text", "passages"):
        assert key in data
    assert "KG Mobility" not in data["text"]
    assert data["passages"][1]["passage_id"] == "us-expects-s-korea-flexible-cost-sharing:2"


def test_source_with_an_unknown_id_fails_with_a_clear_message(corpus, capsys):
    assert main(["source", "nope", "--corpus", corpus]) == 1
    assert "no stored story has the id 'nope'" in capsys.readouterr().err


def test_index_reports_what_it_did_and_skipped(tmp_path: Path, capsys):
    corpus = tmp_path / "c"
    corpus.mkdir()
    (corpus / SEED.name).write_bytes(SEED.read_bytes())
    (corpus / "empty.txt").write_text("")
    assert main(["index", "--corpus", str(corpus)]) == 0
    out = capsys.readouterr().out
    assert "index built with engine bm25" in out and "1 stories" in out
    assert "skipped empty.txt: empty file" in out
    assert main(["index", "--corpus", str(corpus)]) == 0
    assert "index reused" in capsys.readouterr().out


def test_a_missing_corpus_folder_is_one_clear_line(tmp_path: Path, capsys):
    assert main(["latest", "--corpus", str(tmp_path / "missing")]) == 2
    err = capsys.readouterr().err
    assert err.startswith("newsbot: corpus folder") and "does not exist" in err


def test_out_of_range_count_is_refused(corpus, capsys):
    assert main(["ask", "troops", "-k", "50", "--corpus", corpus]) == 2
    assert "--count must be between 1 and 10" in capsys.readouterr().err


def _run(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    # Run from an empty folder so no developer .env is picked up.
    env = {**env, "PYTHONPATH": str(REPO)}
    return subprocess.run(
        [sys.executable, "-m", "bot", *args],
        cwd=env["HOME"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_run_without_a_token_prints_one_line_and_exits_non_zero(tmp_path: Path):
    env = {"PATH": "/usr/bin:/bin", "HOME": str(tmp_path), "XDG_CACHE_HOME": str(tmp_path)}
    result = _run("run", env=env)
    assert result.returncode != 0
    assert result.stderr.strip().splitlines() == [
        "newsbot: DISCORD_TOKEN is not set: put the bot token from the Discord developer portal "
        "in .env (see .env.example)"
    ]


def test_run_with_a_malformed_token_never_prints_it(tmp_path: Path):
    secret = "hunter2-this-is-not-a-token"
    env = {
        "PATH": "/usr/bin:/bin",
        "HOME": str(tmp_path),
        "XDG_CACHE_HOME": str(tmp_path),
        "DISCORD_TOKEN": secret,
    }
    result = _run("run", env=env)
    assert result.returncode != 0
    assert len(result.stderr.strip().splitlines()) == 1
    assert secret not in result.stderr + result.stdout


def test_an_unanswerable_question_says_so_in_text_and_json(corpus, capsys):
    question = "What is the recipe for kimchi stew?"
    assert main(["ask", question, "--corpus", corpus]) == 0
    out = capsys.readouterr().out
    assert main(["ask", question, "--json", "--corpus", corpus]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["found"] is False and data["passages"] == []
    # The reason is said, the same in text and JSON.
    assert data["why"] and f"No stored story answers this: {data['why']}." in out


def test_index_suggests_tantivy_for_a_large_corpus(corpus, capsys, monkeypatch):
    monkeypatch.setattr("bot.terminal.cli.LARGE_CORPUS", 5)
    assert main(["index", "--corpus", corpus]) == 0
    assert "set NEWSBOT_ENGINE=tantivy" in capsys.readouterr().out
    monkeypatch.setenv("NEWSBOT_ENGINE", "tantivy")
    assert main(["index", "--corpus", corpus]) == 0
    out = capsys.readouterr().out
    assert "with engine tantivy" in out and "tip:" not in out


def test_the_answer_line_is_marked_even_when_it_wraps_over_lines(corpus, capsys):
    assert main(["ask", TROOPS, "--corpus", corpus]) == 0
    out = " ".join(capsys.readouterr().out.split())
    assert "**The comment by Marc Knapper" in out
    assert "28,500 American troops on the peninsula.**" in out


@pytest.mark.parametrize(
    "identifier", ["x:" + "9" * 400, "x:²", "x:١٢", "x:-1", "x:" + "9" * 19, ":", "x:1:2"]
)
def test_source_with_a_malformed_passage_number_is_a_clear_not_found(corpus, capsys, identifier):
    assert main(["source", identifier, "--corpus", corpus]) == 1
    err = capsys.readouterr().err
    assert "no stored story has the id" in err and "Traceback" not in err


def test_source_with_a_huge_passage_number_of_a_real_story_opens_the_story(corpus, capsys):
    story = "us-expects-s-korea-flexible-cost-sharing"
    assert main(["source", f"{story}:{'9' * 400}", "--corpus", corpus]) == 0
    assert "Full story:" in capsys.readouterr().out
