"""The lock in requirements/: fresh, complete, hash-pinned, and each set what its users import."""

import ast
import re
import shutil
import subprocess
import sys
import tomllib
from importlib import metadata
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ROOT = Path(__file__).parent.parent
LOCK = ROOT / "requirements"
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
EXTRAS: dict[str, list[str]] = PYPROJECT["project"]["optional-dependencies"]
SETS = ["runtime", *EXTRAS]
_PIN = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)==([^\s;\\]+)", re.M)


def pins(name: str) -> dict[str, str]:
    text = (LOCK / f"{name}.txt").read_text(encoding="utf-8")
    return {canonicalize_name(m.group(1)): m.group(2) for m in _PIN.finditer(text)}


def direct(name: str) -> list[Requirement]:
    """What pyproject.toml asks of a set: the dependencies, the extra, the extras it names."""
    reqs = [Requirement(r) for r in PYPROJECT["project"]["dependencies"]]
    todo = [] if name == "runtime" else [name]
    while todo:
        for req in map(Requirement, EXTRAS[todo.pop()]):
            if canonicalize_name(req.name) == "etl":
                todo += sorted(req.extras)
            else:
                reqs.append(req)
    return reqs


def run_check(root: Path) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, str(root / "requirements" / "lock.py"), "check"]
    return subprocess.run(command, capture_output=True, text=True, check=False)


def copy_project(tmp_path: Path) -> Path:
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    shutil.copytree(LOCK, tmp_path / "requirements")
    return tmp_path


def test_the_lock_matches_pyproject() -> None:
    assert run_check(ROOT).returncode == 0


def test_a_changed_dependency_makes_the_lock_stale(tmp_path: Path) -> None:
    root = copy_project(tmp_path)
    pyproject = root / "pyproject.toml"
    pyproject.write_text(
        pyproject.read_text(encoding="utf-8").replace('"httpx>=0.27"', '"httpx>=0.28"'),
        encoding="utf-8",
    )
    out = run_check(root)
    assert out.returncode == 1
    assert out.stdout == ""
    assert len(out.stderr.splitlines()) == 1  # one line that says what to do
    assert "run `make lock`" in out.stderr and "runtime.txt" in out.stderr


def test_other_pyproject_settings_leave_the_lock_fresh(tmp_path: Path) -> None:
    root = copy_project(tmp_path)
    pyproject = root / "pyproject.toml"
    text = pyproject.read_text(encoding="utf-8")
    pyproject.write_text(text.replace("line-length = 100", "line-length = 99"), encoding="utf-8")
    assert run_check(root).returncode == 0


def test_a_missing_set_is_named(tmp_path: Path) -> None:
    root = copy_project(tmp_path)
    (root / "requirements" / "bench.txt").unlink()
    out = run_check(root)
    assert out.returncode == 1 and "bench.txt" in out.stderr


@pytest.mark.parametrize("name", [*SETS, "uv"])
def test_every_pin_is_exact_with_hashes_and_names_no_index(name: str) -> None:
    text = (LOCK / f"{name}.txt").read_text(encoding="utf-8")
    entries = re.split(r"\n(?=[A-Za-z0-9])", text.split("\n", 3)[3])
    assert entries and all(_PIN.match(e) and "--hash=sha256:" in e for e in entries)
    assert "://" not in text and "--index-url" not in text and "--find-links" not in text


@pytest.mark.parametrize("name", SETS)
def test_each_set_satisfies_what_pyproject_asks(name: str) -> None:
    pinned = pins(name)
    for req in direct(name):
        version = pinned.get(canonicalize_name(req.name))
        assert version is not None, f"{req.name} is missing from requirements/{name}.txt"
        assert req.specifier.contains(version, prereleases=True), f"{req} vs {version}"


def test_every_set_has_the_versions_of_one_resolution() -> None:
    seen: dict[str, tuple[str, str]] = {}
    for name in SETS:
        for package, version in pins(name).items():
            first = seen.setdefault(package, (version, name))
            assert first[0] == version, f"{package}: {first} vs {version} in {name}.txt"


