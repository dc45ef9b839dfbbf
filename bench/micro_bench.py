"""The small figures quoted in code comments, each against its baseline in the same process.

    PYTHONPATH=src python bench/micro_bench.py [--repeat 5]

Prints, best of ``--repeat`` CPU-time runs, the ratio baseline / ours for:

* ``segment``: ``segment.TERM_RE`` (opens with one character class) vs the same terminators
  written as an opening alternation, scanning extract_bench's realistic articles;
* ``modality``: ``modality.NEG_RE`` (no leading ``\\b``) vs the same pattern with it;
* ``sha256``: ``blank.copy().update(line)`` (audit._replay) vs ``hashlib.sha256(line)``, per line;
* ``writev``: ``os.writev`` of a 1 MB batch of 1,000-byte lines (log._write_all) vs joining it
  first and writing once, per event;
* ``structure``: the converter's hook for ``AssertionRecorded`` (serialization's positional
  hook) vs the hook a default cattrs orjson converter generates, per event;
* ``payload``: ``serialization.payload_json_fn`` (orjson writes each ``__dict__``) vs
  ``orjson.dumps`` of a default cattrs converter's ``unstructure``, per event;
* ``dictclass``: building a frozen attrs dict class (events.py's ``slots=False``) vs the same
  fields as a frozen slotted class, per instance; its memory (instance + ``__dict__``) is printed.

Numbers depend on the machine and its load; the comments quote what one run printed. Not a test.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import re
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))


def best(fn, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        t = time.process_time()
        fn()
        times.append(time.process_time() - t)
    return min(times)


def report(name: str, ours: float, base: float, per: int, unit: str) -> None:
    print(f"{name:9} ours {ours / per * 1e6:8.3f} us/{unit}  baseline {base / per * 1e6:8.3f} us/{unit}  "
          f"baseline/ours {base / ours:5.2f}x")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--repeat", type=int, default=5)
    args = ap.parse_args()
    from extract_bench import make_articles  # the same generated news-like texts (realistic set)

    from ledger.extractors.rules import modality, segment

    texts = make_articles(200)
    size = sum(map(len, texts))

    alternation = re.compile(r"(?:[.!?…]+|[。！？]+)[\"'”’)\]»]*")
    report("segment", best(lambda: [list(segment.TERM_RE.finditer(t)) for t in texts], args.repeat),
           best(lambda: [list(alternation.finditer(t)) for t in texts], args.repeat), size // 1000, "KB")

    bounded = re.compile(r"\b" + modality.NEG_RE.pattern)
    report("modality", best(lambda: [list(modality.NEG_RE.finditer(t)) for t in texts], args.repeat),
           best(lambda: [list(bounded.finditer(t)) for t in texts], args.repeat), size // 1000, "KB")

    lines = [os.urandom(500).hex().encode() for _ in range(20_000)]
    blank = hashlib.sha256()

    def copied():
        for line in lines:
            d = blank.copy()
            d.update(line)
            d.digest()

    def fresh():
        for line in lines:
            hashlib.sha256(line).digest()

    report("sha256", best(copied, args.repeat), best(fresh, args.repeat), len(lines), "line")

    batch = [os.urandom(500).hex().encode()[:999] + b"\n" for _ in range(1000)]
    with tempfile.TemporaryDirectory() as d:
        fd = os.open(os.path.join(d, "x"), os.O_WRONLY | os.O_CREAT)

        def vec():
            for _ in range(20):
                os.lseek(fd, 0, 0)
                os.writev(fd, batch)

        def joined():
            for _ in range(20):
                os.lseek(fd, 0, 0)
                os.write(fd, b"".join(batch))

        ours, base = best(vec, args.repeat), best(joined, args.repeat)
        os.close(fd)
    report("writev", ours, base, 20 * len(batch), "event")

    serialization_rows(args.repeat)


def serialization_rows(repeat: int) -> None:
    """``structure``, ``payload`` and ``dictclass`` (see the module docstring)."""
    import random

    import attrs
    import orjson
    from cattrs.preconf.orjson import make_converter
    from log_bench import make_assertion, make_sources

    from ledger.events import AssertionRecorded
    from ledger.serialization import converter, payload_json_fn

    rng = random.Random(7)
    sources = make_sources(rng)
    payloads = [make_assertion(i, sources, rng) for i in range(5000)]
    plain = make_converter()  # cattrs as it comes
    datas = [orjson.loads(orjson.dumps(plain.unstructure(p))) for p in payloads]
    ours_h, base_h = converter.get_structure_hook(AssertionRecorded), plain.get_structure_hook(AssertionRecorded)
    assert [ours_h(d, AssertionRecorded) for d in datas] == [base_h(d, AssertionRecorded) for d in datas]
    report("structure", best(lambda: [ours_h(d, AssertionRecorded) for d in datas], repeat),
           best(lambda: [base_h(d, AssertionRecorded) for d in datas], repeat), len(datas), "event")

    to_json, sort = payload_json_fn(AssertionRecorded), orjson.OPT_SORT_KEYS
    assert [to_json(p) for p in payloads] == [orjson.dumps(plain.unstructure(p), option=sort) for p in payloads]
    report("payload", best(lambda: [to_json(p) for p in payloads], repeat),
           best(lambda: [orjson.dumps(plain.unstructure(p), option=sort) for p in payloads], repeat), len(payloads), "event")

    names = [a.name for a in attrs.fields(AssertionRecorded)]
    as_dict = attrs.make_class("AsDict", names, frozen=True, slots=False)
    as_slots = attrs.make_class("AsSlots", names, frozen=True, slots=True)
    args = [attrs.astuple(p, recurse=False) for p in payloads]
    report("dictclass", best(lambda: [as_dict(*a) for a in args], repeat),
           best(lambda: [as_slots(*a) for a in args], repeat), len(args), "object")
    d, s = as_dict(*args[0]), as_slots(*args[0])
    print(f"{'':9} memory: dict class {sys.getsizeof(d) + sys.getsizeof(d.__dict__)} bytes, slotted {sys.getsizeof(s)} bytes")


if __name__ == "__main__":
    main()
