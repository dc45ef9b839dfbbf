"""factledger: an auditable, append-only ledger of the facts in news articles."""

__version__ = "0.1.0"
__all__ = ["__version__", "hookimpl"]


def __getattr__(name: str):
    """``ledger.hookimpl`` imports pluggy on first use (PEP 562), so ``factledger --help`` does not (#12)."""
    if name == "hookimpl":
        from .hookspecs import hookimpl

        return hookimpl
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
