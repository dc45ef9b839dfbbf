"""The command line: a thin layer over the library, one module per command group.

A command's module is imported only when that command runs (``LAZY``: its module and the
first paragraph of its help, which ``factledger --help`` prints without importing it), so
each command pays only for what it uses (#12). tests/test_cli_lazy.py holds the table to the
modules: a new command goes in the table.
"""

from .main import cli, main

LAZY: dict[str, tuple[str, str]] = {
    "append": ("append", 'Append sources with their assertions.'),
    "audit": ("proofs", 'A report to attach to an audit: head, verify and checkpoint results, who and what wrote the events, every retraction, revision, verdict and analyst link (Markdown or --json).'),
    "assertions": ("views", 'Current assertions (retracted and withdrawn ones gone), filterable.'),
    "check-proof": ("proofs", "Verify a proof bundle offline, with the signer's public key only."),
    "checkpoint": ("proofs", "Sign the ledger's Merkle root: a C2SP checkpoint anyone can later check it against."),
    "claims": ("views", 'Facts stated by several sources: label, status, verdict, quotes and one line per conflicting slot.'),
    "correct": ("correct", 'Correct the metadata of SOURCE (a source id or its URL); unnamed fields stay as they are.'),
    "consistency": ("proofs", 'Prove, from the ledger, that checkpoint NEW extends checkpoint OLD.'),
    "diff": ("diff", 'Show what changed between versions of SOURCE (a source id or its URL): the text and the assertions.'),
    "entities": ("views", 'Each entity with its variants and mentions across sources.'),
    "eval": ("eval", 'Score the extractor against GOLD (recall, not-statements, speaker, hedge, values) and the claims view.'),
    "export": ("export", "Export the ledger in FORMAT (see 'factledger plugins' for the formats loaded)."),
    "keygen": ("proofs", 'Make an Ed25519 key for signing checkpoints (C2SP signed-note format).'),
    "link": ("analyst", 'Say assertions A and B state the same fact (overrides automatic clustering).'),
    "log": ("audit", 'List the events in the ledger.'),
    "plugins": ("plugins_cmd", 'List plugins (built-in and third-party): version, where each comes from, hooks, formats.'),
    "prove": ("proofs", "Write a proof bundle for an assertion, source, claim or event id: its events, their inclusion paths and a signed checkpoint, checkable offline with 'factledger check-proof'."),
    "reextract": ("reextract", 'Bring the ledger up to date with an extractor\'s current version.'),
    "repair": ("audit", 'Move an interrupted append (a torn line or an incomplete batch) to a side file; nothing is deleted.'),
    "retract": ("audit", 'Record that an assertion is retracted (the original event stays).'),
    "show": ("views", 'The provenance trail of an assertion (as-...), a claim (cl-...) or a source (src-...): every event that touched it.'),
    "sources": ("views", 'Every source with its versions, metadata and assertion counts by kind.'),
    "timeline": ("views", 'Dated statements ordered by the date they speak of, with their sources.'),
    "unlink": ("analyst", 'Say assertions A and B do not state the same fact (overrides automatic clustering).'),
    "verdict": ("analyst", 'Record a verdict on a claim (cl-...) or an assertion (as-...).'),
    "verify": ("audit", 'Replay the ledger and check its hash chain, schemas, batches and every quote.'),
}
cli.lazy = LAZY

__all__ = ["LAZY", "cli", "main"]
