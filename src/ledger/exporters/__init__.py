"""The exporter contract: what a plugin registers through ``register_exporters``, and
what its ``write`` function receives.

An exporter never folds the log itself: :class:`ExportContext` hands it the views of
:mod:`ledger.projections`, streamed, pinned to one ``--as-of`` point. factledger owns
where the bytes go: :func:`export_to_path` writes to a temporary file beside the
destination and renames it only when ``write`` returned, so a failure (or Ctrl-C)
never leaves half a file where a good one was.
"""

from __future__ import annotations

import contextlib
import os
import stat
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import IO, Any

from attrs import define, field, frozen

from ..events import GENESIS
from ..log import LedgerError, LogStore


class ExportError(LedgerError):
    """An export that cannot run as asked (bad option, missing ``-o``...), in one line."""


@frozen
class ExporterSpec:
    """An export format.

    Attributes:
        name: What users type after ``factledger export``; unique across plugins.
        media_type: Media type of the output.
        extension: Usual file extension, without the dot.
        write: ``write(context, out)``: stream the export to the binary file ``out``. With
            ``needs_path=True`` it is ``write(context, path)`` instead: create the file at
            ``path`` (a fresh name beside the destination that factledger renames on success).
        views: The views this format can export (the first is the default).
        description: One line for ``factledger plugins``.
        needs_path: The format writes a file that cannot be streamed (a database): the user
            must give ``-o`` and ``write`` receives a path, not a stream.
        options: ``(name, help)`` of the ``-O name=value`` options the format understands;
            anything else is refused before the export starts.
    """

    name: str
    media_type: str
    extension: str
    write: Callable[[Any, Any], None] = field(eq=False)
    views: tuple[str, ...] = ("assertions",)
    description: str = ""
    needs_path: bool = False
    options: tuple[tuple[str, str], ...] = ()


