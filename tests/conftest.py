"""Shared test fixtures: a deterministic extractor, ledger paths and a CLI runner.

Other test modules rely on these names; keep them stable.

* ``SHARED``: the read-only data folder beside the checkout (corpus, gold, reference).
* ``simple_extractor``: registers a sentence-splitting extractor plugin named
  ``simple-test`` (so tests never depend on the real ``rules`` extractor) and yields
  its :class:`~ledger.extractors.ExtractorSpec`.
* ``tmp_ledger``: a path to a not-yet-existing ledger in a fresh folder.
* ``run_cli``: ``run_cli(*args, input=None, ledger=tmp_ledger)`` runs the click group
  in-process with ``--ledger`` and returns click's ``Result`` (stdout and stderr apart).
* ``all_types_ledger``: a small ledger holding at least one event of every payload type.

In-process tests load only factledger's built-in plugins: whatever third-party plugins
happen to be installed stay out (as datasette skips them under pytest); a test that needs
one installs or registers it itself. Subprocesses inherit the setting.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

import ledger
from ledger import plugins
from ledger.events import (
    AssertionRecorded,
    AssertionRetracted,
    AssertionsLinked,
    AssertionsUnlinked,
    AssertionWithdrawn,
    Mention,
    SourceAppended,
    SourceMetadataCorrected,
    SourceRevised,
    Value,
    VerdictRecorded,
)
from ledger.checks import assertion_id_for, source_id_for
from ledger.extractors import Extracted, ExtractorSpec, anchor

os.environ["FACTLEDGER_LOAD_PLUGINS"] = ""  # set but empty: no third-party plugins (see ledger.plugins)

SHARED = Path(__file__).resolve().parents[2] / "shared"
"""``../shared`` beside the checkout; tests using it skip when it is missing."""

SIMPLE_NAME = "simple-test"

_SENTENCE = re.compile(r"[^\s.!?][^.!?\n]*[.!?]?")
_NUMBER = re.compile(r"\d+(?:[.,]\d+)*")
_NAME = re.compile(r"(?<=\s)[A-Z][a-z]+(?: [A-Z][a-z]+)*")


def simple_extract(text: str, info) -> list[Extracted]:
    """One ``statement`` per sentence (a first line without a full stop is the ``headline``).

    Numbers become ``quantity`` values and capitalised words after a space become
    ``other`` mentions, so recorded assertions exercise every nested field.
    """
    out = []
    for i, m in enumerate(_SENTENCE.finditer(text)):
        start, end = m.start(), m.end()
        sentence = m.group()
        kind = "headline" if i == 0 and start == 0 and not sentence.endswith((".", "!", "?")) else "statement"
        values = tuple(
            Value(type="quantity", text=n.group(), start=start + n.start(), end=start + n.end(), value=n.group().replace(",", ""))
            for n in _NUMBER.finditer(sentence)
        )
        entities = tuple(
            Mention(text=n.group(), start=start + n.start(), end=start + n.end(), type="other", entity=n.group())
            for n in _NAME.finditer(sentence)
        )
        hedged = " reportedly " in f" {sentence} "
        out.append(
            Extracted(
                kind=kind,
                start=start,
                end=end,
                modality="hedged" if hedged else "asserted",
                modality_cue="reportedly" if hedged else None,
                values=values,
                entities=entities,
            )
        )
    return out


SIMPLE_SPEC = ExtractorSpec(name=SIMPLE_NAME, version="1", extract=simple_extract, description="test: one assertion per sentence")


class _SimplePlugin:
    @ledger.hookimpl
    def register_extractors(self, register):
        register(SIMPLE_SPEC)


@pytest.fixture
def simple_extractor():
    """The ``simple-test`` extractor, registered as a plugin for the test's duration."""
    plugins.load_plugins()
    plugins.register_plugin(_SimplePlugin(), SIMPLE_NAME)
    try:
        yield SIMPLE_SPEC
    finally:
        plugins.unregister_plugin(SIMPLE_NAME)


@pytest.fixture
def tmp_ledger(tmp_path) -> Path:
    """Path of a ledger that does not exist yet, in a folder of its own."""
    return tmp_path / "ledger.jsonl"


@pytest.fixture
def run_cli(tmp_ledger):
    """Invoke ``factledger`` in-process against ``tmp_ledger`` (or ``ledger=``; ``None`` for no flag)."""
    from click.testing import CliRunner

    from ledger.cli import cli

    plugins.load_plugins()

    def run(*args: str, input: str | bytes | None = None, ledger: Path | None | str = "default", env=None):
        prefix = [] if ledger is None else ["--ledger", str(tmp_ledger if ledger == "default" else ledger)]
        return CliRunner().invoke(cli, [*prefix, *args], input=input, env=env)

    return run


