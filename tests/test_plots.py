"""The chart look: theme, resolution and a font that draws Chinese, or a clear error naming the fix."""

from __future__ import annotations

import io
import warnings

import matplotlib
import matplotlib.pyplot as plt
import pytest
from matplotlib import font_manager

from crmreport.core.errors import ParamsError, RenderError
from crmreport.reporting.plots import CJK_FONT_ENV, CJK_FONTS, cjk_font_available, setup_plotting

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


def test_english_setup_keeps_a_cjk_fallback():
    setup_plotting("en")
    families = matplotlib.rcParams["font.sans-serif"]
    assert families[0] == "DejaVu Sans" and cjk_font_available() in families


def test_missing_cjk_font_names_the_fix(monkeypatch):
    latin_only = [f for f in font_manager.fontManager.ttflist if f.name not in CJK_FONTS]
    monkeypatch.setattr(font_manager.fontManager, "ttflist", latin_only)
    assert cjk_font_available() is None
    with pytest.raises(RenderError, match="sudo apt-get install fonts-noto-cjk") as error:
        setup_plotting("zh")
    assert "CRMREPORT_CJK_FONT=/path/to/font.otf" in str(error.value)
    setup_plotting("en")  # an English report still runs


def test_font_file_from_environment_is_registered(monkeypatch):
    path = font_manager.findfont(font_manager.FontProperties(family=cjk_font_available()), fallback_to_default=False)
    monkeypatch.setenv(CJK_FONT_ENV, path)
    assert cjk_font_available() in CJK_FONTS


@pytest.mark.parametrize("path", ["/nonexistent/font.otf", font_manager.findfont("DejaVu Sans")])
def test_unusable_font_file_from_environment_is_an_error(monkeypatch, path):
    monkeypatch.setenv(CJK_FONT_ENV, path)
    with pytest.raises(RenderError, match=CJK_FONT_ENV):
        cjk_font_available()


def test_unknown_language_is_rejected():
    with pytest.raises(ParamsError, match="'fr'"):
        setup_plotting("fr")
