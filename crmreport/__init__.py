"""crmreport: parameterized notebooks and reports for customer-relationship programmes.

Notebooks import what they call from here; everything else lives in the modules. The exports
load on first use, so ``import crmreport.aggregate`` or the CLI do not pay for plotting imports.
"""

from importlib import import_module, metadata

try:
    __version__ = metadata.version("crmreport")
except metadata.PackageNotFoundError:  # running from a source tree that is not installed
    __version__ = "0.0.0"

_EXPORTS = {"PeriodContext": "context", "open_period": "context", "Report": "report", "setup_plotting": "plots"}
__all__ = ["PeriodContext", "Report", "__version__", "open_period", "setup_plotting"]


def __getattr__(name: str) -> object:
    if name in _EXPORTS:
        return getattr(import_module(f".{_EXPORTS[name]}", __name__), name)
    raise AttributeError(f"module 'crmreport' has no attribute {name!r}")
