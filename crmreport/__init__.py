"""crmreport: parameterized notebooks and reports for customer-relationship programmes.

This module is the notebook-facing API: notebooks import what they call from here or from the
documented subpackages (``crmreport.analyses.*``, ``crmreport.measures``). The package follows the
data flow, bottom to top: ``core`` -> ``settings`` -> ``stats`` -> ``demo`` -> ``ingest`` ->
``measures`` -> ``analyses`` -> ``reporting`` -> ``run`` -> ``cli`` (docs/architecture.md).
The exports load on first use, so the CLI does not pay for plotting imports.
"""

from importlib import import_module

from .core.version import __version__

_EXPORTS = {
    "PeriodContext": "reporting.context", "open_period": "reporting.context", "lab_results_dir": "reporting.context",
    "Report": "reporting.report", "setup_plotting": "reporting.plots", "percent_axis": "reporting.plots",
    "error_bars": "reporting.plots", "KpiWords": "reporting.kpiwords", "decision_lines": "reporting.abwords",
    "label": "core.i18n", "labels": "core.i18n",
}
__all__ = ["KpiWords", "PeriodContext", "Report", "__version__", "decision_lines", "error_bars", "lab_results_dir",
           "label", "labels", "open_period", "percent_axis", "setup_plotting"]


def __getattr__(name: str) -> object:
    if name in _EXPORTS:
        return getattr(import_module(f".{_EXPORTS[name]}", __name__), name)
    raise AttributeError(f"module 'crmreport' has no attribute {name!r}")
