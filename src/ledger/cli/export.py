"""``factledger export FORMAT``: the ledger's views through an exporter plugin."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from .. import plugins
from ..exporters import ExportError, export_to_path, export_to_stream, make_context
from ..log import LedgerError
from .common import as_of_note, is_closed_pipe
from .main import cli, settings
from .render import clean_document, echo


def _parse_options(pairs: tuple[str, ...]) -> dict[str, str]:
    options: dict[str, str] = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key.strip():
            raise ExportError(f"-O {pair!r}: expected NAME=VALUE")
        options[key.strip().replace("-", "_")] = value
    return options


class _TerminalView:
    """What an export shows on a terminal: its text with control characters escaped
    (:func:`render.clean_document`), so an article's OSC/CSI/C1/bidi bytes
    cannot drive the terminal. Only for a terminal: a pipe or ``-o`` gets the exact bytes."""

    def __init__(self, out) -> None:
        import codecs

        self.out = out
        self.decoder = codecs.getincrementaldecoder("utf-8")("replace")  # a character cut between writes waits
        self.cr = ""  # a CR ending one write may start the CRLF the next one ends

    def write(self, data: bytes) -> int:
        text = self.cr + self.decoder.decode(data)
        self.cr = "\r" if text.endswith("\r") else ""
        self._show(text[:-1] if self.cr else text)
        return len(data)

    def flush(self) -> None:
        self._show(self.cr + self.decoder.decode(b"", final=True))
        self.cr = ""
        self.out.flush()

    def _show(self, text: str) -> None:
        if text:
            self.out.write(clean_document(text).encode("utf-8", "backslashreplace"))


@cli.command("export")
@click.argument("format_name", metavar="FORMAT")
@click.option("--view", help="What to export (assertions, claims, sources...; default: the format's first).")
@click.option("-o", "--output", type=click.Path(path_type=Path), help="Write to this file (atomically) instead of stdout.")
@click.option("--as-of", "as_of", metavar="SEQ|TIME", help="Export the ledger as it was at this seq or RFC 3339 time.")
@click.option("--spreadsheet-safe", is_flag=True, help="CSV: neutralise cells starting with = + - @ (not byte-exact; said in the sidecar).")
@click.option("--sidecar", type=click.Path(path_type=Path), help="CSV: write the CSVW metadata here (default: beside -o; none on stdout).")
@click.option("-O", "--option", "raw_options", multiple=True, metavar="NAME=VALUE", help="Format-specific option (repeatable).")
def export_command(format_name, view, output, as_of, spreadsheet_safe, sidecar, raw_options):
    """Export the ledger in FORMAT (see 'factledger plugins' for the formats loaded)."""
    from .. import projections

    from .main import report_plugin_errors

    try:
        registration = plugins.exporter_registration(format_name)
    finally:
        # Plugins that raised while registering exporters (or clash) are found only now: name them.
        report_plugin_errors()
    spec = registration.item
    options = _parse_options(raw_options)
    if spreadsheet_safe:
        options["spreadsheet_safe"] = "true"
    if sidecar is not None:
        options["sidecar"] = str(sidecar)
    store = settings().existing_store()
    if spec.needs_path and output is None:
        raise ExportError(f"format {spec.name!r} writes a file ({spec.extension}); give -o PATH")
    seq = projections.resolve_as_of(store, as_of)
    as_of_note(store, as_of, seq)
    context = make_context(store, spec, as_of=seq, view=view, options=options, destination=output)
    try:
        if output is None or str(output) == "-":
            context.destination = None
            stream = sys.stdout.buffer
            if sys.stdout.isatty():
                stream = _TerminalView(stream)
            export_to_stream(spec, context, stream)
        else:
            export_to_path(spec, context, output)
    except (LedgerError, LookupError):
        raise
    except OSError as exc:
        if output is None and is_closed_pipe(exc):
            raise
        where = output or "stdout"
        raise ExportError(f"{where}: export failed: {exc.strerror or exc}") from None
    except Exception as exc:
        provider = registration.plugin
        where = f"{output} left unchanged" if output is not None else "stdout output is incomplete"
        raise ExportError(
            f"export {spec.name!r} (plugin {provider!r}) failed: {type(exc).__name__}: {exc}; {where}"
        ) from None
    if output is not None:
        echo(f"wrote {output} ({spec.name}, view {context.view}, head seq {context.head_seq})", err=True)
