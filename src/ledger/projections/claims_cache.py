"""Per-assertion claim features kept in the projection store, so ``claims`` never computes
them twice (#12).

:func:`ledger.projections.claims.features.features` is a pure function of an assertion row
and its source's published date, versioned by ``FEATURES_VERSION``; a claims build from
the log alone computes them for every assertion (``bench/claims_bench.py --features`` prints their share of
the build: 15% at 1,000 zipf articles). They are stored per (assertion id, hash of
the recording, features version) with the published date they were computed with, as JSON
(floats that JSON cannot hold, ``inf``, written as strings). The codec follows the attrs
fields of ``Features`` and the classes nested in it, and the fields' names are part of the
version it stores under, so a changed shape is never read with the old one.
"""

from __future__ import annotations

import functools
import hashlib
import math
import typing
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

import attrs
import orjson


def _hints(cls: type) -> dict[str, Any]:
    return typing.get_type_hints(cls)


def _attrs_item(hint: Any) -> type | None:
    """``X`` of ``tuple[X, ...]`` when X is an attrs class."""
    args = typing.get_args(hint)
    if typing.get_origin(hint) is tuple and len(args) == 2 and args[1] is Ellipsis and attrs.has(args[0]):
        return args[0]
    return None


def _num(x: Any) -> Any:
    return x if not isinstance(x, float) or math.isfinite(x) else repr(x)


def _encode_obj(obj: Any) -> list:
    out = []
    for f in attrs.fields(type(obj)):
        v = getattr(obj, f.name)
        if isinstance(v, (frozenset, set)):
            v = sorted(v)
        elif isinstance(v, tuple) and v and attrs.has(type(v[0])):
            v = [_encode_obj(x) for x in v]
        elif isinstance(v, dict):
            v = {k: _num(x) for k, x in v.items()}
        else:
            v = _num(v) if not isinstance(v, tuple) else list(v)
        out.append(v)
    return out


def _decoder(cls: type):
    hints = _hints(cls)
    steps = []
    for f in attrs.fields(cls):
        hint = hints[f.name]
        origin = typing.get_origin(hint)
        item = _attrs_item(hint)
        if item is not None:
            sub = _decoder(item)
            steps.append(lambda v, sub=sub: tuple(sub(x) for x in v))
        elif origin is frozenset:
            steps.append(frozenset)
        elif origin is tuple:
            steps.append(tuple)
        elif origin is dict:
            steps.append(lambda v: {k: float(x) if isinstance(x, str) else x for k, x in v.items()})
        elif hint is float:
            steps.append(float)
        else:
            steps.append(None)

    def decode(values: list) -> Any:
        return cls(*[v if step is None else step(v) for step, v in zip(steps, values)])

    return decode


def _shape(cls: type, seen: set | None = None) -> list:
    """Field names of ``cls`` and of the attrs classes nested in it (part of the stored version)."""
    hints = _hints(cls)
    out: list = [cls.__name__]
    for f in attrs.fields(cls):
        item = _attrs_item(hints[f.name])
        out.append([f.name, _shape(item) if item is not None else str(hints[f.name])])
    return out


class FeatureCodec:
    """Features <-> JSON bytes, and the version string they are stored under."""

    def __init__(self) -> None:
        from .claims.features import FEATURES_VERSION, Features

        shape = hashlib.sha256(orjson.dumps(_shape(Features))).hexdigest()[:12]
        self.version = f"{FEATURES_VERSION}+{shape}"
        self.decode_list = _decoder(Features)

    def encode(self, features: Any) -> bytes:
        return orjson.dumps(_encode_obj(features))

    def decode(self, blob: bytes) -> Any:
        return self.decode_list(orjson.loads(blob))


def preload(store_rows: Iterable[tuple[Any, bool]], cat: Any, memo: dict, memo_key, pstore, codec: FeatureCodec) -> set:
    """Put the stored features of ``store_rows`` into the claims matcher's memo; returns the keys found."""
    wanted = {}
    for row, _superseded in store_rows:
        src = cat.sources.get(row.source_id)
        wanted[(row.assertion_id, row.recorded.hash)] = (memo_key(row), getattr(src, "published", None))
    found = set()
    for (aid, digest), (published, blob) in pstore.load_features(codec.version, wanted).items():
        key, want_published = wanted[(aid, digest)]
        if published == want_published:
            memo[key] = codec.decode(blob)
            found.add(key)
    return found


def with_store(pstore: Any, rows: list, cat: Any):
    """Load the stored features of ``rows`` into the matcher's memo; returns what to call once the
    view is built (it stores the features computed meanwhile)."""
    from .claims import _FEATURE_MEMO, FEATURES_VERSION

    codec = FeatureCodec()

    def memo_key(row: Any) -> tuple:
        # cached_features' key (tests/test_projection_store.py fails if they drift apart)
        src = cat.sources.get(row.source_id)
        return (row.assertion_id, row.recorded.hash, FEATURES_VERSION, getattr(src, "published", None))

    found = preload(rows, cat, _FEATURE_MEMO, memo_key, pstore, codec)

    def finish() -> None:
        new = []
        for row, _superseded in rows:
            key = memo_key(row)
            if key not in found and key in _FEATURE_MEMO:
                src = cat.sources.get(row.source_id)
                new.append((row.assertion_id, row.recorded.hash, getattr(src, "published", None), _FEATURE_MEMO[key]))
        pstore.keep_features(codec, new)

    return finish


# -- whole claims views -------------------------------------------------------------------

