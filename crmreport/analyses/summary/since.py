"""Since last period: this run's results against the previous period's report under the same output root.

KPI deltas (the headline figures of both reports), nine-box migration (notebook 02's segment
summary of both reports), retention band moves (notebook 06's ``customer_health.csv`` of both
reports, matched by customer) and campaigns that were running last period and have concluded.
"""

from __future__ import annotations

import pandas as pd

from ...core.i18n import label, t
from ...core.results import AB_CAMPAIGNS, AB_TESTS, ALL, CUSTOMER_HEALTH, SEGMENT_SUMMARY
from ...settings.params import Labels
from .claims import COUNT
from .headline import HEADLINES, _read, format_change, format_value
from .sources import Ledger, Results, cite, shown

SECTION = "since_last_period"
BANDS = ("green", "yellow", "red")


def kpi_deltas(results: Results, previous: Results, ledger: Ledger, language: str) -> pd.DataFrame:
    """Each headline figure in the previous report and in this one, and the change."""
    records = []
    for spec in HEADLINES:
        now, then = _read(results, spec, spec.value), _read(previous, spec, spec.value)
        if now is None or then is None:
            continue
        then = ledger.add(then, SECTION, f"{spec.key} last period", spec.kind, **spec.graded)
        now = ledger.add(now, SECTION, f"{spec.key} this period", spec.kind, **spec.graded)
        records.append({"summary_figure": t(f"summary.figure.{spec.key}", language),
                        "summary_last_period": format_value(spec.kind, then.value, language),
                        "summary_this_period": format_value(spec.kind, now.value, language),
                        "summary_change": format_change(spec.kind, now.value - then.value, language),
                        "summary_source": f"{then.where}; {now.where}"})
    return pd.DataFrame(records)


def nine_box_moves(results: Results, previous: Results, ledger: Ledger, language: str) -> pd.DataFrame:
    """Customers per nine-box segment in the previous report and in this one (``segment_summary.csv``)."""
    now, then = results.rows(SEGMENT_SUMMARY), previous.rows(SEGMENT_SUMMARY)
    if now.empty or then.empty:
        return pd.DataFrame()
    records = []
    for segment in dict.fromkeys([*then["segment"], *now["segment"]]):
        before = previous.cell(SEGMENT_SUMMARY, "customers", segment=segment)
        after = results.cell(SEGMENT_SUMMARY, "customers", segment=segment)
        before = ledger.add(before, SECTION, f"{segment} customers last period", "count", evidence=COUNT)
        after = ledger.add(after, SECTION, f"{segment} customers this period", "count", evidence=COUNT)
        b, a = (f.value if f else 0.0 for f in (before, after))
        records.append({"summary_segment": label(f"segment_{segment}", language),
                        "summary_last_period": format_value("count", b, language),
                        "summary_this_period": format_value("count", a, language),
                        "summary_change": format_change("count", a - b, language),
                        "summary_source": "; ".join(f.where for f in (before, after) if f)})
    return pd.DataFrame(records)


def health_moves(results: Results, previous: Results, language: str) -> pd.DataFrame:
    """Customers by retention band last period (rows) and this period (columns), matched by customer id."""
    now, then = results.table(CUSTOMER_HEALTH), previous.table(CUSTOMER_HEALTH)
    if now is None or then is None or now.empty or then.empty:
        return pd.DataFrame()
    pairs = then[["customer_id", "health_band"]].merge(now[["customer_id", "health_band"]], on="customer_id",
                                                       suffixes=("_last", "_now"))
    table = pd.crosstab(pairs["health_band_last"], pairs["health_band_now"]).reindex(
        index=BANDS, columns=BANDS, fill_value=0)
    table.index = [label(f"summary_band_{band}", language) for band in table.index]
    table.columns = [label(f"summary_band_{band}", language) for band in table.columns]
    return table.rename_axis(t("summary.since.band_last", language)).reset_index()


def concluded_campaigns(results: Results, previous: Results, language: str,
                        labels: Labels | None = None) -> list[str]:
    """Campaigns read in the previous report (running or concluded) that this one no longer reads, with their
    significant arms then."""
    before = previous.rows(AB_CAMPAIGNS)
    if before.empty:
        return []
    now = results.rows(AB_CAMPAIGNS)
    active_now = set(now.loc[now["status"] != "skipped", "campaign_id"]) if not now.empty else set()
    lines = []
    for _, row in before[before["status"] != "skipped"].iterrows():
        if row["campaign_id"] in active_now:
            continue
        tests = previous.rows(AB_TESTS, campaign_id=row["campaign_id"], segment=ALL)
        winners = sorted(set(tests.loc[tests["significant"].astype(str) == "True", "arm"])) if not tests.empty else []
        arms = [shown(labels, "arms", arm, language) for arm in winners]
        lines.append(t("summary.since.concluded", language,
                       campaign=shown(labels, "campaigns", row["campaign_id"], language),
                       arms=("、" if language == "zh" else ", ").join(arms) if arms
                       else t("summary.since.no_winner", language),
                       source=cite(f"{previous.period}/{AB_CAMPAIGNS.file}:{row['_row']}")))
    return lines
