"""Test helpers for plugin authors: a sample ledger and a contract every exporter must pass.

Subclass :class:`ExporterContract` in your plugin's tests and set ``exporter_name`` and
``plugin_name`` (your entry point's name)::

    from ledger.testing import ExporterContract

    class TestMyFormat(ExporterContract):
        exporter_name = "myformat"
        plugin_name = "myformat"

        def check_output(self, data, context):   # optional: read your format back
            assert data.startswith(b"...")

pytest then runs the contract against your exporter: it is registered with valid
fields, it streams (or writes a file, for ``needs_path`` formats) every view it
declares, the same ledger gives identical bytes twice, ``--as-of`` equals exporting the
ledger cut at that seq, and a failure never replaces an existing destination. Override
``make_ledger`` to export your own data. Requires pytest (factledger's ``test`` extra).
"""

from __future__ import annotations

import hashlib
import io
import os
from pathlib import Path
from typing import Any

import pytest
from attrs import evolve

from . import plugins
from .events import (
    AssertionRecorded,
    AssertionRetracted,
    AssertionsLinked,
    AssertionWithdrawn,
    Mention,
    Payload,
    SourceAppended,
    SourceRevised,
    Value,
    VerdictRecorded,
)
from .exporters import ExportContext, ExporterSpec, export_to_path, export_to_stream, make_context
from .extractors import anchor
from .log import LogStore
from .checks import assertion_id_for, source_id_for
from .projections import claim_id_for

TEXT_A = (
    "Ferry Service Suspended After Engine Fire\n"
    "The Marlow ferry was taken out of service on Friday after a fire in its engine room. "
    "\"Nobody was hurt, and *all 212 passengers* were brought ashore,\" harbour master Ines Okafor said. "
    "The Marlow ferry had 14 crew members on board when the fire started on Friday. "
    "-12 degrees was the [reported] temperature_on deck | at midnight. "
    "Repairs will reportedly take at least three weeks.\n"
)
TEXT_A2 = TEXT_A.replace("at least three weeks", "about a month")
TEXT_B = (
    "Marlow Ferry Fire: Passengers Safe\n"
    "All 212 passengers were brought ashore after the engine fire, the operator said. "
    "The Marlow ferry had 11 crew members on board when the fire started on Friday, the coastguard said. "
    "=SUM(A1) is not a formula here & <b>not HTML</b>.\n"
)
URI_A = "https://news-a.example/2026/ferry-fire"
URI_B = "https://news-b.example/ferry"


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _source(cls: type, text: str, source_id: str, version: int, uri: str, **meta: Any) -> Payload:
    fields: dict[str, Any] = dict(
        source_id=source_id, version=version, uri=uri, title=meta.pop("title"), outlet=meta.pop("outlet"),
        authors=meta.pop("authors", ()), published=meta.pop("published", None), retrieved=None,
        media_type="text/plain", raw_sha256=_digest(text + str(version)), text_sha256=_digest(text), text=text,
    )
    fields.update(meta)
    return cls(**fields)


def _span(text: str, quote: str) -> tuple[int, int]:
    start = text.index(quote)
    return start, start + len(quote)


def _assertion(text: str, quote: str, aid: str, source_id: str, version: int = 1, **kw: Any) -> AssertionRecorded:
    start, end = _span(text, quote)
    fields: dict[str, Any] = dict(
        kind="statement", speaker=None, speaker_cue=None, modality="asserted", modality_cue=None,
        values=(), entities=(), extractor="sample", extractor_version="1.0",
    )
    fields.update(kw)
    return AssertionRecorded(
        assertion_id=aid, source_id=source_id, version=version, selector=anchor(text, start, end), **fields
    )


