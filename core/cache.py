"""Results cache shared by every browser session and the command line.

Results are keyed by a string (see `make_key`): a data fingerprint plus the full configuration.
They live in a bounded in-memory LRU and, when the caller gives a serializer, on disk under
`cache_root()`, so a restart does not retrain. Disk entries are written into a temporary folder
and renamed into place once complete, so a half-written entry is never read, and several
processes (app replicas sharing one cache folder) that finish the same result write it once.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import tempfile
import threading
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Generic, TypeVar

import numpy as np

T = TypeVar("T")


def cache_root() -> Path:
    """Where results persist: $RNNLAB_CACHE_DIR, else ~/.cache/rnnlab."""
    return Path(os.environ.get("RNNLAB_CACHE_DIR") or Path.home() / ".cache" / "rnnlab")


def fingerprint_array(values) -> str:
    """A short stable hash of numeric data (dtype, shape and bytes)."""
    arr = np.ascontiguousarray(np.asarray(values))
    digest = hashlib.sha256(str((arr.dtype.str, arr.shape)).encode())
    digest.update(arr.tobytes())
    return digest.hexdigest()[:16]


def make_key(*parts) -> str:
    """A stable key from hashable parts (fingerprints, frozen dataclass configs, strings)."""
    return hashlib.sha256(repr(parts).encode()).hexdigest()[:24]


@dataclass(frozen=True)
class Serializer(Generic[T]):
    """How to write a result into a fresh directory and read it back."""

    save: Callable[[T, Path], None]
    load: Callable[[Path], T]


COMPLETE = "COMPLETE"  # written last into an entry's folder: the entry is whole


class ResultCache(Generic[T]):
    """A bounded, thread-safe LRU with optional disk persistence and per-key locks."""

    def __init__(self, name: str, max_items: int = 16, serializer: Serializer[T] | None = None) -> None:
        self.name = name  # sub-directory of cache_root() for this kind of result
        self.max_items = max_items  # results kept in memory; older ones stay on disk only
        self.serializer = serializer  # None: memory only
        self._items: OrderedDict[str, T] = OrderedDict()
        self._lock = threading.Lock()
        self._key_locks: dict[str, threading.Lock] = {}
        self.computed = 0  # how many times compute() actually ran (for tests and load checks)

    def _dir(self, key: str) -> Path:
        return cache_root() / self.name / key

    def _remember(self, key: str, value: T) -> None:
        with self._lock:
            self._items[key] = value
            self._items.move_to_end(key)
            while len(self._items) > self.max_items:
                self._items.popitem(last=False)

    def peek(self, key: str) -> T | None:
        """The cached result (memory, then disk) or None; never computes."""
        with self._lock:
            if key in self._items:
                self._items.move_to_end(key)
                return self._items[key]
        if self.serializer is not None and (self._dir(key) / COMPLETE).exists():
            try:
                value = self.serializer.load(self._dir(key))
            except Exception:  # a damaged entry is recomputed, never shown
                shutil.rmtree(self._dir(key), ignore_errors=True)
                return None
            self._remember(key, value)
            return value
        return None

    def get_or_compute(self, key: str, compute: Callable[[], T], *, use_cache: bool = True) -> tuple[T, bool]:
        """Return (result, was_cached). Identical concurrent requests compute once."""
        if not use_cache:
            return compute(), False
        with self._lock:
            key_lock = self._key_locks.setdefault(key, threading.Lock())
        with key_lock:
            found = self.peek(key)
            if found is not None:
                return found, True
            value = compute()
            self.computed += 1
            self.put(key, value)
            return value, False

    def put(self, key: str, value: T) -> None:
        """Store a result computed elsewhere (a training job, a continued training)."""
        self._remember(key, value)
        self._persist(key, value)

    def _persist(self, key: str, value: T) -> None:
        """Write into a temporary folder, then rename it into place; an entry already complete
        (written by another process meanwhile) is kept and this copy dropped."""
        if self.serializer is None:
            return
        target = self._dir(key)
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
            tmp = Path(tempfile.mkdtemp(dir=target.parent, prefix=".tmp-"))
        except OSError:  # a full or read-only disk only costs persistence, never the result
            return
        try:
            self.serializer.save(value, tmp)
            (tmp / COMPLETE).write_text("ok")
            if (target / COMPLETE).exists():
                return
            shutil.rmtree(target, ignore_errors=True)  # an incomplete leftover of a crashed writer
            os.rename(tmp, target)  # atomic; fails if another writer's entry appeared meanwhile
        except Exception:  # disk trouble or a lost race: the result itself is unaffected
            pass
        finally:
            shutil.rmtree(tmp, ignore_errors=True)

    def clear_memory(self) -> None:
        with self._lock:
            self._items.clear()

    def __len__(self) -> int:
        return len(self._items)
