from pathlib import Path

import pytest

from bot.settings import Secret, SettingsError, load_settings

GOOD_TOKEN = "MTIzNDU2Nzg5MDEyMzQ1Njc4OQ.GabcDE.abcdefghijklmnopqrstuvwxyz012345678"


def test_defaults_need_no_environment(tmp_path: Path):
    settings = load_settings({}, env_file=None)
    assert settings.corpus_dir == Path("corpus")
    assert settings.engine == "bm25"
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
