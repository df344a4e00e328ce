"""The parameters of a period run, as pydantic models: what ``params/*.yaml`` may say.

Settings sit at the bottom of the package: these models import no analysis. Loading and
layering the YAML files is :mod:`crmreport.settings.load`; period labels are
:mod:`crmreport.settings.period`.
"""

from __future__ import annotations

import codecs
import hashlib
import json
from datetime import date, timedelta
from typing import Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from ..core.contract import TABLES
from ..core.redact import redact_mapping
from .abtests import AbTests
from .engine import EngineName, SparkSettings
from .execution import ExecutionParams
from .health import Health
from .period import Window, check_period_label, period_window, previous_window
from .segmentation import Segment, Segmentation, Strategy

#: the report's time zone unless params say otherwise (the users' companies are in mainland China)
DEFAULT_TIMEZONE = "Asia/Shanghai"
#: the as-of date of starter projects and of runs on the embedded demo data without one, after the period end
DEMO_AS_OF_AFTER_END = timedelta(days=15)
#: the last day of the embedded demo data (``generator.end`` of its ``ground_truth.json``; tested)
DEMO_DATA_END = date(2025, 9, 30)
Decimal = Literal[".", ","]
TableName = Literal["customers", "transactions", "interactions", "surveys", "tickets", "outreach", "tasks",
                    "improvements"]
#: the names of the KPI registry (:mod:`crmreport.measures.kpis` checks that it defines exactly these)
KPI_NAMES: tuple[str, ...] = (
    "churn_rate", "retention_rate", "repurchase_rate", "aov", "aov_growth", "revenue_per_customer", "csat_mean",
    "csat_top2_share", "nps", "trust_mean", "complaints_per_100_customers", "median_first_response_hours",
    "resolved_within_sla_share", "follow_up_completion_rate", "outbound_response_rate",
)


Design = Literal["auto", "independent", "paired"]
#: display labels of one kind of data value: value -> language -> label
ValueLabels = dict[str, dict[Literal["en", "zh"], str]]


class Labels(BaseModel):
    """Display labels of the user's data values per report language (docs/params.md, ``labels:``).

    Data values (industries, regions, categories, ...) are the user's words, so the catalog cannot
    translate them; a value without a label here is shown as it is in the data.
    """

    model_config = ConfigDict(extra="forbid")
    company: dict[Literal["en", "zh"], str] = Field(default_factory=dict, description="company name per language")
    industries: ValueLabels = Field(default_factory=dict, description="customers.industry values")
    regions: ValueLabels = Field(default_factory=dict, description="customers.region values")
    categories: ValueLabels = Field(default_factory=dict,
                                    description="product categories, ticket categories and sales channels")
    tags: ValueLabels = Field(default_factory=dict, description="customers.need_tags values")
    arms: ValueLabels = Field(default_factory=dict, description="outreach arms, e.g. {sms_a: {en: SMS text A}}")
    staff: ValueLabels = Field(default_factory=dict, description="account managers and task owners")
    campaigns: ValueLabels = Field(default_factory=dict, description="outreach campaign ids")
    roles: ValueLabels = Field(default_factory=dict, description="contact roles kept by masking (*Manager)")
    departments: ValueLabels = Field(default_factory=dict, description="tickets and improvements departments")
    texts: ValueLabels = Field(default_factory=dict,
                               description="recurring checklist texts: task strategies, feedback, problems, next "
                                           "actions, contact topics and follow-ups, improvement problems and measures")

    def of(self, kind: str, value: object, language: str) -> str:
        """The label of data ``value`` of ``kind`` (``industries``, ``arms``, ...) in ``language``, else the value."""
        texts = getattr(self, kind).get(str(value), {})
        return texts.get(language, str(value))


class CustomerGroup(BaseModel):
    """A group of customers for difference-in-differences: a column filter and/or a list of customer ids.

    ``column`` is a customers column (e.g. ``customer_type``, ``region``) or ``segment`` (the
    segmentation's segment, when available); a customer belongs when its value is in ``values``
    or its id is in ``customers``.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)
    column: str | None = None
    values: list[str] = Field(default_factory=list)
    customers: list[str] = Field(default_factory=list)

    @model_validator(mode="after")
    def _defined(self) -> CustomerGroup:
        if not self.customers and not (self.column and self.values):
            raise ValueError("a group needs `column` with `values` (e.g. column: customer_type, values: [B2B]) "
                             "or a `customers` list of ids")
        if self.column and self.column != "segment" and self.column not in TABLES["customers"].column_names:
            raise ValueError(f"group column {self.column!r} is not a customers column; use one of "
                             f"{', '.join(TABLES['customers'].column_names)} or `segment`")
        return self


class DidGroups(BaseModel):
    """Treated and comparison groups of the difference-in-differences (comparison default: everyone else)."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    treated: CustomerGroup
    comparison: CustomerGroup | None = None
    comparison_untreated: bool = Field(
        False, description="the comparison group did not receive the strategy: only then is the "
                           "difference-in-differences estimated (else its groups' before and after are shown alone)")


