"""The package follows the data flow: every import points down the flow or stays in its folder, no circles.

``LAYERS`` is the one place the allowed order is written (docs/architecture.md explains it). A
module's layer is its first folder under ``crmreport/`` (or its own name for the top-level
modules). It may import modules of its own layer or of layers listed before it. Imports inside
functions count too: a lazy import is still a dependency.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

import crmreport

#: bottom to top, in the order of the data flow
LAYERS: tuple[str, ...] = ("core", "settings", "stats", "demo", "engine", "ingest", "measures", "analyses", "reporting",
                           "run", "cli", "__init__")
PACKAGE = Path(crmreport.__file__).parent
MAX_LINES = 320


def _module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imports(path: Path) -> set[str]:
    """Absolute names of the crmreport modules (or packages) ``path`` imports."""
    return _imports_of(path.read_text(encoding="utf-8"), _module_name(path), path.stem == "__init__")


def _imports_of(source: str, name: str, is_package: bool) -> set[str]:
    package = name if is_package else name.rsplit(".", 1)[0]
    found = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module or ""
            if target.startswith("crmreport"):
                found.update(_resolve(target, alias.name) for alias in node.names)
        elif isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names if alias.name.startswith("crmreport"))
    return found


def _resolve(target: str, name: str) -> str:
    """``from target import name``: the submodule when ``name`` is one, else ``target``."""
    candidate = f"{target}.{name}"
    folder = PACKAGE.parent.joinpath(*candidate.split("."))
    return candidate if folder.with_suffix(".py").is_file() or (folder / "__init__.py").is_file() else target


def _layer(module: str) -> str:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else "__init__"


def _graph() -> dict[str, set[str]]:
    return {_module_name(path): _imports(path) for path in sorted(PACKAGE.rglob("*.py"))}


def test_every_layer_is_listed():
    assert {_layer(module) for module in _graph()} <= set(LAYERS)


def _upward(graph: dict[str, set[str]]) -> list[str]:
    upward = []
    for module, targets in graph.items():
        rank = LAYERS.index(_layer(module))
        for target in targets:
            if target != "crmreport" and LAYERS.index(_layer(target)) > rank:
                upward.append(f"{module} imports {target} ({_layer(target)} is above {_layer(module)})")
    return upward


def test_imports_point_down_the_flow():
    upward = _upward(_graph())
    assert not upward, "\n".join(upward)


def test_no_import_circles():
    graph = {module: {t for t in targets if t in _graph_modules()} for module, targets in _graph().items()}
    state: dict[str, int] = {}
    cycles = []

    def visit(module: str, stack: list[str]) -> None:
        state[module] = 1
        for target in sorted(graph.get(module, ())):
            if target == module or target.startswith(module + "."):
                continue  # a package's __init__ re-exporting its own modules
            if state.get(target) == 1:
                cycles.append(" -> ".join([*stack[stack.index(target):], target]))
            elif target not in state:
                visit(target, [*stack, target])
        state[module] = 2

    for module in sorted(graph):
        if module not in state:
            visit(module, [module])
    assert not cycles, "import circles:\n" + "\n".join(cycles)


def _graph_modules() -> set[str]:
    return {_module_name(path) for path in PACKAGE.rglob("*.py")}


@pytest.mark.parametrize("path", sorted(PACKAGE.rglob("*.py")), ids=lambda p: str(p.relative_to(PACKAGE)))
def test_modules_stay_short(path: Path):
    lines = len(path.read_text(encoding="utf-8").splitlines())
    assert lines <= MAX_LINES, f"{path.relative_to(PACKAGE)} has {lines} lines; split it by concern"


def test_the_checker_sees_an_upward_import():
    """Guards the checker: a statistics module importing reporting, lazily, is reported."""
    source = "def f():\n    from ..reporting import report\n    from . import abtest\n"
    imports = _imports_of(source, "crmreport.stats.fake", is_package=False)
    assert imports == {"crmreport.reporting.report", "crmreport.stats.abtest"}
    assert _upward({"crmreport.stats.fake": imports}) == [
        "crmreport.stats.fake imports crmreport.reporting.report (reporting is above stats)"]
