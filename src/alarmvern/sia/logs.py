"""Log lines per cause, not per peer: a fault that hits every connection (a full disk, a
flood of garbage) is written once, with its traceback, then at most once a minute with the
number of repeats, so that the one line that matters is not buried and the log cannot fill
the disk (security review M8).

Written here, not taken from a library: the standard library's filters see records, not
causes, and the logging libraries in use (structlog, loguru) have no per-key rate limit.
"""

from __future__ import annotations

import logging
import re
import time
from collections.abc import Callable
from dataclasses import dataclass

_DIGITS = re.compile(r"\d+")
MAX_CAUSES = 256


@dataclass
class _Seen:
    last: float
    repeats: int = 0


class CauseLog:
    """Writes to ``logger`` once per cause, then at most every ``every`` seconds."""

    def __init__(
        self,
        logger: logging.Logger,
        every: float = 60.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.logger, self.every, self.clock = logger, every, clock
        self._seen: dict[str, _Seen] = {}

    def log(
        self,
        level: int,
        cause: str,
        message: str,
        *args: object,
        exc_info: bool | BaseException = False,
    ) -> bool:
        """Log ``message % args`` for ``cause`` unless it was logged less than ``every`` ago.

        Numbers in ``cause`` are ignored (``skipped 5 bytes`` and ``skipped 7 bytes`` are one
        cause). The traceback (``exc_info``: True inside ``except``, or the exception) is written
        only the first time. Returns whether
        a line was written.
        """
        key = _DIGITS.sub("N", cause)
        now = self.clock()
        seen = self._seen.get(key)
        if seen is None:
            if len(self._seen) >= MAX_CAUSES:
                self._seen.clear()
            self._seen[key] = _Seen(now)
            self.logger.log(level, message, *args, exc_info=exc_info)
            return True
        if now - seen.last < self.every:
            seen.repeats += 1
            return False
        repeats, seen.last, seen.repeats = seen.repeats, now, 0
        self.logger.log(level, message + " (%d more like it since)", *args, repeats)
        return True
