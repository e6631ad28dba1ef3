"""The layering of evaluations/ and pillars/: no import cycle, models at the bottom, views that
leave writing to the rules.

A module-level cycle between two modules only shows when one of them is imported first, so every
module is imported in a fresh interpreter twice: in alphabetical order and in reverse order. A cycle
hidden in a function (an import there, or a module named to import_string / import_module) never
shows at import time, so the static graph below reads every import statement and every such name
from the source and fails on any cycle at all.

A view checks access, reads, calls a rule and renders (DESIGN §3): the writing itself (a transaction,
rows created or updated in bulk, a queryset updated or deleted) lives in the topic's rules module
(evaluations/<topic>.py) or on the model, where every other caller finds it too."""

import ast
import pkgutil
import subprocess
import sys
from pathlib import Path

import pytest

import evaluations

from .factories import subprocess_env

ROOT = Path(evaluations.__file__).parent
PACKAGES = ("evaluations", "pillars")
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
    for name in ("roles", "access", "answering", "completion", "models.files", "forms.review", "views.results", "urls"):
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
    # Models sit at the bottom: roles, access, forms, views and the rest are built on them. The
    # Django-free modules sit below them: the two scoring modules (the index's and the impact
    # survey's) and the permission names.
    allowed = {"models", "scoring", "survey_scoring", "permissions"}
    assert [name for name in _evaluations_imports(path) if name.split(".")[0] not in allowed] == []


# --- the static import graph ------------------------------------------------------------------
def _source_modules():
    """{dotted name: path} of every module of evaluations/ and pillars/ but their migrations."""
    modules = {}
    for package in PACKAGES:
        base = ROOT.parent / package
        for path in base.rglob("*.py"):
            parts = path.relative_to(ROOT.parent).with_suffix("").parts
            if "migrations" in parts:
                continue
            name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
            modules[name] = path
    return modules


def _resolve(name, modules):
    """The module `name` denotes: itself, or the module that defines it (a.b.function -> a.b)."""
    while name and name not in modules:
        name = name.rpartition(".")[0]
    return name or None


def _imported_names(module, path):
    """Every dotted name `module` imports, anywhere in it (module level, functions, conditionals),
    with the line: import statements, and the string given to import_string / import_module."""
    is_package = path.name == "__init__.py"
    package = module if is_package else module.rpartition(".")[0]
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield alias.name, node.lineno
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - (node.level - 1)]
                prefix = ".".join(base + ([node.module] if node.module else []))
            else:
                prefix = node.module
            yield prefix, node.lineno
            for alias in node.names:
                yield f"{prefix}.{alias.name}", node.lineno  # a submodule, when it is one
        elif isinstance(node, ast.Call):
            func = node.func
            called = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
            if called in ("import_string", "import_module", "__import__") and node.args:
                first = node.args[0]
                if isinstance(first, ast.Constant) and isinstance(first.value, str):
                    yield first.value, node.lineno


def import_graph():
    """{module: {imported module: first line}} over evaluations/ and pillars/. Importing a.b.c
    also runs the packages a and a.b, except those the importer is itself inside (they are
    already being imported when it runs)."""
    modules = _source_modules()
    graph = {name: {} for name in modules}
    for module, path in modules.items():
        for name, line in _imported_names(module, path):
            target = _resolve(name, modules)
            if target is None:
                continue
            parts = target.split(".")
            for depth in range(1, len(parts) + 1):
                imported = ".".join(parts[:depth])
                inside = module == imported or module.startswith(imported + ".")
                if imported in modules and not inside:
                    graph[module].setdefault(imported, line)
    return graph


