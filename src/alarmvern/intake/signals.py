"""From a DC-09 message to what the alarm centre stores: pure, no I/O.

A message carries one Contact ID event or one or more SIA events. Each becomes a
:class:`Signal` with the raw code and qualifier as received (their meaning is looked up
when read) and what intake does with it: a heartbeat or test only tells us the panel is
alive; an arm or disarm goes into the arm/disarm log; an alarm or trouble opens an incident.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from datetime import datetime, timedelta
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


# Not frozen: a frozen dataclass sets each of its 16 fields through object.__setattr__, and
# the receiver's event loop makes one for every business event. Nothing changes one once made
# (``dataclasses.replace`` makes a new one).
@dataclass(slots=True)
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
    area: str | None = None  # the area/partition: SIA ``ri``, Contact ID group
    stamped: bool = True  # the frame had a timestamp: its key alone tells a resend

    @property
    def incident_kind(self) -> str:
        kind = self.meaning.kind or self.meaning.event_class.value
        return f"technical:{kind}" if self.effect is Effect.technical else kind


def frame_key(message: Message, index: int) -> str:
    """The same for a frame sent again, different for a new message.

    A resend repeats the whole message, so the key covers its content (the data field and
    extended blocks) as well as line, account, sequence and timestamp: panels that restart or
    reuse sequence numbers within a second still get every new event stored. A frame without
    a timestamp has a key too; the writer looks it up only within ``RESEND_WINDOW``.
    """
    extended = message.extended
    blocks = "".join(f"[{block.tag}{block.value}]" for block in extended) if extended else ""
    line, account, sequence, moment = message.identity
    # The parts joined by "|", each as str() writes it (None as "None"): keys stored by
    # earlier versions must match a resend's, so this string may never change.
    identity = f"{line}|{account}|{sequence}|{moment}|{index}|{message.data}|{blocks}"
    return hashlib.sha256(identity.encode("utf-8", "backslashreplace")).hexdigest()[:32]


# How far a clear frame's own time may lie from the receiver's before it is not believed: a
# drifting clock is common (minutes), a buffered event after a long line cut is days old, a
# date in 2099 is a wrong clock or a forgery. Beyond these the row keeps the received time
# and is flagged, so that no claimed time keeps a row past its retention or ahead of others.
PLAUSIBLE_FUTURE = timedelta(minutes=10)
PLAUSIBLE_PAST = timedelta(days=31)


def occurred(message: Message, received_at: datetime) -> tuple[datetime, bool]:
    """When the message says it happened, and whether that time was not believed."""
    at = message.timestamp
    if at is None:
        return received_at, False
    if at > received_at + PLAUSIBLE_FUTURE or at < received_at - PLAUSIBLE_PAST:
        return received_at, True
    return at, False


def health_only(message: Message) -> bool:
    """Whether every signal of ``message`` is site health (a link test, periodic tests):
    what :func:`signals` would say, without building them."""
    if message.contact_id is not None:
        cid = message.contact_id
        return cid_meaning(cid.qualifier, cid.code).event_class is EventClass.TEST
    if message.protocol is not Protocol.NULL and not message.sia_events:
        return False  # unreadable: stored raw and flagged
    return all(sia_meaning(e.code).event_class is EventClass.TEST for e in message.sia_events)


def signals(message: Message, received_at: datetime) -> list[Signal]:
    """What one message says; a NULL message (link test) says only that the panel lives."""
    at, implausible = occurred(message, received_at)
    raw, control = escaped(message.data)
    common = _Common(at, raw, implausible or control, message.timestamp is not None)
    if message.contact_id is not None:
        return [_from_cid(message, message.contact_id, common)]
    if message.protocol is not Protocol.NULL and not message.sia_events:
        # Not a link test, yet no event we can read: stored raw and flagged, never dropped.
        return [_unreadable(message, common)]
    return [
        _from_sia(message, event, index, common) for index, event in enumerate(message.sia_events)
    ]


@dataclass(frozen=True, slots=True)
class _Common:
    """What every signal of one message shares."""

    occurred: datetime
    raw: str
    odd: bool  # an implausible time or control bytes: flagged
    stamped: bool


# DC-09 data is printable ASCII. A control byte (a NUL inside ^text^, say) is no part of it,
# and PostgreSQL cannot hold a NUL in text at all: the frame is stored all the same, with
# each control byte written as \xNN, and flagged, so an alarm is never lost to one bad byte.
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def escaped(data: str) -> tuple[str, bool]:
    """``data`` with control characters written as ``\\xNN``, and whether there were any."""
    if _CONTROL.search(data) is None:
        return data, False
    clean, count = _CONTROL.subn(lambda m: f"\\x{ord(m[0]):02x}", data)
    return clean, count > 0


def _unreadable(message: Message, common: _Common) -> Signal:
    return Signal(
        panel_account=message.account,
        protocol=message.protocol.value,
        sequence=message.sequence,
        code="?",
        qualifier=None,
        zone=None,
        user_no=None,
        method=None,
        occurred_at=common.occurred,
        raw=common.raw,
        meaning=UNKNOWN,
        frame_key=frame_key(message, 0),
        effect=Effect.log,
        odd=common.odd,
        stamped=common.stamped,
    )


def _from_sia(message: Message, event: SiaEvent, index: int, common: _Common) -> Signal:
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
        area=_bounded(event.area),
        user_no=_number(user),
        method=SIA_METHODS.get(event.code) if _is_arming(meaning) else None,
        occurred_at=common.occurred,
        raw=common.raw,
        meaning=meaning,
        frame_key=frame_key(message, index),
        effect=effect(meaning),
        odd=common.odd or _odd(zone, user) or _too_long(event.area),
        stamped=common.stamped,
    )


def _from_cid(message: Message, cid: ContactId, common: _Common) -> Signal:
    meaning = cid_meaning(cid.qualifier, cid.code)
    arming = _is_arming(meaning)
    return Signal(
        panel_account=message.account,
        protocol=message.protocol.value,
        sequence=message.sequence,
        code=cid.code,
        qualifier=cid.qualifier,
        zone=None if arming else _bounded(cid.zone),
        area=cid.group,
        user_no=_number(cid.zone) if arming else None,
        method=CID_METHODS.get(cid.code) if arming else None,
        occurred_at=common.occurred,
        raw=common.raw,
        meaning=meaning,
        frame_key=frame_key(message, 0),
        effect=effect(meaning),
        odd=common.odd,
        stamped=common.stamped,
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


def _too_long(text: str | None) -> bool:
    return bool(text and len(text) > MAX_ZONE)


def _odd(zone: str | None, user: str | None) -> bool:
    return bool(zone and len(zone) > MAX_ZONE) or bool(
        user and user.isdigit() and int(user) > MAX_USER
    )
