"""What a batch of signals becomes before either database sees it: its rows, each frame
once, and the incidents it may open. Shared by :mod:`.writer` (SQLite) and
:mod:`.writer_pg` (PostgreSQL)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Connection

from alarmvern.intake import incidents as lifecycle
from alarmvern.intake.directory import Directory
from alarmvern.intake.signals import Effect, Signal

COLUMNS = (
    "account_id", "site_id", "actor_person_id", "panel_account", "protocol", "sequence", "code",
    "qualifier", "zone", "user_no", "method", "occurred_at", "received_at", "raw", "flagged",
    "frame_key", "area",
)  # fmt: skip
OCCURRED, RECEIVED = COLUMNS.index("occurred_at"), COLUMNS.index("received_at")

# A frame without a timestamp sent again after its ACK was lost comes back within the panel's
# retry budget: DC-09 transmitters wait tens of seconds for an ACK and retry a few times, on
# both paths. Five minutes covers that; a new event with the same sequence number and the very
# same content within five minutes is not something a panel sends (it counts sequences up).
RESEND_WINDOW = timedelta(minutes=5)

ALARMS = (Effect.incident, Effect.technical)


@dataclass
class Written:
    events: int = 0
    duplicates: int = 0
    incidents: int = 0


def row(
    conn: Connection, directory: Directory, s: Signal, received_at: datetime
) -> tuple[Any, ...]:
    """The ``alarm_events`` row of ``s``, in the order of ``COLUMNS``."""
    account_id, site_id = directory.site(conn, s.panel_account)
    return (
        account_id, site_id, directory.person(site_id, s.user_no), s.panel_account, s.protocol,
        s.sequence, s.code, s.qualifier, s.zone, s.user_no, s.method, s.occurred_at,
        received_at, s.raw,
        # Stored raw and acknowledged all the same; flagged for someone to look at.
        not s.meaning.known or account_id is None or s.odd,
        s.frame_key, s.area,
    )  # fmt: skip


def first_of_each(signals: Iterable[Signal], known: Iterable[str] = ()) -> list[Signal]:
    """The signals, each frame key once (a resend within the batch is the same frame), and
    none whose key is ``known`` already."""
    keys = set(known)
    first = []
    for signal in signals:
        if signal.frame_key is not None:
            if signal.frame_key in keys:
                continue
            keys.add(signal.frame_key)
        first.append(signal)
    return first


Wanted = dict[tuple[int, str], tuple[int | None, Signal]]  # (site, family) → (account, first)


def wanted(conn: Connection, directory: Directory, alarms: Iterable[Signal]) -> Wanted:
    """The incidents the ``alarms`` would open: one per site and family, its first alarm."""
    found: Wanted = {}
    for signal in alarms:
        account_id, site_id = directory.site(conn, signal.panel_account)
        if site_id is not None:
            found.setdefault((site_id, family(signal.incident_kind)), (account_id, signal))
    return found


def open_missing(conn: Connection, wanted: Wanted, open_now: set[tuple[int, str]]) -> int:
    """Open each of ``wanted`` whose site has none of its family open; how many."""
    openings = [
        lifecycle.Opening(account_id, site_id, signal.incident_kind, signal.occurred_at)
        for (site_id, kind), (account_id, signal) in wanted.items()
        if (site_id, kind) not in open_now
    ]
    return len(lifecycle.open_incidents(conn, openings))


def family(kind: str) -> str:
    """One open alarm incident collects every alarm at a site until it is closed; technical
    incidents are one per kind of trouble."""
    return kind if kind.startswith("technical:") else "alarm"