def find_cycles(graph):
    """Each cycle of `graph` once, as [a, b, ..., a] (Tarjan's strongly connected components, then
    one shortest cycle through each component's first module)."""
    index, low, stack, on_stack, components = {}, {}, [], set(), []

    def connect(node):
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for nxt in graph.get(node, ()):
            if nxt not in index:
                connect(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1 or node in graph.get(node, ()):
                components.append(set(component))

    for node in sorted(graph):
        if node not in index:
            connect(node)
    return [_shortest_cycle(graph, component) for component in components]


def _shortest_cycle(graph, component):
    start = min(component)
    paths = {start: [start]}
    queue = [start]
    for node in queue:
        for nxt in sorted(graph.get(node, ())):
            if nxt == start:
                return [*paths[node], start]
            if nxt in component and nxt not in paths:
                paths[nxt] = [*paths[node], nxt]
                queue.append(nxt)
    raise AssertionError(f"no cycle through {start}")


def _describe(graph, cycle):
    return " -> ".join(f"{a} (line {graph[a][b]})" for a, b in zip(cycle, cycle[1:], strict=False)) + f" -> {cycle[-1]}"


def test_nothing_imports_in_a_cycle_not_even_inside_a_function():
    graph = import_graph()
    cycles = [_describe(graph, cycle) for cycle in find_cycles(graph)]
    assert cycles == [], "Import cycles:\n" + "\n".join(cycles)


def test_the_import_graph_sees_imports_inside_functions_and_named_modules():
    # Guards the graph above: an import in a function (the app's ready()) and a relative import of
    # a submodule are edges, and a cycle is found and named.
    graph = import_graph()
    assert "evaluations.tasks" in graph["evaluations.apps"]
    assert "evaluations.models.jobs" in graph["evaluations.tasks"] or "evaluations.models" in graph["evaluations.tasks"]
    assert "pillars.models" in graph["evaluations.models.surveys"]
    assert find_cycles({"a": {"b": 1}, "b": {"c": 2}, "c": {"a": 3}, "d": {"a": 4}}) == [["a", "b", "c", "a"]]
    assert find_cycles({"a": {"a": 1}}) == [["a", "a"]]


def test_a_module_named_to_import_string_is_an_edge(tmp_path):
    path = tmp_path / "seam.py"
    path.write_text('from django.utils.module_loading import import_string\n\ndef f():\n    import_string("x.y.z")\n')
    assert ("x.y.z", 4) in set(_imported_names("pkg.seam", path))


# --- views do not write ------------------------------------------------------------------------
VIEW_MODULES = sorted((ROOT / "views").glob("*.py")) + [ROOT.parent / "pillars" / "views.py"]
# Only managers and querysets have these: any call of them writes rows.
BULK_WRITES = {"get_or_create", "update_or_create", "bulk_create", "bulk_update"}
# Writes on a manager or a queryset (on other objects these names mean other things: dict.update).
QUERYSET_WRITES = {"create", "update", "delete"}
# Calls that make a queryset of a manager or of another queryset.
QUERYSET_METHODS = {
    "all",
    "filter",
    "exclude",
    "select_related",
    "prefetch_related",
    "annotate",
    "order_by",
    "distinct",
    "select_for_update",
    "only",
    "defer",
    "none",
    "using",
}


def _is_queryset(node, querysets):
    """Whether an expression is a manager or a queryset: it goes through `.objects`, calls a
    queryset method, or is a name bound to one of these earlier in the module."""
    while True:
        if isinstance(node, ast.Name):
            return node.id in querysets
        if isinstance(node, ast.Attribute):
            if node.attr == "objects":
                return True
            node = node.value
        elif isinstance(node, ast.Call):
            if isinstance(node.func, ast.Attribute) and node.func.attr in QUERYSET_METHODS:
                return True
            node = node.func
        elif isinstance(node, ast.Subscript):
            node = node.value
        else:
            return False


def view_writes(path):
    """[(line, what)] of the database writes a view module makes itself."""
    tree = ast.parse(path.read_text(), filename=str(path))
    querysets = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Assign) and _is_queryset(node.value, querysets):
            querysets.update(t.id for t in node.targets if isinstance(t, ast.Name))
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and any(a.name == "transaction" for a in node.names):
            found.append((node.lineno, "imports transaction"))
        elif isinstance(node, ast.Import) and any(a.name.endswith(".transaction") for a in node.names):
            found.append((node.lineno, "imports transaction"))
        elif isinstance(node, ast.Attribute) and node.attr == "transaction":
            found.append((node.lineno, "uses transaction"))
        elif isinstance(node, ast.Name) and node.id == "transaction":
            found.append((node.lineno, "uses transaction"))
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
            method = node.func.attr
            if method in BULK_WRITES or (method in QUERYSET_WRITES and _is_queryset(node.func.value, querysets)):
                found.append((node.lineno, f".{method}()"))
    return sorted(set(found))


@pytest.mark.parametrize("path", VIEW_MODULES, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_a_view_module_leaves_writing_to_the_rules_and_the_models(path):
    # form.save() and model methods (submission.submit(by=...), upload.delete_by(...)) are how a
    # view changes data; a transaction or a queryset write in a view is a rule that other callers
    # (a command, a job, the admin) would have to copy.
    where = path.relative_to(ROOT.parent)
    writes = [f"{where}:{line}: {what}" for line, what in view_writes(path)]
    assert not writes, "A view writes to the database itself (move it to a rule or a model method):\n" + "\n".join(
        writes
    )


def test_the_view_check_sees_each_kind_of_write(tmp_path):
    # Guards the check above with one example of each write, and things that are no write.
    path = tmp_path / "views.py"
    path.write_text(
        "from django.db import transaction\n"
        "def v(request, answer):\n"
        "    Job.objects.create(kind='x')\n"
        "    qs = Answer.objects.filter(pk=1)\n"
        "    qs.update(value='')\n"
        "    answer.comments.filter(open=True).delete()\n"
        "    AnswerChange.objects.bulk_create([])\n"
        "    answer.tags.get_or_create(name='x')\n"
        "    context = {}\n"
        "    context.update(a=1)\n"
        "    upload.file.delete(save=False)\n"
        "    form.save()\n"
    )
    assert view_writes(path) == [
        (1, "imports transaction"),
        (3, ".create()"),
        (5, ".update()"),
        (6, ".delete()"),
        (7, ".bulk_create()"),
        (8, ".get_or_create()"),
    ]
