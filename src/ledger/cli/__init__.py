"""The command line: a thin layer over the library, one module per command group."""

from . import append, audit, diff, export, plugins_cmd  # noqa: F401  (modules add their commands to cli)
from .main import cli, main

__all__ = ["cli", "main"]
