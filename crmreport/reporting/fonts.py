"""The report's two named fonts: one Latin, one Chinese, the same in charts, HTML and PDF.

Layout must not depend on whatever fonts a machine happens to have, so every output names
exactly these families (no generic fallback): DejaVu Sans for Latin text and Noto Sans CJK SC
for Chinese. ``scripts/install-system-deps.sh`` installs them (Debian packages
``fonts-dejavu-core`` and ``fonts-noto-cjk``); a font file named by ``CRMREPORT_CJK_FONT``
replaces the Chinese family. ``manifest.json`` records the files (:func:`font_files`).
"""

from __future__ import annotations

import os
import shutil
import subprocess
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from ..core.errors import RenderError

#: Latin family of every report, and the Debian package that installs it
LATIN_FAMILY = "DejaVu Sans"
#: Chinese family of every report (its Latin glyphs serve Chinese reports), and its package
CJK_FAMILY = "Noto Sans CJK SC"
PACKAGES = {LATIN_FAMILY: "fonts-dejavu-core", CJK_FAMILY: "fonts-noto-cjk"}
#: the styles the reports use (headings and table headers are bold)
STYLES = ("Regular", "Bold")
#: environment variable naming a font file to use for Chinese text (charts and PDF)
CJK_FONT_ENV = "CRMREPORT_CJK_FONT"
#: the family name the CSS gives a ``CRMREPORT_CJK_FONT`` file
CUSTOM_CJK_FAMILY = "crmreport CJK"
INSTALL_FIX = "run `sh scripts/install-system-deps.sh` (Debian/Ubuntu: `sudo apt-get install {package}`)"


@dataclass(frozen=True)
class FontFace:
    """One installed face of a named family: its style, file and index in a font collection."""

    family: str
    style: str
    file: str
    index: int


def cjk_override() -> Path | None:
    """The font file ``CRMREPORT_CJK_FONT`` names, or None when it is unset."""
    path = os.environ.get(CJK_FONT_ENV)
    return Path(path).resolve() if path else None


@cache
def font_face(family: str, style: str = "Regular") -> FontFace:
    """The installed file of ``family`` in ``style``, as fontconfig resolves it for WeasyPrint.

    Raises
    ------
    RenderError
        When the family is not installed (fontconfig would substitute another one).
    """
    fix = INSTALL_FIX.format(package=PACKAGES.get(family, "the font"))
    if shutil.which("fc-match") is None:
        raise RenderError(f"fontconfig (fc-match) is missing, so the report fonts cannot be found; {fix}")
    done = subprocess.run(["fc-match", "--format=%{family}\t%{file}\t%{index}", f"{family}:style={style}"],
                          capture_output=True, text=True, timeout=30)
    found, file, index = (done.stdout.split("\t") + ["", "", "0"])[:3]
    if done.returncode != 0 or family not in found.split(","):
        raise RenderError(f"the report font {family!r} is not installed; {fix}")
    return FontFace(family, style, file, int(index or 0))


def font_faces() -> list[FontFace]:
    """Every face the reports use: both families in every style of :data:`STYLES`."""
    return [font_face(family, style) for family in (LATIN_FAMILY, CJK_FAMILY) for style in STYLES]


def font_files() -> list[str]:
    """The font files the reports are drawn with, for ``manifest.json``."""
    files = {face.file for face in font_faces()}
    override = cjk_override()
    return sorted(files | {str(override)} if override else files)


def font_stack(language: str, css: bool = False) -> list[str]:
    """The families in the order a text in ``language`` uses them: Chinese first for 'zh', Latin first else.

    ``css`` names a ``CRMREPORT_CJK_FONT`` file by its ``@font-face`` family.
    """
    cjk = [CUSTOM_CJK_FAMILY] if css and cjk_override() else [CJK_FAMILY]
    return [*cjk, LATIN_FAMILY] if language == "zh" else [LATIN_FAMILY, *cjk]