SAMPLE_QUOTES = {
    "a-head": (TEXT_A, "Ferry Service Suspended After Engine Fire"),
    "a-fire": (TEXT_A, "The Marlow ferry was taken out of service on Friday after a fire in its engine room."),
    "a-quote": (TEXT_A, "\"Nobody was hurt, and *all 212 passengers* were brought ashore,\""),
    "a-crew": (TEXT_A, "The Marlow ferry had 14 crew members on board when the fire started on Friday."),
    "a-tricky": (TEXT_A, "-12 degrees was the [reported] temperature_on deck | at midnight."),
    "a-repairs": (TEXT_A, "Repairs will reportedly take at least three weeks."),
    "a-repairs2": (TEXT_A2, "Repairs will reportedly take about a month."),
    "b-safe": (TEXT_B, "All 212 passengers were brought ashore after the engine fire, the operator said."),
    "b-crew": (TEXT_B, "The Marlow ferry had 11 crew members on board when the fire started on Friday, the coastguard said."),
    "b-formula": (TEXT_B, "=SUM(A1) is not a formula here & <b>not HTML</b>."),
}
SRC_A, SRC_B = source_id_for(URI_A, _digest(TEXT_A)), source_id_for(URI_B, _digest(TEXT_B))
"""The sample's source ids, derived from their URLs as ``verify`` requires (docs/log-format.md, rule 7)."""
SAMPLE_IDS = {
    nick: assertion_id_for(SRC_A if nick.startswith("a-") else SRC_B, quote, 0)
    for nick, (_text, quote) in SAMPLE_QUOTES.items()
}
"""The sample's assertion ids by nickname (``a-quote``: source A's quotation), derived from
source, quote and occurrence as ``verify`` requires (rule 9); tests name assertions by these."""


def sample_batches() -> list[list[Payload]]:
    """A small ledger's batches: two sources, a revision, a quote, values, tricky characters,
    a cross-source link, a verdict, a withdrawal and a retraction."""
    a, b = SRC_A, SRC_B
    ids = SAMPLE_IDS
    quote = "\"Nobody was hurt, and *all 212 passengers* were brought ashore,\""
    n = TEXT_A.index("212")
    headline_a = _assertion(TEXT_A, "Ferry Service Suspended After Engine Fire", ids["a-head"], a, kind="headline")
    fire = _assertion(
        TEXT_A, "The Marlow ferry was taken out of service on Friday after a fire in its engine room.", ids["a-fire"], a,
        entities=(Mention(text="Marlow", start=TEXT_A.index("Marlow"), end=TEXT_A.index("Marlow") + 6, type="place", entity="Marlow"),),
    )
    said = _assertion(
        TEXT_A, quote, ids["a-quote"], a, speaker="Ines Okafor", speaker_cue="said",
        values=(Value(type="quantity", text="212", start=n, end=n + 3, value="212", unit="passengers"),),
    )
    def carried(text: str, number: str, aid: str, source_id: str) -> AssertionRecorded:
        sentence = text[text.index("The Marlow ferry had"):]
        sentence = sentence[: sentence.index(".") + 1]
        j = text.index("Marlow ferry had")
        i = text.index(f"had {number}") + len("had ")
        d = text.index("Friday", i)
        return _assertion(
            text, sentence, aid, source_id,
            values=(
                Value(type="quantity", text=number, start=i, end=i + len(number), value=number, unit="crew members"),
                Value(type="date", text="Friday", start=d, end=d + 6, value="2026-03-20"),
            ),
            entities=(Mention(text="Marlow", start=j, end=j + 6, type="place", entity="Marlow"),),
        )

    carried_a = carried(TEXT_A, "14", ids["a-crew"], a)
    carried_b = carried(TEXT_B, "11", ids["b-crew"], b)
    tricky = _assertion(TEXT_A, "-12 degrees was the [reported] temperature_on deck | at midnight.", ids["a-tricky"], a)
    repairs = _assertion(
        TEXT_A, "Repairs will reportedly take at least three weeks.", ids["a-repairs"], a,
        modality="hedged", modality_cue="reportedly",
    )
    b_safe = _assertion(
        TEXT_B, "All 212 passengers were brought ashore after the engine fire, the operator said.", ids["b-safe"], b,
        speaker="the operator", speaker_cue="said",
    )
    b_formula = _assertion(TEXT_B, "=SUM(A1) is not a formula here & <b>not HTML</b>.", ids["b-formula"], b)
    rev_repairs = _assertion(TEXT_A2, "Repairs will reportedly take about a month.", ids["a-repairs2"], a, version=2,
                             modality="hedged", modality_cue="reportedly")
    return [
        [
            _source(SourceAppended, TEXT_A, a, 1, URI_A, title="Ferry Service Suspended After Engine Fire",
                    outlet="Harbour Gazette", authors=("A. Writer",), published="2026-03-20"),
            headline_a, fire, said, carried_a, tricky, repairs,
        ],
        [
            _source(SourceAppended, TEXT_B, b, 1, URI_B, title="Marlow Ferry Fire: Passengers Safe",
                    outlet="Coast Courier", published="2026-03-21T08:30:00Z"),
            b_safe, carried_b, b_formula,
        ],
        [AssertionsLinked(a=ids["a-quote"], b=ids["b-safe"], note="same passenger count")],
        [VerdictRecorded(target=claim_id_for(ids["a-quote"]), status="supported", note="Operator confirmed | by phone")],
        [
            _source(SourceRevised, TEXT_A2, a, 2, URI_A, title="Ferry Service Suspended After Engine Fire",
                    outlet="Harbour Gazette", authors=("A. Writer",), published="2026-03-20", revision_of=1),
            *(evolve(x, version=2, selector=anchor(TEXT_A2, x.selector.start, x.selector.end)) for x in (headline_a, fire, said, carried_a, tricky)),
            rev_repairs,
            AssertionWithdrawn(assertion_id=ids["a-repairs"], source_id=a, version=2, reason="not in version 2 of the source"),
        ],
        [AssertionRetracted(assertion_id=ids["a-fire"], reason="test retraction")],
    ]


