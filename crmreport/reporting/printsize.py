"""How big a chart's texts print on the A4 page, and the rule that none prints below 7 points.

The PDF draws a chart's PNG at its saved size (150 dpi) and scales a wider one down to the page's width, a
taller one to the page's chart height. The saved size is the figure's tight bounding box (``savefig.bbox =
'tight'``): a legend or scale moved outside the plot widens it, so the scale is measured on the drawn chart, not on
its figure size alone.
"""

from __future__ import annotations

import matplotlib as mpl
import matplotlib.pyplot as plt

#: width of an A4 page between the PDF margins (210 mm - 2 x 16 mm), inches: a wider chart is scaled down to it
PAGE_WIDTH_INCHES = 7.0
#: the tallest a chart prints (the PDF's ``max-height`` of an image, 200 mm), inches: a taller chart is scaled down
PAGE_HEIGHT_INCHES = 200 / 25.4
#: the smallest text a chart may print at A4, points
MIN_TEXT_POINTS = 7.0
#: enlarging texts widens the saved chart, which shrinks it on the page: measure again at most this many times
ROUNDS = 3
#: ... and never beyond this size (points at the figure's size): a chart so wide that its texts would need more (a
#: very long label) is not mended by type size, and enlarging without bound grows it past what can be drawn
MAX_TEXT_POINTS = 14.0


def printed_scale(figure: plt.Figure) -> float:
    """The factor (at most 1) by which the PDF scales ``figure``: its saved size, the larger of the figure and its
    tight bounding box with the save padding, against the page's width and chart height."""
    box = figure.get_tightbbox(figure.canvas.get_renderer())
    pad = 2 * float(mpl.rcParams["savefig.pad_inches"])
    width = max(figure.get_figwidth(), box.width + pad)
    height = max(figure.get_figheight(), box.height + pad)
    return min(1.0, PAGE_WIDTH_INCHES / width, PAGE_HEIGHT_INCHES / height)


def readable_text(figure: plt.Figure) -> None:
    """Enlarge every text of ``figure`` that would print below :data:`MIN_TEXT_POINTS` at the chart's printed scale
    (tick and axis labels, titles, legends, heatmap numbers, radar labels, bar labels), measuring again as long as
    the larger texts widen the chart."""
    for _ in range(ROUNDS):
        smallest = min(MIN_TEXT_POINTS / printed_scale(figure), MAX_TEXT_POINTS)
        enlarged = False
        for ax in figure.axes:  # through tick_params: ticks made at drawing time take the size too
            for axis, name in ((ax.xaxis, "x"), (ax.yaxis, "y")):
                ticks = [label for label in axis.get_ticklabels() if label.get_text()]
                if ticks and min(label.get_fontsize() for label in ticks) < smallest - 1e-6:
                    ax.tick_params(axis=name, labelsize=smallest)
                    enlarged = True
        for text in figure.findobj(mpl.text.Text):
            if text.get_text() and text.get_fontsize() < smallest - 1e-6:
                text.set_fontsize(smallest)
                enlarged = True
        if not enlarged:
            return
