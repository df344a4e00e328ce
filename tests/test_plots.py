"""The chart look: theme, resolution, the named fonts (or a clear error naming the fix) and readable axis numbers."""

from __future__ import annotations

import io
import warnings
from pathlib import Path

import matplotlib
import matplotlib.pyplot as plt
import numpy as np
import pytest
import seaborn as sns
from matplotlib import font_manager

from crmreport.core.errors import ParamsError, RenderError
from crmreport.reporting.fonts import CJK_FAMILY, LATIN_FAMILY, font_faces, font_files, font_stack
from crmreport.reporting.plots import CJK_FONT_ENV, ReadableNumbers, cjk_font_available, readable_axes, setup_plotting
from crmreport.reporting.printsize import MAX_TEXT_POINTS, printed_scale

matplotlib.use("Agg")


@pytest.fixture(autouse=True)
def restore_rc(monkeypatch):
    monkeypatch.delenv(CJK_FONT_ENV, raising=False)
    with matplotlib.rc_context():
        yield


def test_zh_setup_finds_a_cjk_font_and_sets_the_report_look():
    font = cjk_font_available()
    assert font is not None, "this machine has fonts-noto-cjk; the finder must see it"
    setup_plotting("zh")
    rc = matplotlib.rcParams
    assert rc["font.sans-serif"][0] == font
    assert rc["axes.unicode_minus"] is False
    assert rc["savefig.dpi"] == 150 and rc["figure.dpi"] == 150
    assert rc["axes.grid"] is True


def test_chinese_labels_draw_without_missing_glyphs():
    setup_plotting("zh")
    fig, ax = plt.subplots()
    ax.bar(["核心客户", "流失预警客户"], [3, -1])
    ax.set_title("客户分层概览 −12%")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        fig.savefig(io.BytesIO(), format="png")
    plt.close(fig)
    assert not [w for w in caught if "missing from font" in str(w.message)]


def test_chinese_names_draw_in_english_charts_through_the_fallback_family():
    setup_plotting("en")
    fig, ax = plt.subplots()
    ax.barh(["吴敏", "Zhou Min", "客户成功团队"], [3, 2, 1])
    ax.set_title("Completion rate per owner: 徐静")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        fig.savefig(io.BytesIO(), format="png")
    plt.close(fig)
    assert not [w for w in caught if "missing from font" in str(w.message)]


def test_charts_use_exactly_the_named_fonts_in_language_order():
    setup_plotting("en")
    assert matplotlib.rcParams["font.family"] == [LATIN_FAMILY, CJK_FAMILY] == font_stack("en")
    assert matplotlib.rcParams["font.sans-serif"] == font_stack("en")
    setup_plotting("zh")
    assert matplotlib.rcParams["font.family"] == [CJK_FAMILY, LATIN_FAMILY] == font_stack("zh")


def test_named_fonts_resolve_to_installed_files_for_the_manifest():
    faces = font_faces()
    assert {face.family for face in faces} == {LATIN_FAMILY, CJK_FAMILY}
    assert {face.style for face in faces} == {"Regular", "Bold"}
    assert all(Path(file).is_file() for file in font_files())
    assert any("DejaVuSans-Bold" in file for file in font_files())


def test_missing_cjk_font_names_the_fix(monkeypatch):
    latin_only = [f for f in font_manager.fontManager.ttflist if "CJK" not in f.name]
    monkeypatch.setattr(font_manager.fontManager, "ttflist", latin_only)
    assert cjk_font_available() is None
    with pytest.raises(RenderError, match="sudo apt-get install fonts-noto-cjk") as error:
        setup_plotting("zh")
    assert "CRMREPORT_CJK_FONT=/path/to/font.otf" in str(error.value)
    setup_plotting("en")  # an English report still runs


def test_font_file_from_environment_is_registered(monkeypatch):
    path = font_manager.findfont(font_manager.FontProperties(family=cjk_font_available()), fallback_to_default=False)
    monkeypatch.setenv(CJK_FONT_ENV, path)
    assert cjk_font_available().startswith("Noto Sans CJK")  # a collection: its first face names it


@pytest.mark.parametrize("path", ["/nonexistent/font.otf", font_manager.findfont("DejaVu Sans")])
def test_unusable_font_file_from_environment_is_an_error(monkeypatch, path):
    monkeypatch.setenv(CJK_FONT_ENV, path)
    with pytest.raises(RenderError, match=CJK_FONT_ENV):
        cjk_font_available()


