"""One door to the ledger file: no module but ledger/log.py opens it (#17).

Two checks. Statically, every file-opening call in src/ledger outside log.py must be one of
the allowed opens below (sources, gold files, caches, keys, export outputs), each with its
reason; a new ``open()`` anywhere fails until it is listed or goes through ``LogStore``. At
run time, an audit hook watches every ``open`` of the ledger's path while the commands run
and names the module that opened it: it must be log.py.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

import pytest
from conftest import AS_PLAIN, SRC_GATE

import ledger

SRC = Path(ledger.__file__).resolve().parent

OPENERS = re.compile(
    r"\bopen\(|\.open\(|read_bytes\(|read_text\(|write_bytes\(|write_text\(|\bos\.open\(|os\.fdopen\(|\bmmap\b|io\.open|FileIO"
)

ALLOWED: dict[str, list[tuple[str, str]]] = {
    # module (relative to src/ledger) -> [(text on the line, why it is not the ledger)]
    "sources/__init__.py": [
        ("def read_bytes(", "the reader of an article (a source), not the ledger"),
        ("fd = os.open(path, os.O_RDONLY", "opens the article being appended"),
        ('with open(fd, "rb", closefd=True)', "reads that article's descriptor"),
    ],
    "sources/read.py": [("read_bytes(path, max_bytes)", "an article, through sources.read_bytes")],
    "cluster.py": [("read_bytes(item.origin", "an article read for a worker, through sources.read_bytes")],
    "evaluation/speakers.py": [
        ("header_block(read_text(path)", "a labelled corpus article (.txt), through gold.read_text"),
        ("document_from(path.read_bytes()", "a labelled corpus article (HTML, Markdown)"),
    ],
    "evaluation/gold.py": [
        ("gold = json.loads(read_text(Path(path)))", "a gold file, through read_text"),
        ("def read_text(path: Path, *, newline", "reads a gold article or file (the name of a function)"),
        ('with open(path, encoding="utf-8", newline=newline)', "a gold article or file"),
        ("text = read_text(corpus / name)", "a gold article"),
        ("text = read_text(path)", "a gold article"),
    ],
    "evaluation/claims.py": [
        ("gold_path.read_text(", "the claims gold file"),
        ("text = read_text(f, newline=None)", "a gold article, through gold.read_text"),
        ("gold = json.loads(read_text(Path(pairs_path)))", "the gold pairs file, through gold.read_text"),
    ],
    "cli/eval.py": [("speakers_file.read_bytes()", "a speaker-labels gold file")],
    "schemas.py": [("entry.read_text(", "a JSON Schema shipped in the package")],
    "projections/machinery.py": [
        ("body = path.read_bytes()", "a fold's cache file (<ledger>.cache/*.json)"),
        ('with os.fdopen(fd, "wb") as f:', "writes that cache through a temp file"),
    ],
    "cli/main.py": [
        ('with open(os.path.join(entry.path, "entry_points.txt"), "rb") as f:',
         "an installed distribution's entry points (the plugin scan of --help)"),
    ],
    "projections/claims_cache.py": [
        ("Path(inspect.getsourcefile(fn)).read_bytes()", "a plugin matcher's source, hashed into the claims view key"),
        ("code.update((here / name).read_bytes())", "factledger's claims code, hashed into the claims view key"),
    ],
    "projections/store.py": [
        ("tmp.write_bytes(", "the projection store's stamp file"),
        ("_stamp_file(path).read_bytes()", "the projection store's stamp file"),
        ('lock = os.open(path.with_name(path.name + ".lock")', "the projection store's lock file"),
    ],
    "exporters/__init__.py": [
        ('with open(tmp, "wb") as out:', "an export's output (temp file, then renamed)"),
    ],
    "proofs.py": [
        ("data = self.path.read_bytes()", "the id index cache (<ledger>.cache/ids.bin)"),
        ('with os.fdopen(fd, "wb") as f:', "writes that cache through a temp file"),
    ],
    "checkpoint.py": [
        ("data = cache_path(store).read_bytes()", "the Merkle node cache (<ledger>.cache/merkle.bin)"),
        ('with open(cache, "rb") as f:', "the key line of a Merkle cache the ledger no longer matches, to set it aside"),
        ("data = cache.read_bytes()", "a Merkle cache, current or set aside (merkle.bin.stale-*), to name a changed seq"),
        ('f = open(path, "r+b" if blocks else "w+b")', "the Merkle cache's leaf hashes (merkle.leaves), appended block by block"),
        ('leaves = open(leaves_path(cache), "rb")', "a Merkle cache's leaf hashes, to name the exact changed seq"),
        ('with os.fdopen(fd, "wb") as f:', "writes that cache through a temp file"),
        ('text = Path(path).read_text(encoding="utf-8").strip()', "a signing key file"),
        ('text = Path(path).read_text(encoding="utf-8")', "a verifier key file"),
        ("note = Path(path).read_bytes()", "a checkpoint note"),
    ],
    "cli/proofs.py": [
        ('with os.fdopen(fd, "wb") as f:', "writes a proof bundle or checkpoint"),
        ("fd = os.open(private, os.O_WRONLY", "creates a private key, mode 0600"),
        ('with os.fdopen(fd, "w", encoding="utf-8") as f:', "writes that key"),
        ("public.write_text(", "writes the public key"),
        ("data = bundle.read_bytes()", "a proof bundle to check"),
    ],
    "cli/common.py": [("devnull = os.open(os.devnull", "stdout redirected to /dev/null")],
    "testing.py": [
        ('with src, open(to, "wb") as dst:', "writes a cut copy (the ledger is read through LogStore)"),
        ("return Path(path).read_bytes(), context", "an export's output"),
        ('dest.write_bytes(b"previous export")', "an export destination in the contract"),
        ('assert dest.read_bytes() == b"previous export"', "an export destination in the contract"),
    ],
}


def _openers() -> list[tuple[str, int, str]]:
    found = []
    for path in sorted(SRC.rglob("*.py")):
        module = path.relative_to(SRC).as_posix()
        if module == "log.py":
            continue
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if OPENERS.search(line):
                found.append((module, n, line.strip()))
    return found


def test_no_module_but_log_opens_files_it_does_not_list():
    """Every file-opening call outside log.py is an allowed, non-ledger open; every allowed entry still exists."""
    found = _openers()
    unlisted = [f"{m}:{n}: {line}" for m, n, line in found if not any(text in line for text, _ in ALLOWED.get(m, []))]
    assert not unlisted, "open the ledger through LogStore (or list a non-ledger open with its reason):\n" + "\n".join(unlisted)
    stale = [(m, text) for m, entries in ALLOWED.items() for text, _ in entries
             if not any(fm == m and text in line for fm, _n, line in found)]
    assert not stale, f"allowed opens that no longer exist (remove them): {stale}"


def test_the_static_check_sees_a_new_door(tmp_path, monkeypatch):
    """The grep is not vacuous: a module that opens the ledger itself is reported."""
    fake = tmp_path / "ledger"
    (fake / "projections").mkdir(parents=True)
    (fake / "projections" / "sneaky.py").write_text('def f(store):\n    with open(store.path, "rb") as f:\n        return f.read()\n')
    monkeypatch.setattr(sys.modules[__name__], "SRC", fake)
    assert _openers() == [("projections/sneaky.py", 2, 'with open(store.path, "rb") as f:')]


class _Watch:
    """An audit hook (there is no removing one, so it is switched on and off) that records
    which module of the package opened the ledger's path."""

    installed = False
    ledger: str | None = None
    seen: list[str] = []

    @classmethod
    def hook(cls, event, args):
        if event != "open" or cls.ledger is None or not args or not isinstance(args[0], (str, bytes, Path)):
            return
        try:
            if str(Path(args[0]).resolve()) != cls.ledger:
                return
        except OSError:
            return
        frame = sys._getframe(1)
        while frame is not None:
            name = frame.f_code.co_filename
            if name.startswith(str(SRC)):
                cls.seen.append(Path(name).relative_to(SRC).as_posix())
                return
            frame = frame.f_back


