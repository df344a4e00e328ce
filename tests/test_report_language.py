"""The rendered demo PDFs as a manager reads them: the named fonts only, Chinese reports in Chinese, no codes."""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path

import nbformat
import pytest
from conftest import pdf_text

from crmreport.reporting.fonts import CJK_FAMILY, LATIN_FAMILY, font_files

#: Latin words a Chinese report may show. Acronyms a Chinese manager reads as they are (CSAT, NPS,
#: RFM, CUPED, MDE, KPI, k-means, A/B; CLV, RQI, AUC and VIP of the health chapter), the name of the
#: Gamma-Gamma spend model, and the one-letter symbols of statistics written the same way in Chinese
#: textbooks: p (p 值), z and t (z/t 检验), U (曼-惠特尼 U), Q (科克伦 Q), I (I²), k (簇数 k), and the
#: parameters r, a, b, q of the purchase models.
ALLOWED_LATIN = frozenset({"CSAT", "NPS", "RFM", "CUPED", "MDE", "KPI", "k-means", "A/B", "CLV", "RQI", "AUC", "VIP",
                           "Gamma-Gamma", "p", "z", "t", "U", "Q", "I", "k", "r", "a", "b", "q"})
#: ids and codes carry digits (C001142, 2025Q3, SMS-2025Q3), paths a slash or a file suffix (results/x.csv): the
#: reader looks them up as written
CODE = re.compile(r"\d|/|\.(?:csv|xlsx|json)\b")
#: masked customer names are the customer's own and never translated: '天*有限公司', 'S* Co., Ltd.'
MASKED_NAME = re.compile(r"\S*\*(?: Co\., Ltd\.)?")
LATIN_WORD = re.compile(r"[A-Za-z][A-Za-z-]*(?:/[A-Za-z]+)?")
#: style suffixes a PDF font name may carry after the family name
STYLES = ("", "Bold", "Oblique", "BoldOblique", "Italic", "BoldItalic", "Regular")


def latin_words(text: str) -> set[str]:
    """Latin words of ``text`` outside codes, paths, masked names and :data:`ALLOWED_LATIN`."""
    words = set()
    for token in MASKED_NAME.sub(" ", text).split():
        if token in ALLOWED_LATIN or CODE.search(token):
            continue
        words.update(word for word in LATIN_WORD.findall(token) if word not in ALLOWED_LATIN)
    return words


def embedded_fonts(path: Path) -> list[str]:
    """The base names of the fonts embedded in a PDF, without the subset prefix (ABCDEF+)."""
    out = subprocess.run(["pdffonts", str(path)], capture_output=True, text=True, check=True).stdout
    return [line.split()[0].split("+")[-1] for line in out.splitlines()[2:] if line.strip()]


def is_named_font(name: str) -> bool:
    """True when a PDF font name is one of the report families in a known style ('Noto-Sans-CJK-SC-Bold')."""
    flat = name.replace("-", "").replace(" ", "")
    return any(flat == family.replace(" ", "") + style for family in (LATIN_FAMILY, CJK_FAMILY) for style in STYLES)


def test_latin_words_ignore_codes_paths_masked_names_and_accepted_acronyms():
    text = "客户 C001142 S* Co., Ltd. 2025Q3 见 results/ab_tests.csv；NPS 与 k-means、A/B、p 值 visit渠道 sms_a"
    assert latin_words(text) == {"visit", "sms"}
    assert is_named_font("Noto-Sans-CJK-SC-Bold") and is_named_font("DejaVu-Sans")
    assert not is_named_font("DejaVu-Sans-Mono") and not is_named_font("Liberation-Sans")


def test_every_embedded_font_is_a_named_report_font(report):
    _, out = report
    pdfs = sorted((out / "2025Q3").glob("*.pdf"))
    assert len(pdfs) >= 4
    for pdf in pdfs:
        fonts = embedded_fonts(pdf)
        assert fonts, f"{pdf.name} embeds no font"
        assert [name for name in fonts if not is_named_font(name)] == [], pdf.name


def test_no_executed_notebook_misses_a_glyph(report):
    """matplotlib warns 'Glyph ... missing from font(s)' when a chart label cannot be drawn (a Chinese owner
    name in an English chart became a box); no executed notebook of either language may carry that warning."""
    _, out = report
    notebooks = sorted((out / "2025Q3").glob("0*.ipynb"))
    assert len(notebooks) == 7
    warned = [f"{path.name}: {line.strip()}" for path in notebooks for cell in nbformat.read(path, 4).cells
              for output in cell.get("outputs", []) if output.get("output_type") == "stream"
              for line in output.get("text", "").splitlines() if "missing from font" in line]
    assert warned == []


