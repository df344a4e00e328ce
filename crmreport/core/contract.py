"""The data contract: the eight canonical tables, their columns, types and rules.

Everything that loads, validates, cleans, masks or documents a table reads this
module; ``docs/data-contract.md`` is its prose twin (a test keeps them in step).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

ColumnKind = Literal["id", "text", "enum", "tags", "date", "datetime", "number", "integer", "bool"]

#: the pandas dtype every kind is coerced to, whatever the source gave
CANONICAL_DTYPES: dict[str, str] = {
    "id": "str",
    "text": "str",
    "enum": "str",
    "tags": "str",
    "date": "datetime64[ns]",
    "datetime": "datetime64[ns]",
    "number": "float64",
    "integer": "Int64",
    "bool": "boolean",
}


@dataclass(frozen=True)
class ColumnSpec:
    """One contract column.

    ``required`` columns must be present in the source; optional ones are added
    empty when absent. ``nullable=False`` values that are empty send the row to
    quarantine. ``low``/``high`` bound plausible values (outside: quarantine).
    ``future_ok`` dates may lie after the run's ``as_of`` date (plans do).
    """

    name: str
    kind: ColumnKind
    description: str
    required: bool = False
    nullable: bool = True
    choices: tuple[str, ...] = ()
    low: float | None = None
    high: float | None = None
    future_ok: bool = False
    personal: bool = False


@dataclass(frozen=True)
class TableSpec:
    """One contract table: its columns, its key and whether a run needs it."""

    name: str
    description: str
    columns: tuple[ColumnSpec, ...]
    key: tuple[str, ...]
    required: bool = False
    #: (earlier, later) datetime pairs: a later value before the earlier one is impossible
    ordered: tuple[tuple[str, str], ...] = field(default_factory=tuple)

    @property
    def column_names(self) -> list[str]:
        return [c.name for c in self.columns]

    def column(self, name: str) -> ColumnSpec:
        for col in self.columns:
            if col.name == name:
                return col
        raise KeyError(f"table {self.name} has no column {name!r}")

    @property
    def has_customer_fk(self) -> bool:
        return self.name != "customers" and "customer_id" in self.column_names


def _id(name: str, description: str) -> ColumnSpec:
    return ColumnSpec(name, "id", description, required=True, nullable=False)


CUSTOMER_REF = ColumnSpec("customer_id", "id", "the customer (customers.customer_id)", required=True, nullable=False)

TABLES: dict[str, TableSpec] = {
    t.name: t
    for t in (
        TableSpec(
            "customers",
            "One row per customer: the customer basic table (客户信息基础表).",
            (
                _id("customer_id", "unique customer identifier"),
                ColumnSpec("name", "text", "company or person name (masked)", required=True, personal=True),
                ColumnSpec("customer_type", "enum", "B2B or B2C", required=True, nullable=False,
                           choices=("B2B", "B2C")),
                ColumnSpec("industry", "text", "industry in the company taxonomy"),
                ColumnSpec("size_tier", "enum", "B2B size: large >= 100M CNY revenue, medium 10M-100M, small < 10M",
                           choices=("large", "medium", "small")),
                ColumnSpec("region", "text", "sales region"),
                ColumnSpec("signup_date", "date", "start of the cooperation"),
                ColumnSpec("account_manager", "text", "owning account manager (staff, not masked)"),
                ColumnSpec("contact_name", "text", "key contact person (masked to role)", personal=True),
                ColumnSpec("phone", "text", "contact phone (masked 138****5678)", personal=True),
                ColumnSpec("email", "text", "contact e-mail (masked l***@x.com)", personal=True),
                ColumnSpec("need_tags", "tags", "';'-separated need tags, e.g. 'custom product; technical support'"),
            ),
            key=("customer_id",),
            required=True,
        ),
        TableSpec(
            "transactions",
            "One row per order line or refund.",
            (
                _id("transaction_id", "unique transaction identifier"),
                CUSTOMER_REF,
                ColumnSpec("transaction_date", "datetime", "date or date-time of the transaction",
                           required=True, nullable=False),
                ColumnSpec("amount", "number", "amount in the report currency; negative = refund",
                           required=True, nullable=False),
                ColumnSpec("product_category", "text", "product or service category"),
                ColumnSpec("channel", "text", "sales channel"),
            ),
            key=("transaction_id",),
            required=True,
        ),
        TableSpec(
            "interactions",
            "Every contact with a customer: the communication log (客户沟通记录表).",
            (
                _id("interaction_id", "unique interaction identifier"),
                CUSTOMER_REF,
                ColumnSpec("interaction_time", "datetime", "when it happened", required=True, nullable=False),
                ColumnSpec("channel", "enum", "contact channel", required=True, nullable=False,
                           choices=("phone", "email", "visit", "sms", "im", "app", "event", "survey")),
                ColumnSpec("direction", "enum", "who initiated it", required=True, nullable=False,
                           choices=("inbound", "outbound")),
                ColumnSpec("interaction_type", "enum", "what it was about", required=True, nullable=False,
                           choices=("consultation", "complaint", "suggestion", "follow_up", "visit", "event",
                                    "marketing")),
                ColumnSpec("responded", "bool", "the customer responded (outbound only)"),
                ColumnSpec("sentiment", "integer", "-1 negative, 0 neutral, 1 positive", low=-1, high=1),
                ColumnSpec("topic", "text", "what was discussed (communication log 沟通主题)"),
                ColumnSpec("urgency", "enum", "how urgent the matter is for the customer",
                           choices=("high", "medium", "low")),
                ColumnSpec("owner", "text", "staff member who follows it up (staff, not masked)"),
                ColumnSpec("due_date", "date", "when the agreed follow-up is due (empty = none agreed)",
                           future_ok=True),
                ColumnSpec("follow_up", "text", "the agreed follow-up (free text, contact details scrubbed)"),
                ColumnSpec("feedback", "text", "what the customer said (free text, contact details scrubbed)"),
            ),
            key=("interaction_id",),
        ),
        TableSpec(
            "surveys",
            "Satisfaction survey responses; any score may be empty.",
            (
                _id("survey_id", "unique survey response identifier"),
                CUSTOMER_REF,
                ColumnSpec("response_time", "datetime", "when the customer answered", required=True, nullable=False),
                ColumnSpec("csat", "integer", "customer satisfaction 1-5", low=1, high=5),
                ColumnSpec("nps", "integer", "likelihood to recommend 0-10", low=0, high=10),
                ColumnSpec("trust", "integer", "trust 1-5", low=1, high=5),
            ),
            key=("survey_id",),
        ),
        TableSpec(
            "tickets",
            "Service requests and complaints with their response and resolution times.",
            (
                _id("ticket_id", "unique ticket identifier"),
                CUSTOMER_REF,
                ColumnSpec("opened_at", "datetime", "when the ticket was opened", required=True, nullable=False),
                ColumnSpec("first_response_at", "datetime", "first response to the customer"),
                ColumnSpec("resolved_at", "datetime", "when it was resolved (empty = open)"),
                ColumnSpec("priority", "enum", "urgency", required=True, nullable=False,
                           choices=("urgent", "high", "medium", "low")),
                ColumnSpec("category", "text", "what the ticket is about"),
                ColumnSpec("department", "text", "department handling it"),
                ColumnSpec("satisfaction", "integer", "customer satisfaction with the handling, 1-5", low=1, high=5),
            ),
            key=("ticket_id",),
            ordered=(("opened_at", "first_response_at"), ("opened_at", "resolved_at")),
        ),
        TableSpec(
            "outreach",
            "Randomised outreach campaigns: one row per customer assigned to an arm.",
            (
                ColumnSpec("campaign_id", "id", "campaign identifier", required=True, nullable=False),
                CUSTOMER_REF,
                ColumnSpec("arm", "text", "the arm the customer was assigned to (control arm named in params)",
                           required=True, nullable=False),
                ColumnSpec("assigned_at", "datetime", "assignment time", required=True, nullable=False),
                ColumnSpec("channel", "text", "outreach channel (call, sms, email, ...)"),
                ColumnSpec("responded", "bool", "the customer responded", required=True),
                ColumnSpec("converted", "bool", "the customer converted", required=True),
                ColumnSpec("revenue", "number", "attributed revenue, >= 0", low=0),
            ),
            key=("campaign_id", "customer_id"),
        ),
        TableSpec(
            "tasks",
            "Strategy execution: the service execution tracking table (服务执行跟踪表).",
            (
                _id("task_id", "unique task identifier"),
                CUSTOMER_REF,
                ColumnSpec("strategy", "text", "strategy executed", required=True),
                ColumnSpec("owner", "text", "responsible person or role (staff, not masked)"),
                ColumnSpec("planned_date", "date", "planned date", required=True, nullable=False, future_ok=True),
                ColumnSpec("actual_date", "date", "actual date (empty = not done)"),
                ColumnSpec("status", "enum", "task status", required=True, nullable=False,
                           choices=("done", "in_progress", "not_started", "delayed")),
                ColumnSpec("feedback", "text", "customer feedback (free text, contact details scrubbed)"),
                ColumnSpec("problem", "text", "problem found (free text, contact details scrubbed)"),
                ColumnSpec("next_action", "text", "next action"),
            ),
            key=("task_id",),
        ),
        TableSpec(
            "improvements",
            "Service-quality improvement tracking (服务质量改进跟踪表).",
            (
                _id("improvement_id", "unique improvement identifier"),
                ColumnSpec("problem", "text", "the problem", required=True),
                ColumnSpec("customers_affected", "integer", "number of customers affected", low=0),
                ColumnSpec("measure", "text", "the improvement measure"),
                ColumnSpec("department", "text", "department in charge"),
                ColumnSpec("owner", "text", "owner (staff, not masked)"),
                ColumnSpec("planned_date", "date", "planned completion", future_ok=True),
                ColumnSpec("actual_date", "date", "actual completion"),
                ColumnSpec("verification_score", "integer", "verification by customer satisfaction 1-5", low=1, high=5),
            ),
            key=("improvement_id",),
        ),
    )
}

REQUIRED_TABLES: tuple[str, ...] = tuple(name for name, spec in TABLES.items() if spec.required)

#: columns naming staff (account managers, owners): not masked as names, but scrubbed of contact details
STAFF_COLUMNS: dict[str, tuple[str, ...]] = {"customers": ("account_manager",), "interactions": ("owner",),
                                             "tasks": ("owner",), "improvements": ("owner",)}

#: every text and tags column that is neither personal (masked by its own rule) nor staff: scrubbed of
#: phone numbers, e-mail addresses and the customers' names when masking
FREE_TEXT_COLUMNS: dict[str, tuple[str, ...]] = {
    spec.name: tuple(col.name for col in spec.columns if col.kind in ("text", "tags") and not col.personal
                     and col.name not in STAFF_COLUMNS.get(spec.name, ()))
    for spec in TABLES.values()
}

#: enumeration synonyms every export may use; anything else needs a `values:` mapping in params
BUILTIN_SYNONYMS: dict[str, str] = {
    "已完成": "done", "完成": "done", "进行中": "in_progress", "未执行": "not_started", "未开始": "not_started",
    "已延期": "delayed", "延期": "delayed", "not_executed": "not_started",
    "大型": "large", "中型": "medium", "小型": "small", "大": "large", "中": "medium", "小": "small",
    "紧急": "urgent", "高": "high", "低": "low",
    "呼入": "inbound", "呼出": "outbound",
}

#: spellings of booleans that need no mapping
BOOLEAN_WORDS: dict[str, bool] = {
    "true": True, "false": False, "t": True, "f": False, "yes": True, "no": False, "y": True, "n": False,
    "1": True, "0": False, "1.0": True, "0.0": False, "是": True, "否": False, "对": True, "错": False,
}


def table_spec(name: str) -> TableSpec:
    """Return the contract of table ``name`` or raise a KeyError listing the known tables."""
    try:
        return TABLES[name]
    except KeyError:
        raise KeyError(f"unknown table {name!r}; the contract has {', '.join(TABLES)}") from None


def contract_markdown() -> str:
    """The contract as Markdown tables (``docs/data-contract.md`` is generated from it)."""
    lines = []
    for spec in TABLES.values():
        need = "required" if spec.required else "optional"
        lines += [f"## {spec.name} ({need})", "", spec.description, "",
                  f"Key: {', '.join(spec.key)}." + (" Impossible orders: " + ", ".join(
                      f"{b} before {a}" for a, b in spec.ordered) + "." if spec.ordered else ""), "",
                  "| column | type | must be present | empty allowed | rule | description |",
                  "|---|---|---|---|---|---|"]
        for col in spec.columns:
            rules = []
            if col.choices:
                rules.append(" / ".join(col.choices))
            if col.low is not None:
                rules.append(f">= {col.low:g}" if col.high is None else f"{col.low:g} to {col.high:g}")
            if col.kind in ("date", "datetime"):
                rules.append("may be in the future" if col.future_ok else "not after as_of")
            if col.personal:
                rules.append("masked")
            lines.append(f"| {col.name} | {col.kind} | {'yes' if col.required else 'no'} | "
                         f"{'yes' if col.nullable else 'no'} | {'; '.join(rules)} | {col.description} |")
        lines.append("")
    return "\n".join(lines)
