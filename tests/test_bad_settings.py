"""Bad settings never hang a run: every numeric setting at 0, -1, NaN and an absurd size, given
to `etl corpus` as cron runs it (a child process, against the replay server), is either refused
at once with exit status 2 and one line naming the setting, the value and the allowed range, or
the run finishes.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from etl.replay.server import serve
from etl.settings import RANGES
from tests.reliability import SNAP2, cli

ONLY = ("--archive", "/tag/resolve/")
HUGE = {int: "1" + "0" * 30, float: "1e300"}
CASES = [(name, value) for name in sorted(RANGES) for value in ("0", "-1", "nan", "huge")]
# What a run may do with a value it accepts: finish, well or failing (never hang).
FINISHED = (0, 1)


def run_with(tmp_path: Path, name: str, text: str) -> subprocess.CompletedProcess[str]:
    data = tmp_path / "data"
    data.mkdir()
    with serve(SNAP2) as srv:
        if name == "rate":  # the helper passes --rate 0; a later flag wins
            return cli(srv.url, data, *ONLY, "--rate", text, timeout=60)
        return cli(srv.url, data, *ONLY, timeout=60, **{f"ETL_{name.upper()}": text})


@pytest.mark.parametrize(("name", "value"), CASES, ids=[f"{n}={v}" for n, v in CASES])
def test_every_numeric_setting_is_refused_or_runs_to_the_end(
    tmp_path: Path, name: str, value: str
) -> None:
    text = HUGE[RANGES[name][0]] if value == "huge" else value
    done = run_with(tmp_path, name, text)  # TimeoutExpired: it hung
    if done.returncode == 2:
        assert done.stderr.count("\n") == 1 and "allowed" in done.stderr, done.stderr  # one line
        assert f"'{name}'" in done.stderr, done.stderr
        assert text in done.stderr or repr(float(text)) in done.stderr, done.stderr
        assert not (tmp_path / "data" / "processed").exists()  # refused before anything
    else:
        assert done.returncode in FINISHED, done.stderr
        zero_allowed = ("rate", "heal_max", "min_recall", "keep_runs", "parse_workers",
                        "parse_worker_min_pages")  # fmt: skip
        assert value == "0" and name in zero_allowed, (
            name,
            value,
        )


@pytest.mark.parametrize(
    ("flags", "named"),
    [
        (("--concurrency", "0"), "'concurrency': 0"),
        (("--max-pages", "0"), "'max_pages': 0"),
        (("--max-pages", "-3"), "'max_pages': -3"),
        (("--rate", "-1"), "'rate': -1.0"),
        (("--rate", "fast"), "'rate': 'fast' is not a number"),
        (("--max-pages", "nan"), "'max_pages': 'nan' is not an integer"),
        (("--concurrency", "2.5"), "'concurrency': '2.5' is not an integer"),
        (("--site", "notaurl"), "'site': 'notaurl' is not an http(s) origin"),
        (("--site", "ftp://cssamerica.com"), "'ftp://cssamerica.com' is not an http(s) origin"),
    ],
)
def test_bad_flags_are_usage_errors_not_hangs_or_unreachable_sites(
    tmp_path: Path, flags: tuple[str, str], named: str
) -> None:
    data = tmp_path / "data"
    data.mkdir()
    with serve(SNAP2) as srv:
        done = cli(srv.url, data, *ONLY, *flags, timeout=60)
    assert done.returncode == 2, done.stderr
    assert named in done.stderr and "allowed" in done.stderr and "cannot reach" not in done.stderr
    assert done.stderr.count("\n") == 1  # one line


def test_a_refused_value_is_refused_before_the_pipeline_is_imported(tmp_path: Path) -> None:
    """A usage error answers at once: nothing of the crawl or the loader is loaded for it."""
    script = (
        "import sys\n"
        "from etl.cli.main import main\n"
        "status = main(['corpus', '--site', 'http://127.0.0.1:9', '--data-dir', sys.argv[1],"
        " '--concurrency', '0'])\n"
        "loaded = sorted(m for m in sys.modules if m.startswith(('etl.crawl', 'etl.load',"
        " 'etl.pipeline', 'httpx', 'pyarrow')))\n"
        "print(status, loaded)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script, str(tmp_path / "data")],
        capture_output=True, text=True, timeout=60, check=False, cwd=tmp_path,
    )  # fmt: skip
    assert done.stdout.strip() == "2 []", (done.stdout, done.stderr)
