"""The package's import graph: no circle, and every import in the documented direction.

Every ``import``/``from ... import`` of an aekit module is read from the source (those inside
functions too: a lazy import is still a dependency), so the test sees what Python would load.
The direction is the one ``docs/design.md`` states; this table is its executable form.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

import aekit

PACKAGE = Path(aekit.__file__).parent

# Lower ranks never import higher ones; parts of the same rank do not import each other.
RANKS = {
    "errors": 0, "metrics": 0.5,                   # leaves anyone may use (metrics words its errors)
    "layers": 1, "datasets": 1,                    # datasets never imports train (or anything above errors)
    "models": 2,
    "losses": 3, "contractive": 3, "noise": 3, "likelihood": 3,  # the torch core
    "tables": 3.5,                                 # mixed-type tables: encoder + per-column loss (an Objective)
    "train": 4,
    "estimators": 5,
    "io": 6, "apps": 6, "export": 6,               # export: a fitted estimator -> ONNX (estimators below it)
    "web": 6.25,                                   # the latent explorer: apps below it, the facade re-exports explore
    "aekit": 6.5,                                  # the public facade, aekit/__init__.py
    "plots": 7,
    "recipes": 8,
    "cli": 9, "__main__": 10,
}  # fmt: skip


def _module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES = {_module_name(p): p for p in PACKAGE.rglob("*.py")}


def _imports(name: str, path: Path) -> set[str]:
    """The aekit modules that module ``name`` imports, anywhere in its source."""
    found = set()
    is_package = path.name == "__init__.py"
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names if alias.name.split(".")[0] == "aekit"}
        elif isinstance(node, ast.ImportFrom):
            if node.level:  # relative: resolve against this module's package
                base = name.split(".")[: len(name.split(".")) - node.level + (1 if is_package else 0)]
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module or ""
            if target.split(".")[0] != "aekit":
                continue
            found.add(target)
            found |= {f"{target}.{alias.name}" for alias in node.names if f"{target}.{alias.name}" in MODULES}
    return {m for m in found if m in MODULES and m != name}


GRAPH = {name: _imports(name, path) for name, path in MODULES.items()}


def _component(module: str) -> str:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else "aekit"


def test_every_part_of_the_package_has_a_rank():
    assert {_component(m) for m in MODULES} <= set(RANKS), "add the new part to RANKS and to docs/design.md"


def test_no_import_circle():
    state: dict[str, int] = {}  # 1: on the current path, 2: done
    stack: list[str] = []

    def visit(module: str) -> None:
        state[module] = 1
        stack.append(module)
        for target in sorted(GRAPH[module]):
            if state.get(target) == 1:
                circle = stack[stack.index(target):] + [target]
                pytest.fail("import circle: " + " -> ".join(circle))
            if target not in state:
                visit(target)
        stack.pop()
        state[module] = 2

    for module in sorted(GRAPH):
        if module not in state:
            visit(module)


def test_imports_follow_the_documented_direction():
    wrong = []
    for module, targets in GRAPH.items():
        for target in targets:
            a, b = _component(module), _component(target)
            if a != b and RANKS[b] >= RANKS[a]:
                wrong.append(f"{module} imports {target} ({a} rank {RANKS[a]} -> {b} rank {RANKS[b]})")
    assert not wrong, "imports against the direction of docs/design.md:\n" + "\n".join(sorted(wrong))


def test_the_walk_sees_lazy_and_package_imports():
    assert "aekit.estimators.checks" in GRAPH["aekit.estimators.build"]
    assert "aekit.recipes.figures" in GRAPH["aekit.recipes.runner"]  # imported inside run_recipe
