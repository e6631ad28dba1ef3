"""The layering of evaluations/: no module-level import cycle, and models sit at the bottom.

A cycle between two modules only shows when one of them is imported first, so every module is
imported in a fresh interpreter twice: in alphabetical order and in reverse order."""

import ast
import pkgutil
import subprocess
import sys
from pathlib import Path

import pytest

import evaluations

from .factories import subprocess_env

ROOT = Path(evaluations.__file__).parent
IMPORT_ALL = """
import importlib, sys
import django
django.setup()
for name in sys.argv[1:]:
    importlib.import_module(name)
print("ok", len(sys.argv) - 1)
"""


def evaluations_modules():
    return sorted(
        info.name
        for info in pkgutil.walk_packages([str(ROOT)], prefix="evaluations.")
        if ".migrations." not in info.name
    )


@pytest.mark.parametrize("order", ["alphabetical", "reverse"])
def test_every_module_imports_in_a_fresh_interpreter_in_either_order(order):
    modules = evaluations_modules()
    if order == "reverse":
        modules.reverse()
    result = subprocess.run(
        [sys.executable, "-c", IMPORT_ALL, *modules],
        capture_output=True,
        text=True,
        env=subprocess_env(),
        cwd=ROOT.parent,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    assert result.stdout.strip() == f"ok {len(modules)}"


def test_the_module_list_covers_every_layer():
    # Guards the walk above: an empty list would make the import test pass without testing anything.
    modules = set(evaluations_modules())
    for name in ("roles", "access", "answering", "progress", "models.files", "forms.review", "views.results", "urls"):
        assert f"evaluations.{name}" in modules


def _evaluations_imports(path):
    """The evaluations modules a models module imports, as dotted names below evaluations."""
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom) and node.level >= 2:  # from .. import x / from ..x import y
            yield node.module or node.names[0].name
        elif isinstance(node, ast.ImportFrom) and (node.module or "").startswith("evaluations."):
            yield node.module.removeprefix("evaluations.")
        elif isinstance(node, ast.Import):
            yield from (a.name.removeprefix("evaluations.") for a in node.names if a.name.startswith("evaluations."))


@pytest.mark.parametrize("path", sorted((ROOT / "models").glob("*.py")), ids=lambda p: p.name)
def test_models_import_nothing_of_evaluations_but_other_models_and_scoring(path):
    # Models sit at the bottom: roles, access, forms, views and the rest are built on them. The two
    # Django-free scoring modules (the index's and the impact survey's) sit below them.
    allowed = {"models", "scoring", "survey_scoring"}
    assert [name for name in _evaluations_imports(path) if name.split(".")[0] not in allowed] == []
