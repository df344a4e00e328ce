"""Notebook 04's words (crmreport/reporting/kpiwords.py): KPI and group names, changes in each KPI's unit."""

from __future__ import annotations

from types import SimpleNamespace

from crmreport.core.i18n import label
from crmreport.measures.kpis import KPIS
from crmreport.reporting.kpiwords import KpiWords
from crmreport.reporting.report import Report
from crmreport.settings import CustomerGroup


def words(language: str) -> KpiWords:
    return KpiWords(Report(SimpleNamespace(language=language, results_dir=None, data=None)), "segment_")


def test_kpis_and_groups_are_named_in_the_report_language():
    assert words("zh").name("nps") == "净推荐值" and words("en").name("nps") == "NPS"  # the glossary's labels
    assert words("zh").segment("core") == "核心客户"
    # the segmented regression fits the monthly series: a month's churn has its own name, not the period's
    assert words("en").series("churn_rate") == "Monthly churn rate" and words("en").series("nps") == "NPS"
    assert words("zh").segment("all") == label("kpi_segment_all", "zh") != "kpi_segment_all"


def test_changes_are_written_in_each_kpis_unit():
    en = words("en")
    share = next(k.name for k in KPIS.values() if k.unit == "share")
    currency = next(k.name for k in KPIS.values() if k.unit == "currency")
    assert en.change(share, 0.034) == "+3.4 pp" and en.change(currency, 1234.4) == "+1,234"
    assert en.change_formats[currency] == ("{:+,.0f}", "{:+,.0f}")
    assert en.formats[share][0] == "{:.1%}"


def test_a_did_group_reads_as_a_clause():
    en = words("en")
    assert en.group(CustomerGroup(column="customer_type", values=["B2B"])) == "Customer type = B2B"
    listed = en.group(CustomerGroup(customers=["C1", "C2"]))
    assert "2" in listed and "=" not in listed
