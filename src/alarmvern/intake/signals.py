"""From a DC-09 message to what the alarm centre stores: pure, no I/O.

A message carries one Contact ID event or one or more SIA events. Each becomes a
:class:`Signal` with the raw code and qualifier as received (their meaning is looked up
when read) and what intake does with it: a heartbeat or test only tells us the panel is
alive; an arm or disarm goes into the arm/disarm log; an alarm or trouble opens an incident.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from alarmvern.sia.protocol import Message
from alarmvern.sia.protocol.events import ContactId, Protocol, SiaEvent
from alarmvern.sia.protocol.meaning import (
    UNKNOWN,
    EventClass,
    Meaning,
    cid_meaning,
    sia_meaning,
)


class Effect(StrEnum):
    health = "health"  # heartbeat or test: the site's health, not data about a person
    log = "log"  # stored in the alarm log
    incident = "incident"  # stored, and an incident opened for the site
    technical = "technical"  # stored, and a technical incident opened


# How the panel was armed or disarmed, by code: what the notices call the method.
SIA_METHODS = {
    "CL": "code",
    "OP": "code",
    "CQ": "remote",
    "OQ": "remote",
    "CA": "automatic",
    "OA": "automatic",
    "CS": "key",
    "OS": "key",
    "CG": "code",
    "OG": "code",
}
CID_METHODS = {"401": "code", "403": "automatic", "407": "remote", "408": "quick", "409": "key"}


@dataclass(frozen=True)
class Signal:
    panel_account: str
    protocol: str
    sequence: str
    code: str
    qualifier: str | None
    zone: str | None
    user_no: int | None
    method: str | None
    occurred_at: datetime
    raw: str
    meaning: Meaning
    frame_key: str | None
    effect: Effect
    odd: bool = False  # a field too long for its column was left out: flag it for a look

    @property
    def incident_kind(self) -> str:
        kind = self.meaning.kind or self.meaning.event_class.value
        return f"technical:{kind}" if self.effect is Effect.technical else kind


def frame_key(message: Message, index: int) -> str | None:
    """The same for a frame sent again; None where the frame has no timestamp to tell a
    resend from a new frame with a reused sequence number."""
    if message.timestamp is None:
        return None
    identity = "|".join(str(part) for part in (*message.identity, index))
    return hashlib.sha256(identity.encode()).hexdigest()[:32]


def signals(message: Message, received_at: datetime) -> list[Signal]:
    """What one message says; a NULL message (link test) says only that the panel lives."""
    occurred = message.timestamp or received_at
    if message.contact_id is not None:
        return [_from_cid(message, message.contact_id, occurred)]
    if message.protocol is not Protocol.NULL and not message.sia_events:
        # Not a link test, yet no event we can read: stored raw and flagged, never dropped.
        return [_unreadable(message, occurred)]
    return [
        _from_sia(message, event, index, occurred) for index, event in enumerate(message.sia_events)
    ]


def _unreadable(message: Message, occurred: datetime) -> Signal:
    return Signal(
        panel_account=message.account,
        protocol=message.protocol.value,
        sequence=message.sequence,
        code="?",
        qualifier=None,
        zone=None,
        user_no=None,
        method=None,
        occurred_at=occurred,
        raw=message.data,
        meaning=UNKNOWN,
        frame_key=frame_key(message, 0),
        effect=Effect.log,
    )


def _from_sia(message: Message, event: SiaEvent, index: int, occurred: datetime) -> Signal:
    meaning = sia_meaning(event.code)
    user = event.user or (event.parameter if _is_arming(meaning) else None)
    zone = None if _is_arming(meaning) else (event.parameter or None)
    return Signal(
        panel_account=message.account,
        protocol=message.protocol.value,
        sequence=message.sequence,
        code=event.code,
        qualifier=None,
        zone=_bounded(zone),
        user_no=_number(user),
        method=SIA_METHODS.get(event.code) if _is_arming(meaning) else None,
        occurred_at=occurred,
        raw=message.data,
        meaning=meaning,
        frame_key=frame_key(message, index),
        effect=effect(meaning),
        odd=_odd(zone, user),
    )


def _from_cid(message: Message, cid: ContactId, occurred: datetime) -> Signal:
    meaning = cid_meaning(cid.qualifier, cid.code)
    arming = _is_arming(meaning)
    return Signal(
        panel_account=message.account,
        protocol=message.protocol.value,
        sequence=message.sequence,
        code=cid.code,
        qualifier=cid.qualifier,
        zone=None if arming else _bounded(cid.zone),
        user_no=_number(cid.zone) if arming else None,
        method=CID_METHODS.get(cid.code) if arming else None,
        occurred_at=occurred,
        raw=message.data,
        meaning=meaning,
        frame_key=frame_key(message, 0),
        effect=effect(meaning),
    )


def effect(meaning: Meaning) -> Effect:
    cls = meaning.event_class
    if cls is EventClass.TEST:
        return Effect.health
    if cls is EventClass.ALARM:
        return Effect.incident
    if cls is EventClass.TROUBLE:
        return Effect.technical
    return Effect.log


def _is_arming(meaning: Meaning) -> bool:
    return meaning.event_class in (EventClass.ARM, EventClass.DISARM)


# The store's columns: a panel that sends more is odd, and its row is flagged, not refused.
MAX_ZONE = 8
MAX_USER = 2**31 - 1


def _number(text: str | None) -> int | None:
    if not text:
        return None
    digits = text.lstrip("0") or "0"
    return int(digits) if digits.isdigit() and int(digits) <= MAX_USER else None


def _bounded(zone: str | None) -> str | None:
    return zone if zone is None or len(zone) <= MAX_ZONE else None


def _odd(zone: str | None, user: str | None) -> bool:
    return bool(zone and len(zone) > MAX_ZONE) or bool(
        user and user.isdigit() and int(user) > MAX_USER
    )
