"""The layer contracts really check something: a wrong import in a copy of the package fails them.

import-linter reads the contracts from pyproject.toml; these tests run it on a copy of `keel/`
with one import added that breaks a contract, so a contract that stopped matching anything
(a renamed app, a typo in a layer) would fail here instead of passing quietly.
"""

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
LINT = Path(sys.executable).with_name("lint-imports")  # a development dependency: `make test` installs it


def lint(tree: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(LINT), "--config", str(tree / "pyproject.toml"), "--no-cache"],
        cwd=tree,
        env={"PYTHONPATH": str(tree), "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.fixture
def tree(tmp_path):
    """A copy of the package's Python files and the contracts, importable before the installed one."""
    shutil.copytree(ROOT / "keel", tmp_path / "keel", ignore=shutil.ignore_patterns("templates", "static", "*.pyc"))
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    return tmp_path


def test_the_package_keeps_its_layers(tree):
    result = lint(tree)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 broken" in result.stdout


def test_a_lower_layer_importing_a_higher_one_is_refused(tree):
    with (tree / "keel/register/queries.py").open("a") as module:
        module.write("\nfrom keel.assessments.queries import latest_health  # noqa\n")
    result = lint(tree)
    assert result.returncode != 0
    assert "keel.register is not allowed to import keel.assessments" in result.stdout


def test_a_sibling_importing_another_is_refused(tree):
    with (tree / "keel/outcomes/queries.py").open("a") as module:
        module.write("\nfrom keel.activity import rules  # noqa\n")
    result = lint(tree)
    assert result.returncode != 0
    assert "keel.outcomes is not allowed to import keel.activity" in result.stdout
