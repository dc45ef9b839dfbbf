"""What ``verify`` checks beyond the chain, the canonical form, the schemas and the quotes.

A forger who recomputes every hash keeps the chain intact; these rules are what the
events must still satisfy, each checked as the replay reaches the line, so the first
line breaking one is named by its seq (docs/log-format.md, "What verify checks"):

* event ids are unique, and ``at`` never moves back;
* a source enters once (``SourceAppended``, version 1, ``source_id`` derived from its
  ``uri``, or its text when it has none); a ``SourceRevised`` follows the source's last
  version; stored text is Unicode NFC without ``\\r``;
* an ``assertion_id`` is derived from its source, quote and occurrence, belongs to one
  source, and is recorded at most once per version; every value and entity span lies in
  the text and equals its stored ``text``; integer members are JSON integers;
* retractions, withdrawals, links, unlinks and verdicts point at assertions (or, for a
  verdict, a claim) recorded before them, and nothing is linked to itself.

The state is a few dicts keyed by ids (memory grows with the number of assertions,
not with the text) and every check is O(1) per line apart from the spans it compares.
"""

from __future__ import annotations

import hashlib
import unicodedata
from typing import Any

_SHA = hashlib.sha256


def source_id_for(uri: str | None, text_sha256: str) -> str:
    """``src-`` + the first 16 hex digits of SHA-256 of the URI (UTF-8), or of ``text:<text_sha256>``."""
    basis = uri if uri else "text:" + text_sha256
    return "src-" + _SHA(basis.encode("utf-8")).hexdigest()[:16]


def assertion_id_for(source_id: str, exact: str, occurrence: int) -> str:
    """``as-`` + 16 hex of SHA-256 of ``source_id 0x1F exact 0x1F occurrence`` (UTF-8), where
    ``occurrence`` counts the earlier assertions of that source version with the same quote."""
    return "as-" + _SHA(f"{source_id}\x1f{exact}\x1f{occurrence}".encode()).hexdigest()[:16]


_LINKS = ("AssertionsLinked", "AssertionsUnlinked")


