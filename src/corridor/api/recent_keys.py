"""The callers whose API keys the gate found in the last few seconds, so that a busy client does
not cost a database lookup (and a thread hop) at every request.

Only keys that were found are remembered, by the SHA-256 of the key (the key itself is not
kept), for ``ttl_s`` seconds from the lookup; the oldest entry goes when ``size`` are held. A
key revoked or removed in the database therefore stops working within ``ttl_s`` seconds at each
API process; a ``ttl_s`` of 0 looks every key up at every request."""

from __future__ import annotations

import time
from collections import OrderedDict
from collections.abc import Callable

from corridor.service.auth import Principal, hash_key

DEFAULT_SIZE = 4096


class RecentKeys:
    def __init__(
        self, ttl_s: float, size: int = DEFAULT_SIZE, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.ttl_s = ttl_s
        self.size = size
        self.clock = clock
        self._found: OrderedDict[str, tuple[float, Principal]] = OrderedDict()

    def get(self, secret: str | None) -> Principal | None:
        """The caller of ``secret`` when it was found less than ``ttl_s`` seconds ago."""
        if not secret or self.ttl_s <= 0:
            return None
        digest = hash_key(secret)
        entry = self._found.get(digest)
        if entry is None:
            return None
        found_at, principal = entry
        if self.clock() - found_at >= self.ttl_s:
            self._found.pop(digest, None)
            return None
        return principal

    def put(self, secret: str | None, principal: Principal) -> None:
        if not secret or self.ttl_s <= 0:
            return
        digest = hash_key(secret)
        self._found.pop(digest, None)
        self._found[digest] = (self.clock(), principal)
        while len(self._found) > self.size:
            self._found.popitem(last=False)
