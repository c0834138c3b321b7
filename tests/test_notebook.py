"""The quickstart notebook runs top to bottom against a corpus, so it never rots."""

from pathlib import Path

import pytest

NOTEBOOK = Path(__file__).parent.parent / "notebooks" / "quickstart.ipynb"
ROOT = NOTEBOOK.parent.parent


def test_quickstart_notebook_runs(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, demo_corpus: Path
) -> None:
    nbformat = pytest.importorskip("nbformat")
    nbclient = pytest.importorskip("nbclient")
    data_dir = demo_corpus  # the real pipeline's output, as a user gets it from `make demo`
    # The notebook uses the API's default folder: ETL_DATA_DIR, as a user would set it.
    monkeypatch.setenv("ETL_DATA_DIR", str(data_dir))
    monkeypatch.setenv("PYTHONPATH", str(ROOT))  # this checkout's etl, not an installed one
    monkeypatch.setenv("JUPYTER_PLATFORM_DIRS", "1")  # silences jupyter_core's path notice
    monkeypatch.setenv("MPLBACKEND", "Agg")
    notebook = nbformat.read(NOTEBOOK, as_version=4)
    assert all(not cell.get("outputs") for cell in notebook.cells if cell.cell_type == "code")
    client = nbclient.NotebookClient(
        notebook,
        timeout=120,
        kernel_name="python3",
        resources={"metadata": {"path": str(tmp_path)}},
    )
    client.execute()
    outputs = {
        i: "".join(
            str(o.get("text", "")) + str(o.get("data", {}).get("text/plain", ""))
            for o in cell.outputs
        )
        for i, cell in enumerate(notebook.cells)
        if cell.cell_type == "code"
    }
    text = "\n".join(outputs.values())
    assert "65 documents, 65 full posts" in text
    assert "service recovery" in text  # the top tag
    assert "The Empathy Roadmap" in text  # the text search
    assert "2024:" in text  # topic words per year
    assert not any(
        o.get("output_type") == "error" for c in notebook.cells for o in c.get("outputs", [])
    )