def test_unknown_language_is_rejected():
    with pytest.raises(ParamsError, match="'fr'"):
        setup_plotting("fr")


def labels_of(formatter: ReadableNumbers, ticks: list[float]) -> list[str]:
    formatter.set_locs(ticks)
    return [formatter(tick) for tick in ticks]


@pytest.mark.parametrize(("language", "ticks", "expected"), [
    ("en", [0, 5e6, 1e7, 1.25e7], ["0", "5.0M", "10.0M", "12.5M"]),
    ("zh", [0, 5e6, 1.25e7], ["0", "500万", "1,250万"]),
    ("zh", [0, 1e8, 2.5e8], ["0", "1.0亿", "2.5亿"]),
    ("en", [0, 2500, 5000, 12500], ["0", "2,500", "5,000", "12,500"]),
    ("en", [0, 0.25, 0.5], ["0", "0.25", "0.50"]),
    ("en", [-20, 0, 20], ["-20", "0", "20"]),
])
def test_axis_numbers_have_separators_and_units(language, ticks, expected):
    assert labels_of(ReadableNumbers(language), ticks) == expected


def test_a_chinese_log_axis_writes_every_tick_in_one_unit():
    assert labels_of(ReadableNumbers("zh", per_tick=True), [100, 1000, 1e4, 1e5, 1e6]) == [
        "0.01万", "0.1万", "1万", "10万", "100万"]
    assert labels_of(ReadableNumbers("zh", per_tick=True), [10, 100, 1000]) == ["10", "100", "1,000"]
    assert labels_of(ReadableNumbers("en", per_tick=True), [100, 1e6]) == ["100", "1M"]


def test_every_numeric_axis_of_a_chart_gets_readable_numbers_and_others_keep_theirs():
    setup_plotting("en")
    fig, (left, right) = plt.subplots(1, 2)
    left.bar(["a", "b"], [12_500_000, 3_000_000])
    right.plot([1, 10_000, 1_000_000], [0.1, 0.2, 0.3])
    right.set_xscale("log")
    right.yaxis.set_major_formatter(lambda y, _: f"{y:.0%}")
    readable_axes(fig, "en")
    fig.canvas.draw()
    assert "10M" in [tick.get_text() for tick in left.get_yticklabels()]
    assert [tick.get_text() for tick in left.get_xticklabels()] == ["a", "b"]
    assert {"1", "100", "10,000", "1M"} <= {tick.get_text() for tick in right.get_xticklabels()}
    assert "20%" in [tick.get_text() for tick in right.get_yticklabels()]
    plt.close(fig)


def test_wide_category_labels_are_wrapped_at_spaces_not_inside_words():
    setup_plotting("en")
    fig, axes = plt.subplots(1, 2, figsize=(10, 3.9))
    names = ["High potential", "Medium potential", "Low potential"]
    for ax in axes:
        ax.imshow([[1, 2, 3]])
        ax.set_xticks(range(3))
        ax.set_xticklabels(names)
    readable_axes(fig, "en")
    fig.canvas.draw()
    shown = [tick.get_text() for tick in axes[0].get_xticklabels()]
    assert [text.replace("\n", " ") for text in shown] == names
    assert all("\n" in text for text in shown)
    boxes = [tick.get_window_extent() for tick in axes[0].get_xticklabels()]
    assert all(left.x1 < right.x0 for left, right in zip(boxes, boxes[1:], strict=False))
    plt.close(fig)


def test_percent_axes_and_error_bars_are_written_once():
    from crmreport.reporting.plots import error_bars, percent_axis

    fig, ax = plt.subplots()
    percent_axis(ax.xaxis)
    percent_axis(ax.yaxis, signed=True)
    assert ax.xaxis.get_major_formatter()(0.25, 0) == "25%"
    assert ax.yaxis.get_major_formatter()(-0.1, 0) == "-10%" and ax.yaxis.get_major_formatter()(0.1, 0) == "+10%"
    plt.close(fig)
    bars = error_bars([0.5, 0.0, 0.2], [0.4, 1e-17, float("nan")], [0.7, 0.1, float("inf")])
    assert bars.shape == (2, 3) and np.allclose(bars, [[0.1, 0.0, 0.0], [0.2, 0.1, 0.0]])
    assert error_bars(0.5, 0.4, 0.6).shape == (2, 1)  # one point: the (2, 1) shape matplotlib wants


