"""The plugin author's reference: every hook factledger calls.

A plugin is any module or object with functions marked ``@ledger.hookimpl`` whose
names match the specs below. Install it as a package with an entry point in the
``factledger`` group and factledger finds it::

    [project.entry-points.factledger]
    myformat = "factledger_myformat"

Built-in extractors and exporters are plugins too: they are registered through these
same hooks, so reading ``ledger/exporters/csv.py`` shows exactly what yours will look
like. A hook implementation may accept fewer arguments than the spec names; new
arguments are only ever added, so a plugin written today keeps working.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

import click
import pluggy

if TYPE_CHECKING:
    from .exporters import ExporterSpec
    from .extractors import ExtractorSpec
    from .projections.claims.links import MatcherSpec

hookspec = pluggy.HookspecMarker("factledger")
hookimpl = pluggy.HookimplMarker("factledger")
"""Marker for hook implementations: ``@ledger.hookimpl``."""


@hookspec
def register_exporters(register: Callable[[ExporterSpec], None]) -> None:
    """Register export formats for ``factledger export FORMAT``.

    Call ``register`` once per format with a :class:`ledger.exporters.ExporterSpec`::

        @ledger.hookimpl
        def register_exporters(register):
            register(ExporterSpec(name="tsv", media_type="text/tab-separated-values",
                                  extension="tsv", write=write_tsv,
                                  views=("assertions",), description="Tab-separated"))

    ``write(context, out)`` receives an :class:`ledger.exporters.ExportContext` and a binary
    file. The context streams the ledger's views pinned to the user's ``--as-of``
    (``context.assertions()``, ``context.sources()``, ``context.claims()``...), carries the
    chosen ``view``, the ``-O name=value`` ``options`` the spec declares, and the
    ``head_seq``/``head_hash`` the export reflects. Write rows as you read them: a ledger may
    hold millions of assertions. A format that cannot stream (a database) sets
    ``needs_path=True`` and gets ``write(context, path)``: create the file at ``path``.

    factledger owns the destination: with ``-o`` it writes to a temporary file beside it and
    renames it only when ``write`` returns, so an exception never leaves half a file;
    ``context.extra_output(path)`` opens a second file (a sidecar) with the same guarantee.
    An exception from ``write`` is reported in one line naming your plugin.

    If two plugins register one name, only that name is contested: the built-in wins, else
    the plugin whose name sorts first; a one-line warning names both, and users pick
    another with ``FACTLEDGER_PREFER=format=plugin`` or ``factledger export plugin:format``.
    Specs missing ``name``, ``media_type``, ``extension``, ``views`` or a callable ``write``
    are refused.

    :param register: Callback taking one ``ExporterSpec``.
    :return: Nothing; results are collected through ``register``.
    """


@hookspec
def register_extractors(register: Callable[[ExtractorSpec], None]) -> None:
    """Register assertion extractors for ``factledger append --extractor NAME``.

    Call ``register`` once per extractor with a :class:`ledger.extractors.ExtractorSpec`.
    ``extract(text, info)`` receives the stored (normalised) source text and a
    :class:`ledger.extractors.SourceInfo` and returns :class:`ledger.extractors.Extracted`
    items: spans into ``text`` with kind, speaker, modality, values and entities. It must
    be deterministic and offline. factledger builds every selector from the spans itself,
    so a recorded quote always equals ``text[start:end]``.

    The extractor's ``name`` and ``version`` are recorded in every ``AssertionRecorded``
    event it produces. Names must be unique across all plugins.

    :param register: Callback taking one ``ExtractorSpec``.
    :return: Nothing; results are collected through ``register``.
    """


@hookspec
def register_commands(cli: click.Group) -> None:
    """Add commands to the ``factledger`` command line.

    ``cli`` is the top-level :class:`click.Group`; decorate functions with
    ``@cli.command()`` to add subcommands. Inside a command,
    ``ledger.cli.main.settings().store()`` is the ledger the user selected (``--ledger`` or
    ``FACTLEDGER_LEDGER``). Raise :class:`ledger.log.LedgerError` for a one-line error. A
    plugin whose ``register_commands`` raises is reported and the other commands still work.

    :param cli: The ``factledger`` click group.
    :return: Nothing.
    """


@hookspec
def register_matchers(register: Callable[[MatcherSpec], None]) -> None:
    """Register similarity signals for the claims view (``factledger claims``, exports, eval).

    Call ``register`` once per signal with a :class:`ledger.projections.claims.MatcherSpec`::

        @ledger.hookimpl
        def register_matchers(register):
            register(MatcherSpec(name="same-digits", score=same_digits, weight=0.3,
                                 description="share every number written in digits"))

    ``score(a, b)`` receives the :class:`ledger.projections.claims.Features` of two assertions
    from different sources (the pairs the view's bounded blocking yields, never all pairs) and
    returns a float in [0, 1]; ``weight * score`` is added to the built-in ``lexical+frames``
    similarity before the link thresholds, and every link records each matcher's score in its
    ``signals``. It must be deterministic and offline (no downloads at run time) and should be
    fast: it runs once per candidate pair. Names must be unique across all plugins.

    :param register: Callback taking one ``MatcherSpec``.
    :return: Nothing; results are collected through ``register``.
    """
