"""The lock in requirements/: `make lock` writes it, `make test` checks it first.

One file per set of dependencies: runtime.txt (pyproject's `dependencies`, what `etl corpus`
and `make demo` need) and one per extra (report.txt, analysis.txt, bench.txt, dev.txt), each
the whole closure pinned to one version with the hash of every wheel, for Python 3.11 and up
on every platform. All sets come out of one resolution (the union of the extras), so a
package has the same version in every file; uv.txt pins the uv that installs them, in the
range of the uv_build that pyproject.toml builds with. The files name no index: pip and uv
take the machine's own.

Each file starts with a digest of what it was made from (the dependency fields of
pyproject.toml and the Python version), so `check` needs neither the network nor uv.

    python3.11 requirements/lock.py check
    python3.11 requirements/lock.py write UV [uv pip compile flags: --upgrade, -P NAME]

Standard library only: it runs before any environment exists.
"""

from __future__ import annotations

import hashlib
import json
import re
import subprocess
import sys
import tempfile
import tomllib
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
PYTHON = "3.11"
MARK = "# pyproject.toml digest: "
_PIN = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)==([^\s;\\]+)", re.M)


def inputs() -> dict[str, Any]:
    """The fields of pyproject.toml that decide what the lock holds."""
    data = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    project = data["project"]
    return {
        "python": PYTHON,
        "requires-python": project.get("requires-python"),
        "dependencies": project.get("dependencies", []),
        "optional-dependencies": project.get("optional-dependencies", {}),
        "build-system": data["build-system"]["requires"],
    }


def digest(fields: dict[str, Any]) -> str:
    return hashlib.sha256(json.dumps(fields, sort_keys=True).encode()).hexdigest()


def lock_names(fields: dict[str, Any]) -> list[str]:
    return ["runtime", *sorted(fields["optional-dependencies"]), "uv"]


def uv_requirement(fields: dict[str, Any]) -> str:
    """uv in the range of the uv_build backend, so `uv pip install -e .` builds in-process."""
    for req in fields["build-system"]:
        if m := re.fullmatch(r"uv[_-]build\s*(.*)", req):
            return "uv" + m.group(1)
    return "uv"


def stamp_of(path: Path) -> str | None:
    if not path.exists():
        return None
    first = path.read_text(encoding="utf-8").partition("\n")[0]
    return first.removeprefix(MARK) if first.startswith(MARK) else None


def check() -> int:
    fields = inputs()
    want = digest(fields)
    names = lock_names(fields)
    stale = [f"{n}.txt" for n in names if stamp_of(HERE / f"{n}.txt") != want]
    stale += sorted(p.name for p in HERE.glob("*.txt") if p.stem not in names)
    if stale:
        print(
            f"error: the lock is stale (requirements/{', '.join(stale)} "
            "not made from this pyproject.toml): run `make lock` and commit requirements/",
            file=sys.stderr,
        )
        return 1
    return 0


def write(uv: str, flags: list[str]) -> int:
    fields = inputs()
    names = lock_names(fields)
    compile_ = [uv, "pip", "compile", "--quiet", "--universal", "--python-version", PYTHON]
    # One version per package across Python versions: the lock is for 3.11, newer ones
    # get the same pins instead of a second set of forks.
    compile_ += ["--fork-strategy", "fewest", "--generate-hashes"]
    compile_ += ["--custom-compile-command", "make lock"]
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp)
        # uv keeps the pins of the file it overwrites: start from today's files (and their
        # union), so `make lock` changes only what pyproject.toml or --upgrade asks for.
        pins: dict[str, str] = {}
        for path in HERE.glob("*.txt"):
            text = path.read_text(encoding="utf-8")
            (out / path.name).write_text(text, encoding="utf-8")
            pins |= {m.group(1).lower(): m.group(0) for m in _PIN.finditer(text)}
        union = out / "union.in"
        union.write_text("".join(f"{pin}\n" for pin in sorted(pins.values())), encoding="utf-8")
        run([*compile_, "pyproject.toml", "--all-extras", "-o", str(union), *flags])
        for name in names[:-1]:
            extra = [] if name == "runtime" else ["--extra", name]
            run([*compile_, "pyproject.toml", *extra, "-c", str(union), "-o", f"{out / name}.txt"])
        (out / "uv.in").write_text(uv_requirement(fields) + "\n", encoding="utf-8")
        run([*compile_, str(out / "uv.in"), "-o", str(out / "uv.txt"), *flags])
        # Every file is made before one is replaced: a failed resolution changes nothing.
        for name in names:
            body = (out / f"{name}.txt").read_text(encoding="utf-8")
            body = body.partition("\n")[2] if body.startswith(MARK) else body
            # Temporary files' names would change at every run.
            body = body.replace(f"    #   -c {union}\n", "")
            body = body.replace(f"-r {out / 'uv.in'}", "the uv_build range of pyproject.toml")
            (HERE / f"{name}.txt").write_text(f"{MARK}{digest(fields)}\n{body}", encoding="utf-8")
    for path in HERE.glob("*.txt"):
        if path.stem not in names:
            path.unlink()  # an extra that pyproject.toml no longer has
    return 0


def run(command: list[str]) -> None:
    if subprocess.run(command, cwd=ROOT).returncode != 0:
        raise SystemExit(f"error: `{' '.join(command[:3])}` failed; the lock is unchanged")


def main(argv: list[str]) -> int:
    if argv[:1] == ["check"] and len(argv) == 1:
        return check()
    if argv[:1] == ["write"] and len(argv) >= 2:
        return write(argv[1], argv[2:])
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