def test_no_chart_text_prints_below_7_points_on_the_page():
    setup_plotting("en")
    fig, ax = plt.subplots(figsize=(10, 4))  # scaled to 7 inches on the A4 page: 0.7
    ax.bar(["a", "b"], [1, 2])
    ax.text(0, 1, "12", fontsize=5)
    ax.tick_params(labelsize=6)
    ax.set_title("small", fontsize=6)
    readable_axes(fig, "en")
    fig.canvas.draw()
    texts = [t for t in fig.findobj(matplotlib.text.Text) if t.get_text()]
    assert min(t.get_fontsize() for t in texts) * 7 / 10 >= 7 - 1e-9
    assert all(label.get_fontsize() >= 10 - 1e-9 for label in ax.get_xticklabels())
    plt.close(fig)
    wide, ax = plt.subplots(figsize=(7, 3))  # as wide as the page, but a legend outside widens the saved chart
    ax.plot([1, 2], [1, 2], label="a long series name that sticks out to the right")
    ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0))
    ax.tick_params(labelsize=7)
    readable_axes(wide, "en")
    assert printed_scale(wide) < 0.9  # measured on the chart as saved (tight bounding box), not its figure size
    printed = min(t.get_fontsize() for t in wide.findobj(matplotlib.text.Text) if t.get_text()) * printed_scale(wide)
    assert printed >= 7 - 0.05
    plt.close(wide)
    narrow, ax = plt.subplots(figsize=(5, 3))  # printed at its own size: 7 points stay 7 points
    ax.set_title("seven", fontsize=7)
    readable_axes(narrow, "en")
    assert ax.title.get_fontsize() == 7
    plt.close(narrow)


def test_a_very_long_label_caps_the_enlarged_text_and_the_chart_still_draws(tmp_path):
    # the personal-data test's planted values made a tick label so long that enlarging the texts for print widened
    # the chart without bound, until matplotlib could not allocate it (MemoryError: std::bad_alloc)
    setup_plotting("en")
    fig, ax = plt.subplots(figsize=(9, 3))
    ax.barh(["short", "x" * 400], [1, 2])
    readable_axes(fig, "en")
    assert max(t.get_fontsize() for t in fig.findobj(matplotlib.text.Text) if t.get_text()) <= MAX_TEXT_POINTS
    fig.savefig(tmp_path / "wide.png")
    plt.close(fig)


def test_a_legend_over_the_bars_moves_outside_the_plot_area_and_one_outside_stays():
    setup_plotting("en")
    fig, (inside, above) = plt.subplots(1, 2, figsize=(8, 3))
    for ax in (inside, above):
        ax.barh(["a", "b", "c"], [10, 20, 628], label="Planned")
        ax.barh(["a", "b", "c"], [5, 10, 300], label="Done")
    inside.legend(loc="upper right")  # over the end of the 628 bar
    above.legend(loc="lower center", bbox_to_anchor=(0.5, 1.0))
    readable_axes(fig, "en")
    fig.tight_layout()
    renderer = fig.canvas.get_renderer()
    for ax in (inside, above):
        assert not ax.get_legend().get_window_extent(renderer).overlaps(ax.get_window_extent(renderer))
    assert above.get_legend().get_bbox_to_anchor().y0 >= above.get_window_extent(renderer).y1 - 1
    plt.close(fig)
    room, ax = plt.subplots(figsize=(6, 3))  # bars up to 10, the axis to 13: the legend sits in the room above them
    ax.bar(["a", "b"], [10, 8], label="Control")
    ax.set_ylim(0, 13)
    ax.legend(loc="upper left", ncols=2)
    readable_axes(room, "en")
    assert ax.get_legend().get_bbox_to_anchor().bounds == ax.bbox.bounds  # left where the chart put it
    plt.close(room)
    row, ax = plt.subplots(figsize=(6, 3))  # a legend laid out in a row stays: to the right it would squeeze the bars
    ax.bar(["a", "b"], [10, 8], label="Control")
    ax.bar(["a", "b"], [5, 4], label="SMS text A")
    ax.legend(loc="upper left", ncols=2)
    readable_axes(row, "en")
    assert ax.get_legend().get_bbox_to_anchor().bounds == ax.bbox.bounds
    plt.close(row)