def build_sample_ledger(path: str | os.PathLike[str]) -> Path:
    """Write :func:`sample_batches` to a new ledger at ``path`` (no fsync) and return the path."""
    store = LogStore(path, fsync=False)
    for batch in sample_batches():
        store.append(batch, actor="sample@factledger")
    return Path(path)


def cut_ledger(path: Path, seq: int, to: Path) -> Path:
    """Copy the first ``seq`` events of the ledger at ``path`` to ``to`` (the ledger as it was)."""
    src = LogStore(path).open_for_reading()
    with src, open(to, "wb") as dst:
        for i, line in enumerate(src):
            if i >= seq:
                break
            dst.write(line)
    return to


def run_export(spec: ExporterSpec, ledger: Path, *, view: str | None = None, as_of: int | None = None,
               options: dict[str, str] | None = None, path: Path | None = None) -> tuple[bytes, ExportContext]:
    """Export ``ledger`` with ``spec``: to memory, or to ``path`` (then the file's bytes are returned)."""
    store = LogStore(ledger)
    context = make_context(store, spec, as_of=as_of, view=view, options=options)
    if path is None:
        out = io.BytesIO()
        export_to_stream(spec, context, out)
        return out.getvalue(), context
    export_to_path(spec, context, path)
    return Path(path).read_bytes(), context