class KpiParams(BaseModel):
    """Settings of the before/after KPI evaluation (notebook 04, :mod:`crmreport.analyses.kpi.kpieval`)."""

    model_config = ConfigDict(extra="forbid")
    include: list[str] | None = Field(None, description="KPIs to evaluate (registry names); empty = all")
    alpha: float = Field(0.05, gt=0, lt=1, description="significance level of the adjusted p-values")
    correction: Literal["holm", "bh"] = Field("holm", description="multiplicity correction over KPIs x segments")
    design: Design = Field("auto", description="independent windows, a panel of the same customers, or detect")
    designs: dict[str, Design] = Field(default_factory=dict, description="per-KPI design overriding `design`")
    panel_min_overlap: float = Field(0.5, gt=0, le=1, description="auto: a panel when this share of units is in both")
    paired_test: Literal["t", "wilcoxon"] = Field("t", description="test of paired per-customer means")
    min_change: dict[str, float] = Field(default_factory=dict, description="per-KPI minimum meaningful change")
    min_n: int = Field(30, ge=2, description="fewer observations in a window (or pairs) = insufficient data")
    resolution_sla_hours: dict[Literal["urgent", "high", "medium", "low"], float] = Field(
        default_factory=lambda: {"urgent": 2.0, "high": 24.0, "medium": 24.0, "low": 24.0},
        description="hours from opening to resolution allowed per ticket priority (KPI resolved_within_sla_share)")
    activity_days: int | None = Field(None, gt=0, description="churn: days of the 'active before' window; "
                                                                "empty = the window before, of the same length")
    strategy_start: date | None = Field(None, description="segmented regression break (default: period start)")
    series_months: int = Field(24, ge=6, description="months of the monthly KPI series, ending with the period")
    bootstrap: int = Field(2000, ge=100, description="bootstrap resamples for median intervals")
    seed: int = Field(2025, description="random seed of the bootstraps")
    did: DidGroups | None = Field(None, description="treated and comparison groups for difference-in-differences")

    @model_validator(mode="after")
    def _known_kpis(self) -> KpiParams:
        named = {*(self.include or []), *self.designs, *self.min_change}
        unknown = sorted(named - set(KPI_NAMES))
        if unknown:
            raise ValueError(f"unknown KPI(s) {', '.join(unknown)}; the registry has {', '.join(KPI_NAMES)}")
        return self