@define
class ExportContext:
    """Everything ``write`` may use: the ledger's views at one point in time, and the options.

    Attributes:
        store: The ledger being exported.
        as_of: Last seq included (``None``: the whole ledger).
        view: The view the user chose (one of the spec's ``views``).
        options: ``-O name=value`` options (and flags such as ``spreadsheet_safe``), as strings.
        head_seq: Seq of the last event the export reflects.
        head_hash: Hash of that event (the value a reader can check with ``factledger verify``).
        head_at: When that event was recorded (``None`` for an empty ledger).
        destination: Where the export will end up (``None``: stdout).
    """

    store: LogStore
    as_of: int | None = None
    view: str = "assertions"
    options: dict[str, str] = field(factory=dict)
    head_seq: int = 0
    head_hash: str = GENESIS
    head_at: str | None = None
    destination: Path | None = None
    _sources: dict[str, Any] | None = field(default=None, init=False, repr=False)
    _catalog: Any = field(default=None, init=False, repr=False)
    _extras: list[tuple[Path, Path]] = field(factory=list, init=False, repr=False)
    _claims_view: Any = field(default=None, init=False, repr=False)
    _projection: Any = field(default=False, init=False, repr=False)  # False: not opened yet; None: none

    # -- the views (all from ledger.projections; exporters never fold the log) ----------

    def catalog(self) -> Any:
        """The catalog at ``as_of``, folded (or read from its cache) once per export."""
        if self._catalog is None:
            from .. import projections

            self._catalog = projections.catalog(self.store, self.as_of)
        return self._catalog

    def assertions(self, **filters: Any) -> Iterator[Any]:
        """Current assertions (``AssertionRow``), streamed in log order: one pass over the log."""
        from ..projections.views import current_assertions

        yield from current_assertions(self.store, self.catalog(), self.as_of, **filters)

    def _projection_store(self) -> Any:
        """The projection store caught up to this export's head, when one exists (a view built it):
        it holds the rows ready to print, so an export reads no line of the log. None when there is
        none or it cannot be used (then the views fold the log); an export does not build one, which
        costs more than the export. Closed when the export ends."""
        if self._projection is False:
            from ..projections.store import open_store, store_path

            self._projection = None
            if store_path(self.store).exists():
                self._projection = open_store(self.store, self.store.head())
        return self._projection

    def assertion_cells(self) -> Iterator[tuple]:
        """Current assertions in log order as tuples of the fields
        :data:`ledger.projections.store.ASSERTION_CELLS` names (values and entities as canonical
        JSON text, ``extractor`` as ``name/version``): the projection store's columns when there is
        one, else the same tuples made from the folded rows."""
        pstore = self._projection_store()
        if pstore is not None:
            yield from pstore.assertion_cells(self.as_of)
            return
        from ..serialization import canonical, converter

        unhook = converter.unstructure
        for a in self.assertions():
            sel, rec = a.selector, a.recorded
            yield (
                a.assertion_id, a.source_id, a.version, sel.start, sel.end, sel.exact, a.kind, a.speaker, a.modality,
                canonical(unhook(a.values)).decode() if a.values else "[]",
                canonical(unhook(a.entities)).decode() if a.entities else "[]",
                rec.seq, rec.hash, rec.at, f"{a.extractor}/{a.extractor_version}",
            )

    def assertion_csv(self) -> Iterator[tuple[str, str, str]] | None:
        """``(source_id, csv_head, csv_tail)`` per current assertion, in log order, from the projection
        store (their own cells as CSV text, written when folded: the CSV export puts the source's cells
        between the two), or None when there is no store: then use :meth:`assertion_cells`."""
        pstore = self._projection_store()
        return None if pstore is None else pstore.assertion_csv(self.as_of)

    def assertion_jsonld(self) -> Iterator[tuple[str, str | None, bytes, bytes]] | None:
        """``(source_id, speaker, extractor_json, jsonld)`` per current assertion, in log order, from
        the projection store: the JSON-LD exporter's bytes for the row's nodes with slots for the
        base IRI and its source's parts (:func:`ledger.exporters.jsonld.assertion_template`), written
        when folded, so the export joins bytes instead of building and dumping dicts; None when
        there is no store."""
        pstore = self._projection_store()
        return None if pstore is None else pstore.assertion_jsonld(self.as_of)

    def _close(self) -> None:
        if self._projection:
            self._projection.close()
        self._projection = False

    def sources(self) -> Iterator[Any]:
        """Sources as they stand (``SourceRow``), streamed (one pass over the log for the counts)."""
        from ..projections.views import sources_of

        yield from sources_of(self.store, self.catalog(), self.as_of)

    def source_index(self) -> dict[str, Any]:
        """``source_id -> SourceRow``, built once from the catalog; memory grows with sources, not assertions.

        The rows' ``counts`` are counted only if read (one pass over the log, shared by all
        sources), so an export that wants sources' titles beside its rows reads the log
        twice in all: once for the catalog, once for the rows.
        """
        if self._sources is None:
            from ..projections.views import LazyCounts, count_current, source_row

            pstore = self._projection_store()
            tally: dict[str, dict[str, int]] | None = None

            def counts() -> dict[str, dict[str, int]]:
                nonlocal tally
                if tally is None:
                    tally = pstore.counts(self.as_of) if pstore is not None else count_current(self.store, cat, self.as_of)
                return tally

            if pstore is not None:  # the store's rows: no pass over the log for the catalog or the counts
                import orjson

                from ..projections.records import SourceRow
                from ..serialization import converter

                rows = ({**orjson.loads(blob), "counts": {}} for _sid, blob, _o, _t in pstore.source_index(self.as_of))
                catalogued = {row["source_id"]: converter.structure(row, SourceRow) for row in rows}
            else:
                cat = self.catalog()
                catalogued = cat.sources
            self._sources = {sid: source_row(s, LazyCounts(sid, counts)) for sid, s in catalogued.items()}
        return self._sources

    def assertion_dicts(self) -> Iterator[dict[str, Any]]:
        """Current assertions as the converter unstructures an ``AssertionRow`` (the rows of
        ``assertions --json``), in log order: the projection store's rows when there is one (no
        attrs object is built), else the folded rows unstructured."""
        pstore = self._projection_store()
        if pstore is not None:
            import orjson

            yield from map(orjson.loads, pstore.assertions_json(self.as_of))
            return
        from ..projections.records import AssertionRow
        from ..serialization import converter

        yield from map(converter.get_unstructure_hook(AssertionRow), self.assertions())

    def claims_view(self) -> Any:
        """The claims view (``ClaimsView``: ``claims`` and ``links``), built once per export."""
        if self._claims_view is None:
            from .. import projections

            self._claims_view = projections.claims_view(self.store, self.as_of)
        return self._claims_view

    def claims(self) -> list[Any]:
        """Claims (``Claim``, display groups with their links, conflicts and verdict): multi-member first."""
        return list(self.claims_view().claims)

    def links(self) -> list[Any]:
        """Every accepted link (``Link``: corroborates/conflicts, evidence, slots, grade), not only
        the ones inside a claim."""
        return list(self.claims_view().links)

    def entities(self) -> Iterator[Any]:
        from .. import projections

        return projections.iter_entities(self.store, self.as_of)

    def timeline(self) -> Iterator[Any]:
        from .. import projections

        return projections.iter_timeline(self.store, self.as_of)

    # -- options -----------------------------------------------------------------------

    def flag(self, name: str) -> bool:
        """An option read as a boolean (``1``, ``true``, ``yes``, ``on``)."""
        return self.options.get(name, "").strip().lower() in ("1", "true", "yes", "on")

    # -- extra files written beside the main output (a CSVW sidecar...) -----------------

    @contextlib.contextmanager
    def extra_output(self, path: str | os.PathLike[str]) -> Iterator[IO[bytes]]:
        """Open a second output file; it is renamed into place together with the main one.

        If the export fails, it is removed and whatever was at ``path`` stays untouched.
        """
        final = output_target(path)
        tmp = _temp_path(final)
        try:
            with open(tmp, "wb") as out:
                yield out
                out.flush()
                os.fsync(out.fileno())
        except BaseException:
            tmp.unlink(missing_ok=True)
            raise
        self._extras.append((tmp, final))

    def _commit_extras(self) -> None:
        for tmp, final in self._extras:
            os.replace(tmp, final)
        self._extras.clear()

    def _discard_extras(self) -> None:
        for tmp, _final in self._extras:
            tmp.unlink(missing_ok=True)
        self._extras.clear()


