"""The layers of ARCHITECTURE.md hold: `lint-imports` keeps the contracts of `.importlinter` (and fails when one
is broken), ARCHITECTURE.md names the same layers, and the import graph has no new cycle (function-level
imports included: they hide a cycle, they do not remove it)."""
from __future__ import annotations

import ast
import configparser
import os
import shutil
import subprocess
import sys
from collections import defaultdict
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")

def lint_imports(root: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(root)}
    return subprocess.run([str(LINT_IMPORTS), "--no-cache"], cwd=root, env=env, capture_output=True, text=True,
                          timeout=600)


def test_lint_imports_keeps_every_contract():
    result = lint_imports(ROOT)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 broken" in result.stdout


@pytest.mark.parametrize("planted, source, expected", [
    ("tracker/common/planted.py", "from tracker.tasks.models import Task\n",
     "tracker.common.planted -> tracker.tasks.models"),  # the ground imports a domain
    ("tracker/units/planted.py", "def later():\n    from tracker.supervision.services import assign_task\n",
     "tracker.units.planted -> tracker.supervision.services"),  # a domain imports one above it, in a function
    ("tracker/plans/models_planted.py", "import tracker.pages.reports\n",
     "tracker.plans.models_planted -> tracker.pages.reports"),  # a model reads a page (pages are the top layer)
])
def test_lint_imports_fails_on_a_forbidden_import(tmp_path, planted, source, expected):
    shutil.copytree(ROOT / "tracker", tmp_path / "tracker",
                    ignore=shutil.ignore_patterns("__pycache__", "static", "translations"))
    shutil.copy(ROOT / ".importlinter", tmp_path / ".importlinter")
    assert lint_imports(tmp_path).returncode == 0  # the copy keeps the contracts, as the tree does
    (tmp_path / planted).write_text(source)
    result = lint_imports(tmp_path)
    assert result.returncode != 0
    assert "BROKEN" in result.stdout and expected in result.stdout, result.stdout


def import_graph() -> dict[str, set[str]]:
    """{module: tracker modules it imports}, every import statement in the file (in functions too)."""
    modules = {}
    for path in (ROOT / "tracker").rglob("*.py"):
        name = ".".join(path.relative_to(ROOT).with_suffix("").parts)
        modules[name.removesuffix(".__init__")] = path
    edges: dict[str, set[str]] = defaultdict(set)
    for name, path in modules.items():
        package = name if path.name == "__init__.py" else name.rpartition(".")[0]
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            targets = []
            if isinstance(node, ast.Import):
                targets = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                base = node.module or ""
                if node.level:
                    parts = package.split(".")[:len(package.split(".")) - node.level + 1]
                    base = ".".join(parts + ([base] if base else []))
                targets = [base] + [f"{base}.{alias.name}" for alias in node.names]
            edges[name].update(target for target in targets if target in modules and target != name)
    return edges


def cycles(edges: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components of more than one node (Tarjan), each sorted."""
    index, low, stack, on_stack, found, counter = {}, {}, [], set(), [], [0]

    def visit(node):
        index[node] = low[node] = counter[0]
        counter[0] += 1
        stack.append(node)
        on_stack.add(node)
        for other in sorted(edges.get(node, ())):
            if other not in index:
                visit(other)
                low[node] = min(low[node], low[other])
            elif other in on_stack:
                low[node] = min(low[node], index[other])
        if low[node] == index[node]:
            component = []
            while True:
                other = stack.pop()
                on_stack.discard(other)
                component.append(other)
                if other == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    limit = sys.getrecursionlimit()
    sys.setrecursionlimit(max(limit, 10_000))
    try:
        for node in sorted(set(edges) | {target for targets in edges.values() for target in targets}):
            if node not in index:
                visit(node)
    finally:
        sys.setrecursionlimit(limit)
    return found


def domain_of(module: str) -> str:
    return module.split(".")[1] if module.count(".") >= 1 else module


def test_cycle_finder_finds_a_cycle_and_names_it():
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
    assert cycles({"a": {"b"}, "b": set()}) == []


def test_no_import_cycle_among_modules():
    found = cycles(import_graph())
    assert not found, f"import cycle(s) found: {' ; '.join(' <-> '.join(cycle) for cycle in found)}"


def domain_graph() -> dict[str, set[str]]:
    """The domain folders (tracker/<folder>/, the pages folder among them) and which ones each imports."""
    domain_edges: dict[str, set[str]] = defaultdict(set)
    for module, targets in import_graph().items():
        for target in targets:
            if domain_of(module) != domain_of(target) and module.count(".") and target.count("."):
                domain_edges[domain_of(module)].add(domain_of(target))
    return domain_edges


def test_no_import_cycle_among_domain_folders():
    found = cycles(domain_graph())
    assert not found, f"domain folders in a cycle: {' ; '.join(' <-> '.join(cycle) for cycle in found)}"


def test_the_domain_folders_graph_sees_a_planted_cycle():
    edges = domain_graph()
    assert "pages" in edges and "tasks" in edges["pages"]  # the walk reads every folder, pages included
    edges["tasks"].add("pages")  # a task module reading a page
    assert any({"pages", "tasks"} <= set(cycle) for cycle in cycles(edges))


def contract_layers() -> list[str]:
    config = configparser.ConfigParser()
    config.read(ROOT / ".importlinter", encoding="utf-8")
    return [line.strip() for line in config["importlinter:contract:layers"]["layers"].splitlines() if line.strip()]


def test_architecture_md_names_the_contracts_layers():
    text = (ROOT / "ARCHITECTURE.md").read_text(encoding="utf-8")
    section = text.split("## The layers", 1)[1]
    block = section.split("```", 2)[1]
    assert [line.strip() for line in block.splitlines() if line.strip()] == contract_layers()


def test_every_domain_folder_has_a_layer():
    layered = {name.strip().removeprefix("tracker.") for line in contract_layers()
               for name in line.replace("|", ":").split(":")}
    folders = {path.parent.name for path in (ROOT / "tracker").glob("*/__init__.py")}
    assert folders == layered, f"without a layer: {sorted(folders - layered)}; gone: {sorted(layered - folders)}"
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "ARCHITECTURE.md" in readme
