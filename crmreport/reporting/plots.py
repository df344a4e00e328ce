"""One look for every chart: a seaborn report theme, crisp PNGs, the report's named fonts and readable numbers."""

from __future__ import annotations

import logging
import math
import textwrap
from pathlib import Path

import matplotlib as mpl
import matplotlib.pyplot as plt
import numpy as np
import seaborn as sns
from matplotlib import font_manager, ft2font, ticker

from ..core.errors import ParamsError, RenderError
from ..core.i18n import LANGUAGES
from .fonts import CJK_FAMILY, CJK_FONT_ENV, cjk_override, font_stack
from .printsize import readable_text

logger = logging.getLogger("crmreport")

#: one colour-blind-safe palette for every chart
PALETTE = "colorblind"
#: PNG resolution: sharp when a chart is scaled to the width of an A4 page
DPI = 150
MISSING_FONT_FIX = (
    f"install a CJK font: Debian/Ubuntu `sudo apt-get install fonts-noto-cjk`, or set {CJK_FONT_ENV}=/path/to/font.otf"
)
#: big numbers on axes: (threshold, divisor, suffix) per language, largest first
UNITS = {"en": ((1e9, 1e9, "B"), (1e6, 1e6, "M")), "zh": ((1e8, 1e8, "亿"), (1e4, 1e4, "万"))}
#: a log axis whose largest tick reaches this writes every tick in its unit (Chinese: 0.01万, 0.1万, 1万, 10万),
#: so one axis never mixes 100, 1,000 and 1万
LOG_UNITS = {"zh": (1e4, 1e4, "万")}


def cjk_font_available() -> str | None:
    """Return the family name of a font that can draw Chinese, or None.

    A font file named by ``CRMREPORT_CJK_FONT`` is registered with matplotlib and wins;
    otherwise the report's named family :data:`~crmreport.reporting.fonts.CJK_FAMILY` when installed.

    Raises
    ------
    RenderError
        When ``CRMREPORT_CJK_FONT`` names a file that is missing or has no Chinese glyphs.
    """
    path = cjk_override()
    if path:
        return _register_font(path)
    installed = {font.name for font in font_manager.fontManager.ttflist}
    return CJK_FAMILY if CJK_FAMILY in installed else None


