"""What a running server holds: one read-only store state, its key, and per-thread measurers.

Why one state for the server's life: the server opens the store read-only and keeps it open, so
no other process can write it meanwhile (DuckDB's file lock); every figure, ETag and cached
response is then keyed on one fixed ``state`` — the snapshots in the store, the registry and
claim files, the package version and the audience. Updating the store means stopping the
server, running ``sahel update``, and starting it again (docs/web.md).
"""

from __future__ import annotations

import hashlib
import json
import threading
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

import sahel
from sahel.panels.session import Measurer
from sahel.registry.load import registry_path
from sahel.store.db import check_as_of, connect

T = TypeVar("T")


@dataclass(frozen=True)
class ServeConfig:
    """How ``sahel serve`` runs: which store and registry, and for whom.

    ``public`` is decided from the address the server is bound to (anything but loopback is
    public): a public server never lists ACLED event rows (ACLED's terms), only aggregates.
    """

    db_path: Path
    registry_root: Path | None = None
    claims_dir: Path | None = None
    shared_data: Path | None = None
    public: bool = False
    host: str = "127.0.0.1"
    port: int = 8000
    cors_origins: tuple[str, ...] = ()
    max_page: int = 10_000
    cache_entries: int = 512
    warm: bool = True  # compute the slow answers (claim verdicts, boundaries) at startup


def _files_digest(folder: Path | None) -> str:
    """Names, sizes and modification times of every file under ``folder`` (cheap, and any
    edit of the curated YAML changes it)."""
    h = hashlib.sha256()
    if folder is not None and folder.is_dir():
        for path in sorted(folder.rglob("*")):
            if path.is_file():
                st = path.stat()
                h.update(f"{path.relative_to(folder)}:{st.st_size}:{st.st_mtime_ns}\n".encode())
    return h.hexdigest()


class ResponseCache:
    """A small LRU of rendered responses keyed by request; valid for the server's life (the
    store state cannot change under a running server)."""

    def __init__(self, entries: int, max_bytes: int = 4 << 20) -> None:
        self.entries, self.max_bytes = entries, max_bytes
        self._items: OrderedDict[str, tuple[bytes, dict[str, str], str]] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: str) -> tuple[bytes, dict[str, str], str] | None:
        with self._lock:
            item = self._items.get(key)
            if item is not None:
                self._items.move_to_end(key)
            return item

    def put(self, key: str, body: bytes, headers: dict[str, str], media: str) -> None:
        if len(body) > self.max_bytes or self.entries <= 0:
            return
        with self._lock:
            self._items[key] = (body, headers, media)
            self._items.move_to_end(key)
            while len(self._items) > self.entries:
                self._items.popitem(last=False)


@dataclass
class Observatory:
    """The server's read-only view of one store state."""

    config: ServeConfig
    state: str = ""
    snapshots: int = 0
    _local: threading.local = field(default_factory=threading.local)
    _memo: dict[str, Any] = field(default_factory=dict)
    _memo_lock: threading.Lock = field(default_factory=threading.Lock)
    _opened: list[Measurer] = field(default_factory=list)
    cache: ResponseCache = field(init=False)

    def __post_init__(self) -> None:
        self.cache = ResponseCache(self.config.cache_entries)
        self.anchor = connect(self.config.db_path, read_only=True)
        try:
            rows = self.anchor.execute(
                "SELECT snapshot_id, source, source_version, file_sha256 FROM snapshots "
                "ORDER BY snapshot_id").fetchall()
        except BaseException:
            self.anchor.close()
            raise
        self.snapshots = len(rows)
        root = registry_path(self.config.registry_root)
        claims = self.config.claims_dir or root / "claims"
        parts = {"version": sahel.__version__, "snapshots": [list(map(str, r)) for r in rows],
                 "registry": _files_digest(root), "claims": _files_digest(claims),
                 "public": self.config.public}
        self.state = hashlib.sha256(json.dumps(parts, sort_keys=True).encode()).hexdigest()[:20]

    def close(self) -> None:
        """Close every measurer the worker threads opened, then the anchor (DuckDB must not be
        left with open connections when the process exits)."""
        with self._memo_lock:
            opened, self._opened = self._opened, []
        for m in opened:
            m.close()
        self.anchor.close()

    def check_as_of(self, as_of: int | None) -> None:
        """Refuse a snapshot the store does not hold (before any measurer is opened)."""
        check_as_of(self.anchor.cursor(), as_of)

    def measurer(self, as_of: int | None = None) -> Measurer:
        """This thread's measurer at ``as_of`` (DuckDB connections are not shared between
        threads; the server's worker threads each keep one per ``as_of`` asked)."""
        self.check_as_of(as_of)
        held: dict[int | None, Measurer] = getattr(self._local, "measurers", None) or {}
        self._local.measurers = held
        found = held.get(as_of)
        if found is None:
            if len(held) >= 4:  # a client walking through snapshots must not exhaust memory
                old = held.pop(next(iter(held)))
                with self._memo_lock:
                    self._opened.remove(old)
                old.close()
            found = held[as_of] = Measurer(self.config.db_path, self.config.registry_root,
                                           as_of)
            with self._memo_lock:
                self._opened.append(found)
        return found

    def memo(self, key: str, make: Callable[[], T]) -> T:
        """A value computed once per server (claim verdicts take seconds), under a lock so
        concurrent first requests compute it once."""
        with self._memo_lock:
            if key not in self._memo:
                self._memo[key] = make()
            value: T = self._memo[key]
            return value
