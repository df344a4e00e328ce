"""One look for every chart: a seaborn report theme, crisp PNGs and a font that can write Chinese."""

from __future__ import annotations

import logging
import os
from pathlib import Path

import matplotlib as mpl
import seaborn as sns
from matplotlib import font_manager, ft2font

from ..core.errors import ParamsError, RenderError
from ..core.i18n import LANGUAGES

logger = logging.getLogger("crmreport")

#: environment variable naming a font file to use for Chinese text (charts and PDF)
CJK_FONT_ENV = "CRMREPORT_CJK_FONT"
#: CJK families as matplotlib names them, best first
CJK_FONTS = (
    "Noto Sans CJK SC",
    "Noto Sans SC",
    "Source Han Sans SC",
    "Source Han Sans CN",
    "Noto Sans CJK JP",
    "Source Han Sans",
    "WenQuanYi Micro Hei",
    "WenQuanYi Zen Hei",
    "SimHei",
    "Microsoft YaHei",
    "PingFang SC",
)
#: Latin families for English charts; matplotlib falls back glyph by glyph along the list
LATIN_FONTS = ("DejaVu Sans", "Arial", "Liberation Sans")
#: one colour-blind-safe palette for every chart
PALETTE = "colorblind"
#: PNG resolution: sharp when a chart is scaled to the width of an A4 page
DPI = 150
MISSING_FONT_FIX = (
    f"install a CJK font: Debian/Ubuntu `sudo apt-get install fonts-noto-cjk`, or set {CJK_FONT_ENV}=/path/to/font.otf"
)


def cjk_font_available() -> str | None:
    """Return the family name of a font that can draw Chinese, or None.

    A font file named by ``CRMREPORT_CJK_FONT`` is registered with matplotlib and wins;
    otherwise the first installed family of ``CJK_FONTS``.

    Raises
    ------
    RenderError
        When ``CRMREPORT_CJK_FONT`` names a file that is missing or has no Chinese glyphs.
    """
    path = os.environ.get(CJK_FONT_ENV)
    if path:
        return _register_font(Path(path))
    installed = {font.name for font in font_manager.fontManager.ttflist}
    return next((name for name in CJK_FONTS if name in installed), None)


def setup_plotting(language: str = "en") -> None:
    """Set the report look for matplotlib and seaborn; call once at the top of a notebook.

    White-grid seaborn theme with a colour-blind-safe palette, 150 dpi PNG output (also for the
    notebook's inline backend), 8 x 4.5 inch figures, and a font stack with a CJK family so
    Chinese labels and customer names render; minus signs use ASCII so CJK fonts can draw them.

    Parameters
    ----------
    language : {'en', 'zh'}
        Report language; 'zh' puts the CJK font first and requires one.

    Raises
    ------
    RenderError
        When ``language`` is 'zh' and no CJK font is installed or configured.
    """
    if language not in LANGUAGES:
        raise ParamsError(f"report language {language!r} is not supported; use one of {', '.join(LANGUAGES)}")
    cjk = cjk_font_available()
    if cjk is None and language == "zh":
        raise RenderError(f"no font for Chinese chart labels was found; {MISSING_FONT_FIX}")
    if cjk is None:
        logger.debug("no CJK font found; Chinese text in English charts will show as boxes (%s)", MISSING_FONT_FIX)
    families = [cjk, *LATIN_FONTS] if language == "zh" else [*LATIN_FONTS, cjk]
    sns.set_theme(context="notebook", style="whitegrid", palette=PALETTE)
    mpl.rcParams.update(
        {
            "font.family": "sans-serif",
            "font.sans-serif": [name for name in families if name],
            "axes.unicode_minus": False,
            "axes.formatter.limits": (-9, 12),  # plain 12000000, not 1.2 with a 1e7 offset
            "axes.formatter.useoffset": False,
            "axes.titleweight": "bold",
            "axes.titlesize": 13,
            "figure.figsize": (8, 4.5),
            "figure.dpi": DPI,
            "savefig.dpi": DPI,
            "savefig.format": "png",
            "savefig.bbox": "tight",
            "figure.facecolor": "white",
            "savefig.facecolor": "white",
        }
    )
    _inline_png()


def _register_font(path: Path) -> str:
    """Register a font file with matplotlib and return its family name."""
    if not path.is_file():
        raise RenderError(f"{CJK_FONT_ENV}={path} is not a file; point it at a .otf/.ttf/.ttc font or unset it")
    try:
        font = ft2font.FT2Font(str(path))
    except (OSError, RuntimeError) as exc:
        raise RenderError(
            f"{CJK_FONT_ENV}={path} is not a readable font file ({exc}); fix the path or unset it"
        ) from exc
    if font.get_char_index(ord("中")) == 0:
        raise RenderError(f"{CJK_FONT_ENV}={path} has no Chinese glyphs; choose a CJK font such as Noto Sans CJK SC")
    if all(known.fname != str(path) for known in font_manager.fontManager.ttflist):
        font_manager.fontManager.addfont(str(path))
    return font_manager.FontProperties(fname=str(path)).get_name()


def _inline_png() -> None:
    """Ask a running notebook's inline backend for PNG, which the HTML and PDF embed as base64."""
    from IPython import get_ipython

    if get_ipython() is None:
        return
    from matplotlib_inline.backend_inline import set_matplotlib_formats

    set_matplotlib_formats("png")
