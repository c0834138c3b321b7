"""Which paths of the replay fail, how, and for how many attempts: a seeded plan, a pure
function of seed and path; the handler (`handler.py`) plays it on the wire.

The kinds: 429 with `Retry-After` in seconds or as an HTTP date, 500 and 503, a connection
dropped (closed without an answer) or reset (RST), a body truncated to half of what its
`Content-Length` promised, and an answer slower than the client's read timeout.
"""

from __future__ import annotations

import hashlib
import struct
from collections.abc import Sequence
from dataclasses import dataclass

FAULT_KINDS = ("429", "429-date", "500", "503", "drop", "reset", "truncate", "slow")


@dataclass(frozen=True, slots=True)
class FaultPlan:
    """Which paths fail, how, and for how many attempts: a pure function of seed and path."""

    seed: int = 0
    fraction: float = 0.3
    kinds: Sequence[str] = FAULT_KINDS
    slow_seconds: float = 1.0  # longer than the client's read timeout in tests
    retry_after: int = 1  # seconds, in both the delta and the HTTP-date form

    def fault_for(self, path: str) -> tuple[str, int] | None:
        """`(kind, failing attempts)` for a path, or None when the path is served cleanly."""
        digest = hashlib.sha256(f"{self.seed}:{path}".encode()).digest()
        draw, kind, times = struct.unpack(">QBB", digest[:10])
        if draw / 2**64 >= self.fraction:
            return None
        return self.kinds[kind % len(self.kinds)], 1 + times % 2
