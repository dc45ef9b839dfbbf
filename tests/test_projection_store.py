"""The projection store (issue #12): views from SQLite equal views folded from the log.

Random ledgers with revisions, withdrawals, retractions, links, verdicts, published-date corrections
and re-extractions are appended in steps; after each step the store is caught up and every view, at the head and at earlier
seqs, must equal the fold of the log without any cache. Then the checks that keep the store
from ever changing an answer: a rewritten or truncated log, edited tables, racing appends.
"""

from __future__ import annotations

import hashlib
import random
import shutil
import sqlite3
import threading
import time
import warnings

import attrs
import orjson
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ledger.events import (
    AssertionRecorded,
    AssertionRetracted,
    AssertionsLinked,
    AssertionsUnlinked,
    AssertionWithdrawn,
    Mention,
    SourceAppended,
    SourceRevised,
    Value,
    VerdictRecorded,
)
from ledger.extractors import anchor
from ledger.log import LogStore
from ledger.projections import resolve_as_of
from ledger.projections.snapshot import Snapshot
from ledger.projections.store import StoreNotice, open_store, store_path

WORDS = "harbour gate bridge council mayor said reopened monday cars crossed officials safe repairs cost".split()
NAMES = [("Ilona Varga", "person"), ("Varga", "person"), ("Harbour Gate", "place"), ("City Council", "org")]
DATES = [("date", "Monday", "2026-03-16"), ("year", "1953", "1953"), ("daterange", "1950-53", "1950/1953")]


class RandomLedger:
    """Appends random but well-formed batches, tracking what is current, as ingest and the analyst commands would."""

    def __init__(self, log: LogStore, rng: random.Random) -> None:
        self.log, self.rng = log, rng
        self.sources: dict[str, tuple[int, str]] = {}  # source_id -> (version, text)
        self.current: dict[str, tuple[str, int]] = {}  # assertion_id -> (source_id, version)
        self.n = 0

    def _text(self) -> str:
        r = self.rng
        return " ".join(" ".join(r.choice(WORDS) for _ in range(6)).capitalize() + "." for _ in range(r.randint(2, 5)))

    def _source(self, sid: str, version: int, text: str):
        digest = hashlib.sha256(text.encode()).hexdigest()
        meta = dict(source_id=sid, version=version, uri=f"https://news.example/{sid}", title=f"T {sid} v{version}",
                    outlet=self.rng.choice([None, "Gazette", "Herald"]), authors=("A. Writer",), published="2026-03-18",
                    retrieved=None, media_type="text/plain", raw_sha256=digest, text_sha256=digest, text=text)
        return SourceAppended(**meta) if version == 1 else SourceRevised(revision_of=version - 1, **meta)

    def _assertions(self, sid: str, version: int, text: str, keep: list[str]):
        r = self.rng
        out, pos = [], 0
        for i, sentence in enumerate(text.split(". ")):
            start = text.index(sentence, pos)
            end = start + len(sentence)
            pos = end
            aid = keep[i] if i < len(keep) else f"as-{self.n:05d}"
            self.n += 1
            values = tuple(
                Value(type=t, text=w, start=start, end=start + 1, value=v) for t, w, v in r.sample(DATES, r.randint(0, 2))
            )
            mentions = tuple(
                Mention(text=n.split()[-1] if r.random() < 0.3 else n, start=start, end=start + 1, type=ty, entity=n)
                for n, ty in r.sample(NAMES, r.randint(0, 2))
            )
            out.append(AssertionRecorded(
                assertion_id=aid, source_id=sid, version=version, selector=anchor(text, start, end),
                kind=r.choice(["statement", "statement", "headline"]), speaker=r.choice([None, "Ilona Varga", "the mayor"]),
                speaker_cue=None, modality=r.choice(["asserted", "hedged"]), modality_cue=None, values=values,
                entities=mentions, extractor="hand", extractor_version="1"))
        return out

    def step(self) -> None:
        """One append: a new source, a revision, or analyst actions."""
        r = self.rng
        choice = r.random()
        if not self.sources or choice < 0.45:
            sid = f"src-{len(self.sources):016x}"
            text = self._text()
            batch = [self._source(sid, 1, text), *self._assertions(sid, 1, text, [])]
            self.sources[sid] = (1, text)
        elif choice < 0.7:
            sid = r.choice(sorted(self.sources))
            version, _old = self.sources[sid]
            version += 1
            text = self._text()
            mine = sorted(a for a, (s, _v) in self.current.items() if s == sid)
            kept = [a for a in mine if r.random() < 0.5]
            batch = [self._source(sid, version, text), *self._assertions(sid, version, text, kept)]
            kept = {a.assertion_id for a in batch[1:]}
            batch += [AssertionWithdrawn(assertion_id=a, source_id=sid, version=version, reason="gone") for a in mine if a not in kept]
            for a in mine:
                self.current.pop(a, None)
            self.sources[sid] = (version, text)
        else:
            batch = []
            live = sorted(self.current)
            for _ in range(r.randint(1, 3)):
                if not live:
                    break
                a, b = r.choice(live), r.choice(live)
                kind = r.random()
                if kind < 0.35:
                    batch.append(AssertionRetracted(assertion_id=a, reason="not a claim"))
                    self.current.pop(a, None)
                    live.remove(a)
                elif kind < 0.6 and a != b:
                    batch.append(AssertionsLinked(a=a, b=b, note=None))
                elif kind < 0.75 and a != b:
                    batch.append(AssertionsUnlinked(a=a, b=b, note="no"))
                else:
                    batch.append(VerdictRecorded(target=a, status="disputed", note=None))
            if not batch:
                return
        for p in batch:
            if isinstance(p, AssertionRecorded):
                self.current[p.assertion_id] = (p.source_id, p.version)
        self.log.append(batch, actor=r.choice(["alice@x", "bob@y"]))


