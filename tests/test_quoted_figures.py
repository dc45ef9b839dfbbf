"""A speed figure quoted in src/ledger ("2.5x faster", "7% of a verify") names the bench/ script that
measures it, on its line or the two lines either side (#17: numbers in comments must be reproducible)."""

from __future__ import annotations

import re
from pathlib import Path

import ledger

SRC = Path(ledger.__file__).resolve().parent
ROOT = SRC.parents[1]

FIGURE = re.compile(
    r"(?<![%\w.:{])\d+(?:\.\d+)?x(?![\w{])"  # a ratio (not %012x, {c:02x} or 0x7F)
    r"|\d+ ?% (?:faster|slower|more|less|of (?:a|an|its|the)\b)"  # a share of some cost
    r"|\d+ ?(?:ns|us|µs|ms) (?:per|a|an|each)\b"  # a time per unit
)


def _unnamed(lines: list[str]) -> list[tuple[int, str]]:
    out = []
    for i, line in enumerate(lines):
        if FIGURE.search(line) and not any("bench/" in near for near in lines[max(0, i - 2) : i + 3]):
            out.append((i + 1, line.strip()))
    return out


def test_every_quoted_figure_names_its_bench():
    missing = {}
    for path in sorted(SRC.rglob("*.py")):
        found = _unnamed(path.read_text(encoding="utf-8").splitlines())
        if found:
            missing[path.relative_to(SRC).as_posix()] = found
    assert not missing, f"name the bench/ script that measures these (or drop the figure): {missing}"


def test_the_benches_named_exist():
    """Every bench/ script a comment names is there."""
    named = {m for path in SRC.rglob("*.py") for m in re.findall(r"bench/(\w+\.py)", path.read_text(encoding="utf-8"))}
    assert named and all((ROOT / "bench" / name).is_file() for name in named), named


def test_a_bare_figure_is_caught():
    assert _unnamed(["x = 1", "# joining first costs 1.6x the write", "y = 2"]) == [(2, "# joining first costs 1.6x the write")]
    assert _unnamed(["# 1.6x faster", "# (bench/micro_bench.py)"]) == []
    assert _unnamed(['t = b"%012x" % ms', 'f"{c:02x}"', "0x7F", "# half of = 50 %"]) == []