class ExporterContract:
    """The behaviour every exporter must have; subclass it and set ``exporter_name``."""

    exporter_name: str = ""
    plugin_name: str = ""
    """The plugin (entry point name) under test. Set it: the contract then tests that plugin's
    own spec even when another plugin won the format name, and fails if the name resolves to
    someone else's spec. Left empty, the format must be provided by exactly one plugin."""
    as_of_seq: int = 13
    """A seq inside the sample ledger (after both sources, before the link) for the as-of check."""

    def make_ledger(self, path: Path) -> Path:
        """Build the ledger to export at ``path``; the default is :func:`build_sample_ledger`."""
        return build_sample_ledger(path)

    def check_output(self, data: bytes, context: ExportContext) -> None:
        """Read the output back and check it (override in your tests); ``data`` is the bytes written."""

    # -- fixtures --------------------------------------------------------------------

    @pytest.fixture
    def spec(self) -> ExporterSpec:
        plugins.load_plugins()
        providers = sorted(key.split(":")[0] for key in plugins.qualified("register_exporters")
                           if key.split(":", 1)[1] == self.exporter_name)
        if self.plugin_name:
            assert self.plugin_name in providers, (
                f"plugin {self.plugin_name!r} does not register format {self.exporter_name!r} "
                f"(provided by: {', '.join(providers) or 'no plugin'}); is it installed and loaded?"
            )
            return plugins.get_exporter(f"{self.plugin_name}:{self.exporter_name}")
        assert len(providers) <= 1, (
            f"format {self.exporter_name!r} is provided by plugins {', '.join(providers)}; "
            f"set plugin_name on {type(self).__name__} to say which one this contract tests"
        )
        return plugins.get_exporter(self.exporter_name)

    @pytest.fixture
    def ledger_path(self, tmp_path: Path) -> Path:
        return self.make_ledger(tmp_path / "ledger.jsonl")

    def _export(self, spec: ExporterSpec, ledger: Path, tmp_path: Path, name: str, **kw: Any) -> tuple[bytes, ExportContext]:
        if spec.needs_path:
            return run_export(spec, ledger, path=tmp_path / f"{name}.{spec.extension}", **kw)
        return run_export(spec, ledger, **kw)

    # -- the contract ----------------------------------------------------------------

    def test_registered_with_valid_spec(self, spec: ExporterSpec) -> None:
        """The exporter is registered under its name with a media type, an extension and at least one view."""
        registered = plugins.exporters()[self.exporter_name]
        if self.plugin_name:
            own = plugins.qualified("register_exporters")[f"{self.plugin_name}:{self.exporter_name}"]
            assert own.item is spec and own.plugin == self.plugin_name
        else:
            assert registered.item is spec
        assert spec.media_type and spec.extension and not spec.extension.startswith(".")
        assert spec.views and all(isinstance(v, str) and v for v in spec.views)
        assert callable(spec.write)

    def test_every_view_exports(self, spec: ExporterSpec, ledger_path: Path, tmp_path: Path) -> None:
        """Every declared view exports non-empty output that passes check_output."""
        for view in spec.views:
            data, context = self._export(spec, ledger_path, tmp_path, f"view-{view}", view=view)
            assert data, f"view {view!r} wrote nothing"
            assert context.view == view
            self.check_output(data, context)

    def test_deterministic(self, spec: ExporterSpec, ledger_path: Path, tmp_path: Path) -> None:
        """Exporting the same ledger twice gives identical bytes."""
        for view in spec.views:
            first, _ = self._export(spec, ledger_path, tmp_path, f"one-{view}", view=view)
            second, _ = self._export(spec, ledger_path, tmp_path, f"two-{view}", view=view)
            assert first == second, f"view {view!r} is not deterministic"

    def test_as_of_equals_the_ledger_cut_there(self, spec: ExporterSpec, ledger_path: Path, tmp_path: Path) -> None:
        """Exporting as of seq N gives the same bytes as exporting the ledger's first N events."""
        cut = cut_ledger(ledger_path, self.as_of_seq, tmp_path / "cut.jsonl")
        for view in spec.views:
            at, ctx = self._export(spec, ledger_path, tmp_path, f"asof-{view}", view=view, as_of=self.as_of_seq)
            whole, _ = self._export(spec, cut, tmp_path, f"cut-{view}", view=view)
            full, _ = self._export(spec, ledger_path, tmp_path, f"full-{view}", view=view)
            assert ctx.head_seq == self.as_of_seq
            assert at == whole, f"view {view!r}: --as-of {self.as_of_seq} differs from the cut ledger"
            assert at != full, f"view {view!r}: --as-of had no effect"

    def test_file_output_is_atomic(self, spec: ExporterSpec, ledger_path: Path, tmp_path: Path) -> None:
        """A write that fails leaves the existing destination untouched and no temporary files."""
        folder = tmp_path / "out"
        folder.mkdir()
        dest = folder / f"export.{spec.extension}"
        dest.write_bytes(b"previous export")

        def failing(context: ExportContext, out: Any) -> None:
            spec.write(context, out)
            raise RuntimeError("disk on fire")

        broken = evolve(spec, write=failing)
        context = make_context(LogStore(ledger_path), broken)
        with pytest.raises(RuntimeError, match="disk on fire"):
            export_to_path(broken, context, dest)
        assert dest.read_bytes() == b"previous export"
        assert sorted(p.name for p in folder.iterdir()) == [dest.name]

    def test_file_output_replaces_destination(self, spec: ExporterSpec, ledger_path: Path, tmp_path: Path) -> None:
        """Writing to a path replaces what was there with the same export a stream gets."""
        dest = tmp_path / f"export.{spec.extension}"
        dest.write_bytes(b"previous export")
        data, context = run_export(spec, ledger_path, path=dest)
        assert data != b"previous export" and data
        self.check_output(data, context)
        if not spec.needs_path:
            streamed, _ = run_export(spec, ledger_path)
            assert streamed == data

    def test_empty_ledger(self, spec: ExporterSpec, tmp_path: Path) -> None:
        """An empty ledger exports without error."""
        empty = tmp_path / "empty.jsonl"
        empty.touch()
        for view in spec.views:
            self._export(spec, empty, tmp_path, f"empty-{view}", view=view)

    def test_unknown_view_and_option_refused(self, spec: ExporterSpec, ledger_path: Path) -> None:
        """A view or option the format does not declare is refused before anything is written."""
        from .exporters import ExportError

        store = LogStore(ledger_path)
        with pytest.raises(ExportError, match="no view"):
            make_context(store, spec, view="no-such-view")
        with pytest.raises(ExportError, match="no option"):
            make_context(store, spec, options={"no_such_option": "1"})