def source_payload(text: str, source_id: str | None = None, version: int = 1, **meta) -> SourceAppended:
    """A ``SourceAppended`` for ``text`` with consistent hashes (test data builder); the
    source id is derived from ``uri`` (or the text) as verify requires, unless given."""
    import hashlib

    digest = hashlib.sha256(text.encode("utf-8")).hexdigest()
    source_id = source_id or source_id_for(meta.get("uri"), digest)
    fields = dict(
        source_id=source_id, version=version, uri=None, title=None, outlet=None, authors=(),
        published=None, retrieved=None, media_type="text/plain", raw_sha256=digest,
        text_sha256=digest, text=text,
    )
    fields.update(meta)
    return SourceAppended(**fields)


def assertion_payload(text: str, start: int, end: int, source_id: str | None = None,
                      version: int = 1, assertion_id: str | None = None, occurrence: int = 0) -> AssertionRecorded:
    """An ``AssertionRecorded`` whose selector is cut from ``text`` like the core does; the
    source id defaults to that of ``source_payload(text)``, the assertion id is derived."""
    import hashlib

    source_id = source_id or source_id_for(None, hashlib.sha256(text.encode("utf-8")).hexdigest())
    return AssertionRecorded(
        assertion_id=assertion_id or assertion_id_for(source_id, text[start:end], occurrence),
        source_id=source_id, version=version, selector=anchor(text, start, end), kind="statement",
        speaker=None, speaker_cue=None, modality="asserted", modality_cue=None, values=(), entities=(),
        extractor="hand", extractor_version="1",
    )


ALL_TYPES_TEXT = "Harbour Gate reopened on Monday. About 1,200 cars crossed it.\nOfficials reportedly said it is safe."
ALL_TYPES_REVISED = "Harbour Gate reopened on Monday. Officials said it is safe — ça va, 港口.\n"
ALL_TYPES_URI = "https://example.org/gate"
SRC_GATE = source_id_for(ALL_TYPES_URI, None)
"""The all-types ledger's source and assertions, ids derived as ingest derives them."""
AS_PLAIN = assertion_id_for(SRC_GATE, ALL_TYPES_TEXT[0:32], 0)
AS_RICH = assertion_id_for(SRC_GATE, ALL_TYPES_TEXT[33:61], 0)
AS_REV = assertion_id_for(SRC_GATE, ALL_TYPES_REVISED[33:70], 0)


def all_types_payloads() -> list[list]:
    """Batches that together hold every payload type, each batch valid against the schemas."""
    text, revised = ALL_TYPES_TEXT, ALL_TYPES_REVISED
    src = source_payload(text, uri=ALL_TYPES_URI, title="Gate", outlet="Example Gazette",
                         authors=("A. Writer", "B. Writer"), published="2026-03-18")
    rich = AssertionRecorded(
        assertion_id=AS_RICH, source_id=src.source_id, version=1, selector=anchor(text, 33, 61),
        kind="statement", speaker="Officials", speaker_cue="said", modality="hedged", modality_cue="reportedly",
        values=(Value(type="quantity", text="1,200", start=39, end=44, value="1200", unit="cars", qualifier="about"),),
        entities=(Mention(text="Harbour Gate", start=0, end=12, type="place", entity="Harbour Gate"),),
        extractor="hand", extractor_version="1",
        quotation="reported", speaker_antecedent=anchor(text, 62, 71),
    )
    plain = assertion_payload(text, 0, 32, source_id=SRC_GATE)
    rev = SourceRevised(
        source_id=src.source_id, version=2, revision_of=1, uri=src.uri, title="Gate", outlet=None, authors=(),
        published=None, retrieved="2026-03-19T08:00:00Z", media_type="text/markdown",
        raw_sha256=src.raw_sha256.replace(src.raw_sha256[0], "f", 1),
        text_sha256=source_payload(revised).text_sha256, text=revised,
    )
    on_rev = assertion_payload(revised, 33, 70, source_id=SRC_GATE, version=2)
    return [
        [src, plain, rich],
        [rev, on_rev, AssertionWithdrawn(assertion_id=AS_RICH, source_id=src.source_id, version=2, reason="not in version 2 of the source")],
        [AssertionsLinked(a=AS_PLAIN, b=AS_REV, note="same reopening")],
        [AssertionsUnlinked(a=AS_PLAIN, b=AS_REV)],
        [VerdictRecorded(target=AS_PLAIN, status="supported", note=None)],
        [AssertionRetracted(assertion_id=AS_REV, reason="duplicate")],
        # no published date here: re-dating is tested on its own (test_metadata_correction.py)
        [SourceMetadataCorrected(source_id=src.source_id, title="Harbour Gate", outlet="The Example Gazette",
                                 authors=("A. Writer",), reason="the print edition's masthead")],
    ]


@pytest.fixture
def all_types_ledger(tmp_ledger) -> Path:
    """A ledger with every payload type (written via ``LogStore.append``, no fsync)."""
    from ledger.log import LogStore

    store = LogStore(tmp_ledger, fsync=False)
    for batch in all_types_payloads():
        store.append(batch, actor="tester@example")
    return tmp_ledger
