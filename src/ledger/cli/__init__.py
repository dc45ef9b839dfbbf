"""The command line: a thin layer over the library, one module per command group."""

from . import analyst, append, audit, diff, eval, export, plugins_cmd, proofs, views  # noqa: F401  (modules add their commands to cli)
from .main import cli, main

__all__ = ["cli", "main"]
