import subprocess
import sys
from pathlib import Path


def test_python_dash_m_etl_help() -> None:
    out = subprocess.run(
        [sys.executable, "-m", "etl", "--help"], capture_output=True, text=True, check=True
    )
    assert "Parquet corpus" in out.stdout


# As after a bare `pip install -e .`: pandas cannot be imported.
WITHOUT_PANDAS = """
import sys

class NoPandas:
    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] == "pandas":
            raise ModuleNotFoundError(f"No module named {name!r}", name=name)

sys.meta_path.insert(0, NoPandas())
from etl.cli import main
sys.exit(main(sys.argv[1:]))
"""


def test_analysis_commands_without_their_extra_say_what_to_install(demo_corpus: Path) -> None:
    command = [sys.executable, "-c", WITHOUT_PANDAS, "stats", "--data-dir", str(demo_corpus)]
    done = subprocess.run(command, capture_output=True, text=True, timeout=60)
    assert done.returncode == 1
    assert done.stderr.strip() == (
        "etl stats: needs pandas: make stats, or pip install -e '.[report]'"
    )