_CODE = (
    "claims/__init__.py", "claims/conflicts.py", "claims/explain.py", "claims/features.py", "claims/frames.py",
    "claims/groups.py", "claims/lexicon.py", "claims/links.py", "text.py", "records.py", "catalog.py", "views.py",
    "claims_cache.py",
)
"""The code a claims view is computed by (its bytes are part of the key, so an edit that forgets to
bump a version still never reads an old answer)."""


def _code_digest(fn: Any) -> str:
    """What a plugin matcher's answer depends on: the source file of its score function."""
    import inspect

    try:
        return hashlib.sha256(Path(inspect.getsourcefile(fn)).read_bytes()).hexdigest()  # type: ignore[arg-type]
    except (TypeError, OSError):
        code = getattr(fn, "__code__", None)
        return "" if code is None else hashlib.sha256(code.co_code + repr(code.co_consts).encode()).hexdigest()


@functools.cache
def _code_and_libs() -> tuple[str, list[str | None]]:
    """The digest of the claims code's files and the versions of the libraries it reads: fixed for
    a process, so read once, not on every key."""
    import importlib.metadata

    here = Path(__file__).parent
    code = hashlib.sha256()
    for name in _CODE:
        code.update((here / name).read_bytes())
    libs: list[str | None] = []
    for dist in ("lemminflect", "wordfreq", "attrs", "cattrs"):
        try:
            libs.append(importlib.metadata.version(dist))
        except importlib.metadata.PackageNotFoundError:
            libs.append(None)
    return code.hexdigest(), libs


def view_key(pstore: Any, head: Any, seq: int, config: Any, matchers: Sequence[Any]) -> str:
    """The key a claims view at ``seq`` is stored under: everything its answer depends on.

    The log up to ``seq`` (the store is rebuilt whenever the log it reflects changes, and its build
    id is in the key; at the head, the head's seq and hash too), the matcher and features versions
    (:data:`.claims.links.MATCHER_VERSION`, :data:`.claims.features.FEATURES_VERSION`, the shape of
    ``Features``), the bytes of the code that computes it, the versions of the word tables it reads,
    the options (``LinkConfig``) and each plugin matcher (name, weight, source)."""
    from .claims.links import MATCHER_VERSION

    code, libs = _code_and_libs()
    parts = {
        "build": pstore.build, "seq": seq, "head": [head.seq, head.hash] if seq >= head.seq else None,
        "matcher": MATCHER_VERSION, "features": FeatureCodec().version, "code": code, "libs": libs,
        "config": attrs.asdict(config), "matchers": [[m.name, m.weight, _code_digest(m.score)] for m in matchers],
    }
    return hashlib.sha256(orjson.dumps(parts, option=orjson.OPT_SORT_KEYS)).hexdigest()


def listed(claim: Any) -> bool:
    """A claim ``factledger claims`` lists without ``--all``: joining two sources, or with a verdict."""
    return len(claim.members) > 1 or claim.verdict is not None


def _finite(link: Any) -> bool:
    """Every float of a link is one JSON can hold (the only floats of a claims view are in links)."""
    isfinite = math.isfinite
    return (
        isfinite(link.score) and all(isfinite(w) for _lemma, w in link.shared)
        and all(isfinite(x) for _name, x in link.signals)
    )


def encode_view(view: Any) -> dict[str, bytes] | None:
    """A claims view as parts of JSON lines (one claim or link a line, as ``claims --json`` prints
    it): ``listed`` (what ``claims`` lists), ``others``, ``order`` (which part each claim is in) and
    ``links``, so the listing reads only its own part. None when a float JSON cannot hold (``inf``)
    is in it: such a view is not stored, so a stored one never reads back different."""
    from ..serialization import converter

    if not all(map(_finite, view.links)):
        return None
    dumps, unstructure = orjson.dumps, converter.unstructure
    # written into one buffer per part as they are made: each orjson.dumps result sits in a 4 KB buffer,
    # so a list of them would take 4 KB per claim (1.6 GB at 10,000 articles) before the join
    parts = {"listed": bytearray(), "others": bytearray(), "links": bytearray()}
    order = bytearray()
    for claim in view.claims:
        shown = listed(claim)
        if not all(map(_finite, claim.links)):
            return None
        part = parts["listed" if shown else "others"]
        if part:
            part += b"\n"
        part += dumps(unstructure(claim))
        order.append(49 if shown else 48)  # "1" / "0"
    part = parts["links"]
    for link in view.links:
        if part:
            part += b"\n"
        part += dumps(unstructure(link))
    out = {}
    for name in list(parts):
        out[name] = bytes(parts.pop(name))
    out["order"] = bytes(order)
    return out


def lines(blob: bytes | None) -> list[bytes]:
    return blob.split(b"\n") if blob else []


def decode_view(pstore: Any, key: str) -> Any:
    """The whole claims view stored under ``key``, or None."""
    from ..serialization import converter
    from .claims import ClaimsView
    from .records import Claim, Link

    order = pstore.claims_part(key, "order")
    if order is None:
        return None
    structure, loads = converter.structure, orjson.loads
    shown = iter(lines(pstore.claims_part(key, "listed")))
    others = iter(lines(pstore.claims_part(key, "others")))
    claims = tuple(structure(loads(next(shown) if flag == 49 else next(others)), Claim) for flag in order)
    links = tuple(structure(loads(line), Link) for line in lines(pstore.claims_part(key, "links")))
    return ClaimsView(claims=claims, links=links)
