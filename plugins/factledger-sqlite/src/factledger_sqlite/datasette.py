"""Datasette metadata for a factledger SQLite export: titles, descriptions, facets, full-text
search and canned queries, written beside the database as ``<name>.datasette.json``.

``datasette facts.db --metadata facts.datasette.json`` (or ``factledger datasette``) then
opens a ledger ready to browse: facets on outlet, speaker, kind and modality, search over
quotes, every assertion linked to the source text it quotes, and three canned queries
(conflicts between sources, one speaker's statements, what a revision changed).
"""

from __future__ import annotations

SUFFIX = ".datasette.json"


def metadata(database: str, head_seq: int, head_hash: str) -> dict:
    """The metadata document for the database named ``database`` (its file name without ``.db``)."""
    return {
        "title": "factledger",
        "description": (
            f"The views of a factledger ledger as of seq {head_seq} (head hash {head_hash[:16]}…): "
            "sources, the assertions quoted from them, and the claims that join sources. "
            "Every quote is a span of the stored source text; `factledger verify` proves it."
        ),
        "databases": {
            database: {
                "title": "Fact ledger",
                "description": "Browse assertions by outlet, speaker, kind and modality; search quotes; follow an assertion to its source text.",
                "tables": {
                    "assertions": {
                        "title": "Assertions",
                        "description": "Every current assertion: the exact quote, who said it and how hedged it is. "
                                       "text_id links to the source text it was cut from (start/end are offsets into it).",
                        "facets": ["outlet", "speaker", "kind", "modality"],
                        "label_column": "exact",
                        "sort": "event_seq",
                        "searchmode": "raw",
                    },
                    "sources": {
                        "title": "Sources",
                        "description": "Each article at its current version, with its metadata.",
                        "facets": ["outlet"],
                        "label_column": "title",
                    },
                    "source_texts": {
                        "title": "Source texts",
                        "description": "The stored text of every version of every source; assertions link here.",
                        "label_column": "label",
                    },
                    "claims": {
                        "title": "Claims",
                        "description": "Facts stated by several sources: corroborated or in conflict.",
                        "facets": ["status", "verdict"],
                        "label_column": "label",
                    },
                    "claim_members": {"title": "Claim members", "description": "Which assertions state each claim."},
                    "conflicts": {"title": "Conflicts", "description": "Why members of a claim disagree."},
                    "revision_changes": {
                        "title": "Revision changes",
                        "description": "Assertions added, withdrawn or moved when a source was revised.",
                        "facets": ["change"],
                    },
                    "ledger": {"title": "Ledger head", "description": "The seq and hash this database reflects."},
                },
                "queries": {
                    "conflicts": {
                        "title": "Conflicts between sources",
                        "description": "Each conflict with both quotes and their outlets.",
                        "sql": (
                            "select c.claim_id, c.field, c.explanation, "
                            "a.exact as quote_a, a.outlet as outlet_a, b.exact as quote_b, b.outlet as outlet_b "
                            "from conflicts c join assertions a on a.assertion_id = c.a "
                            "join assertions b on b.assertion_id = c.b order by c.claim_id"
                        ),
                    },
                    "speaker_statements": {
                        "title": "A speaker's statements",
                        "description": "Everything attributed to a speaker (any part of the name, any case).",
                        "sql": (
                            "select assertion_id, speaker, exact, outlet, modality, text_id from assertions "
                            "where speaker like '%' || :speaker || '%' order by event_seq"
                        ),
                    },
                    "revision_changes": {
                        "title": "What changed in a revision",
                        "description": "Assertions added, withdrawn or moved between two versions of a source.",
                        "sql": (
                            "select source_id, from_version, to_version, change, assertion_id, exact "
                            "from revision_changes where source_id = :source_id order by to_version, change, start"
                        ),
                    },
                },
            }
        },
    }
