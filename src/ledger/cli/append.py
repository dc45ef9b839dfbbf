"""``factledger append``: files, folders, globs, URLs or stdin in; one batch of events per source."""

from __future__ import annotations

import re
import sys
from contextlib import ExitStack

import click

from .. import plugins
from ..ingest import AppendResult, Failed, Ingestor, ReadOptions
from ..sources import MAX_BYTES, SourceError
from ..sources.collect import collect
from ..sources.meta import Metadata, normalise_published
from ..sources.web import TIMEOUT
from .main import cli, settings
from .render import clean, echo


def describe(result: AppendResult) -> str:
    if result.status == "unchanged":
        return (
            f"unchanged {result.source_id} v{result.version} ({result.origin}): "
            "byte-identical to what the ledger holds; nothing recorded"
        )
    total = sum(result.counts.values())
    kinds = ", ".join(f"{n} {kind}" for kind, n in result.counts.items()) or "none"
    extra = f", {result.withdrawn} withdrawn" if result.withdrawn else ""
    return (
        f"{result.status} {result.source_id} v{result.version} ({result.origin}): "
        f"{total} assertions ({kinds}){extra}; seq {result.first_seq}-{result.last_seq}"
    )


_SIZE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([kmg]i?b?|b)?\s*$", re.IGNORECASE)
_UNITS = {"": 1, "b": 1, "k": 1024, "m": 1024**2, "g": 1024**3}


class ByteSize(click.ParamType):
    """``10MB``, ``500k``, ``2048``: binary multiples, as ``ls -h`` prints them."""

    name = "size"
    ceiling = 1024**3  # a source is held in memory several times over while it is read and extracted

    def convert(self, value, param, ctx):
        if isinstance(value, int):
            return value
        m = _SIZE.match(str(value))
        if not m:
            self.fail(f"{value!r} is not a size (e.g. 10MB, 500k, 4096)", param, ctx)
        unit = (m.group(2) or "").lower()[:1]
        try:
            size = int(float(m.group(1)) * _UNITS[unit])
        except OverflowError:  # "1e999" parses as inf
            size = self.ceiling + 1
        if size < 1:
            self.fail("must be at least 1 byte", param, ctx)
        if size > self.ceiling:
            self.fail(f"{value!r} is over the largest allowed, {self.ceiling // 1024**2} MB", param, ctx)
        return size


def _published(ctx, param, value):
    if value is None:
        return None
    try:
        return normalise_published(value, "--published")
    except SourceError as exc:
        raise click.BadParameter(str(exc).split(": ", 1)[1]) from None


@cli.command()
@click.argument("sources", nargs=-1, required=True)
@click.option("--title", help="Headline of the source (one source only).")
@click.option("--url", help="Canonical URL; identifies the source across versions (one source only).")
@click.option("--source-id", help="Ledger id of the source, to record a new version of it (one source only).")
@click.option("--published", callback=_published, help="Publication date or date-time (ISO 8601).")
@click.option("--outlet", help="Publication name.")
@click.option("--author", "authors", multiple=True, help="Byline (repeatable).")
@click.option("--extractor", "extractor_name", help="Extractor plugin to use (default: rules).")
@click.option("-j", "--jobs", type=click.IntRange(1, 64), default=1, show_default=True,
              help="Worker processes for reading and extraction; the log is the same for any value.")
@click.option("--max-size", type=ByteSize(), default=MAX_BYTES, show_default="10MB",
              help="Refuse sources larger than this (e.g. 10MB, 500k).")
@click.option("--timeout", type=click.FloatRange(min=0.1), default=TIMEOUT, show_default=True,
              help="Seconds to wait on a URL before giving up.")
@click.option("--no-fsync", is_flag=True, help="Skip fsync after each batch (bulk loads; a crash may lose the last batches).")
@click.option("--scheduler", envvar="FACTLEDGER_SCHEDULER", metavar="ADDRESS",
              help="Read and extract on this Dask cluster (tcp://HOST:8786; env FACTLEDGER_SCHEDULER); "
              "recording stays here. Needs factledger[dask].")
@click.option("--cluster", "local_cluster", metavar="local[:N]",
              help="Read and extract on a Dask LocalCluster of N worker processes started for this command.")