def views(snap: Snapshot, s: int) -> dict:
    return {
        "sources": list(snap.sources(s)),
        "assertions": list(snap.assertions(s)),
        "json": list(snap.assertions_json(s)) if snap.store is not None else None,
        "speaker": list(snap.assertions(s, speaker="ILONA VARGA")),
        "entity": list(snap.assertions(s, entity="varga", kind="statement")),
        "source": list(snap.assertions(s, source="src-0000000000000000")),
        "entities": list(snap.entities(s)),
        "timeline": list(snap.timeline(s)),
    }


def assert_same(log: LogStore, seqs) -> None:
    with Snapshot(log) as stored, Snapshot(log, cache=False) as folded:
        assert stored.store is not None
        for s in seqs:
            a, b = views(stored, s), views(folded, s)
            assert [orjson.loads(x) for x in a.pop("json")] == a["assertions"]
            b.pop("json")
            assert a == b, f"views differ at seq {s}"


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_store_views_equal_the_fold_on_fixed_ledgers(tmp_path, seed):
    """The edit-loop version of the property below: three fixed random ledgers, every seq."""
    log = _ledger(tmp_path, steps=10, seed=seed)
    assert_same(log, range(0, log.head().seq + 1))


def _ledger(tmp_path, steps=8, seed=3, kind=RandomLedger) -> LogStore:
    """A ledger of ``steps`` random steps of generator ``kind`` (RandomLedger or a subclass)."""
    log = LogStore(tmp_path / "ledger.jsonl", fsync=False)
    gen = kind(log, random.Random(seed))
    for _ in range(steps):
        gen.step()
    return log


def test_catch_up_reads_only_what_was_appended(tmp_path, monkeypatch):
    log = _ledger(tmp_path)
    open_store(log, log.head()).close()
    size, before = log.head().size, log.head().seq
    gen = RandomLedger(log, random.Random(9))
    gen.sources = {}
    gen.n = 10_000
    for _ in range(3):
        gen.step()
    starts, read = _catch_up_reads(log, monkeypatch)
    assert starts == [size]
    assert read == list(range(before + 1, log.head().seq + 1))
    assert_same(log, [before, log.head().seq])


