"""Which one of several processes sharing a cache folder keeps the index up to date."""

from __future__ import annotations

import contextlib
import threading
from pathlib import Path

from bot.storage import corpus_cache_path, exclusive_lock

LEASE_SUFFIX = ".indexer"


class IndexerLease:
    """A lock on ``<cache>/<corpus>.indexer`` held for the life of the process that won it.

    Shards of one bot run as separate processes over one corpus and cache: exactly one of
    them reads the corpus and updates the index, the others re-open what it commits. The OS
    drops the lock when its holder dies, so another process takes over on its next try.
    """

    def __init__(self, cache_dir: Path, corpus_dir: Path) -> None:
        self.path = corpus_cache_path(Path(cache_dir), Path(corpus_dir), suffix=LEASE_SUFFIX)
        self._held: contextlib.ExitStack | None = None
        self._guard = threading.Lock()

    @property
    def held(self) -> bool:
        """True while this process holds the lease."""
        return self._held is not None

    def try_hold(self) -> bool:
        """True when this process holds the lease (now, or since an earlier call)."""
        with self._guard:
            if self._held is not None:
                return True
            self.path.parent.mkdir(parents=True, exist_ok=True)
            stack = contextlib.ExitStack()
            if stack.enter_context(exclusive_lock(self.path, wait=False)):
                self._held = stack
                return True
            stack.close()
            return False

    def release(self) -> None:
        """Let the lease go so another process may take it (a no-op when not held)."""
        with self._guard:
            if self._held is not None:
                self._held.close()
                self._held = None
