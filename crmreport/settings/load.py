"""Build a run's parameters: ``params/defaults.yaml`` + ``params/<period>.yaml`` + CLI overrides, validated.

The defaults are the project's ``params/defaults.yaml`` or, outside a project, the stock one shipped with
crmreport (:mod:`crmreport.settings.stock`).
"""

from __future__ import annotations

import difflib
import os
from pathlib import Path
from typing import Any, get_args, get_origin

import yaml
from pydantic import BaseModel, ValidationError

from ..core.contract import TABLES
from ..core.errors import ParamsError
from .params import Params
from .period import check_period_label as check_label_characters
from .period import period_window
from .stock import defaults_file

PROJECT_MARKER = Path("params") / "defaults.yaml"


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


#: keys renamed because one name had two meanings: the old key -> its new name and what it means
RENAMED: dict[str, tuple[str, str]] = {
    "kpis.sla_hours": ("kpis.resolution_sla_hours",
                       "hours from opening to resolution allowed per ticket priority, the KPI "
                       "resolved_within_sla_share"),
    "execution.sla_hours": ("execution.first_response_limit_hours",
                            "hours from opening to the first response allowed per ticket priority, notebook 05's "
                            "service level"),
}


def _explain(error: ValidationError, sources: str) -> str:
    lines = []
    for problem in error.errors():
        where = ".".join(str(part) for part in problem["loc"]) or "(top level)"
        if problem["type"] == "extra_forbidden" and where in RENAMED:
            new, meaning = RENAMED[where]
            lines.append(f"`{where}` is now `{new}` ({meaning}); rename the key")
        elif problem["type"] == "extra_forbidden":
            key = str(problem["loc"][-1])
            known = _known_keys(problem["loc"])
            hint = difflib.get_close_matches(key, known, n=1)
            fix = f" (did you mean `{hint[0]}`?)" if hint else f"; known keys: {', '.join(known)}"
            lines.append(f"`{where}` is not a parameter{fix}")
        else:
            given = problem.get("input")
            got = "" if isinstance(given, dict | list) else f" (got {given!r})"  # never dump a whole section
            lines.append(f"`{where}`: {problem['msg']}{got}")
    return f"invalid parameters in {sources}:\n" + "\n".join(f"  - {line}" for line in lines)


def resolve_data(data: str | None, root: Path | None) -> str | None:
    """Make a relative data path absolute against the project root; leave URLs alone."""
    if not data or "://" in data:
        return data or None
    path = Path(data).expanduser()
    if not path.is_absolute():
        path = (root or Path.cwd()) / path
    return str(path.resolve())


NO_DATA = ("no data source for period {period}: set `data:` in params/{period}.yaml or params/defaults.yaml, "
           "pass --data FOLDER|WORKBOOK.xlsx|URL, or pass --demo to run on the embedded demo data")


def uses_demo_data(params: Params) -> bool:
    """Whether ``params`` read the embedded demo data (no ``data`` source)."""
    return not params.data


def check_period_label(period: str, merged: dict[str, Any]) -> None:
    """One line for a label that is neither a period label nor a named period with ``start`` and ``end``."""
    if merged.get("start") and merged.get("end"):
        return
    try:
        period_window(period)
    except ValueError:
        hint = ""
        for guess in (period.upper(), period.upper().replace("-Q", "Q")):
            try:
                period_window(guess)
            except ValueError:
                continue
            hint = f" (did you mean {guess}?)"
            break
        raise ParamsError(f"period {period!r} is not a period label{hint}: use 2025Q3 (quarter Q1-Q4), 2025H1, "
                          "2025-07 or 2025, or give `start` and `end` for a named period in its params file") from None


def load_params(period: str | None = None, params_file: str | Path | None = None,
                overrides: dict[str, Any] | None = None, root: Path | None = None,
                demo: bool | None = None) -> Params:
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
        Without a project's ``params/defaults.yaml`` the stock defaults apply.
    demo
        ``True``: use the embedded demo data (``--demo``; a ``data`` override is an error).
        ``False``: a data source is required (the command line without ``--demo``).
        ``None``: no data source means the demo data (library use, notebooks in JupyterLab).
    """
    if period is not None:
        try:
            check_label_characters(period)
        except ValueError as exc:
            raise ParamsError(str(exc)) from None
    root = root or find_project_root()
    defaults = defaults_file(root)
    layers: list[tuple[str, dict[str, Any]]] = [(str(defaults), _read_yaml(defaults))]
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
    extra = {k: v for k, v in (overrides or {}).items() if v is not None}
    if demo and extra.get("data"):
        raise ParamsError("--demo and --data name two data sources; pass one of them")
    merged = _merge(merged, extra)
    if "period" not in merged:
        raise ParamsError("no period given: pass --period 2025Q3 or set `period:` in the params file")
    check_period_label(str(merged["period"]), merged)
    merged["data"] = None if demo else resolve_data(merged.get("data"), root)
    if demo is False and not merged["data"]:
        raise ParamsError(NO_DATA.format(period=merged["period"]))
    sources = ", ".join(name for name, _ in layers) or "the command line"
    try:
        return Params.model_validate(merged)
    except ValidationError as exc:
        raise ParamsError(_explain(exc, sources)) from None