class Rules:
    """The state the rules need, fed one parsed line at a time in seq order.

    ``ledger.audit``'s replay, which has the line's fields at hand already, checks the event id
    and ``at`` itself (in ``event_ids`` and ``last_at``) and calls :meth:`recorded` (most lines)
    or :meth:`other`: per-line calls are most of what these rules cost."""

    def __init__(self, *, derived_ids: bool = True, partial: bool = False) -> None:
        self.derived_ids = derived_ids  # source_id and assertion_id recomputed (rules 7 and 9)
        # partial: the lines are a byte range of the ledger (ledger.ranges), so a target recorded
        # before the range is not known here: such a reference is put in ``deferred`` and every
        # source event in ``sources``, for ledger.ranges to resolve across the ranges.
        self.partial = partial
        self.deferred: list[tuple] = []  # ("ref", seq, ids one of which is needed) | ("withdraw", seq, aid, sid, version) | ("version", seq, sid, version)
        self.sources: list[tuple] = []  # (seq, is SourceAppended, source id, version, revision_of)
        self.event_ids: set[str] = set()
        self.last_at = ""
        self.versions: dict[str, int] = {}  # source id -> its last version
        self.assertions: dict[str, tuple[str, int]] = {}  # assertion id -> (source id, last version recording it)
        self._key: tuple[str, int] | None = None  # one shared tuple per source version
        self._prefix = _SHA()
        self._seen: dict[str, int] = {}  # exact -> recordings of that quote so far, in this source version
        # partial: the source versions whose source event is in the range; an assertion of any other
        # (its text borrowed from before the range) cannot know how often its quote was recorded
        # before the range, so its id is kept in ``_late`` (exact -> ids in order) for
        # ledger.ranges to check once the earlier ranges' counts are known.
        self.local: set[tuple[str, int]] = set()
        self._late: dict[str, list[str]] | None = None
        # (source id, version) -> (shared key, started hash of the source id, its quotes seen, late ids or None)
        self._keys: dict[tuple[str, int], tuple[tuple[str, int], Any, dict[str, int], dict[str, list[str]] | None]] = {}

    def other(self, t: str, d: dict[str, Any], seq: int) -> str | None:
        """The rules of an event that is not an ``AssertionRecorded`` (``seq``: its seq, kept with
        what a partial range defers)."""
        if t == "SourceAppended" or t == "SourceRevised":
            if self.partial:
                self.sources.append((seq, t == "SourceAppended", d["source_id"], d["version"], d.get("revision_of")))
            return self._source(t, d)
        if t == "AssertionRetracted" or t == "AssertionWithdrawn":
            aid = d["assertion_id"]
            owner = self.assertions.get(aid)
            verb = "retracts" if t == "AssertionRetracted" else "withdraws"
            if owner is None:
                if not self.partial:
                    return f"{verb} assertion {aid}, which is not recorded before it"
                if t == "AssertionWithdrawn":
                    self.deferred.append(("withdraw", seq, aid, d["source_id"], d["version"]))
                else:
                    self.deferred.append(("ref", seq, (aid,)))
                return None
            if t == "AssertionWithdrawn":
                if d["source_id"] != owner[0]:
                    return f"withdraws assertion {aid} from source {d['source_id']}, but it belongs to {owner[0]}"
                if self.partial and owner[0] not in self.versions and d["version"].__class__ is int:
                    self.deferred.append(("version", seq, owner[0], d["version"]))
                elif d["version"].__class__ is not int or self.versions.get(owner[0], 0) < d["version"]:
                    return f"withdraws assertion {aid} from {owner[0]} v{d['version']}, which is not recorded before it"
            return None
        if t in _LINKS:
            a, b = d["a"], d["b"]
            if a == b:
                return f"links assertion {a} to itself"
            for x in (a, b):
                if x not in self.assertions:
                    if not self.partial:
                        return f"{'links' if t == 'AssertionsLinked' else 'unlinks'} assertion {x}, which is not recorded before it"
                    self.deferred.append(("ref", seq, (x,)))
            return None
        if t == "VerdictRecorded":
            target = d["target"]
            known = target in self.assertions or (target.startswith("cl-") and "as-" + target[3:] in self.assertions)
            if not known:
                if not self.partial:
                    return f"verdict on {target}, which is no assertion or claim recorded before it"
                self.deferred.append(("ref", seq, (target, "as-" + target[3:]) if target.startswith("cl-") else (target,)))
        return None

    def _source(self, t: str, d: dict[str, Any]) -> str | None:
        sid, version, text = d["source_id"], d["version"], d["text"]
        if version.__class__ is not int:
            return f"source {sid}: version is not a JSON integer"
        last = self.versions.get(sid)
        if t == "SourceAppended":
            if last is not None:
                return f"source {sid} is appended again (it is already in the ledger; a new version is a SourceRevised)"
            if version != 1:
                return f"source {sid}: a SourceAppended is version 1, not {version}"
            expected = source_id_for(d["uri"], d["text_sha256"]) if self.derived_ids else sid
            if sid != expected:
                return f"source_id {sid} is not derived from its {'uri' if d['uri'] else 'text'} (expected {expected})"
        else:
            if last is None and not self.partial:
                return f"revises source {sid}, which is not in the ledger before it"
            if last is not None and (version != last + 1 or d["revision_of"] != last or d["revision_of"].__class__ is not int):
                return f"source {sid}: version {version} revising {d['revision_of']} does not follow its last version {last}"
        if "\r" in text or not unicodedata.is_normalized("NFC", text):
            return f"source {sid} v{version}: the stored text is not NFC with \\n newlines"
        self.versions[sid] = version
        if self.partial:
            self.local.add((sid, version))
        return None

    def quote_counts(self) -> dict[tuple[str, int], tuple[dict[str, int], dict[str, list[str]] | None]]:
        """Per source version: how often each quote was recorded (not counting re-recordings), and
        the ids whose derivation waits for the counts before the range (partial only)."""
        return {k: (v[2], v[3]) for k, v in self._keys.items()}

    def recorded(self, d: dict[str, Any], text: str | None) -> str | None:
        """The rules of an ``AssertionRecorded`` with payload ``d``; ``text``: the source text
        its selector points into."""
        aid, sid, version = d["assertion_id"], d["source_id"], d["version"]
        if version.__class__ is not int:
            return f"assertion {aid}: version is not a JSON integer"
        key = self._key
        if key is None or key[0] != sid or key[1] != version:
            found = self._keys.get((sid, version))
            if found is None:
                late = {} if self.partial and (sid, version) not in self.local else None
                found = self._keys[(sid, version)] = ((sid, version), _SHA(f"{sid}\x1f".encode()), {}, late)
            key, self._prefix, self._seen, self._late = found
            self._key = key
        assertions = self.assertions
        owner = assertions.get(aid)
        again = False  # a re-extraction recording this version's assertion again (its id was checked then)
        if owner is not None:
            if owner[0] != sid:
                return f"assertion id {aid} already belongs to source {owner[0]}"
            if owner[1] == version:
                if d.get("supersedes") is None:
                    return f"assertion {aid} is recorded twice in {sid} v{version}"
                again = True
        if self.derived_ids and not again:
            # Rule 9: occurrence n of this quote in this source version, from a started hash of the source id.
            exact = d["selector"]["exact"]
            seen = self._seen
            n = seen.get(exact, 0)
            if self._late is None:
                h = self._prefix.copy()
                h.update(f"{exact}\x1f{n}".encode())
                expected = "as-" + h.hexdigest()[:16]
                if aid != expected:
                    return f"assertion_id {aid} is not derived from its source, quote and occurrence {n} (expected {expected})"
            else:  # occurrence n of the range's own recordings: ledger.ranges adds those before it
                self._late.setdefault(exact, []).append(aid)
            seen[exact] = n + 1
        assertions[aid] = key
        for kind, items in (("value", d["values"]), ("entity", d["entities"])):
            for item in items:
                start, end = item["start"], item["end"]
                if (
                    text is None
                    or start.__class__ is not int
                    or end.__class__ is not int
                    or not 0 <= start < end <= len(text)
                    or text[start:end] != item["text"]
                ):
                    return f"assertion {aid}: {kind} {item['text']!r} at {start}:{end} differs from the source text"
        return None
