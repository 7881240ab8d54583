"""The DC-09 timestamp ``HH:MM:SS,MM-DD-YYYY`` (always UTC) and the receiver's window."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from functools import lru_cache

_PATTERN = re.compile(r"(\d\d):(\d\d):(\d\d),(\d\d)-(\d\d)-(\d{4})")

#: A message may be this much older than the receiver's clock (DC-09: 40 s) ...
WINDOW_PAST = timedelta(seconds=40)
#: ... or this much newer (DC-09: 20 s).
WINDOW_FUTURE = timedelta(seconds=20)


# Thousands of panels send the same second's timestamp: parsed once (a datetime is immutable).
@lru_cache(maxsize=256)
def parse_timestamp(text: str) -> datetime | None:
    """The UTC time in ``text`` (without the leading ``_``), or None if it is not one."""
    match = _PATTERN.fullmatch(text)
    if match is None:
        return None
    hour, minute, second, month, day, year = (int(part) for part in match.groups())
    try:
        return datetime(year, month, day, hour, minute, second, tzinfo=UTC)
    except ValueError:
        return None


def format_timestamp(moment: datetime) -> str:
    """``moment`` as DC-09 writes it, converted to UTC, without the leading ``_``."""
    return moment.astimezone(UTC).strftime("%H:%M:%S,%m-%d-%Y")


def in_window(
    timestamp: datetime,
    now: datetime,
    past: timedelta = WINDOW_PAST,
    future: timedelta = WINDOW_FUTURE,
) -> bool:
    """Whether ``timestamp`` lies within ``now - past`` .. ``now + future``."""
    return now - past <= timestamp <= now + future