def append(sources, title, url, source_id, published, outlet, authors, extractor_name, jobs, max_size, timeout, no_fsync,
           scheduler, local_cluster):
    """Append sources with their assertions.

    SOURCES are text, Markdown (with optional YAML front matter) or HTML files, folders
    (searched recursively for .txt, .md, .markdown, .html, .htm), quoted globs, http(s)
    URLs, or - for stdin. Appending a source the ledger already has records a new
    version if its content changed, and nothing if it is byte-identical.
    """
    s = settings()
    extractor = plugins.get_extractor(extractor_name)
    inputs = collect(sources, read_stdin=lambda: sys.stdin.buffer.read())
    single = {"--title": title, "--url": url, "--source-id": source_id}
    given = [flag for flag, value in single.items() if value]
    if given and len(inputs) > 1:
        raise click.UsageError(
            f"{' and '.join(given)} {'applies' if len(given) == 1 else 'apply'} to a single source, "
            f"but {len(inputs)} sources were given"
        )
    if (scheduler or local_cluster) and jobs != 1:
        raise click.UsageError("--jobs is for worker processes on this machine; with --scheduler or --cluster the cluster's workers do the work")
    if scheduler and local_cluster:
        raise click.UsageError("--scheduler and --cluster name two clusters; give one")
    options = ReadOptions(
        max_bytes=max_size,
        timeout=timeout,
        flags=Metadata(title=title, uri=url, outlet=outlet, authors=tuple(authors), published=published),
        source_id=source_id,
    )
    ingestor = Ingestor(s.store(fsync=not no_fsync), extractor, actor=s.actor)
    summary = {"appended": 0, "unchanged": 0, "revised": 0, "failed": 0}
    failures: list[str] = []
    progress = _progress(len(inputs))
    with ExitStack() as stack:
        stream = None
        if scheduler or local_cluster:
            from ..cluster import cluster_stream, connect

            client = stack.enter_context(connect(scheduler, local_cluster))
            stream = cluster_stream(client, inputs, options, extractor)
        _run(ingestor, inputs, options, jobs, stream, progress, summary, failures)
    echo(", ".join(f"{k} {v}" for k, v in summary.items()))
    for message in failures:
        echo(f"error: {message}", err=True)
    if failures:
        raise SystemExit(1)


def _run(ingestor, inputs, options, jobs, stream, progress, summary, failures) -> None:
    try:
        for outcome in ingestor.append_many(
            inputs, options, jobs=jobs, stream=stream, note=lambda m: _echo(progress, f"note: {m}", err=True)
        ):
            if isinstance(outcome, Failed):
                summary["failed"] += 1
                failures.append(outcome.message)
            else:
                summary[outcome.status] += 1
                _echo(progress, describe(outcome))
                for hint in _metadata_hints(outcome, options.flags):
                    _echo(progress, f"warning: {hint}", err=True)
            if progress is not None:
                progress.update(1)
    finally:
        if progress is not None:
            progress.close()


def _metadata_hints(outcome: AppendResult, flags: Metadata) -> list[str]:
    """What to do about metadata: relative dates nothing can resolve, or flags an unchanged append ignored."""
    hints = []
    if outcome.unresolved_dates:
        shown = ", ".join(sorted(set(outcome.unresolved_dates))[:5])
        hints.append(
            f"{outcome.source_id} ({outcome.origin}) has no published date, so its relative dates ({shown}) "
            f"are not resolved and cannot be compared; run: factledger correct {outcome.source_id} --published YYYY-MM-DD"
        )
    if outcome.status == "unchanged":
        from .correct import correction_hint

        given = {"title": flags.title, "outlet": flags.outlet, "published": flags.published, "authors": flags.authors}
        hint = correction_hint(outcome.source_id, given)
        if hint:
            hints.append(f"{outcome.source_id} ({outcome.origin}): {hint}")
    return hints


def _progress(total: int):
    """A tqdm bar on stderr, only when stderr is a terminal and there is more than one source."""
    if total < 2 or not sys.stderr.isatty():
        return None
    from tqdm import tqdm

    return tqdm(total=total, file=sys.stderr, unit="src", dynamic_ncols=True, leave=False)


def _echo(progress, message: str, err: bool = False) -> None:
    if progress is not None and sys.stdout.isatty() and not err:
        progress.write(clean(message), file=sys.stdout)
    elif progress is not None and err:
        progress.write(clean(message), file=sys.stderr)
    else:
        echo(message, err=err)
