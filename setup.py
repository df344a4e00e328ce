"""Build step: ship the stock notebooks and ``params/defaults.yaml`` inside the wheel.

The checkout's top-level ``notebooks/`` and ``params/`` stay the source of truth; building a wheel
copies them into ``crmreport/stock/`` so an installed crmreport runs outside a checkout. An editable
install copies nothing: ``crmreport.settings.stock`` finds them in the checkout itself.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

HERE = Path(__file__).resolve().parent
#: folder of the checkout -> the files of it that ship
STOCK: dict[str, str] = {"notebooks": "*.ipynb", "params": "defaults.yaml"}


def copy_stock(checkout: Path, package: Path) -> list[Path]:
    """Copy the stock notebooks and defaults from ``checkout`` into ``package/stock``; return the copies."""
    copied = []
    for folder, pattern in STOCK.items():
        sources = sorted((checkout / folder).glob(pattern))
        if not sources:
            raise FileNotFoundError(f"no {folder}/{pattern} in {checkout}: the wheel would ship without them")
        target = package / "stock" / folder
        target.mkdir(parents=True, exist_ok=True)
        for source in sources:
            copied.append(Path(shutil.copy2(source, target / source.name)))
    return copied


class BuildWithStock(build_py):
    """``build_py`` that also copies the stock notebooks and params into the built package."""

    def run(self) -> None:
        super().run()
        if not getattr(self, "editable_mode", False):
            copy_stock(HERE, Path(self.build_lib) / "crmreport")


if __name__ == "__main__":
    setup(cmdclass={"build_py": BuildWithStock})
