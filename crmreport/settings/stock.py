"""The stock notebooks and ``params/defaults.yaml`` that ship with crmreport, and the project's overrides.

A wheel carries copies in ``crmreport/stock/`` (made by ``setup.py`` at build time); a checkout (editable
install or ``PYTHONPATH``) uses its own top-level ``notebooks/`` and ``params/``, the source of truth.
A project folder's own ``notebooks/`` (any ``*.ipynb`` in it) replaces the stock notebooks as a whole,
and its ``params/defaults.yaml`` replaces the stock defaults.
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path

from ..core.errors import CrmReportError

DEFAULTS = Path("params") / "defaults.yaml"
NOTEBOOKS = Path("notebooks")


def stock_dir() -> Path:
    """The folder holding the shipped ``notebooks/`` and ``params/defaults.yaml``.

    Raises
    ------
    CrmReportError
        When neither the installed package nor a checkout around it has them (a broken install).
    """
    packaged = Path(str(resources.files("crmreport").joinpath("stock")))
    checkout = Path(__file__).resolve().parents[2]
    for folder in (packaged, checkout):
        if (folder / DEFAULTS).is_file() and any((folder / NOTEBOOKS).glob("*.ipynb")):
            return folder
    raise CrmReportError(f"this crmreport installation lacks its stock notebooks and params (looked in {packaged} "
                         f"and {checkout}); reinstall it with `pip install crmreport` or from a checkout")


def stock_defaults() -> Path:
    """The shipped ``params/defaults.yaml``."""
    return stock_dir() / DEFAULTS


def stock_notebooks() -> Path:
    """The folder of the shipped notebooks."""
    return stock_dir() / NOTEBOOKS


def notebooks_folder(project: Path | None) -> Path:
    """The project's ``notebooks/`` when it holds notebooks, else the stock notebooks."""
    if project is not None and any((project / NOTEBOOKS).glob("*.ipynb")):
        return project / NOTEBOOKS
    return stock_notebooks()


def defaults_file(project: Path | None) -> Path:
    """The project's ``params/defaults.yaml`` when it exists, else the stock one."""
    if project is not None and (project / DEFAULTS).is_file():
        return project / DEFAULTS
    return stock_defaults()
