"""factledger: an auditable, append-only ledger of the facts in news articles."""

from .hookspecs import hookimpl

__version__ = "0.1.0"
__all__ = ["__version__", "hookimpl"]
