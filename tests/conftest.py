from pathlib import Path

import pytest


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--update-golden",
        action="store_true",
        default=False,
        help="rewrite tests/golden from the parser's output (review the diff before committing)",
    )


@pytest.fixture
def update_golden(request: pytest.FixtureRequest) -> bool:
    return bool(request.config.getoption("--update-golden"))


@pytest.fixture(scope="session")
def demo_corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The corpus `make demo` builds: `etl corpus` over the replay server on snapshot-2."""
    from etl.pipeline import run_corpus
    from etl.replay.server import serve
    from etl.settings import Settings

    data_dir = tmp_path_factory.mktemp("demo")
    snapshot = Path(__file__).parent / "fixtures" / "site" / "snapshot-2"
    with serve(snapshot) as srv:
        report = run_corpus(Settings(site=srv.url, data_dir=data_dir, rate=0, progress=False))
    assert report.exit_status == 0, report.reason
    return data_dir
