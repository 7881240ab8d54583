"""What an event code means, looked up when reading; messages keep the raw code.

The tables in ``sia_codes`` and ``cid_codes`` are written from the public code lists
of SIA DC-03 (SIA format) and Contact ID (DC-05); names are ours, facts are theirs.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from functools import lru_cache

from . import cid_codes, sia_codes


class EventClass(StrEnum):
    """The broad class an alarm company sorts signals into."""

    ARM = "arm"
    DISARM = "disarm"
    ALARM = "alarm"
    TROUBLE = "trouble"
    RESTORE = "restore"
    TEST = "test"
    OTHER = "other"


@dataclass(frozen=True, slots=True)
class Meaning:
    """A code's description, class and kind (e.g. alarm of kind ``fire``)."""

    description: str
    event_class: EventClass
    kind: str | None = None
    known: bool = True


UNKNOWN = Meaning("unknown code", EventClass.OTHER, None, known=False)


def _meaning(row: tuple[str, str, str | None]) -> Meaning:
    description, event_class, kind = row
    return Meaning(description, EventClass(event_class), kind)


def is_known_sia(code: str) -> bool:
    """Whether ``code`` (two letters) is in the SIA table."""
    return code in sia_codes.SIA_CODES


def is_known_cid(qualifier: str, code: str) -> bool:
    """Whether the Contact ID ``code`` and ``qualifier`` (1, 3 or 6) are known."""
    return qualifier in "136" and code in cid_codes.CID_CODES


# Looked up for every frame received: kept, as the answers never change (bounded, as the
# codes come from the panels).
@lru_cache(maxsize=1024)
def sia_meaning(code: str) -> Meaning:
    """The meaning of a SIA code such as ``BA``; ``UNKNOWN`` if not in the table."""
    row = sia_codes.SIA_CODES.get(code)
    return _meaning(row) if row else UNKNOWN


def stored_meaning(protocol: str, code: str, qualifier: str | None) -> Meaning:
    """The meaning of a stored event: its protocol token (``SIA-DCS``, ``ADM-CID``), raw code
    and Contact ID qualifier (absent: a new event)."""
    if protocol.upper().startswith("SIA"):
        return sia_meaning(code)
    return cid_meaning(qualifier or "1", code)


@lru_cache(maxsize=1024)
def cid_meaning(qualifier: str, code: str) -> Meaning:
    """The meaning of Contact ID ``code`` with its qualifier (1 new, 3 restore/close, 6 status)."""
    if not is_known_cid(qualifier, code):
        return UNKNOWN
    base = _meaning(cid_codes.CID_CODES[code])
    if qualifier != "3":
        return base
    if base.event_class in (EventClass.ARM, EventClass.DISARM):
        return Meaning(base.description, EventClass.ARM, base.kind)
    if base.event_class in (EventClass.ALARM, EventClass.TROUBLE):
        return Meaning(f"{base.description} restored", EventClass.RESTORE, base.kind)
    return base
