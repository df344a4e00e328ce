"""Period parameters: ``params/defaults.yaml`` + ``params/<period>.yaml`` + CLI overrides, validated.

A period label alone is enough: ``2025Q3`` means 2025-07-01..2025-09-30 with the previous
quarter as baseline. Labels ``2025`` (year), ``2025H1`` (half) and ``2025-07`` (month) work the
same way; any other label needs ``start`` and ``end``.
"""

from __future__ import annotations

import difflib
import os
import re
from datetime import date, timedelta
from pathlib import Path
from typing import Any, Literal, get_args, get_origin

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from .contract import TABLES
from .errors import ParamsError
from .segmentation_params import Segment, Segmentation, Strategy

TableName = Literal["customers", "transactions", "interactions", "surveys", "tickets", "outreach", "tasks",
                    "improvements"]
PROJECT_MARKER = Path("params") / "defaults.yaml"


class Window(BaseModel):
    """A closed date window [start, end]."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    start: date
    end: date

    @model_validator(mode="after")
    def _ordered(self) -> Window:
        if self.end < self.start:
            raise ValueError(f"window ends ({self.end}) before it starts ({self.start})")
        return self

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1


class AbTests(BaseModel):
    """Settings of the outreach A/B test evaluation (notebook 03, ``crmreport.campaigns``)."""

    model_config = ConfigDict(extra="forbid")

    planned_split: dict[str, dict[str, float]] = Field(
        default_factory=dict, description="per campaign: arm -> planned share (normalised); default: equal shares")
    alpha: float = Field(0.05, gt=0, lt=1, description="significance level (1 - confidence of the intervals)")
    correction: Literal["holm", "bh"] = Field("holm", description="multiple-testing correction: holm or bh")
    srm_threshold: float = Field(0.001, gt=0, lt=1, description="sample-ratio-mismatch flag below this p-value")
    pre_period_days: int = Field(90, ge=1, description="days before a campaign's first assignment used by CUPED")
    min_n_per_segment: int = Field(50, ge=2, description="fewest customers per arm for a segment slice to be tested")
    cost_per_contact: dict[str, float] = Field(
        default_factory=dict, description="campaign id or channel -> cost per contacted customer (treatment arms)")
    target_lifts: list[float] = Field(default_factory=lambda: [0.1, 0.25, 0.5],
                                      description="relative lifts of the planning table")
    power: float = Field(0.8, gt=0, lt=1, description="power of the MDE and planning table")

    @model_validator(mode="after")
    def _positive(self) -> AbTests:
        bad = {k: v for k, v in self.cost_per_contact.items() if v < 0}
        if bad:
            raise ValueError(f"cost_per_contact must be >= 0, got {bad}")
        for campaign, split in self.planned_split.items():
            if any(v < 0 for v in split.values()) or sum(split.values()) <= 0:
                raise ValueError(f"planned_split.{campaign} needs shares >= 0 with a positive sum, got {split}")
        if any(lift == 0 or lift <= -1 for lift in self.target_lifts):
            raise ValueError(f"target_lifts must be relative lifts above -1 and not 0 (0.1 = +10%), "
                             f"got {self.target_lifts}")
        return self


Design = Literal["auto", "independent", "paired"]


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


class KpiParams(BaseModel):
    """Settings of the before/after KPI evaluation (notebook 04, ``crmreport.kpieval``)."""

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
    sla_hours: dict[Literal["urgent", "high", "medium", "low"], float] = Field(
        default_factory=lambda: {"urgent": 2.0, "high": 24.0, "medium": 24.0, "low": 24.0},
        description="hours from opening to resolution allowed per ticket priority")
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
        if named:
            from .kpis import KPIS  # the registry imports this module

            unknown = sorted(named - set(KPIS))
            if unknown:
                raise ValueError(f"unknown KPI(s) {', '.join(unknown)}; the registry has {', '.join(KPIS)}")
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
    language: Literal["en", "zh"] = Field("en", description="report language")
    currency: str = Field("CNY", description="currency code shown with amounts")
    masking: bool = Field(True, description="mask personal data; false must be explicit and shows on the cover")
    company: str = Field("Demo Company", description="company name on the cover and page headers")
    control_arm: str = Field("control", description="name of the control arm in outreach campaigns")
    ab_tests: AbTests = Field(default_factory=AbTests, description="outreach A/B test settings")
    as_of: date | None = Field(None, description="dates after this day are impossible (default: today)")
    formats: list[Literal["html", "pdf"]] = Field(default_factory=lambda: ["html", "pdf"],
                                                  description="report formats to render")
    segmentation: Segmentation = Field(default_factory=Segmentation,
                                       description="thresholds of segmentation (docs/segmentation.md)")
    strategies: dict[Segment, Strategy] = Field(default_factory=dict,
                                                description="template 3: the service strategy per nine-box segment")
    kpis: KpiParams = Field(default_factory=KpiParams, description="before/after KPI evaluation (notebook 04)")

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
            self.as_of = date.today()
        return self

    @property
    def window(self) -> Window:
        return Window(start=self.start, end=self.end)

    @property
    def baseline_window(self) -> Window:
        assert isinstance(self.baseline, Window)
        return self.baseline


_PATTERNS: dict[str, re.Pattern[str]] = {
    "quarter": re.compile(r"^(\d{4})Q([1-4])$"),
    "half": re.compile(r"^(\d{4})H([12])$"),
    "month": re.compile(r"^(\d{4})-(0[1-9]|1[0-2])$"),
    "year": re.compile(r"^(\d{4})$"),
}
_MONTHS = {"quarter": 3, "half": 6, "month": 1, "year": 12}


def _label_kind(label: str) -> tuple[str, int, int]:
    for kind, pattern in _PATTERNS.items():
        match = pattern.match(label)
        if match:
            year = int(match.group(1))
            part = int(match.group(2)) if match.lastindex and match.lastindex > 1 else 1
            return kind, year, part
    raise ValueError(
        f"period label {label!r} is not one of 2025Q3, 2025H1, 2025-07 or 2025; give `start` and `end` for it")


def _add_months(year: int, month: int, months: int) -> tuple[int, int]:
    index = year * 12 + (month - 1) + months
    return index // 12, index % 12 + 1


def period_window(label: str) -> Window:
    """Return the dates a period label covers (``2025Q3`` -> 2025-07-01..2025-09-30)."""
    kind, year, part = _label_kind(label)
    length = _MONTHS[kind]
    first_month = (part - 1) * length + 1
    end_year, end_month = _add_months(year, first_month, length)
    return Window(start=date(year, first_month, 1), end=date(end_year, end_month, 1) - timedelta(days=1))


def previous_window(label: str, window: Window) -> Window:
    """The window just before ``window``: the previous period of the same kind, or the same length."""
    try:
        kind, _, _ = _label_kind(label)
    except ValueError:
        return Window(start=window.start - timedelta(days=window.days), end=window.start - timedelta(days=1))
    year, month = _add_months(window.start.year, window.start.month, -_MONTHS[kind])
    return Window(start=date(year, month, 1), end=window.start - timedelta(days=1))


def find_project_root(start: Path | None = None) -> Path | None:
    """The nearest folder at or above ``start`` (default: cwd) holding ``params/defaults.yaml``.

    ``CRMREPORT_PROJECT`` overrides the search.
    """
    if os.environ.get("CRMREPORT_PROJECT"):
        return Path(os.environ["CRMREPORT_PROJECT"]).resolve()
    here = (start or Path.cwd()).resolve()
    for folder in (here, *here.parents):
        if (folder / PROJECT_MARKER).is_file():
            return folder
    return None


def _read_yaml(path: Path) -> dict[str, Any]:
    try:
        content = yaml.safe_load(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ParamsError(f"params file {path} does not exist; create it or pass an existing --params FILE") from None
    except yaml.YAMLError as exc:
        raise ParamsError(f"params file {path} is not valid YAML: {exc}") from None
    if content is None:
        return {}
    if not isinstance(content, dict):
        raise ParamsError(f"params file {path} must hold a mapping of keys (period: ..., language: ...)")
    return content


def _merge(base: dict[str, Any], extra: dict[str, Any]) -> dict[str, Any]:
    merged = dict(base)
    for key, value in extra.items():
        if isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = _merge(merged[key], value)
        else:
            merged[key] = value
    return merged


def _known_keys(loc: tuple) -> list[str]:
    """The keys allowed next to the unknown key at ``loc``: a section's fields, else table names.

    A mapping of sections (``strategies: {core: {...}}``) is walked through its key.
    """
    model: type[BaseModel] = Params
    parts = list(loc[:-1])
    while parts:
        field = model.model_fields.get(str(parts.pop(0)))
        annotation = field.annotation if field else None
        if get_origin(annotation) is dict and _is_section(get_args(annotation)[-1]):
            annotation = get_args(annotation)[-1]
            if parts:
                parts.pop(0)
        if not _is_section(annotation):
            return list(TABLES)
        model = annotation
    return list(model.model_fields)


def _is_section(annotation: object) -> bool:
    return isinstance(annotation, type) and issubclass(annotation, BaseModel)


def _explain(error: ValidationError, sources: str) -> str:
    lines = []
    for problem in error.errors():
        where = ".".join(str(part) for part in problem["loc"]) or "(top level)"
        if problem["type"] == "extra_forbidden":
            key = str(problem["loc"][-1])
            known = _known_keys(problem["loc"])
            hint = difflib.get_close_matches(key, known, n=1)
            fix = f" (did you mean `{hint[0]}`?)" if hint else f"; known keys: {', '.join(known)}"
            lines.append(f"`{where}` is not a parameter{fix}")
        else:
            lines.append(f"`{where}`: {problem['msg']} (got {problem.get('input')!r})")
    return f"invalid parameters in {sources}:\n" + "\n".join(f"  - {line}" for line in lines)


def resolve_data(data: str | None, root: Path | None) -> str | None:
    """Make a relative data path absolute against the project root; leave URLs alone."""
    if not data or "://" in data:
        return data or None
    path = Path(data).expanduser()
    if not path.is_absolute():
        path = (root or Path.cwd()) / path
    return str(path.resolve())


def load_params(period: str | None = None, params_file: str | Path | None = None,
                overrides: dict[str, Any] | None = None, root: Path | None = None) -> Params:
    """Build the validated parameters of a run.

    Parameters
    ----------
    period
        Period label; optional when ``params_file`` names it.
    params_file
        Explicit params file; default ``params/<period>.yaml`` under the project root when it exists.
    overrides
        Values from the command line (``data``, ``language``, ``formats``...), applied last.
    root
        Project root holding ``params/``; default: searched upwards from the working directory.
    """
    root = root or find_project_root()
    layers: list[tuple[str, dict[str, Any]]] = []
    if root is not None and (root / PROJECT_MARKER).is_file():
        layers.append((str(root / PROJECT_MARKER), _read_yaml(root / PROJECT_MARKER)))
    if params_file is not None:
        layers.append((str(params_file), _read_yaml(Path(params_file))))
    elif period and root is not None and (root / "params" / f"{period}.yaml").is_file():
        path = root / "params" / f"{period}.yaml"
        layers.append((str(path), _read_yaml(path)))
    merged: dict[str, Any] = {}
    for _, layer in layers:
        merged = _merge(merged, layer)
    if period:
        if merged.get("period") not in (None, period) and params_file is not None:
            raise ParamsError(f"--period {period} disagrees with `period: {merged['period']}` in {params_file}")
        merged["period"] = period
    merged = _merge(merged, {k: v for k, v in (overrides or {}).items() if v is not None})
    if "period" not in merged:
        raise ParamsError("no period given: pass --period 2025Q3 or set `period:` in the params file")
    merged["data"] = resolve_data(merged.get("data"), root)
    sources = ", ".join(name for name, _ in layers) or "the command line"
    try:
        return Params.model_validate(merged)
    except ValidationError as exc:
        raise ParamsError(_explain(exc, sources)) from None
