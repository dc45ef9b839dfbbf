"""Scoring the extractor and the claims view against labelled sets (``factledger eval``).

Kept apart from the ledger's layers: nothing here writes to a user's ledger, and nothing in the
core imports it. ``gold`` scores assertions against a gold file, ``speakers`` scores speakers and
hedges against a labels file, ``claims`` scores links against a pairs file; the outside scorers in
``../shared/eval/tools`` read the same sets and must agree.
"""