_SPECIAL = ((stat.S_ISCHR, "a character device"), (stat.S_ISBLK, "a block device"), (stat.S_ISFIFO, "a FIFO"),
            (stat.S_ISSOCK, "a socket"))


def output_target(path: str | os.PathLike[str]) -> Path:
    """The file an atomic write to ``path`` renames over: ``path`` itself, or the file a symbolic
    link there names (the link stays a link). A directory, device, FIFO or socket is refused in
    one line: renaming over it would replace it (as root, ``-o /dev/null`` replaced the device)."""
    final = Path(path)
    try:
        mode = final.stat().st_mode
    except FileNotFoundError:
        mode = None
    except OSError as exc:
        raise ExportError(f"{final}: cannot write ({exc.strerror or exc})") from None
    if mode is not None and stat.S_ISDIR(mode):
        raise ExportError(f"{final}: is a directory; give a file name")
    for test, kind in _SPECIAL:
        if mode is not None and test(mode):
            raise ExportError(f"{final}: is {kind}, not a regular file; -o writes a whole file "
                              "(for a pipe or device, write to stdout and redirect)")
    return final.resolve() if final.is_symlink() else final


def _temp_path(final: Path) -> Path:
    """A fresh, unused name in the destination's folder (so the rename is atomic)."""
    folder = final.parent if str(final.parent) else Path(".")
    if not folder.is_dir():
        raise ExportError(f"{final}: cannot write: folder {folder} does not exist")
    fd, name = tempfile.mkstemp(prefix=f".{final.name}.", suffix=".tmp", dir=folder)
    os.close(fd)
    os.unlink(name)
    return Path(name)


def _umask_mode() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return 0o666 & ~mask


def head_at(store: LogStore, as_of: int | None) -> tuple[int, str, str | None]:
    """``(seq, hash, at)`` of the last event an export at ``as_of`` reflects."""
    head = store.head()
    if head.seq == 0:
        return 0, GENESIS, None
    target = head.seq if as_of is None or as_of >= head.seq else as_of
    if target == 0:
        return 0, GENESIS, None
    if target == head.seq:
        last = store.last_event(head.size)
        if last is not None and last.get("seq") == head.seq:
            return head.seq, head.hash, last.get("at")
    for _offset, _line, raw in store.lines():
        if raw["seq"] == target:
            return raw["seq"], raw["hash"], raw["at"]
    raise LedgerError(f"{store.path}: no event with seq {target}")


def make_context(
    store: LogStore,
    spec: ExporterSpec,
    *,
    as_of: int | None = None,
    view: str | None = None,
    options: dict[str, str] | None = None,
    destination: Path | None = None,
) -> ExportContext:
    """Check the view and options against ``spec`` and pin the head the export reflects."""
    view = view or spec.views[0]
    if view not in spec.views:
        raise ExportError(f"format {spec.name!r} has no view {view!r}; it exports: {', '.join(spec.views)}")
    options = dict(options or {})
    known = {name for name, _help in spec.options}
    unknown = sorted(set(options) - known)
    if unknown:
        takes = ", ".join(sorted(known)) or "none"
        raise ExportError(f"format {spec.name!r} has no option {unknown[0]!r}; it takes: {takes}")
    # One snapshot for the whole export: every view reads up to the head as it is now, and
    # ``as_of`` pins the folds to it, so rows appended while the export runs are never
    # included and the head the output (or its CSVW sidecar) names covers exactly its rows.
    store = store.snapshot()
    seq, hash_, at = head_at(store, as_of)
    return ExportContext(
        store=store,
        as_of=seq if as_of is None else as_of,
        view=view,
        options=options,
        head_seq=seq,
        head_hash=hash_,
        head_at=at,
        destination=destination,
    )


def export_to_stream(spec: ExporterSpec, context: ExportContext, out: IO[bytes]) -> None:
    """Stream an export (formats that can); extra outputs are committed only on success."""
    if spec.needs_path:
        raise ExportError(f"format {spec.name!r} writes a file, not a stream; give -o PATH")
    try:
        spec.write(context, out)
        out.flush()
    except BaseException:
        context._discard_extras()
        raise
    finally:
        context._close()
    context._commit_extras()


def export_to_path(spec: ExporterSpec, context: ExportContext, path: str | os.PathLike[str]) -> Path:
    """Write the export to a temporary file beside ``path`` and rename it over ``path`` on success."""
    final = output_target(path)
    context.destination = final
    tmp = _temp_path(final)
    try:
        if spec.needs_path:
            spec.write(context, tmp)
            if not tmp.exists():
                raise ExportError(f"format {spec.name!r} did not create its output file")
        else:
            with open(tmp, "wb") as out:
                spec.write(context, out)
                out.flush()
                os.fsync(out.fileno())
        os.chmod(tmp, _umask_mode())
    except BaseException:
        tmp.unlink(missing_ok=True)
        context._discard_extras()
        raise
    finally:
        context._close()
    context._commit_extras()
    os.replace(tmp, final)
    return final
