"""The default extractor, ``rules``: deterministic, offline, pure Python and regexes.

It is a plugin like any other, registered through ``register_extractors``; a better
extractor (spaCy, an LLM) can replace it by registering under another name. The pipeline
(:mod:`.pipeline`, its design in that module's docstring) is imported on the first
``extract``: every command loads the plugins, and most (views, exports, verify) never
extract, so registering must not cost the pipeline's ~0.2 s of imports.
"""

from __future__ import annotations

import importlib
from typing import Any

from ... import hookimpl
from .. import Extracted, ExtractorSpec, SourceInfo

NAME = "rules"
VERSION = "1.2.0"


def extract(text: str, info: SourceInfo) -> list[Extracted]:
    """Every assertion of ``text`` (:func:`.pipeline.extract`)."""
    from .pipeline import extract as run

    return run(text, info)


SPEC = ExtractorSpec(
    name=NAME,
    version=VERSION,
    extract=extract,
    description="Rule-based sentence/clause extractor (offline, deterministic): kinds, speakers, hedges, values, entities",
)


@hookimpl
def register_extractors(register):
    register(SPEC)


def __getattr__(name: str) -> Any:
    """The pipeline's names (``IRREGULAR_VERBS``, ...) for code that imports them from the package."""
    if name.startswith("__") or name == "pipeline":  # (import machinery probing: not the pipeline's names)
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    pipeline = importlib.import_module(".pipeline", __name__)
    try:
        return getattr(pipeline, name)
    except AttributeError:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}") from None
