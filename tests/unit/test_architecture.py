"""The import rules of pyproject.toml ([tool.importlinter]) hold, and each of them catches a new
import that breaks it."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
# the console script `lint-imports` of this interpreter's import-linter, wherever it is installed
LINT_IMPORTS = [
    sys.executable,
    "-c",
    "import sys; from importlinter.cli import lint_imports_command as c; sys.exit(c())",
]


def lint_imports(project: Path, src: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(src)}
    return subprocess.run(
        [*LINT_IMPORTS, "--no-cache", "--no-logo"],
        cwd=project,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_the_import_contracts_are_kept() -> None:
    result = lint_imports(REPO, REPO / "src")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 broken" in result.stdout


def python_sources_only(folder: str, names: list[str]) -> set[str]:
    return {n for n in names if n == "__pycache__" or (Path(folder, n).is_file() and not n.endswith(".py"))}


@pytest.mark.parametrize(
    ("module", "line", "broken"),
    [
        # a new import between capability packages
        ("messaging/jcs.py", "import corridor.documents.models", "Capability packages are independent"),
        # a lower layer importing a higher one
        ("service/bus.py", "import corridor.node.bootstrap", "Entry points above the node"),
        # I/O in the domain
        ("customs/domain/model.py", "import sqlalchemy", "Domain modules do no I/O"),
    ],
)
def test_a_new_forbidden_import_breaks_a_contract(
    tmp_path: Path, module: str, line: str, broken: str
) -> None:
    shutil.copy(REPO / "pyproject.toml", tmp_path / "pyproject.toml")
    package = tmp_path / "src" / "corridor"
    shutil.copytree(REPO / "src" / "corridor", package, ignore=python_sources_only)
    target = package / module
    target.write_text(target.read_text(encoding="utf-8") + f"\n{line}  # noqa\n", encoding="utf-8")

    result = lint_imports(tmp_path, tmp_path / "src")

    assert result.returncode == 1, result.stdout + result.stderr
    assert "1 broken" in result.stdout
    assert f"{broken}" in result.stdout.split("Broken contracts")[1]
