from pathlib import Path

import pytest

from etl.settings import Settings, load_settings


def test_defaults_are_polite() -> None:
    s = Settings()
    assert (s.rate, s.concurrency) == (1.0, 2)
    assert "cssamerica-etl" in s.user_agent and "+http" in s.user_agent


def test_priority_is_file_then_env_then_flags(tmp_path: Path) -> None:
    cfg = tmp_path / "etl.toml"
    cfg.write_text('rate = 3.0\nconcurrency = 4\ndata_dir = "from-file"\narchives = ["a", "b"]\n')
    env = {"ETL_CONCURRENCY": "5", "ETL_FULL": "yes", "PATH": "/bin"}
    s = load_settings({"data_dir": Path("from-flag"), "rate": None}, env=env, config=cfg)
    assert s.rate == 3.0  # file (flag was not given)
    assert s.concurrency == 5  # env beats file
    assert s.data_dir == Path("from-flag")  # flag beats all
    assert s.full is True
    assert s.archives == ("a", "b")


def test_bad_values_name_the_setting(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="'rate'"):
        load_settings(env={"ETL_RATE": "fast"})
    cfg = tmp_path / "etl.toml"
    cfg.write_text("rat = 3\n")
    with pytest.raises(ValueError, match="unknown setting 'rat'"):
        load_settings(env={}, config=cfg)
