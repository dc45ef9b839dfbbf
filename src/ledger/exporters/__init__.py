"""The exporter contract: what a plugin registers through ``register_exporters``."""

from __future__ import annotations

from collections.abc import Callable
from typing import IO, Any

from attrs import field, frozen


@frozen
class ExporterSpec:
    """An export format.

    Attributes:
        name: What users type after ``factledger export``; unique across plugins.
        media_type: Media type of the output.
        extension: Usual file extension, without the dot.
        write: ``write(context, out)``: stream the export to the binary file ``out``.
        views: The views this format can export (the first is the default).
        description: One line for ``factledger plugins``.
    """

    name: str
    media_type: str
    extension: str
    write: Callable[[Any, IO[bytes]], None] = field(eq=False)
    views: tuple[str, ...] = ("assertions",)
    description: str = ""
