"""Files made for a person (access and portability packages, letters, receipts) under the
data dir's ``exports`` folder: they hold personal data in clear, so they are kept only
briefly, and a person's packages go with the person.

- Every file older than :data:`EXPORT_DAYS` days is deleted by the retention sweep (and
  whenever the rights service next uses the folder): staff hand a package over within
  that time, or build it again.
- Erasing a person deletes the packages of every request of theirs at once.
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import Iterable
from datetime import UTC, datetime, timedelta
from pathlib import Path

EXPORT_DAYS = 7
PACKAGE = re.compile(r"request-(\d+)-(access|portability)\.(zip|pdf|json)")


def expire(folder: Path, now: datetime | None = None, days: int = EXPORT_DAYS) -> list[str]:
    """Delete the files in ``folder`` last written more than ``days`` days ago; return their
    names."""
    if not folder.is_dir():
        return []
    cutoff = (now or datetime.now(UTC)) - timedelta(days=days)
    gone = []
    for path in sorted(folder.iterdir()):
        if path.is_file() and datetime.fromtimestamp(path.stat().st_mtime, UTC) < cutoff:
            with contextlib.suppress(FileNotFoundError):
                path.unlink()
                gone.append(path.name)
    return gone


def remove_packages(folder: Path, request_ids: Iterable[int]) -> list[str]:
    """Delete the packages built for these requests; return their names."""
    wanted = {str(i) for i in request_ids}
    if not wanted or not folder.is_dir():
        return []
    gone = []
    for path in sorted(folder.iterdir()):
        found = PACKAGE.fullmatch(path.name)
        if found and found.group(1) in wanted:
            with contextlib.suppress(FileNotFoundError):
                path.unlink()
                gone.append(path.name)
    return gone