def test_the_demo_set_leaves_out_analysis_bench_and_dev_tools() -> None:
    runtime = pins("runtime")
    for package in ("pandas", "matplotlib", "duckdb", "scrapy", "pytest", "mypy", "ipykernel"):
        assert package not in runtime


def test_uv_is_in_the_range_of_the_build_backend() -> None:
    (backend,) = map(Requirement, PYPROJECT["build-system"]["requires"])
    assert backend.name == "uv_build"
    assert backend.specifier.contains(pins("uv")["uv"])


def third_party_imports(paths: list[Path]) -> set[str]:
    """Top-level modules the files import, at module level or inside functions."""
    found: set[str] = set()
    for path in paths:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                found |= {alias.name.partition(".")[0] for alias in node.names}
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                found.add(node.module.partition(".")[0])
    return {m for m in found if m not in sys.stdlib_module_names and m not in ("etl", "bench")}


def etl_modules_run_by(module: str) -> set[Path]:
    """The files of etl/ that running `module` executes: it, its packages, the modules of etl
    it imports anywhere, and what importing those runs (their module-level imports; what
    their functions import lazily runs only when called)."""
    start = ROOT.joinpath(*module.split(".")).with_suffix(".py")
    found: set[Path] = {start}
    todo = [*etl_imports(start, anywhere=True), module.rpartition(".")[0]]
    while todo:
        parts = todo.pop().split(".")
        for depth in range(1, len(parts) + 1):  # `import etl.a.b` runs etl/ and etl/a/ too
            base = ROOT.joinpath(*parts[:depth])
            for path in (base / "__init__.py", base.with_suffix(".py")):
                if path.exists() and path not in found:
                    found.add(path)
                    todo += etl_imports(path, anywhere=False)
    return found


def etl_imports(path: Path, *, anywhere: bool) -> list[str]:
    """The modules of etl a file imports (`from etl.load import tables`: etl.load.tables),
    `anywhere` or at module level only (outside `if TYPE_CHECKING:`)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    nodes: list[ast.AST] = list(ast.walk(tree)) if anywhere else []
    top: list[ast.stmt] = [] if anywhere else list(tree.body)
    while top:
        stmt = top.pop()
        nodes.append(stmt)
        if isinstance(stmt, ast.If) and "TYPE_CHECKING" not in ast.unparse(stmt.test):
            top += stmt.body + stmt.orelse
        elif isinstance(stmt, ast.Try):
            top += stmt.body + stmt.orelse + stmt.finalbody
            top += [s for handler in stmt.handlers for s in handler.body]
    names: list[str] = []
    for node in nodes:
        if isinstance(node, ast.Import):
            names += [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names += [node.module, *(f"{node.module}.{alias.name}" for alias in node.names)]
    return [name for name in names if name.partition(".")[0] == "etl"]


@pytest.mark.parametrize(
    ("name", "folder"),
    [
        # What `etl corpus`, `make demo` and `make export` run: etl/analysis/ aside, but for
        # export.py, which `make export` runs with the runtime set alone.
        ("runtime", "etl"),
        ("report", "etl/analysis"),  # `etl stats`, `etl report`, the corpus API
        ("bench", "bench"),  # `make bench`
    ],
)
def test_each_set_holds_what_its_code_imports(name: str, folder: str) -> None:
    files = [p for p in (ROOT / folder).rglob("*.py") if name != "runtime" or
             "analysis" not in p.relative_to(ROOT).parts]  # fmt: skip
    if name == "runtime":
        files += etl_modules_run_by("etl.analysis.export") - set(files)
    owners = metadata.packages_distributions()
    pinned = pins(name)
    if name == "report":
        pinned |= {"duckdb": "optional"}  # corpus.duckdb() says to install the analysis extra
    for module in sorted(third_party_imports(files)):
        dists = {canonicalize_name(d) for d in owners.get(module, [module])}
        assert dists & pinned.keys(), f"{folder}/ imports {module}: not in {name}.txt"