def test_manifest_records_the_font_files(report):
    _, out = report
    manifest = json.loads((out / "2025Q3" / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["fonts"] == font_files()
    assert all(Path(file).is_file() for file in manifest["fonts"])


#: the reports that show no codes and whose Chinese versions are Chinese throughout: every notebook's
#: PDF (01-07) and the report book
CHINESE_THROUGHOUT = re.compile(r"^(?:0[1-7]_.*|report-.*)\.pdf$")
#: the PDFs a demo run writes: notebooks 01-07 and the book
DEMO_PDFS = 8
#: Latin words the zh reports of a notebook may still show, by PDF name (None: any). Empty since notebooks 03, 04
#: and 05 speak Chinese throughout; add an entry only with the issue that removes it.
KNOWN_GAPS: dict[str, frozenset[str] | None] = {}


def _chinese_pdfs(out: Path) -> dict[str, set[str]]:
    pdfs = [pdf for pdf in sorted((out / "2025Q3").glob("*.pdf")) if CHINESE_THROUGHOUT.match(pdf.name)]
    assert len(pdfs) == DEMO_PDFS and any(pdf.name.startswith("report-") for pdf in pdfs)
    return {pdf.name: latin_words(pdf_text(pdf)) for pdf in pdfs}


def test_chinese_reports_show_no_latin_words_outside_the_allow_list(report):
    language, out = report
    if language != "zh":
        pytest.skip("reads the Chinese reports")
    found = _chinese_pdfs(out)
    gaps = {name: found[name] if allowed is None else allowed for name, allowed in KNOWN_GAPS.items()}
    unexplained = {name: sorted(words - (set().union(*gaps.values()) if name.startswith("report-")
                                         else gaps.get(name, set())))
                   for name, words in found.items()}
    assert unexplained == {name: [] for name in found}
    text = "".join(pdf_text(pdf) for pdf in (out / "2025Q3").glob("*.pdf"))
    assert "元" in text and "CNY" not in text


def test_every_chinese_report_shows_no_latin_words(report):
    language, out = report
    if language != "zh":
        pytest.skip("reads the Chinese reports")
    assert all(not words for words in _chinese_pdfs(out).values())


def test_english_reports_show_no_codes_or_raw_fractions(report):
    language, out = report
    if language != "en":
        pytest.skip("reads the English reports")
    pdfs = [pdf for pdf in sorted((out / "2025Q3").glob("*.pdf")) if CHINESE_THROUGHOUT.match(pdf.name)]
    assert len(pdfs) == DEMO_PDFS
    for pdf in pdfs:
        text = MASKED_NAME.sub(" ", pdf_text(pdf))
        codes = {token for token in text.split() if "_" in token and not CODE.search(token)}
        assert codes == set(), f"{pdf.name} shows codes {sorted(codes)}"
        assert "(s)" not in text, f"{pdf.name} has a '(s)' plural"
        assert not re.search(r"\b(?:Completeness|Owner coverage|Share)\s+[01]\.\d\d\b", text), pdf.name


def test_every_contract_column_and_enumeration_has_a_label_in_both_languages():
    from crmreport.core.contract import TABLES
    from crmreport.core.i18n import catalog

    messages = catalog()
    keys = {f"label.{col.name}" for spec in TABLES.values() for col in spec.columns}
    keys |= {f"label.{col.name}.{value}" for spec in TABLES.values() for col in spec.columns for value in col.choices}
    keys |= {f"label.table_{name}" for name in TABLES}
    assert sorted(key for key in keys if set(messages.get(key, {})) < {"en", "zh"}) == []


def test_the_book_appendix_has_reader_texts_for_every_measure_and_threshold_in_both_languages():
    from crmreport.core.i18n import catalog
    from crmreport.measures.glossary import GLOSSARY
    from crmreport.reporting.book import RULES_NOT_LISTED
    from crmreport.settings.segmentation import Segmentation

    messages = catalog()
    keys = {f"measure.{kind}.{m.id}" for m in GLOSSARY for kind in ("label", "definition")}
    keys |= {f"measure.{kind}.{getattr(m, kind)}" for m in GLOSSARY for kind in ("unit", "window", "direction")}
    rules = [name for name in Segmentation.model_fields if name not in RULES_NOT_LISTED]
    keys |= {f"book.rule.{name}" for name in rules} | {f"book.rule_meaning.{name}" for name in rules}
    keys |= {f"book.rule_value.{name}.{choice}" for name in rules
             for choice in getattr(Segmentation.model_fields[name].annotation, "__args__", ())
             if isinstance(choice, str)}
    assert sorted(key for key in keys if set(messages.get(key, {})) < {"en", "zh"}) == []
    # a placeholder ({score}: the run's ranking score, named in the report language) is not reader text
    assert all(latin_words(re.sub(r"\{[^}]*\}", "", messages[key]["zh"])) <= {"k-means"} for key in keys), \
        "Chinese texts in Chinese"


def test_demo_staff_and_contact_roles_read_in_the_report_language():
    """Every account manager, task owner and kept contact role of the demo data has a label in the other
    language: no Chinese name in an English report, no pinyin in a Chinese one."""
    from crmreport.demo.execution import TRAINEE
    from crmreport.demo.vocabulary import ROLES_EN, ROLES_ZH, STAFF
    from crmreport.settings import load_params

    labels = load_params("2025Q3").labels
    chinese = re.compile(r"[\u4e00-\u9fff]")
    for kind, values in (("staff", (*STAFF, TRAINEE)), ("roles", (*ROLES_ZH, *ROLES_EN))):
        for value in values:
            for language in ("en", "zh"):
                shown = labels.of(kind, value, language)
                assert bool(chinese.search(shown)) == (language == "zh"), (kind, value, language, shown)