# -- extractors ---------------------------------------------------------------------------

TEXT_TRICKY = (
    "Ürümqi Officials Deny Report\n"
    "\u201cWe have 3\u00bd tonnes left,\u201d said Zoë Ng\u00f3, a spokeswoman, on 4 March 2026. "
    "Officials reportedly didn't confirm the 1,200 figure \U0001F600 given by the agency.\n\n"
    "Photo: Agency staff\n"
)


class _NoNetwork:
    """A socket guard: any connect or name lookup while active is recorded and refused."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        import socket

        self.attempts: list[str] = []

        def refuse(what: str) -> Any:
            def blocked(*args: Any, **kwargs: Any) -> Any:
                self.attempts.append(f"{what}{args[1:] if what == 'connect' else args}")
                raise OSError(f"network access during extraction ({what})")
            return blocked

        monkeypatch.setattr(socket.socket, "connect", refuse("connect"))
        monkeypatch.setattr(socket.socket, "connect_ex", refuse("connect"))
        monkeypatch.setattr(socket, "create_connection", refuse("create_connection"))
        monkeypatch.setattr(socket, "getaddrinfo", refuse("getaddrinfo"))


def _resolve(hook_name: str, name: str, plugin_name: str, contract: str, get: Any) -> Any:
    """The spec ``plugin_name`` registers as ``name`` (or the only provider of ``name``)."""
    plugins.load_plugins()
    providers = sorted(key.split(":")[0] for key in plugins.qualified(hook_name) if key.split(":", 1)[1] == name)
    if plugin_name:
        assert plugin_name in providers, (
            f"plugin {plugin_name!r} does not register {name!r} (provided by: {', '.join(providers) or 'no plugin'}); "
            "is it installed and loaded?"
        )
        return plugins.qualified(hook_name)[f"{plugin_name}:{name}"].item
    assert len(providers) <= 1, (
        f"{name!r} is provided by plugins {', '.join(providers)}; set plugin_name on {contract} to say which one"
    )
    return get(name)


class ExtractorContract:
    """The behaviour every extractor must have; subclass it and set ``extractor_name``.

    Checks, on :attr:`texts`: every span (assertion, value, mention) lies inside the text;
    each recorded quote equals ``text[start:end]``; the same text gives the same output
    twice; extraction opens no network connection (a socket guard); the extractor's name
    and version are recorded in every ``AssertionRecorded``. Override :meth:`check_items`
    to add your own checks of what was found.
    """

    extractor_name: str = ""
    plugin_name: str = ""
    """The plugin (entry point name) under test; empty: the only provider of ``extractor_name``."""
    texts: tuple[str, ...] = (TEXT_A, TEXT_B, TEXT_TRICKY)
    """Texts to extract from; at least one must yield assertions."""

    def check_items(self, text: str, items: list[Any]) -> None:
        """Extra checks on one text's :class:`~ledger.extractors.Extracted` items (override)."""

    @pytest.fixture
    def extractor(self) -> Any:
        from .extractors import ExtractorSpec

        spec = _resolve("register_extractors", self.extractor_name, self.plugin_name, type(self).__name__,
                        plugins.get_extractor)
        assert isinstance(spec, ExtractorSpec)
        return spec

    def _items(self, spec: Any, text: str) -> list[Any]:
        from .extractors import SourceInfo

        title = text.split("\n", 1)[0]
        return list(spec.extract(text, SourceInfo(source_id="src-contract", title=title, published="2026-03-20")))

    def _recorded(self, spec: Any, text: str) -> list[AssertionRecorded]:
        from .ingest import extract, fresh_payloads
        from .sources import Document

        doc = Document(origin="<contract>", raw=text.encode("utf-8"), text=text, title=text.split("\n", 1)[0],
                       published="2026-03-20")
        payloads = fresh_payloads(doc, "src-contract", extract(doc, "src-contract", spec))
        return [p for p in payloads if isinstance(p, AssertionRecorded)]

    def test_registered_with_valid_spec(self, extractor: Any) -> None:
        """Registered under its name with a non-empty version and a callable ``extract``."""
        assert extractor.name == self.extractor_name
        assert isinstance(extractor.version, str) and extractor.version
        assert callable(extractor.extract)

    def test_spans_inside_the_text(self, extractor: Any) -> None:
        """Every assertion, value, mention and antecedent span lies inside the text it came from."""
        found = 0
        for text in self.texts:
            items = self._items(extractor, text)
            found += len(items)
            for x in items:
                assert 0 <= x.start < x.end <= len(text), f"span {x.start}:{x.end} outside a text of {len(text)}"
                for part in (*x.values, *x.entities):
                    assert 0 <= part.start < part.end <= len(text), f"{part!r} outside the text"
                    assert text[part.start : part.end] == part.text, f"{part!r} does not quote text[start:end]"
                if x.antecedent is not None:
                    assert 0 <= x.antecedent[0] < x.antecedent[1] <= len(text)
            self.check_items(text, items)
        assert found, "the extractor found nothing in any of the contract's texts"

    def test_recorded_quote_is_the_text_slice(self, extractor: Any) -> None:
        """Each recorded ``exact`` equals ``text[start:end]`` (the core cuts it; the extractor gives spans)."""
        for text in self.texts:
            for a in self._recorded(extractor, text):
                assert a.selector.exact == text[a.selector.start : a.selector.end]

    def test_deterministic(self, extractor: Any) -> None:
        """The same text gives the same assertions twice."""
        for text in self.texts:
            assert self._items(extractor, text) == self._items(extractor, text)

    def test_offline(self, extractor: Any, monkeypatch: pytest.MonkeyPatch) -> None:
        """Extraction opens no connection and resolves no name (a socket guard is active)."""
        guard = _NoNetwork(monkeypatch)
        for text in self.texts:
            self._items(extractor, text)
        assert guard.attempts == [], f"the extractor tried the network: {guard.attempts}"

    def test_version_recorded(self, extractor: Any) -> None:
        """Every ``AssertionRecorded`` names the extractor and its version."""
        recorded = [a for text in self.texts for a in self._recorded(extractor, text)]
        assert recorded
        assert {(a.extractor, a.extractor_version) for a in recorded} == {(extractor.name, extractor.version)}


