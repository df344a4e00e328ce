"""Regenerate the README's screenshot, docs/img/report-page.png, from the current demo report.

Renders notebook 01 of the demo period to PDF (embedded demo data, English) in a temporary
folder, finds the page that shows the row accounting and the customer base, and writes it as
PNG with pdftoppm (poppler-utils). Run it after any change to the report's look::

    python scripts/readme_screenshot.py            # or: make readme-image
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TARGET = ROOT / "docs" / "img" / "report-page.png"
#: the page shown is the first one holding all of these texts
PAGE_TEXTS = ("Row accounting", "rows were read from", "Customer base")
RESOLUTION = 70


def page_with(pdf: Path, texts: tuple[str, ...]) -> int:
    """The 1-based number of the first page of ``pdf`` holding every text of ``texts``."""
    pages = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True,
                           check=True).stdout.split("\f")
    for number, page in enumerate(pages, start=1):
        if all(text in page for text in texts):
            return number
    raise SystemExit(f"no page of {pdf.name} shows {', '.join(texts)}; update PAGE_TEXTS in {Path(__file__).name}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=TARGET, help=f"PNG to write (default: {TARGET.relative_to(ROOT)})")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="crmreport-screenshot-") as folder:
        reports = Path(folder)
        subprocess.run([sys.executable, "-m", "crmreport.cli", "run", "--period", "2025Q3", "--demo",
                        "--only", "01_profiling", "--format", "pdf", "--language", "en", "--out", str(reports)],
                       cwd=ROOT, check=True, capture_output=True)
        pdf = next(reports.glob("2025Q3/01_*.pdf"))
        number = page_with(pdf, PAGE_TEXTS)
        stem = reports / "page"
        subprocess.run(["pdftoppm", "-r", str(RESOLUTION), "-png", "-singlefile", "-f", str(number), "-l", str(number),
                        str(pdf), str(stem)], check=True)
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_bytes(stem.with_suffix(".png").read_bytes())
    print(f"wrote {args.out} (page {number} of {pdf.name})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
