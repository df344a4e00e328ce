"""crmreport: parameterized notebooks and reports for customer-relationship programmes.

Notebooks import what they call from here; everything else lives in the modules.
"""

from importlib import metadata

try:
    __version__ = metadata.version("crmreport")
except metadata.PackageNotFoundError:  # running from a source tree that is not installed
    __version__ = "0.0.0"

from .context import PeriodContext, open_period  # noqa: E402
from .plots import setup_plotting  # noqa: E402
from .report import Report  # noqa: E402

__all__ = ["PeriodContext", "Report", "__version__", "open_period", "setup_plotting"]
