import subprocess
import sys


def test_python_dash_m_etl_help() -> None:
    out = subprocess.run(
        [sys.executable, "-m", "etl", "--help"], capture_output=True, text=True, check=True
    )
    assert "Parquet corpus" in out.stdout