def test_a_heatmap_cell_text_wraps_to_its_cell_and_a_tall_chart_keeps_7_points():
    setup_plotting("en")
    fig, ax = plt.subplots(figsize=(4, 3))
    sns.heatmap([[1, 2, 3]], annot=[["Core\n199", "Low-value-stable\n73", "Churn-warning\n674"]], fmt="", ax=ax,
                cbar=False, annot_kws={"size": 8})
    readable_axes(fig, "en")
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()
    assert [t.get_text() for t in ax.texts][:2] == ["Core\n199", "Low-value-\nstable\n73"]
    boxes = [t.get_window_extent(renderer) for t in ax.texts]
    assert all(left.x1 <= right.x0 for left, right in zip(boxes, boxes[1:], strict=False))
    plt.close(fig)
    tall, ax = plt.subplots(figsize=(7, 11))  # printed 200 mm high: scaled by 7.87 / 11
    ax.set_title("panel", fontsize=7.5)
    readable_axes(tall, "en")
    assert ax.title.get_fontsize() * (200 / 25.4) / 11 >= 7 - 1e-9
    plt.close(tall)


def test_a_title_wider_than_its_small_panel_wraps_at_spaces():
    setup_plotting("en")
    fig, axes = plt.subplots(1, 3, figsize=(9, 2))
    axes[0].set_title("Average order value in the period (AOV)", fontsize=9)
    axes[1].set_title("NPS", fontsize=9)
    readable_axes(fig, "en")
    assert "\n" in axes[0].get_title() and axes[0].get_title().replace("\n", " ") == (
        "Average order value in the period (AOV)")
    assert axes[1].get_title() == "NPS" and axes[0].title.get_fontsize() >= 9
    plt.close(fig)


@pytest.mark.parametrize("language", ["en", "zh"])
def test_log_axis_ticks_never_run_into_each_other(language):
    setup_plotting(language)
    fig, axes = plt.subplots(1, 2, figsize=(9, 3.8), sharey=True)  # chapter 1's spend panels
    amounts = np.logspace(1.5, 6.3, 200)
    for ax in axes:  # with a legend by customer type, which moves outside and narrows the plot
        sns.histplot(x=amounts, hue=np.where(amounts > 10_000, "B2B", "B2C"), log_scale=True, element="step", ax=ax)
    readable_axes(fig, language)
    fig.tight_layout()
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()
    for ax in axes:
        boxes = sorted((label.get_window_extent(renderer) for label in ax.get_xticklabels()
                        if label.get_text() and label.get_visible()
                        and ax.get_xlim()[0] <= label.get_position()[0] <= ax.get_xlim()[1]), key=lambda b: b.x0)
        assert len(boxes) >= 2
        assert all(left.x1 < right.x0 for left, right in zip(boxes, boxes[1:], strict=False))
    plt.close(fig)


def test_rotated_labels_stay_whole_when_a_twin_axes_shares_them():
    setup_plotting("en")
    fig, ax = plt.subplots(figsize=(9, 3.4))
    weeks = ["06-30 (6 d)", *(f"07-{day:02d}" for day in range(1, 13)), "09-29 (2 d)"]
    ax.bar(range(len(weeks)), range(len(weeks)))
    ax.set_xticks(range(len(weeks)), weeks, rotation=45, ha="right")
    ax.twinx().plot(range(len(weeks)), range(len(weeks)))  # the twin's own, unrotated labels are hidden
    readable_axes(fig, "en")
    assert [label.get_text() for label in ax.get_xticklabels()][::13] == ["06-30 (6 d)", "09-29 (2 d)"]
    plt.close(fig)


def test_an_axis_takes_its_unit_from_the_ticks_it_shows():
    setup_plotting("zh")
    fig, ax = plt.subplots()
    ax.bar(["红色", "黄色", "绿色"], [865_460, 1_695_854, 74_214_740])  # the locator also places 1亿 above the view
    ax.margins(y=0.15)
    readable_axes(fig, "zh")
    fig.canvas.draw()
    shown = [label.get_text() for label in ax.get_yticklabels() if label.get_text()]
    assert shown[1:3] == ["1,000万", "2,000万"] and not any("亿" in text for text in shown)
    plt.close(fig)
