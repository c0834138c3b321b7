import math
import re
from pathlib import Path

import pytest

from etl.settings import RANGES, Settings, SettingsError, load_settings


def test_defaults_are_polite() -> None:
    s = Settings()
    assert (s.rate, s.concurrency) == (1.0, 2)
    assert s.user_agent.startswith("etl/") and "cssamerica" not in s.user_agent
    assert "+mailto:ops@example.org" in Settings(contact="ops@example.org").user_agent


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


NUMERIC = sorted(RANGES)
BAD_NUMBERS = (-1, math.nan, math.inf, -math.inf, 10**30, 1e300)


def test_max_run_time_defaults_to_six_hours() -> None:
    assert Settings().max_run_time == 6 * 3600


@pytest.mark.parametrize("name", NUMERIC)
def test_every_numeric_setting_refuses_out_of_range_values_naming_setting_value_and_range(
    name: str,
) -> None:
    kind, low, high, open_low, _ = RANGES[name]
    bad = [*BAD_NUMBERS, True, "3", high * 2]
    if open_low or (low > 0 and name != "rate"):
        bad.append(0)
    if kind is int:
        bad.append(2.5)
    for value in bad:
        with pytest.raises(SettingsError, match=rf"setting '{name}': .* allowed: .*{high:,.0f}"):
            Settings(**{name: value})


@pytest.mark.parametrize("source", ["env", "toml"])
def test_values_from_variables_and_the_config_file_are_checked_and_the_source_named(
    tmp_path: Path, source: str
) -> None:
    cases = {"concurrency": "0", "max_pages": "-3", "rate": "nan", "read_timeout": "inf",
             "min_recall": "1.5", "boilerplate_min_posts": "1", "retry_attempts": "0",
             "max_run_time": "0", "heal_max": "-1", "max_bytes": "1e400"}  # fmt: skip
    for name, text in cases.items():
        if source == "env":
            env, config, where = {f"ETL_{name.upper()}": text}, None, f"ETL_{name.upper()}"
        else:
            config = tmp_path / "etl.toml"
            config.write_text(f"{name} = {text}\n")
            env, where = {}, "etl.toml"
        with pytest.raises(SettingsError, match=rf"{where}.*setting '{name}'"):
            load_settings(env=env, config=config)


def test_toml_numbers_are_not_quietly_truncated(tmp_path: Path) -> None:
    config = tmp_path / "etl.toml"
    for line in ("concurrency = 2.5", "concurrency = true", "rate = false", "rate = nan"):
        config.write_text(line + "\n")
        with pytest.raises(SettingsError, match=r"etl\.toml"):
            load_settings(env={}, config=config)
    config.write_text("concurrency = 3\nrate = 0\nmin_recall = 0\nheal_max = 0\n")
    s = load_settings(env={}, config=config)
    assert (s.concurrency, s.rate, s.min_recall, s.heal_max) == (3, 0, 0, 0)


@pytest.mark.parametrize(
    "site",
    ["notaurl", "ftp://cssamerica.com", "https://cssamerica.com/blog", "https://x.test/?q=1",
     "https://x.test/#top", "https://user:pw@x.test", "https://x.test:99999", "", "http://",
     "//cssamerica.com", "cssamerica.com"],
)  # fmt: skip
def test_site_must_be_an_http_origin(site: str) -> None:
    with pytest.raises(SettingsError, match=rf"'site': '{re.escape(site)}' is not an http\(s\)"):
        Settings(site=site)


@pytest.mark.parametrize(
    "site", ["https://cssamerica.com", "https://cssamerica.com/", "http://127.0.0.1:8765"]
)
def test_good_sites_pass(site: str) -> None:
    assert Settings(site=site).site == site


def test_archives_user_agent_and_switches_are_checked() -> None:
    assert Settings(archives=("/tag/x/", "https://cssamerica.com/tag/y/")).archives
    for archives in (("ftp://x.test/tag/a/",), ("",), ("/tag/a\nb/",)):
        with pytest.raises(SettingsError, match="'archives'"):
            Settings(archives=archives)
    with pytest.raises(SettingsError, match="'contact'"):  # the User-Agent is built from it
        Settings(contact="ops@example.org\r\nX-Injected: 1")
    with pytest.raises(SettingsError, match="'full'"):
        Settings(full="yes")  # type: ignore[arg-type]