# -- claim matchers -----------------------------------------------------------------------


class MatcherContract:
    """The behaviour every claim matcher (``register_matchers``) must have; set ``matcher_name``.

    Checks, on the features of the sample ledger's assertions: the score is a float in
    [0, 1], deterministic, symmetric (the claims view scores an unordered pair), offline,
    and a link built with the matcher records its score in ``signals``.
    """

    matcher_name: str = ""
    plugin_name: str = ""
    symmetric: bool = True
    """Set False if your score is deliberately order-dependent (the view then sees one order only)."""

    @pytest.fixture
    def matcher(self) -> Any:
        from .projections.claims.links import MatcherSpec

        def get(name: str) -> Any:
            found = plugins.matchers()
            assert name in found, f"no matcher named {name!r}; loaded: {', '.join(sorted(found)) or 'none'}"
            return found[name].item

        spec = _resolve("register_matchers", self.matcher_name, self.plugin_name, type(self).__name__, get)
        assert isinstance(spec, MatcherSpec)
        return spec

    @pytest.fixture
    def features(self, tmp_path: Path) -> list[Any]:
        """Features of every current assertion in the sample ledger."""
        from .projections import catalog
        from .projections.claims import cached_features, claim_rows

        store = LogStore(build_sample_ledger(tmp_path / "ledger.jsonl"))
        cat = catalog(store)
        return [cached_features(r, cat.sources.get(r.source_id)) for r, _s in claim_rows(store, cat)]

    def _pairs(self, features: list[Any]) -> list[tuple[Any, Any]]:
        return [(a, b) for i, a in enumerate(features) for b in features[i + 1 :]]

    def test_registered_with_valid_spec(self, matcher: Any) -> None:
        assert matcher.name == self.matcher_name
        assert callable(matcher.score)
        assert isinstance(matcher.weight, (int, float)) and matcher.weight >= 0

    def test_scores_are_floats_in_unit_range(self, matcher: Any, features: list[Any]) -> None:
        pairs = self._pairs(features)
        assert pairs
        for a, b in pairs:
            s = matcher.score(a, b)
            assert isinstance(s, (int, float)) and not isinstance(s, bool) and 0.0 <= s <= 1.0, f"score {s!r}"

    def test_deterministic_and_symmetric(self, matcher: Any, features: list[Any]) -> None:
        for a, b in self._pairs(features):
            assert matcher.score(a, b) == matcher.score(a, b)
            if self.symmetric:
                assert matcher.score(a, b) == matcher.score(b, a)

    def test_offline(self, matcher: Any, features: list[Any], monkeypatch: pytest.MonkeyPatch) -> None:
        guard = _NoNetwork(monkeypatch)
        for a, b in self._pairs(features):
            matcher.score(a, b)
        assert guard.attempts == [], f"the matcher tried the network: {guard.attempts}"

    def test_score_recorded_in_link_signals(self, matcher: Any, features: list[Any]) -> None:
        """Links built with the matcher carry its score under its name."""
        from .projections.claims.links import DEFAULT_LINK_CONFIG, build_links

        links = build_links(features, DEFAULT_LINK_CONFIG, [matcher], {f.assertion_id: k for k, f in enumerate(features)})
        assert links, "the sample ledger gave no links to check"
        for link in links:
            assert matcher.name in dict(link.signals), f"link {link.a}-{link.b} lacks {matcher.name!r} in signals"
