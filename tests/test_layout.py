"""The code's shape stays readable: stages as packages, short modules and functions, a run
that fits in one file, and no test scaffolding in the product."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

ETL = Path(__file__).parent.parent / "etl"
MODULES = sorted(ETL.rglob("*.py"))
STAGES = ("crawl", "parse", "load", "analysis")


def test_the_stages_are_packages_in_data_flow_order() -> None:
    packages = {p.name for p in ETL.iterdir() if (p / "__init__.py").exists()}
    assert set(STAGES) <= packages
    assert (ETL / "pipeline.py").exists() and (ETL / "settings.py").exists()


def test_one_run_reads_in_one_file() -> None:
    assert len((ETL / "pipeline.py").read_text(encoding="utf-8").splitlines()) <= 200


@pytest.mark.parametrize("path", MODULES, ids=[str(p.relative_to(ETL)) for p in MODULES])
def test_modules_and_functions_stay_short(path: Path) -> None:
    source = path.read_text(encoding="utf-8")
    assert len(source.splitlines()) <= 400, f"{path.name}: split it"
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            length = (node.end_lineno or node.lineno) - node.lineno + 1
            assert length <= 60, f"{path.name}: {node.name} is {length} lines"


@pytest.mark.parametrize("path", MODULES, ids=[str(p.relative_to(ETL)) for p in MODULES])
def test_the_product_never_reaches_into_the_tests(path: Path) -> None:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    docs = {
        id(node.body[0].value)
        for node in ast.walk(tree)
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef)
        and node.body
        and isinstance(node.body[0], ast.Expr)
    }
    assert path.stem != "testpoint", "a test hook module in the product"
    for node in ast.walk(tree):
        if isinstance(node, ast.Import | ast.ImportFrom):
            names = [a.name for a in node.names]
            module = node.module if isinstance(node, ast.ImportFrom) else None
            assert not any((m or "").split(".")[0] == "tests" for m in [module, *names])
            parts = {part for m in [module, *names] for part in (m or "").split(".")}
            assert "testpoint" not in parts, "a test hook module in the product"
        elif isinstance(node, ast.Constant) and isinstance(node.value, str):
            # A switch read from the environment only tests would set.
            assert not node.value.startswith("ETL_TEST"), node.value
            # A path under tests/ in code (docstrings may tell where things are).
            assert id(node) in docs or "tests/" not in node.value, node.value


def readme_tree() -> dict[str, str]:
    """The "How it works" tree of README.md: package ("" for etl/ itself) -> its lines."""
    readme = (ETL.parent / "README.md").read_text(encoding="utf-8")
    block = readme.split("## How it works", 1)[1].split("```\n", 2)[1]
    sections: dict[str, str] = {}
    package = ""
    for line in block.splitlines()[1:]:  # after "etl/"
        if len(line) - len(line.lstrip()) == 2:  # an entry of etl/: a module or a package
            first = line.split()[0]
            package = first.removesuffix("/") if first.endswith("/") else ""
        sections[package] = sections.get(package, "") + line + "\n"
    return sections


def test_the_readme_tree_names_every_module() -> None:
    tree = readme_tree()
    missing = [
        str(path.relative_to(ETL))
        for path in MODULES
        if path.stem not in ("__init__", "__main__")
        and not re.search(
            rf"\b{re.escape(path.name)}\b",
            tree.get(path.parent.relative_to(ETL).as_posix().removeprefix("."), ""),
        )
    ]
    assert not missing, f"README.md's How it works tree does not name {missing}"
