"""Aiming etl at any WordPress blog: `--site` and nothing else builds the second test blog
exactly (a loopback server needs no contact); every other host needs the operator's contact
(setting `contact`, `--contact`, ETL_CONTACT, etl.toml), refused before any request; the
site's own rules are settings, checked like every other."""

from __future__ import annotations

from pathlib import Path

import pytest

from etl.cli import main
from etl.replay.server import serve
from etl.settings import Settings, SettingsError, load_settings
from etl.siterules import is_loopback, require_contact
from tests.themes import BLOGS, THEMES, expected, render_fixture

SECOND = BLOGS["second"]


@pytest.mark.parametrize("theme", ["contract", "genesis"])
def test_the_second_blog_builds_exactly_with_only_the_site(
    theme: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = render_fixture(theme, "second", tmp_path / "site")
    data = tmp_path / "data"
    with serve(folder) as srv:
        # --rate 0 only because a test must not wait a second per page.
        status = main(["corpus", "--site", srv.url, "--data-dir", str(data), "--rate", "0"])
        want = expected.posts(SECOND(), srv.url), expected.teasers(SECOND(), srv.url)
    assert status == 0, capsys.readouterr().err
    got = expected.read_corpus(data)
    assert expected.differences(want, got, machine_dates=THEMES[theme].machine_dates) == []
    assert want[1] == []  # no latest-posts block: no teasers, and that is no drift
    assert "REST API agrees on" in capsys.readouterr().out


@pytest.mark.parametrize("command", ["corpus", "crawl", "audit", "probe"])
def test_a_site_off_loopback_needs_a_contact_and_nothing_starts_without_one(
    command: str,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.chdir(tmp_path)  # no etl.toml here
    monkeypatch.delenv("ETL_CONTACT", raising=False)
    data = tmp_path / "data"
    status = main([command, "--site", "https://blog.example.org", "--data-dir", str(data)])
    err = capsys.readouterr().err
    assert status == 2
    assert f"etl {command}: setting 'contact' is not set: crawling https://blog.example.org" in err
    assert 'contact = "you@example.org"' in err and "--contact" in err and "ETL_CONTACT" in err
    assert not data.exists()  # refused before anything: no lock, no request, no file


def test_the_contact_comes_from_a_flag_a_variable_or_etl_toml(tmp_path: Path) -> None:
    site = {"site": "https://blog.example.org"}
    require_contact(load_settings({**site, "contact": "ops@example.org"}, env={}))
    require_contact(load_settings(site, env={"ETL_CONTACT": "https://example.org/crawler"}))
    config = tmp_path / "etl.toml"
    config.write_text('site = "https://blog.example.org"\ncontact = "ops@example.org"\n')
    settings = load_settings(env={}, config=config)
    require_contact(settings)
    assert settings.user_agent.endswith("(WordPress corpus builder; +mailto:ops@example.org)")
    with pytest.raises(SettingsError, match="'contact' is not set"):
        require_contact(load_settings(site, env={}))
    assert Settings(contact="mailto:ops@example.org").user_agent.endswith(
        "+mailto:ops@example.org)"
    )


@pytest.mark.parametrize(
    ("site", "loopback"),
    [("http://127.0.0.1:8765", True), ("http://127.8.9.10", True), ("http://[::1]:8080", True),
     ("http://localhost:8000", True), ("https://cssamerica.com", False),
     ("http://10.0.0.1", False), ("http://localhost.example.org", False)],
)  # fmt: skip
def test_only_loopback_hosts_run_without_a_contact(site: str, loopback: bool) -> None:
    assert is_loopback(site) is loopback
    if loopback:
        require_contact(Settings(site=site))
    else:
        with pytest.raises(SettingsError, match="contact"):
            require_contact(Settings(site=site))


@pytest.mark.parametrize(
    ("flags", "named"),
    [
        (("--contact", "not-an-address"), "'contact': 'not-an-address' is not an email"),
        (("--contact", "ftp://example.org"), "'contact': 'ftp://example.org'"),
        (("--contact", "ops@example.org (me)"), "'contact'"),
    ],
)
def test_a_bad_contact_is_a_usage_error_naming_it(
    flags: tuple[str, ...], named: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    status = main(["probe", "--site", "https://blog.example.org", "--data-dir", str(tmp_path),
                   *flags])  # fmt: skip
    assert status == 2 and named in capsys.readouterr().err


def test_the_site_rules_are_checked_settings(tmp_path: Path) -> None:
    assert load_settings(env={"ETL_HEADING_DATES": "false"}).heading_dates == "off"
    config = tmp_path / "etl.toml"
    config.write_text(
        'heading_dates = true\nboilerplate = ["Happy gardening!", "Subscribe, now"]\n'
    )
    settings = load_settings(env={}, config=config)
    assert settings.heading_dates == "on"
    assert settings.boilerplate == ("Happy gardening!", "Subscribe, now")
    # A variable holds one pattern a line: a pattern may hold commas.
    lines = load_settings(env={"ETL_BOILERPLATE": "Sign up, now\nRead more"}).boilerplate
    assert lines == ("Sign up, now", "Read more")
    with pytest.raises(SettingsError, match="'heading_dates': 'sometimes'"):
        load_settings(env={"ETL_HEADING_DATES": "sometimes"})
    with pytest.raises(SettingsError, match=r"'boilerplate': '\(unclosed' is not a regular"):
        load_settings(env={"ETL_BOILERPLATE": "(unclosed"})
    assert load_settings(env={}).boilerplate == Settings().boilerplate  # cssamerica's


def test_a_session_off_loopback_without_a_contact_sends_nothing(tmp_path: Path) -> None:
    """The rule holds for every caller of the crawl (a notebook, a script), not only the CLI."""
    import asyncio
    import dataclasses

    import httpx

    from etl.crawl.session import open_session

    asked: list[str] = []

    def answer(request: httpx.Request) -> httpx.Response:
        asked.append(str(request.url))
        return httpx.Response(404, stream=httpx.ByteStream(b"not found"))

    async def open_one(settings: Settings) -> None:
        async with open_session(settings, transport=httpx.MockTransport(answer)):
            pass

    bare = Settings(site="https://blog.example.org", data_dir=tmp_path, rate=0, progress=False)
    with pytest.raises(SettingsError, match="contact"):
        asyncio.run(open_one(bare))
    assert asked == [] and not (tmp_path / "raw").exists()
    asyncio.run(open_one(dataclasses.replace(bare, contact="ops@example.org")))
    assert asked  # with a contact the session asks robots.txt