@pytest.fixture
def watch(all_types_ledger):
    if not _Watch.installed:
        sys.addaudithook(_Watch.hook)
        _Watch.installed = True
    _Watch.seen = []
    _Watch.ledger = str(all_types_ledger.resolve())
    try:
        yield _Watch
    finally:
        _Watch.ledger = None


def test_every_command_opens_the_ledger_through_log_py(watch, run_cli, tmp_path, simple_extractor):
    """verify, the views, show, diff, exports, checkpoint, prove, audit, log, retract and append
    all reach the file only through LogStore."""
    prefix = tmp_path / "signer"
    assert run_cli("keygen", "--name", "example.org/l", "-o", str(prefix), ledger=None).exit_code == 0
    key = str(prefix.with_suffix(".key"))
    article = tmp_path / "a.txt"
    article.write_text("The bridge reopened on Monday. Officials said it is safe.\n")
    commands = [
        ("verify",), ("verify", "--jobs", "2"), ("sources",), ("assertions",), ("claims",), ("timeline",), ("entities",),
        ("show", AS_PLAIN), ("show", SRC_GATE), ("diff", SRC_GATE), ("log",), ("audit",),
        ("export", "csv", "-o", str(tmp_path / "out.csv")), ("export", "jsonld", "-o", str(tmp_path / "out.jsonld")),
        ("export", "markdown", "-o", str(tmp_path / "out.md")),
        ("checkpoint", "--key", key, "-o", str(tmp_path / "cp")), ("prove", AS_PLAIN, "--key", key, "-o", str(tmp_path / "p.json")),
        ("prove", SRC_GATE, "--key", key, "-o", str(tmp_path / "p2.json")),
        ("append", str(article), "--extractor", simple_extractor.name), ("sources",), ("assertions", "--no-cache"),
        ("retract", AS_PLAIN, "--reason", "test"), ("reextract", "--extractor", simple_extractor.name, "--dry-run"),
    ]
    for args in commands:
        res = run_cli(*args)
        assert res.exit_code == 0, (args, res.output)
    assert watch.seen, "the hook saw no open of the ledger"
    assert set(watch.seen) == {"log.py"}, sorted(set(watch.seen))


