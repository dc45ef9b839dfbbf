"""docs/log-format.md is enough to verify a ledger: its stdlib-only verifier, run verbatim, agrees with ours."""

from __future__ import annotations

import unicodedata
from pathlib import Path

import pytest
from conftest import SHARED, assertion_payload, source_payload
from helpers import _run, verifier  # noqa: F401  (the doc's verifier, as a fixture)

from ledger.ingest import Ingestor
from ledger.log import LogStore
from ledger.sources import read_path

DOC = Path(__file__).resolve().parents[1] / "docs" / "log-format.md"


def test_verifier_runs_without_site_packages(verifier, all_types_ledger):
    """The doc's verifier accepts a ledger holding every event type, run with no site-packages at all."""
    res = _run(verifier, all_types_ledger)
    assert (res.returncode, res.stdout.strip()) == (0, "OK"), res.stderr


def test_corpus_ledger(verifier, tmp_ledger, simple_extractor):
    """A ledger of the two real articles in ../shared/corpus verifies with the stdlib alone."""
    corpus = sorted((SHARED / "corpus").glob("*.txt"))
    if len(corpus) < 2:
        pytest.skip(f"no corpus articles under {SHARED / 'corpus'}")
    ingestor = Ingestor(LogStore(tmp_ledger, fsync=False), simple_extractor, actor="auditor@test")
    for path in corpus:
        assert ingestor.append(read_path(path)).status == "appended"
    res = _run(verifier, tmp_ledger)
    assert (res.returncode, res.stdout.strip()) == (0, "OK"), res.stderr


TRICKY = unicodedata.normalize(
    "NFC",
    "港口大桥周一关闭 🚧👩‍👩‍👧 — «ça va», café, e\u0301, Ωμέγα.\n"
    "Control: \u0001\u001f\u007f tab\tend; line sep\u2028para sep\u2029; quote \" backslash \\ slash /.\n"
    "Emoji flag 🇳🇿 and math 𝔘𝔫𝔦𝔠𝔬𝔡𝔢 at the end.",
)


def _tricky_ledger(path: Path) -> Path:
    store = LogStore(path, fsync=False)
    src = source_payload(TRICKY, title="标题 🚧", authors=("Zoë Ĳssel", "李雷"), outlet="\u0001odd")
    spans = [(0, 8), (9, 19), (TRICKY.index("Control"), TRICKY.index(" tab")), (TRICKY.index("🇳🇿"), TRICKY.index("🇳🇿") + 2),
             (TRICKY.index("𝔘"), TRICKY.index("𝔘") + 7)]
    store.append([src] + [assertion_payload(TRICKY, s, e) for s, e in spans], actor="ünï@høst")
    return path


def test_unicode_and_control_characters(verifier, tmp_ledger):
    """Emoji, CJK, combining marks, astral characters and control characters hash the same in json and orjson."""
    from ledger.audit import verify

    _tricky_ledger(tmp_ledger)
    assert verify(LogStore(tmp_ledger)).ok
    res = _run(verifier, tmp_ledger)
    assert (res.returncode, res.stdout.strip()) == (0, "OK"), res.stderr


@pytest.mark.parametrize(
    "damage, seq, words",
    [
        (lambda ls: ls[:2] + [ls[2].replace("港口".encode(), "港湾".encode())] + ls[3:], None, "hash mismatch"),
        (lambda ls: ls[:2] + ls[3:], 3, "found seq 4"),
        (lambda ls: ls[:1] + [ls[2], ls[1]] + ls[3:], 2, "found seq 3"),
        (lambda ls: ls[:3] + [b"{}\n"] + ls[3:], 4, "found seq None"),
    ],
    ids=["changed-byte", "dropped-line", "swapped-lines", "inserted-line"],
)
def test_verifier_detects_tampering(verifier, tmp_ledger, damage, seq, words):
    """The doc's verifier fails with exit 1 and names the seq for each kind of tampering."""
    _tricky_ledger(tmp_ledger)
    lines = tmp_ledger.read_bytes().splitlines(keepends=True)
    changed = damage(lines)
    assert changed != lines
    tmp_ledger.write_bytes(b"".join(changed))
    res = _run(verifier, tmp_ledger)
    assert res.returncode == 1
    first_bad = seq or next(i + 1 for i, (a, b) in enumerate(zip(lines, changed)) if a != b)
    assert f"seq {first_bad}:" in res.stderr and words in res.stderr


def test_a_reextracted_ledger_verifies_in_both(verifier, tmp_path):
    """A re-extraction records assertions of a source version again (``supersedes``) under the ids they
    had: the doc's verifier does not count them as new occurrences of their quotes, as verify does not."""
    import attrs
    import orjson

    from ledger.audit import verify
    from ledger.extractors import ExtractorSpec
    from ledger.extractors.rules import SPEC as RULES
    from ledger.extractors.rules import extract as rules_extract
    from ledger.reextract import reextract
    from ledger.sources import document_from_bytes

    def without_speakers(text, info):  # an "older" extractor
        return [attrs.evolve(x, speaker=None, speaker_cue=None, quotation=None, antecedent=None) for x in rules_extract(text, info)]

    article = b'The river fell by a metre overnight.\n\n"The worst is over," said district chief Mara Volk.\n'
    store = LogStore(tmp_path / "old.jsonl", fsync=False)
    Ingestor(store, ExtractorSpec(name="rules", version="0.9.0", extract=without_speakers), actor="t@h").append(
        document_from_bytes(article, "flood.txt", uri="https://x.example/flood"))
    (done,) = reextract(store, RULES, actor="t@h")
    assert any(c.what == "changed" for c in done.changes)
    raws = [orjson.loads(line) for line in store.path.read_bytes().splitlines()]
    assert any(r["type"] == "AssertionRecorded" and r["data"].get("supersedes") for r in raws)
    assert verify(store).ok
    res = _run(verifier, store.path)
    assert (res.returncode, res.stdout.strip()) == (0, "OK"), res.stderr


def test_a_re_extraction_of_a_repeated_quote_keeps_its_occurrence(verifier, tmp_ledger):
    """The second occurrence of a repeated quote, recorded again by a re-extraction (``supersedes``), keeps
    the id of occurrence 1: both verifiers accept it, and both refuse it without ``supersedes``."""
    import attrs

    from ledger.audit import verify

    text = "The ferry sailed. The ferry sailed."
    first, second = assertion_payload(text, 0, 17, occurrence=0), assertion_payload(text, 18, 35, occurrence=1)
    store = LogStore(tmp_ledger, fsync=False)
    store.append([source_payload(text), first, second])  # seq 1 BatchStarted, 2 source, 3 and 4 the assertions
    again = attrs.evolve(second, speaker="the captain", speaker_cue="said", supersedes=4)
    store.append([again])
    assert verify(store).ok
    res = _run(verifier, tmp_ledger)
    assert (res.returncode, res.stdout.strip()) == (0, "OK"), res.stderr
    store.append([attrs.evolve(second, supersedes=None)])
    assert verify(store).bad_seq == 6
    assert _run(verifier, tmp_ledger).stderr.startswith("FAILED: seq 6:")