def test_time_as_of_resolves_like_the_log(tmp_path):
    log = _ledger(tmp_path)
    ats = [raw["at"] for raw in log.raw_events()]
    for when in [ats[0], ats[len(ats) // 2], ats[-1], "2000-01-01T00:00:00Z", "2999-01-01", ats[0][:10]]:
        with Snapshot(log) as a, Snapshot(log, cache=False) as b:
            assert a.store is not None
            assert a.resolve(when) == b.resolve(when) == resolve_as_of(log, when)


def test_rewritten_or_truncated_log_rebuilds_with_a_notice(tmp_path):
    log = _ledger(tmp_path, seed=4)
    open_store(log, log.head()).close()
    # Another ledger of the same length under the same name: same offsets, different events.
    (tmp_path / "other").mkdir()
    other = _ledger(tmp_path / "other", seed=5)
    log.path.write_bytes(other.path.read_bytes())
    with pytest.warns(StoreNotice, match="rewritten or truncated"):
        open_store(log, log.head()).close()
    assert_same(log, [log.head().seq])
    data = log.path.read_bytes().splitlines(keepends=True)
    log.path.write_bytes(b"".join(data[: len(data) // 2]))
    with pytest.warns(StoreNotice, match="rewritten or truncated"):
        open_store(log, log.head()).close()
    assert_same(log, [log.head().seq])


@pytest.mark.parametrize(
    "edit",
    [
        "UPDATE assertions SET row_json = replace(row_json, 'statement', 'headline')",
        "UPDATE sources SET row_json = replace(row_json, '\"T ', '\"Forged ')",
        "UPDATE assertions SET current_to = event_seq WHERE rowid IN (SELECT rowid FROM assertions LIMIT 1)",
        "DELETE FROM events WHERE event_seq = 2",
        "UPDATE view_rows SET rows_json = replace(rows_json, 'Varga', 'Vargas')",
    ],
)
def test_edited_tables_are_detected_and_rebuilt(tmp_path, edit):
    """Editing the store by hand (here with sqlite3) never changes what a view prints."""
    log = _ledger(tmp_path)
    with Snapshot(log) as snap:
        before = views(snap, log.head().seq)
    db = sqlite3.connect(store_path(log))
    db.execute(edit)
    db.commit()
    db.close()
    with pytest.warns(StoreNotice, match="digest"):
        with Snapshot(log) as snap:
            assert snap.store is not None
            assert views(snap, log.head().seq) == before
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # rebuilt: the next command trusts it again, silently
        open_store(log, log.head()).close()


def test_a_damaged_store_file_is_replaced(tmp_path):
    log = _ledger(tmp_path)
    open_store(log, log.head()).close()
    store_path(log).write_bytes(b"not a database at all" * 100)
    for suffix in ("-wal", "-shm"):
        store_path(log).with_name(store_path(log).name + suffix).unlink(missing_ok=True)
    with pytest.warns(StoreNotice):
        open_store(log, log.head()).close()
    assert_same(log, [log.head().seq])


def test_a_recording_current_again_gets_a_second_interval(tmp_path):
    """Withdrawn from version 3, then from version 1 (what ``reextract`` writes when the new run no longer
    finds it): gone. Recorded again in version 1 without ``supersedes`` (hand-made), the withdrawal is lifted
    and the first recording is current again beside the new one: a second interval of its own, a row in
    ``assertions_redated``; the store (not a fallback fold) agrees with the fold at every seq."""
    log = LogStore(tmp_path / "ledger.jsonl", fsync=False)
    gen = RandomLedger(log, random.Random(1))
    text = "Harbour gate reopened. Cars crossed it."
    a = gen._assertions("src-a", 1, text, [])[0]
    def last(appended):
        return appended.first_seq + len(appended.payloads) - 1

    first = last(log.append([gen._source("src-a", 1, text), a]))
    gone = last(log.append([AssertionWithdrawn(assertion_id=a.assertion_id, source_id="src-a", version=3, reason="x")]))
    log.append([AssertionWithdrawn(assertion_id=a.assertion_id, source_id="src-a", version=1, reason="y")])
    again = last(log.append([attrs.evolve(a, speaker="the mayor")]))
    pstore = open_store(log, log.head())
    assert pstore is not None
    intervals = pstore.conn.execute(
        "SELECT event_seq, current_from, current_to FROM assertion_rows ORDER BY event_seq, current_from").fetchall()
    pstore.close()
    assert intervals == [(first, first, gone), (first, again, None), (again, again, None)]
    with Snapshot(log) as snap, Snapshot(log, cache=False) as folded:
        assert snap.store is not None
        for s in range(log.head().seq + 1):
            assert list(snap.assertions(s)) == list(folded.assertions(s))
        shown = [(r["recorded"]["seq"], r["speaker"]) for r in snap.assertions(log.head().seq)]
        assert shown == [(first, a.speaker), (again, "the mayor")]
        assert list(snap.assertions(gone)) == list(snap.assertions(again - 1)) == []


@pytest.mark.slow
def test_views_racing_appends_answer_at_their_own_head(tmp_path):
    """Readers in threads while a writer appends: each answer equals the fold at the head its command saw."""
    log = _ledger(tmp_path, steps=3)
    gen = RandomLedger(log, random.Random(11))
    gen.n = 50_000
    gen.sources = {}
    done = threading.Event()
    errors: list[BaseException] = []
    seen: list[tuple[int, list]] = []

    def writer():
        try:
            for _ in range(40):
                gen.step()
                time.sleep(0.02)  # let the readers in between appends
        except BaseException as exc:
            errors.append(exc)
        finally:
            done.set()

    def reader():
        try:
            while not done.is_set():
                with Snapshot(LogStore(log.path)) as snap:
                    s = snap.head.seq
                    seen.append((s, list(snap.assertions(s)), list(snap.sources(s))))
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=writer), threading.Thread(target=reader), threading.Thread(target=reader)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors, errors
    assert len({s for s, _a, _b in seen}) > 3
    with Snapshot(log, cache=False) as folded:
        for s, rows, sources in seen:
            assert rows == list(folded.assertions(s)) and sources == list(folded.sources(s)), s


def _claims_json(view, show_all: bool) -> list[bytes]:
    from ledger.projections.claims_cache import listed
    from ledger.serialization import converter

    return [orjson.dumps(converter.unstructure(c)) for c in view.claims if show_all or listed(c)]


def test_claims_view_cold_warm_and_after_append_equal_the_uncached_one(tmp_path, monkeypatch):
    """The second claims view at one head is read from the store (nothing computed), equal to a build
    without any cache, as a whole and as the listed JSON lines; after an append it is computed again."""
    from ledger.projections import claims as C

    log = _ledger(tmp_path, steps=10, seed=7)
    builds = []
    real = C.view_from_rows
    monkeypatch.setattr(C, "view_from_rows", lambda *a, **k: builds.append(1) or real(*a, **k))
    for step in range(3):
        fresh = C.claims_view(log, cache=False)
        assert len(fresh.claims) > 3 and fresh.links
        C._FEATURE_MEMO.clear()
        builds.clear()
        assert C.claims_view(log) == fresh and builds == [1]  # cold: computed, stored
        assert C.claims_view(log) == fresh and builds == [1]  # warm: read back
        for show_all in (False, True):
            assert list(C.listed_claims_json(log, show_all=show_all)) == _claims_json(fresh, show_all)
        assert builds == [1]
        half = log.head().seq // 2
        assert C.claims_view(log, half) == C.claims_view(log, half, cache=False)
        assert C.claims_view(log, half) == C.claims_view(log, half, cache=False)
        gen = RandomLedger(log, random.Random(step))
        gen.n = 5_000 * (step + 1)
        for _ in range(2):
            gen.step()


def test_claims_view_is_computed_again_under_another_matcher_version_or_config(tmp_path, monkeypatch):
    """The key holds the matcher version (claims3 bumps it when links change) and the options: a
    changed one is never answered from the stored view, while the stored per-assertion features
    (same FEATURES_VERSION) are still read instead of computed."""
    from ledger.projections import claims as C
    from ledger.projections.claims import links

    log = _ledger(tmp_path, steps=10, seed=7)
    C.claims_view(log)
    builds, calls = [], []
    real_view, real_features = C.view_from_rows, C.features
    monkeypatch.setattr(C, "view_from_rows", lambda *a, **k: builds.append(1) or real_view(*a, **k))
    monkeypatch.setattr(C, "features", lambda *a: calls.append(a) or real_features(*a))
    C._FEATURE_MEMO.clear()
    C.claims_view(log)
    assert builds == []
    monkeypatch.setattr(links, "MATCHER_VERSION", "claims-links/test")
    C._FEATURE_MEMO.clear()
    C.claims_view(log)
    assert builds == [1] and calls == []  # the view again, the features from the store
    C.claims_view(log, config=attrs.evolve(C.DEFAULT_CONFIG, strong=0.9))
    assert builds == [1, 1]


def test_a_claims_view_edited_in_the_store_is_caught_by_the_digest(tmp_path):
    from ledger.projections import claims as C

    log = _ledger(tmp_path, steps=10, seed=7)
    fresh = C.claims_view(log, cache=False)
    assert C.claims_view(log) == fresh
    db = sqlite3.connect(store_path(log))
    assert db.execute("SELECT count(*) FROM claims_views").fetchone()[0] == 4
    db.execute("UPDATE claims_views SET lines = replace(lines, 'corroborates', 'conflicts')")
    db.commit()
    db.close()
    with pytest.warns(StoreNotice, match="digest"):
        assert C.claims_view(log) == fresh


def test_claim_features_are_kept_and_give_the_same_claims(tmp_path, monkeypatch):
    """With the stored view out of the way (another matcher version), the claims build reads every
    assertion's features from the store (none computed) and the claims are those of a build without
    any cache; an edited features row is caught by the digest."""
    from ledger.projections import claims as C
    from ledger.projections.claims import links
    from ledger.projections.claims_cache import FeatureCodec
    from ledger.serialization import converter

    log = _ledger(tmp_path, steps=10, seed=7)
    fresh = converter.unstructure(C.claims_view(log, cache=False))
    C._FEATURE_MEMO.clear()
    assert converter.unstructure(C.claims_view(log)) == fresh  # computes and stores them
    db = sqlite3.connect(store_path(log))
    version = FeatureCodec().version
    stored = db.execute("SELECT count(*) FROM claim_features WHERE features_version = ?", (version,)).fetchone()[0]
    db.close()
    assert stored > 0
    C._FEATURE_MEMO.clear()
    calls = []
    real = C.features
    monkeypatch.setattr(C, "features", lambda *a: calls.append(a) or real(*a))
    monkeypatch.setattr(links, "MATCHER_VERSION", "claims-links/features-test")
    assert converter.unstructure(C.claims_view(log)) == fresh
    assert calls == []  # every one came from the store
    db = sqlite3.connect(store_path(log))
    db.execute("UPDATE claim_features SET features_json = replace(features_json, 'a', 'b')")
    db.commit()
    db.close()
    C._FEATURE_MEMO.clear()
    with pytest.warns(StoreNotice, match="digest"):
        assert converter.unstructure(C.claims_view(log)) == fresh
    assert calls  # the store was rebuilt: computed again


def test_feature_codec_round_trips_every_field(tmp_path):
    from ledger.projections import claims as C
    from ledger.projections.claims_cache import FeatureCodec
    from ledger.projections.claims.features import Quantity, Title
    from ledger.projections.claims.frames import Frame
    from ledger.projections.views import iter_assertions, iter_sources

    log = _ledger(tmp_path, steps=6, seed=2)
    codec = FeatureCodec()
    sources = {s.source_id: s for s in iter_sources(log)}
    rows = list(iter_assertions(log))
    assert len(rows) > 5
    for row in rows:
        f = C.features(row, sources.get(row.source_id))
        assert codec.decode(codec.encode(f)) == f
    unbounded = Quantity(slot="count:person", lo=30.0, hi=float("inf"), value=30.0, bound="above", text="more than 30")
    f = attrs.evolve(f, quantities=(unbounded,), titles=(Title("a", "b", "c", "d"),), frames=(Frame("move", "crossed", True),))
    assert codec.decode(codec.encode(f)) == f


def test_an_event_breaking_its_schema_is_left_to_the_fold(tmp_path):
    """A line the store cannot fold (an AssertionRecorded without its selector, hashes recomputed) makes the
    store step aside: the view says what the fold says about it, with or without the store."""
    from ledger.serialization import event_hash

    log = _ledger(tmp_path, steps=2)
    events = [orjson.loads(line) for line in log.path.read_bytes().splitlines()]
    k = next(i for i, e in enumerate(events) if e["type"] == "AssertionRecorded")
    del events[k]["data"]["selector"]
    for i in range(k, len(events)):  # chain the rest again, as a forger would
        if i:
            events[i]["prev"] = events[i - 1]["hash"]
        events[i]["hash"] = event_hash(events[i])
    log.path.write_bytes(b"".join(orjson.dumps(e, option=orjson.OPT_SORT_KEYS) + b"\n" for e in events))
    from ledger.log import SchemaBreakError

    # Readers check each line's schema (issue #15 item 4): the store's catch-up stops with one line too.
    with pytest.raises(SchemaBreakError, match=f"seq {k + 1} .*factledger verify"):
        open_store(log, log.head())

    def outcome(cache):
        try:
            with Snapshot(log, cache=cache) as snap:
                return ("rows", list(snap.assertions(snap.head.seq)))
        except Exception as exc:  # noqa: BLE001
            return ("error", type(exc).__name__, str(exc))

    assert outcome(True) == outcome(False) and outcome(True)[:2] == ("error", "SchemaBreakError")


@pytest.mark.parametrize("text", ["plain ascii", "del \x7f here", "c1 \x85 and bidi \u202e\u2066 \u061c\u200e", "é 港 only"])
def test_streamed_json_rows_are_escaped_as_echo_json_escapes(text):
    """Views stream rows without building the document; each row gets echo_json's escaping of C1/bidi controls."""
    from ledger.cli.render import _JSON_ESCAPES, json_safe

    blob = orjson.dumps({"quote": text})
    assert json_safe(blob) == blob.decode().translate(_JSON_ESCAPES).encode()
    assert orjson.loads(json_safe(blob)) == {"quote": text}


@pytest.mark.slow
def test_exports_from_the_store_are_byte_identical_to_the_folded_ones(tmp_path, monkeypatch):
    """Exports read the store when one exists (a view built it) and fold the log otherwise: the same
    bytes for every built-in format and view, at the head and as of an earlier seq (CSV also
    spreadsheet-safe); the CSV and JSON-LD assertions never fold the log when the store is there."""
    import io

    from ledger import plugins
    from ledger.exporters import ExportContext, export_to_stream, make_context

    log = _ledger(tmp_path, steps=12, seed=5)
    plugins.load_plugins()

    def export(fmt, view, as_of, options):
        spec = plugins.get_exporter(fmt)
        out = io.BytesIO()
        export_to_stream(spec, make_context(log, spec, view=view, as_of=as_of, options=options), out)
        return out.getvalue()

    cases = [
        (fmt, view, as_of, options)
        for fmt in ("csv", "jsonld", "markdown")
        for view in plugins.get_exporter(fmt).views
        for as_of in ((None,) if view in ("claims", "links", "graph") else (None, log.head().seq // 2))
        for options in ([{}, {"spreadsheet_safe": "1"}] if fmt == "csv" else [{}])
    ]
    folded = []
    for case in cases:
        shutil.rmtree(store_path(log).parent, ignore_errors=True)
        folded.append(export(*case))
        if case[1] == "assertions":
            assert not store_path(log).exists()  # an export of rows does not build a store
    assert folded[0].count(b"\r\n") > 10
    open_store(log, log.head()).close()
    for case, expected in zip(cases, folded):
        assert export(*case) == expected, case
    monkeypatch.setattr(ExportContext, "assertions", lambda self, **f: pytest.fail("folded the log"))
    monkeypatch.setattr(ExportContext, "catalog", lambda self: pytest.fail("folded the catalog"))
    for case, expected in zip(cases, folded):
        if case[:2] in (("csv", "assertions"), ("jsonld", "assertions")):
            assert export(*case) == expected, case


def test_metadata_corrections_are_folded_into_the_store(tmp_path, monkeypatch):
    """A SourceMetadataCorrected (title, outlet, authors) no longer turns the store off: the source's row is
    closed at the correction and a corrected copy is current from it, so every view as of any seq before,
    at and after it (and after a later revision, which keeps the correction) equals the fold, with no
    pass over the log once caught up; CSV and JSON-LD exports from the store equal the folded ones."""

    from ledger.events import SourceMetadataCorrected

    log = _ledger(tmp_path, steps=6, seed=2)
    sid = next(iter(Snapshot(log, cache=False).sources(log.head().seq)))["source_id"]
    before = log.head().seq
    open_store(log, log.head()).close()  # caught up before the corrections: they are folded incrementally
    log.append([SourceMetadataCorrected(source_id=sid, title="Corrected title", outlet="The Outlet", reason="masthead")])
    log.append([SourceMetadataCorrected(source_id="src-not-yet", authors=("A. Late",))])
    gen = RandomLedger(log, random.Random(9))
    log.append([gen._source("src-not-yet", 1, "Harbour gate reopened on Monday.")])
    log.append([SourceMetadataCorrected(source_id=sid, authors=("B. Writer",))])
    pstore = open_store(log, log.head())
    assert pstore is not None
    pstore.close()
    assert_same(log, range(0, log.head().seq + 1))
    with Snapshot(log) as snap:
        titles = {s: {r["source_id"]: r["title"] for r in snap.sources(s)}[sid] for s in (before, log.head().seq)}
        assert titles[log.head().seq] == "Corrected title" != titles[before]
        late = {r["source_id"]: r for r in snap.sources(log.head().seq)}["src-not-yet"]
        assert late["authors"] == ["A. Late"]
    stored = {(f, s): _export(log, f, s) for f in ("csv", "jsonld") for s in (before, log.head().seq)}
    assert b"Corrected title" in stored["csv", log.head().seq] and b"Corrected title" not in stored["csv", before]
    shutil.rmtree(store_path(log).parent)
    for (f, s), data in stored.items():
        assert _export(log, f, s) == data, (f, s)


DATED = ["The bridge reopened on Monday", "Cars crossed last year", "Repairs began in March 2025",
         "The mayor said it was safe on Friday", "Officials met in 1953"]


class CorrectedLedger(RandomLedger):
    """:class:`RandomLedger` with relative dates in its texts and analyst corrections of sources' metadata,
    published dates included (before and after revisions and retractions, and of a source not appended yet)."""

    def _text(self) -> str:
        r = self.rng
        return ". ".join(r.choice(DATED) if r.random() < 0.6 else super(CorrectedLedger, self)._text().rstrip(".")
                         for _ in range(r.randint(2, 4))) + "."

    def step(self) -> None:
        from ledger.events import SourceMetadataCorrected

        r = self.rng
        if self.sources and r.random() < 0.35:
            sid = r.choice([*sorted(self.sources), f"src-{len(self.sources):016x}"])  # maybe the next one, not appended yet
            fields = {"published": r.choice(["2024-01-02", "2025-07-09T10:00:00Z", "2026-03-18", "not a date"])}
            if r.random() < 0.3:
                fields["title"] = f"Corrected {r.randint(0, 99)}"
            self.log.append([SourceMetadataCorrected(source_id=sid, reason="publisher's notice", **fields)],
                            actor="alice@x")
            return
        super().step()


def _catch_up_reads(log: LogStore, monkeypatch) -> tuple[list[int], list[int]]:
    """Catch the store up to the head: the byte offsets ``LogStore.lines`` started at and the seqs
    it yielded meanwhile (the store must then be usable: no fallback to the fold)."""
    starts: list[int] = []
    read: list[int] = []
    real = LogStore.lines

    def spy(self, start=0):
        starts.append(start)
        for item in real(self, start):
            read.append(item[2]["seq"])
            yield item

    monkeypatch.setattr(LogStore, "lines", spy)
    try:
        pstore = open_store(log, log.head())
    finally:
        monkeypatch.setattr(LogStore, "lines", real)
    assert pstore is not None
    pstore.close()
    return starts, read


def _assert_answered_without_the_log(log: LogStore, monkeypatch) -> None:
    """Every view at every seq comes from the caught-up store: not one line of the log is read."""
    read = []
    real_lines = LogStore.lines

    def counting(self, start=0):
        for item in real_lines(self, start):
            read.append(item[2]["seq"])
            yield item

    monkeypatch.setattr(LogStore, "lines", counting)
    with Snapshot(log) as snap:
        assert snap.store is not None
        for s in range(0, log.head().seq + 1):
            views(snap, s)
    assert read == []
    monkeypatch.setattr(LogStore, "lines", real_lines)


@pytest.mark.parametrize("seed", [4, 5, 6])
def test_corrected_published_dates_are_answered_by_the_store(tmp_path, seed, monkeypatch):
    """A SourceMetadataCorrected of ``published`` re-dates the source's assertions (views.Redater): the store
    holds re-dated copies with their own seq intervals, so every view at every seq equals the pure fold of the
    log, answered without reading a single line of the log once the store is caught up (no fallback fold)."""
    log = _ledger(tmp_path, steps=14, seed=seed, kind=CorrectedLedger)
    pstore = open_store(log, log.head())
    assert pstore is not None
    redated = pstore.conn.execute("SELECT count(*) FROM assertions_redated").fetchone()[0]
    pstore.close()
    assert_same(log, range(0, log.head().seq + 1))
    _assert_answered_without_the_log(log, monkeypatch)
    assert redated > 0  # the seeds do correct the dates of current assertions

    points = (log.head().seq // 2, log.head().seq)
    stored = {(f, s): _export(log, f, s) for f in ("csv", "jsonld") for s in points}
    shutil.rmtree(store_path(log).parent)  # no store: the exports fold the log
    assert {(f, s): _export(log, f, s) for f in ("csv", "jsonld") for s in points} == stored


def test_a_published_correction_caught_up_incrementally_equals_the_rebuilt_store(tmp_path):
    """Caught up after every append (corrections folded into a store built before them) or rebuilt in one go,
    the store gives the same views at every seq, and the same as the fold."""
    log = LogStore(tmp_path / "ledger.jsonl", fsync=False)
    gen = CorrectedLedger(log, random.Random(11))
    for _ in range(16):
        gen.step()
        open_store(log, log.head()).close()
    with Snapshot(log) as snap:
        step_by_step = [views(snap, s) for s in range(0, log.head().seq + 1)]
    shutil.rmtree(store_path(log).parent)
    with Snapshot(log) as snap:
        assert [views(snap, s) for s in range(0, log.head().seq + 1)] == step_by_step
    assert_same(log, range(0, log.head().seq + 1))


class ReextractLedger(CorrectedLedger):
    """:class:`CorrectedLedger` with what ``factledger reextract`` writes (``reextract.plan_source``): a
    recording of the same id and source version read differently, whose ``supersedes`` is the seq of the
    recording it replaces; a withdrawal from the current version; the id found again by a later run
    (``supersedes`` the withdrawn recording). Plus the hand-made sequences that make a recording current
    again after it stopped: a withdrawal lifted by a recording without ``supersedes`` (or one that replaces
    only one of two recordings of the id in that version), and a ``supersedes`` pointing ahead of itself."""

    def __init__(self, log: LogStore, rng: random.Random) -> None:
        super().__init__(log, rng)
        self.gone: dict[str, tuple[str, int]] = {}  # withdrawn by a "re-extraction": id -> (source, version)

    def _latest(self, aid: str) -> tuple[int, dict]:
        """``(seq, data)`` of the id's latest recording (what ``reextract`` calls ``earlier``)."""
        found = None
        for raw in self.log.raw_events():
            if raw["type"] == "AssertionRecorded" and raw["data"]["assertion_id"] == aid:
                found = (raw["seq"], raw["data"])
        return found

    def _again(self, data: dict, **changes) -> AssertionRecorded:
        from ledger.serialization import converter

        return converter.structure({**data, **changes}, AssertionRecorded)

    def step(self) -> None:
        r = self.rng
        choice = r.random()
        if not self.current or choice < 0.55:
            super().step()
            return
        batch = []
        for aid in r.sample(sorted(self.current), min(len(self.current), r.randint(1, 3))):
            seq, data = self._latest(aid)
            what = r.random()
            if what < 0.4:  # read differently: replaces the recording it names
                batch.append(self._again(data, speaker=r.choice([None, "Ilona Varga", "the council"]),
                                         modality=r.choice(["asserted", "hedged", "negated"]), supersedes=seq))
            elif what < 0.7:  # no longer found
                batch.append(AssertionWithdrawn(assertion_id=aid, source_id=data["source_id"], version=data["version"],
                                                reason="re-extraction with hand 2 no longer finds it"))
                self.current.pop(aid)
                self.gone[aid] = (data["source_id"], data["version"])
            elif what < 0.85:  # a second recording in the same version (hand-made): two current, until withdrawn
                batch.append(self._again(data, kind="statement", supersedes=None))
            else:  # replaces a recording not written yet (hand-made): that one is never current
                batch.append(self._again(data, modality="hedged", supersedes=self.log.head().seq + r.randint(1, 6)))
        for aid in r.sample(sorted(self.gone), min(len(self.gone), r.randint(0, 2))):
            seq, data = self._latest(aid)
            # found again by a later run: replaces the recording withdrawn (as reextract does), or, hand-made,
            # recorded with no supersedes: then the withdrawn recording is current again too
            batch.append(self._again(data, speaker="Ilona Varga", supersedes=seq if r.random() < 0.6 else None))
            del self.gone[aid]
        for p in batch:
            if isinstance(p, AssertionRecorded):
                self.current[p.assertion_id] = (p.source_id, p.version)
                self.gone.pop(p.assertion_id, None)
        self.log.append(batch, actor="reextract@x")


def _superseded_and_again(log: LogStore) -> tuple[int, int]:
    """How many recordings the store holds as replaced, and how many intervals after a recording's first."""
    pstore = open_store(log, log.head())
    assert pstore is not None  # no fallback: the store answers
    try:
        q = pstore.conn.execute
        replaced = q("SELECT count(*) FROM superseded s JOIN assertions a USING (event_seq)").fetchone()[0]
        again = q("SELECT count(*) FROM assertions_redated r JOIN assertions a USING (event_seq)"
                  " WHERE a.current_to IS NOT NULL AND r.current_from > a.current_to").fetchone()[0]
        return replaced, again
    finally:
        pstore.close()


@pytest.mark.parametrize("seed", [1, 2, 3, 4])
def test_reextractions_and_recordings_current_again_are_answered_by_the_store(tmp_path, seed, monkeypatch):
    """Re-extractions (``supersedes``) and recordings current again after a withdrawal no longer turn the store
    off: every view at every seq equals the pure fold, answered without reading a line of the log, and the
    CSV and JSON-LD ``assertions`` exports from the store equal the folded ones."""
    log = _ledger(tmp_path, steps=18, seed=seed, kind=ReextractLedger)
    replaced, again = _superseded_and_again(log)
    assert replaced > 0 and again > 0  # the seeds do replace recordings and make some current again
    assert_same(log, range(0, log.head().seq + 1))
    _assert_answered_without_the_log(log, monkeypatch)
    _assert_same_exports(log, range(0, log.head().seq + 1))


PIER = (
    "Pier Reopens After Storm\n\n"
    "The north pier reopened on Tuesday after three weeks of repairs.\n\n"
    '"It is safe again," said harbour master Tomas Brandt. "Ferries resume in May."\n\n'
    "He added that the old kiosk may stay shut for a month.\n\n"
    "About 40 boats were damaged, officials said.\n"
)


def test_a_reextracted_ledger_is_caught_up_reading_only_the_new_lines(tmp_path, monkeypatch):
    """The real ``reextract`` path, run back and forth between an older extractor and the current one
    (recordings replaced with ``supersedes``, withdrawn, found again): the store is used after every run
    (no fallback), each catch-up reads exactly the lines appended since, and every view at every seq
    equals the fold."""
    from ledger.extractors import ExtractorSpec
    from ledger.extractors.rules import SPEC as RULES
    from ledger.extractors.rules import extract as rules_extract
    from ledger.ingest import Ingestor
    from ledger.reextract import reextract
    from ledger.sources import document_from_bytes

    def old_extract(text, info):  # an older extractor: no speakers, no hedges, the boats sentence missed
        return [attrs.evolve(x, speaker=None, speaker_cue=None, quotation=None, antecedent=None,
                             modality="asserted" if x.modality == "hedged" else x.modality,
                             modality_cue=None if x.modality == "hedged" else x.modality_cue)
                for x in rules_extract(text, info) if "boats were damaged" not in text[x.start:x.end]]

    old = ExtractorSpec(name="rules", version="0.9.0", extract=old_extract)
    log = LogStore(tmp_path / "ledger.jsonl", fsync=False)
    Ingestor(log, old, actor="t@h").append(document_from_bytes(PIER.encode(), "pier.txt", uri="https://x.example/pier"))
    open_store(log, log.head()).close()
    counts = []
    for spec in (RULES, old, RULES):
        caught_up = log.head()
        done = reextract(log, spec, actor="t@h")
        counts.append(tuple(sum(d.count(what) for d in done) for what in ("changed", "added", "withdrawn")))
        Ingestor(log, spec, actor="t@h").append(document_from_bytes(  # and one more article, as ingest writes it
            PIER.replace("north", "south").replace("Tuesday", f"day {len(counts)}").encode(), f"pier{len(counts)}.txt"))
        starts, read = _catch_up_reads(log, monkeypatch)  # and the store answers: no fallback to the fold
        assert starts == [caught_up.size]
        assert read == list(range(caught_up.seq + 1, log.head().seq + 1))
    assert counts[0][0] > 0 and counts[1][2] > 0 and counts[2][1] > 0  # changed; withdrawn; found again
    assert_same(log, range(0, log.head().seq + 1))


def _assert_same_exports(log: LogStore, seqs) -> None:
    """The CSV and JSON-LD ``assertions`` exports from the store equal those folded from a copy of the log."""
    folded = LogStore(log.path.with_name("folded-" + log.path.name), fsync=False)
    folded.path.write_bytes(log.path.read_bytes())
    assert store_path(log).exists() and not store_path(folded).exists()
    for s in seqs:
        for fmt in ("csv", "jsonld"):
            assert _export(log, fmt, s) == _export(folded, fmt, s), (fmt, s)
    assert not store_path(folded).exists()  # an export never builds a store: that side folded the log


@pytest.mark.slow
@pytest.mark.parametrize("generator", [RandomLedger, CorrectedLedger, ReextractLedger], ids=["plain", "corrected", "reextract"])
@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(seed=st.integers(0, 2**32 - 1), steps=st.integers(1, 16))
def test_store_views_equal_the_fold_at_every_step(tmp_path_factory, generator, seed, steps):
    """Caught up step by step, the store answers every view, at the head and as of any earlier seq, as the
    fold does; ``CorrectedLedger`` adds published-date corrections (re-dated rows), ``ReextractLedger``
    re-extractions (``supersedes``) and recordings current again (rows with a later interval). The CSV and
    JSON-LD ``assertions`` exports from the store equal the folded ones at the head and an earlier seq."""
    rng = random.Random(seed)
    log = LogStore(tmp_path_factory.mktemp("l") / "ledger.jsonl", fsync=False)
    gen = generator(log, rng)
    for _ in range(steps):
        gen.step()
        if rng.random() < 0.5:
            head = log.head().seq
            assert_same(log, sorted({head, rng.randint(0, head), rng.randint(0, head)}))
    assert_same(log, range(0, log.head().seq + 1))
    head = log.head().seq
    _assert_same_exports(log, sorted({head, rng.randint(0, head)}))


def _export(log: LogStore, fmt: str, as_of: int) -> bytes:
    """The ``assertions`` view exported in ``fmt`` as of ``as_of`` (from the store when there is one)."""
    import io

    from ledger import plugins
    from ledger.exporters import export_to_stream, make_context

    plugins.load_plugins()
    spec = plugins.get_exporter(fmt)
    out = io.BytesIO()
    export_to_stream(spec, make_context(log, spec, view="assertions", as_of=as_of), out)
    return out.getvalue()