def test_the_door_reads_ranges_lines_and_the_last_event(all_types_ledger, tmp_path):
    """What callers used to open the file for: bytes of a range, the line at an offset, the last event."""
    import orjson

    from ledger.log import LedgerError, LogStore

    store = LogStore(all_types_ledger)
    data = all_types_ledger.read_bytes()
    starts = [0, *(i + 1 for i, b in enumerate(data) if b == 10)][:-1]
    assert [store.line_at(s) for s in starts] == data.splitlines(keepends=True)
    assert store.read_range(starts[2], starts[5]) == data[starts[2] : starts[5]]
    assert store.read_range(len(data) - 5, len(data) + 100) == data[-5:] and store.read_range(7, 7) == b""
    assert store.last_event() == orjson.loads(data.splitlines()[-1])
    assert store.last_event(starts[3]) == orjson.loads(data.splitlines()[2])
    with store.open_for_reading(starts[4]) as f:
        assert f.readline() == data.splitlines(keepends=True)[4]
    missing = LogStore(tmp_path / "none.jsonl")
    assert (missing.read_range(0, 10), missing.line_at(0), missing.last_event(), missing.open_for_reading()) == (b"", b"", None, None)
    with pytest.raises(LedgerError, match="is a directory"):
        LogStore(tmp_path).read_range(0, 10)
