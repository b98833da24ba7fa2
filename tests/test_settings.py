"""Settings: defaults, .env, malformed values named, secrets never shown, a light import."""

import subprocess
import sys
from pathlib import Path

import pytest

from bot.index.engines.names import ENGINE_NAMES
from bot.settings import Secret, SettingsError, load_settings
from bot.text.limits import MAX_PASSAGE_TOKENS, MIN_PASSAGE_TOKENS
from tests.helpers import REPO

GOOD_TOKEN = "MTIzNDU2Nzg5MDEyMzQ1Njc4OQ.GabcDE.abcdefghijklmnopqrstuvwxyz012345678"


def test_defaults_need_no_environment(tmp_path: Path):
    settings = load_settings({}, env_file=None)
    assert settings.corpus_dir == Path("corpus")
    assert settings.engine == "auto"  # bm25 or tantivy by the corpus size
    assert settings.guild_id is None
    assert settings.discord_token is None


def test_env_file_is_read_and_the_environment_wins(tmp_path: Path):
    env_file = tmp_path / ".env"
    env_file.write_text("NEWSBOT_CORPUS_DIR=/from/file\nNEWSBOT_ASK_COUNT=4\n")
    settings = load_settings({"NEWSBOT_CORPUS_DIR": "/from/env"}, env_file=env_file)
    assert settings.corpus_dir == Path("/from/env")
    assert settings.ask_count == 4


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        ("DISCORD_GUILD_ID", "my-server", "DISCORD_GUILD_ID must be a whole number"),
        ("NEWSBOT_PASSAGE_TOKENS", "5", "between 32 and 2000"),
        ("NEWSBOT_ENGINE", "elastic", "NEWSBOT_ENGINE must be one of"),
        ("NEWSBOT_COOLDOWN_SECONDS", "soon", "must be a number"),
        ("NEWSBOT_LOG_LEVEL", "LOUD", "NEWSBOT_LOG_LEVEL"),
    ],
)
def test_malformed_settings_name_the_setting(name: str, value: str, message: str):
    with pytest.raises(SettingsError, match=message):
        load_settings({name: value}, env_file=None)


def test_missing_or_malformed_token_is_a_clear_error_that_never_echoes_it():
    with pytest.raises(SettingsError, match="DISCORD_TOKEN is not set"):
        load_settings({}, env_file=None).token()
    secret = "not-a-token-but-secret-looking-value"
    with pytest.raises(SettingsError) as caught:
        load_settings({"DISCORD_TOKEN": secret}, env_file=None).token()
    assert secret not in str(caught.value)


def test_a_well_formed_token_is_returned_but_never_shown():
    settings = load_settings({"DISCORD_TOKEN": GOOD_TOKEN}, env_file=None)
    assert settings.token() == GOOD_TOKEN
    assert GOOD_TOKEN not in repr(settings)
    assert GOOD_TOKEN not in f"{settings.discord_token}"
    assert GOOD_TOKEN not in repr(Secret(GOOD_TOKEN))


def test_importing_the_settings_loads_no_heavy_library():
    # A fresh interpreter: this test process has long loaded everything.
    heavy = ["tiktoken", "numpy", "tantivy", "feedparser", "rank_bm25", "trafilatura", "discord"]
    code = (
        "import sys, bot.settings\n"
        f"print(','.join(m for m in {heavy!r} if m in sys.modules))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=REPO
    )
    assert done.stdout.strip() == ""


def test_the_engine_names_the_settings_accept_are_the_registered_engines():
    from bot.index.engines.registry import engines

    assert set(engines()) == ENGINE_NAMES
    for name in ENGINE_NAMES:
        assert load_settings({"NEWSBOT_ENGINE": name.upper()}, env_file=None).engine == name


def test_the_token_bounds_are_the_ones_the_settings_enforce():
    low = load_settings({"NEWSBOT_PASSAGE_TOKENS": str(MIN_PASSAGE_TOKENS)}, env_file=None)
    assert low.passage_tokens == MIN_PASSAGE_TOKENS
    with pytest.raises(SettingsError, match="between"):
        load_settings({"NEWSBOT_PASSAGE_TOKENS": str(MAX_PASSAGE_TOKENS + 1)}, env_file=None)