def setup_plotting(language: str = "en") -> None:
    """Set the report look for matplotlib and seaborn; call once at the top of a notebook.

    White-grid seaborn theme with a colour-blind-safe palette, 150 dpi PNG output (also for the
    notebook's inline backend), 8 x 4.5 inch figures, and the report's two families as the font
    family list itself: matplotlib falls back glyph by glyph only along such a list (not through
    the generic ``sans-serif`` alias), so a Chinese staff name in an English chart is drawn by the
    CJK family instead of becoming a box. Minus signs use ASCII so CJK fonts can draw them.

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
    families = [cjk if name == CJK_FAMILY else name for name in font_stack(language)]
    sns.set_theme(context="notebook", style="whitegrid", palette=PALETTE)
    mpl.rcParams.update(
        {
            "font.family": [name for name in families if name],
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


class ReadableNumbers(ticker.Formatter):
    """Axis numbers a manager reads at a glance: thousands separators, and units for big numbers.

    12500000 reads '12.5M' in English and '1,250万' in Chinese; 12500 reads '12,500'. All ticks of
    a linear axis share one unit and the fewest decimals that write each of them exactly; on a log axis each
    tick picks its own unit in English, while a Chinese one writes all in 万 (:data:`LOG_UNITS`).
    """

    def __init__(self, language: str = "en", per_tick: bool = False):
        self.units = UNITS.get(language, UNITS["en"])
        self.log_unit = LOG_UNITS.get(language)
        self.per_tick = per_tick
        self.ticks: list[float] = []

    def set_locs(self, locs) -> None:
        """Remember the axis' tick positions shown (inside its view): they decide the shared unit and decimals, so
        a tick beyond the bars (1亿 over bars up to 7,421万) never puts the axis in another unit than its labels."""
        ticks = [float(v) for v in locs if math.isfinite(v)]
        low, high = sorted(self.axis.get_view_interval()) if self.axis is not None else (-math.inf, math.inf)
        slack = 1e-9 * max(abs(low), abs(high), 1.0) if math.isfinite(high - low) else 0.0
        self.ticks = [v for v in ticks if low - slack <= v <= high + slack] or ticks

    def __call__(self, x: float, pos: int | None = None) -> str:
        if float(x) == 0:
            return "0"
        ticks = [x] if self.per_tick or not self.ticks else self.ticks
        divisor, suffix = next(((d, s) for limit, d, s in self.units if max(map(abs, ticks)) >= limit), (1.0, ""))
        if self.per_tick and self.log_unit and self.ticks and max(map(abs, self.ticks)) >= self.log_unit[0]:
            value = x / self.log_unit[1]
            decimals = next((d for d in range(5) if abs(round(value, d) - value) < 1e-9 * max(1.0, abs(value))), 4)
            return f"{value:,.{decimals}f}{self.log_unit[2]}"
        if self.per_tick:
            return f"{x / divisor:,.1f}".rstrip("0").rstrip(".") + suffix
        scaled = [v / divisor for v in ticks]
        decimals = next((d for d in range(3) if all(abs(round(v, d) - v) < 1e-6 for v in scaled)), 3)
        return f"{x / divisor:,.{decimals}f}{suffix}"


def percent_axis(axis: mpl.axis.Axis, signed: bool = False) -> None:
    """Show the shares on ``axis`` (``ax.xaxis`` or ``ax.yaxis``) as whole percentages: 0.25 -> '25%'.

    ``signed`` writes changes with their sign ('+25%', '-10%').
    """
    shape = "{:+.0%}" if signed else "{:.0%}"
    axis.set_major_formatter(ticker.FuncFormatter(lambda value, _: shape.format(value)))


def error_bars(estimate: object, low: object, high: object) -> np.ndarray:
    """The ``xerr``/``yerr`` of matplotlib's ``errorbar``: distances from each estimate to its interval's ends.

    A distance is never negative (an end a rounding error inside its estimate) and an end that is
    missing or unbounded draws no bar on its side (0), so one open interval never breaks a chart.
    """
    estimate, low, high = (np.atleast_1d(np.asarray(values, dtype=float)) for values in (estimate, low, high))
    distances = np.array([estimate - low, high - estimate])
    return np.clip(np.nan_to_num(distances, nan=0.0, posinf=0.0, neginf=0.0), 0, None)


def readable_axes(figure: plt.Figure, language: str = "en") -> None:
    """Give every numeric axis of ``figure`` :class:`ReadableNumbers` (called by ``Report.figure`` for every chart).

    Axes that carry another formatter on purpose (dates, categories, percentages) keep it;
    the default ones (plain numbers, log-scale powers of ten) get thousands separators and units.
    No text prints below 7 points on the A4 page (:func:`~.printsize.readable_text`, measured on the chart as saved,
    a wide one being scaled down), checked again once legends and ticks have their final place.
    Horizontal category labels too wide for their slot are wrapped at spaces, so they never overlap.
    A legend never covers the data: one over bars, lines or points moves outside, to the right of the plot. The
    texts in a heatmap's cells (segment names in the nine-box) wrap to their cell's width, and a title
    wider than its axes (small panels) to the axes' width.
    """
    readable_text(figure)
    _legends_outside(figure)
    for ax in figure.axes:
        _wrap_tick_labels(ax)
        _wrap_cell_texts(ax)
        _wrap_title(ax)
        for axis in (ax.xaxis, ax.yaxis):
            formatter = axis.get_major_formatter()
            if type(formatter) is ticker.ScalarFormatter:
                axis.set_major_formatter(ReadableNumbers(language))
            elif isinstance(formatter, ticker.LogFormatter) and axis.get_scale() == "log":
                axis.set_major_formatter(ReadableNumbers(language, per_tick=True))
                axis.set_minor_formatter(ticker.NullFormatter())
    readable_text(figure)  # legends moved outside and wrapped labels change the chart's saved size
    for ax in (ax for ax in figure.axes if ax.get_xscale() == "log"):
        figure.tight_layout()  # the final widths (a legend moved outside narrows its plot) decide the log ticks
        _thin_log_ticks(ax)


def _thin_log_ticks(ax: plt.Axes) -> None:
    """Keep only as many decades on a log x axis as fit side by side ('100,000' and '1M' never run together):
    fewer ticks until the labels, drawn, leave half a character between each other."""
    renderer = ax.figure.canvas.get_renderer()
    for numticks in (None, 6, 5, 4, 3, 2):
        if numticks:
            ax.xaxis.set_major_locator(ticker.LogLocator(base=10, numticks=numticks))
        ax.figure.draw_without_rendering()
        low, high = sorted(ax.get_xlim())
        shown = [label for label in ax.get_xticklabels()
                 if label.get_text() and low <= label.get_position()[0] <= high]
        boxes = sorted((label.get_window_extent(renderer) for label in shown), key=lambda box: box.x0)
        gap = 0.5 * max((label.get_fontsize() for label in shown), default=0) * ax.figure.dpi / 72
        if all(left.x1 + gap < right.x0 for left, right in zip(boxes, boxes[1:], strict=False)):
            return


def _legends_outside(figure: plt.Figure) -> None:
    """Move every one-column axes legend that covers some of the data (bars, lines, points, intervals) outside
    the plot area, top-aligned to the right of the axes. A legend in room left free for it (above the bars)
    stays, and so does one laid out in a row (``ncols`` > 1, placed above the bars by its chart): to the right it
    would take the width of the plot."""
    legends = [ax.get_legend() for ax in figure.axes if ax.get_legend() is not None]
    if not legends:
        return
    renderer = figure.canvas.get_renderer()
    for legend in (legend for legend in legends if getattr(legend, "_ncols", 1) == 1):
        ax, box = legend.axes, legend.get_window_extent(renderer)
        drawn = [*ax.patches, *ax.lines, *ax.collections]
        if any(box.overlaps(artist.get_window_extent(renderer)) for artist in drawn if artist.get_visible()):
            legend.set_loc("upper left")
            legend.set_bbox_to_anchor((1.01, 1.0), transform=ax.transAxes)


def _wrap_cell_texts(ax: plt.Axes) -> None:
    """Wrap each line of the texts in the cells of a heatmap (``pcolormesh``, as seaborn draws it) to the cell width,
    Latin text at spaces and hyphens ('Low-value-' / 'stable'), Chinese between characters."""
    meshes = [c for c in ax.collections if isinstance(c, mpl.collections.QuadMesh)]
    if not meshes or not ax.texts:
        return
    columns = meshes[0].get_coordinates().shape[1] - 1
    cell = ax.get_position().width * ax.figure.get_figwidth() * 72 / max(columns, 1)  # points
    for text in ax.texts:
        per_line = max(4, int(cell / (0.6 * text.get_fontsize())) - 1)
        lines = text.get_text().split("\n")
        if any(len(line) > per_line for line in lines):
            text.set_text("\n".join(_wrap(line, per_line, hyphens=True) if len(line) > per_line else line
                                    for line in lines))


def _wrap_title(ax: plt.Axes) -> None:
    """Wrap the title of ``ax`` at spaces when it is wider than the axes (a small panel of many)."""
    title = ax.title.get_text()
    width = ax.get_position().width * ax.figure.get_figwidth() * 72  # points
    per_line = max(8, int(width / (0.6 * ax.title.get_fontsize())))
    if title and "\n" not in title and len(title) > per_line:
        ax.set_title(_wrap(title, per_line), fontsize=ax.title.get_fontsize())


def _wrap_tick_labels(ax: plt.Axes) -> None:
    """Wrap the text x tick labels of ``ax`` (categories, heatmap rows) that are wider than their slot.

    Latin text breaks at spaces only; Chinese text may break between characters. Rotated labels (on ``ax`` or an axes
    sharing its x axis, such as a twin) have room and stay whole.
    """
    formatter = ax.xaxis.get_major_formatter()
    ticks = list(ax.get_xticks())
    if not ticks or isinstance(formatter, (ticker.ScalarFormatter, ticker.LogFormatter, ReadableNumbers)):
        return
    siblings = ax.get_shared_x_axes().get_siblings(ax)  # a twin axes shares the labels of its host
    if any(label.get_rotation() for sibling in siblings for label in sibling.get_xticklabels()):
        return
    texts = [str(formatter(tick, i)) for i, tick in enumerate(ticks)]
    size = mpl.font_manager.FontProperties(size=mpl.rcParams["xtick.labelsize"]).get_size_in_points()
    slot = ax.get_position().width * ax.figure.get_figwidth() * 72 / len(ticks)  # points per tick
    per_line = max(4, int(slot / (0.6 * size)) - 1)  # characters of an average Latin glyph width
    wrapped = [_wrap(text, per_line) if len(text) > per_line else text for text in texts]
    if wrapped != texts:
        ax.xaxis.set_major_locator(ticker.FixedLocator(ticks))
        ax.xaxis.set_major_formatter(ticker.FixedFormatter(wrapped))


def _wrap(text: str, width: int, hyphens: bool = False) -> str:
    if not any("\u3400" <= char <= "\u9fff" for char in text):
        return textwrap.fill(text, width, break_long_words=False, break_on_hyphens=hyphens)
    step = max(2, width // 2)  # a Chinese character is about twice as wide as a Latin one
    return "\n".join(text[i:i + step] for i in range(0, len(text), step))