class Params(BaseModel):
    """Everything a period run needs to know. Unknown keys are errors."""

    model_config = ConfigDict(extra="forbid")

    period: str = Field(description="period label, e.g. 2025Q3")
    start: date | None = Field(None, description="first day of the period (derived from the label if empty)")
    end: date | None = Field(None, description="last day of the period (derived from the label if empty)")
    baseline: Window | str | None = Field(
        None, description="comparison window: a period label or {start, end}; default: the previous period")
    data: str | None = Field(None, description="folder, XLSX workbook or SQLAlchemy URL; empty = embedded demo")
    tables: dict[TableName, str] = Field(default_factory=dict,
                                         description="contract table -> file, sheet or database table name")
    columns: dict[TableName, dict[str, str]] = Field(
        default_factory=dict, description="per table: source column name -> contract column name")
    values: dict[TableName, dict[str, dict[str, str]]] = Field(
        default_factory=dict, description="per table and column: source value -> contract value")
    date_format: dict[TableName, dict[str, str]] = Field(
        default_factory=dict, description="per table and date column: strptime format, e.g. '%d/%m/%Y'; applied "
        "strictly (a value that does not fit is an error)")
    decimal: Decimal | dict[TableName, Decimal] = Field(
        ".", description="decimal separator of numbers written as text: '.' (1,234.56) or ',' (1.234,56); one for "
        "every table, or per table ({transactions: ','}, the others '.')")
    encoding: dict[TableName, str] = Field(
        default_factory=dict, description="per table: text encoding of its CSV file (utf-8, gbk, cp1252...)")
    timezone: str = Field(DEFAULT_TIMEZONE, description="time zone of the report: date-times with an offset or 'Z' "
                                                        "are converted to it and stored without zone")
    language: Literal["en", "zh"] = Field("en", description="report language")
    currency: str = Field("CNY", description="currency code shown with amounts")
    masking: bool = Field(True, description="mask personal data; false must be explicit and shows on the cover")
    company: str = Field("Demo Company", description="company name on the cover and page headers")
    control_arm: str = Field("control", description="name of the control arm in outreach campaigns")
    ab_tests: AbTests = Field(default_factory=AbTests, description="outreach A/B test settings")
    as_of: date | None = Field(None, description="dates after this day are impossible (default: today; on the "
                               "embedded demo data, which does not grow, 15 days after the later of the "
                               "period's and the data's end)")
    formats: list[Literal["html", "pdf"]] = Field(default_factory=lambda: ["html", "pdf"],
                                                  description="report formats to render")
    workers: int | None = Field(None, ge=1, le=64, description="notebooks run at the same time; "
                                "empty = min(2, CPU count), fewer when memory_limit_gib requires")
    memory_limit_gib: float = Field(6.0, gt=0, description="memory the run may use; when notebooks side by side "
                                    "would need more (estimated from the prepared data), they run one at a time")
    engine: EngineName = Field("duckdb", description="where the measures run: duckdb (embedded, default) or spark")
    spark: SparkSettings = Field(default_factory=SparkSettings, description="Spark master and settings "
                                 "(engine: spark; docs/scale.md)")
    excel_max_rows: int = Field(20_000, ge=1, le=1_048_575, description="a workbook table holds its first rows "
                                "(most urgent first) up to this many, and the report says so; the CSV holds all")
    segmentation: Segmentation = Field(default_factory=Segmentation,
                                       description="thresholds of segmentation (docs/segmentation.md)")
    strategies: dict[Segment, Strategy] = Field(default_factory=dict,
                                                description="template 3: the service strategy per nine-box segment")
    kpis: KpiParams = Field(default_factory=KpiParams, description="before/after KPI evaluation (notebook 04)")
    execution: ExecutionParams = Field(default_factory=ExecutionParams,
                                       description="execution tracking and service levels (notebook 05)")
    labels: Labels = Field(default_factory=Labels, description="display labels of data values per language")
    health: Health = Field(default_factory=Health, description="relationship quality, health score, CLV (notebook 06)")

    @field_validator("period", mode="before")
    @classmethod
    def _label(cls, value: object) -> str:
        return check_period_label(str(value) if isinstance(value, int) else value)

    @model_validator(mode="after")
    def _mappings_name_contract_columns(self) -> Params:
        for table, mapping in self.columns.items():
            unknown = sorted(set(mapping.values()) - set(TABLES[table].column_names))
            if unknown:
                raise ValueError(f"columns.{table} maps to {', '.join(unknown)}, which the contract does not have; "
                                 f"{table} columns are {', '.join(TABLES[table].column_names)}")
        for table, columns in self.values.items():
            unknown = sorted(set(columns) - set(TABLES[table].column_names))
            if unknown:
                raise ValueError(f"values.{table} names {', '.join(unknown)}, which the contract does not have")
        return self

    @model_validator(mode="after")
    def _reading_conventions(self) -> Params:
        for table, formats in self.date_format.items():
            for column, fmt in formats.items():
                kinds = {col.name: col.kind for col in TABLES[table].columns}
                if kinds.get(column) not in ("date", "datetime"):
                    dated = [name for name, kind in kinds.items() if kind in ("date", "datetime")]
                    raise ValueError(f"date_format.{table}.{column}: not a date column of {table}; its date columns "
                                     f"are {', '.join(dated)}")
                if "%" not in fmt or not any(code in fmt for code in ("%d", "%m", "%Y", "%y", "%b", "%B")):
                    raise ValueError(f"date_format.{table}.{column}: {fmt!r} is not a strptime format; write e.g. "
                                     "'%d/%m/%Y' (day first) or '%m/%d/%Y' (month first)")
        for table, name in self.encoding.items():
            try:
                codecs.lookup(name)
            except LookupError:
                raise ValueError(f"encoding.{table}: {name!r} is not a known text encoding; use e.g. utf-8, gbk, "
                                 "gb18030, big5 or cp1252") from None
        try:
            ZoneInfo(self.timezone)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"timezone: {self.timezone!r} is not a time zone name; use e.g. Asia/Shanghai or UTC") \
                from None
        return self

    @model_validator(mode="after")
    def _derive_windows(self) -> Params:
        if self.start is None or self.end is None:
            window = period_window(self.period)
            self.start = self.start or window.start
            self.end = self.end or window.end
        if self.end < self.start:
            raise ValueError(f"end ({self.end}) is before start ({self.start})")
        if self.baseline is None:
            self.baseline = previous_window(self.period, Window(start=self.start, end=self.end))
        elif isinstance(self.baseline, str):
            self.baseline = period_window(self.baseline)
        if self.as_of is None:
            self.as_of = max(self.end, DEMO_DATA_END) + DEMO_AS_OF_AFTER_END if self.data is None else date.today()
        return self

    @model_validator(mode="after")
    def _company_in_language(self) -> Params:
        """``labels.company`` names the company in the report language (cover, page headers)."""
        self.company = self.labels.company.get(self.language, self.company)
        return self

    def decimal_for(self, table: str) -> str:
        """The decimal separator of ``table``."""
        return self.decimal if isinstance(self.decimal, str) else self.decimal.get(table, ".")

    def public_dump(self) -> dict:
        """The parameters as JSON-ready data with any database password redacted: what a run writes
        to ``params.yaml``, ``manifest.json`` and logs."""
        return redact_mapping(self.model_dump(mode="json"))

    def fingerprint(self) -> str:
        """SHA-256 of the parameters (as :meth:`public_dump`), to tell which params an output came from."""
        return hashlib.sha256(json.dumps(self.public_dump(), sort_keys=True).encode()).hexdigest()

    @property
    def window(self) -> Window:
        return Window(start=self.start, end=self.end)

    @property
    def baseline_window(self) -> Window:
        assert isinstance(self.baseline, Window)
        return self.baseline
