"""The installed package's version (``0.0.0`` in a source tree that is not installed)."""

from importlib import metadata

try:
    __version__ = metadata.version("crmreport")
except metadata.PackageNotFoundError:
    __version__ = "0.0.0"
