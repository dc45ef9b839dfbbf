"""One read command's view of the ledger: the head at its start, answered from the
projection store when it can be used, else by folding the log (same rows either way).

Rows come out as plain JSON values (what the converter unstructures a row class to) or,
for ``--json``, as the bytes of each row, so a view streams to its output without
building every row first.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import orjson

from ..log import LedgerError, LogStore


class Snapshot:
    """The ledger at the head a command saw when it started.

    ``cache=False`` (``--no-cache``) folds the log and neither reads nor writes the store
    or the catalog cache.
    """

    def __init__(self, log: LogStore, *, cache: bool = True) -> None:
        self.log = log
        self.head = log.head()
        self.cache = cache
        self.store = None
        if cache:
            from .store import open_store

            self.store = open_store(log, self.head)

    def close(self) -> None:
        if self.store is not None:
            self.store.close()

    def __enter__(self) -> Snapshot:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def resolve(self, as_of: str | None) -> int:
        """``--as-of`` (None, a seq or an RFC 3339 time) to the seq to answer at."""
        if as_of is None:
            return self.head.seq
        from .machinery import parse_timestamp

        text = as_of.strip()
        if text.isdigit():
            seq = int(text)
            if seq > self.head.seq:
                raise LedgerError(f"{self.log.path}: --as-of {seq} is beyond the last event (seq {self.head.seq})")
            return seq
        when = parse_timestamp(text)
        if when is not None and re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
            when += timedelta(days=1, microseconds=-1)  # a date is all of that day (as resolve_as_of)
        if when is None:
            raise LedgerError(f"--as-of {as_of!r}: expected a seq number or an RFC 3339 time (2017-11-22T12:00:00Z)")
        if self.store is not None:
            from .store import _EPOCH, _US

            return self.store.resolve_time((when - _EPOCH) // _US)
        found = 0
        for _offset, _line, raw in self.log.lines():
            if raw["seq"] > self.head.seq:
                break
            at = parse_timestamp(raw["at"])
            if at is not None and at <= when:
                found = raw["seq"]
        return found

    # -- the views ---------------------------------------------------------------------

    def assertions_json(self, s: int, **filters: Any) -> Iterator[bytes]:
        if self.store is not None:
            return self.store.assertions_json(s, **filters)
        return map(orjson.dumps, self.assertions(s, **filters))

    def assertions(self, s: int, **filters: Any) -> Iterator[dict[str, Any]]:
        if self.store is not None:
            return map(orjson.loads, self.store.assertions_json(s, **filters))
        from ..serialization import converter
        from .views import iter_assertions

        return map(converter.unstructure, iter_assertions(self.log, s, cache=self.cache, **filters))

    def _rows(self, name: str, s: int) -> Iterator[dict[str, Any]]:
        if self.store is not None:
            return getattr(self.store, name)(s)
        from ..serialization import converter
        from . import views

        return map(converter.unstructure, getattr(views, f"iter_{name}")(self.log, s, cache=self.cache))

    def sources(self, s: int) -> Iterator[dict[str, Any]]:
        return self._rows("sources", s)

    def entities(self, s: int) -> Iterator[dict[str, Any]]:
        return self._rows("entities", s)

    def entities_json(self, s: int) -> Iterator[bytes]:
        if self.store is not None:
            return self.store.entities_json(s)
        return map(orjson.dumps, self.entities(s))

    def timeline(self, s: int) -> Iterator[dict[str, Any]]:
        return self._rows("timeline", s)
