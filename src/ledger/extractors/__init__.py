"""The extractor contract: text and source metadata in, anchored assertions out.

An extractor never builds selectors or ids itself: it returns spans, and the core
(:func:`ledger.extractors.anchor`) cuts ``exact``/``prefix``/``suffix`` from the
text, so a quote is ``text[start:end]`` whatever the extractor does.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from attrs import field, frozen

from ..events import ASSERTION_KINDS, MODALITIES, Mention, Selector, Value

CONTEXT = 32
"""Code points of prefix and suffix kept around every quote."""


@frozen
class SourceInfo:
    """What an extractor may know about a source besides its text.

    Attributes:
        source_id: The ledger's id of the source.
        title: Headline, if known (lets an extractor tell the headline line).
        published: ISO 8601 date or date-time of publication; relative dates resolve against it.
        outlet: The publication's name.
        uri: Where it came from.
        media_type: Media type of what was read (``text/plain``, ``text/markdown``, ``text/html``).
    """

    source_id: str = ""
    title: str | None = None
    published: str | None = None
    outlet: str | None = None
    uri: str | None = None
    media_type: str = "text/plain"


@frozen
class Extracted:
    """One assertion as an extractor found it.

    Attributes:
        kind: One of ``statement``, ``headline``, ``caption``, ``credit``, ``boilerplate``.
        start: Offset of the first code point in the text given to the extractor.
        end: Offset one past the last one; ``start < end``.
        speaker: Who the article says made the statement; ``None`` for the article's own voice.
        speaker_cue: The attribution words (``said``, ``according to``, ``told reporters``).
        modality: ``asserted``, ``hedged`` or ``negated``.
        modality_cue: The words that make it hedged or negated (``reportedly``, ``didn't``).
        values: Quantities and dates, with spans in the same text.
        entities: People, organisations and places, with spans in the same text.
        quotation: ``direct`` (the speaker's words quoted), ``reported`` (indirect speech)
            or ``None`` (no speaker, or the extractor does not say).
        antecedent: ``(start, end)`` of the mention the speaker was resolved through (a
            pronoun's or role phrase's antecedent, the attribution of a continued quotation).
    """

    kind: str = field()
    start: int
    end: int
    speaker: str | None = None
    speaker_cue: str | None = None
    modality: str = "asserted"
    modality_cue: str | None = None
    values: tuple[Value, ...] = ()
    entities: tuple[Mention, ...] = ()
    quotation: str | None = None
    antecedent: tuple[int, int] | None = None

    @kind.validator
    def _known_kind(self, _attribute, value):
        if value not in ASSERTION_KINDS:
            raise ValueError(f"unknown assertion kind {value!r}; expected one of {ASSERTION_KINDS}")


ExtractFn = Callable[[str, SourceInfo], Iterable[Extracted]]


@frozen
class ExtractorSpec:
    """An extractor a plugin registers through ``register_extractors``.

    Attributes:
        name: Unique, stable name recorded in every ``AssertionRecorded`` (``rules``).
        version: Recorded beside the name; bump it when output changes.
        extract: ``extract(text, info) -> iterable of Extracted``. Must be deterministic and
            must not touch the network.
        description: One line shown by ``factledger plugins``.
    """

    name: str
    version: str
    extract: ExtractFn = field(eq=False)
    description: str = ""


def anchor(text: str, start: int, end: int) -> Selector:
    """Cut the selector for ``text[start:end]`` with up to :data:`CONTEXT` code points around it."""
    if not (0 <= start < end <= len(text)):
        raise ValueError(f"span {start}:{end} is outside a text of {len(text)} code points")
    return Selector(
        start=start,
        end=end,
        exact=text[start:end],
        prefix=text[max(0, start - CONTEXT) : start],
        suffix=text[end : end + CONTEXT],
    )


def check_extracted(text: str, items: Iterable[Extracted]) -> list[Extracted]:
    """Validate an extractor's output at the boundary: spans in bounds (values and mentions quoting
    their span), known modality. Anything else would be written and then fail verify for good."""
    out = []
    for item in items:
        if not (0 <= item.start < item.end <= len(text)):
            raise ValueError(f"extractor returned span {item.start}:{item.end} outside the text")
        if item.modality not in MODALITIES:
            raise ValueError(f"extractor returned unknown modality {item.modality!r}")
        if item.quotation not in (None, "direct", "reported"):
            raise ValueError(f"extractor returned unknown quotation mode {item.quotation!r}")
        if item.antecedent is not None and not (0 <= item.antecedent[0] < item.antecedent[1] <= len(text)):
            raise ValueError(f"extractor returned antecedent span {item.antecedent} outside the text")
        for part in (*item.values, *item.entities):  # verify checks each against the stored text: so do we, before writing
            if not (0 <= part.start < part.end <= len(text)) or text[part.start : part.end] != part.text:
                raise ValueError(f"extractor returned {part.text!r} at {part.start}:{part.end}, which is not that span of the text")
            for name in ("type", "entity") if isinstance(part, Mention) else ("type",):
                value = getattr(part, name)
                if not isinstance(value, str) or not value:
                    raise ValueError(f"extractor returned {part.text!r} with {name} {value!r} (text expected)")
        out.append(item)
    return out
