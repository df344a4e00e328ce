"""Every cross-reference in the package's docstrings (``:mod:``, ``:func:``, ``:class:``, ``:meth:``,
``:data:``, ``:attr:``) names something importable.

A reference resolves as numpydoc/Sphinx would look it up: relative to the enclosing class, then to
the module (its own names and what it imports), then as a dotted path from the top (``~`` only
shortens the shown text; a leading ``.`` is relative to the module's package).
"""

from __future__ import annotations

import ast
import importlib
import re
from pathlib import Path

import crmreport

PACKAGE = Path(crmreport.__file__).parent
ROLE = re.compile(r":(mod|func|class|meth|data|attr):`([^`]+)`")


def _docstrings(tree: ast.Module):
    """(enclosing class names, docstring) of the module, its classes and functions."""
    def walk(node: ast.AST, classes: tuple[str, ...]):
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef):
                inner = (*classes, child.name) if isinstance(child, ast.ClassDef) else classes
                yield inner, ast.get_docstring(child) or ""
                yield from walk(child, inner)

    yield (), ast.get_docstring(tree) or ""
    yield from walk(tree, ())


def _attribute(base: object, dotted: str) -> bool:
    for part in dotted.split("."):
        if not hasattr(base, part):
            return False
        base = getattr(base, part)
    return True


def _absolute(dotted: str) -> bool:
    parts = dotted.split(".")
    for cut in range(len(parts), 0, -1):
        try:
            module = importlib.import_module(".".join(parts[:cut]))
        except ImportError:
            continue
        return _attribute(module, ".".join(parts[cut:])) if cut < len(parts) else True
    return False


def resolves(target: str, module_name: str, classes: tuple[str, ...]) -> bool:
    target = target.lstrip("~!")
    module = importlib.import_module(module_name)
    if target.startswith("."):
        package = module_name if module.__file__.endswith("__init__.py") else module_name.rsplit(".", 1)[0]
        return _absolute(package + target)
    for depth in range(len(classes), 0, -1):
        if _attribute(module, ".".join((*classes[:depth], target))):
            return True
    return _attribute(module, target) or _absolute(target)


def test_every_docstring_reference_resolves():
    broken = []
    for path in sorted(PACKAGE.rglob("*.py")):
        parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
        name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        for classes, text in _docstrings(ast.parse(path.read_text(encoding="utf-8"))):
            for role, target in ROLE.findall(text):
                if not resolves(target, name, classes):
                    broken.append(f"{path.relative_to(PACKAGE.parent)}: :{role}:`{target}`")
    assert broken == [], "\n".join(sorted(set(broken)))


def test_the_resolver_tells_good_from_stale_references():
    assert resolves("crmreport.core.results", "crmreport.analyses.summary.sources", ())
    assert resolves("~crmreport.reporting.render", "crmreport.run.runner", ())
    assert resolves("rows", "crmreport.analyses.summary.sources", ("Results",))
    assert resolves("ResultFile", "crmreport.analyses.summary.sources", ())  # imported into the module
    assert resolves(".sources", "crmreport.analyses.summary.headline", ())
    assert not resolves("crmreport.kpieval", "crmreport.measures.kpis", ())
    assert not resolves("rows", "crmreport.analyses.summary.sources", ())
