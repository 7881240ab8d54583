"""What the core hands the caller: parsed messages and protocol errors.

Content fields stay out of ``repr`` so that logging an event never logs what the
panel said (zone texts and user numbers can be personal data).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum


class Answer(StrEnum):
    """The receiver's replies defined by DC-09."""

    ACK = "ACK"
    NAK = "NAK"
    DUH = "DUH"


class Protocol(StrEnum):
    """The id tokens this receiver understands (without the ``*`` of encryption)."""

    SIA_DCS = "SIA-DCS"
    ADM_CID = "ADM-CID"
    NULL = "NULL"


#: Each id token's Protocol: a dictionary lookup, where ``Protocol(token)`` is an enum call
#: (made for every frame, several times, it showed in the receiver's profile).
PROTOCOLS: dict[str, Protocol] = {protocol.value: protocol for protocol in Protocol}


@dataclass(frozen=True, slots=True)
class Header:
    """The clear-text start of a message: ``"id"seq Rrcvr Lpref #acct[``."""

    token: str
    encrypted: bool
    sequence: str
    receiver: str | None
    line: str
    account: str | None


@dataclass(frozen=True, slots=True)
class SiaEvent:
    """One event of a SIA-DCS data block, e.g. ``ri1/CL501``."""

    code: str
    parameter: str
    area: str | None = None
    user: str | None = None
    time: str | None = None
    text: str | None = None
    modifiers: tuple[tuple[str, str], ...] = ()
    known: bool = False
    area_text: str | None = None  # ``ri01^TOTAL^``: the area's name, as the panel sent it
    user_text: str | None = None  # ``id12^name^``: the user's name, as the panel sent it


@dataclass(frozen=True, slots=True)
class ContactId:
    """An ADM-CID (Contact ID) event: ``Q EEE GG ZZZ``."""

    qualifier: str
    code: str
    group: str
    zone: str
    known: bool = False


@dataclass(frozen=True, slots=True)
class ExtendedBlock:
    """An extended data block such as ``[X10E12.5]``: tag letter and raw value."""

    tag: str
    value: str


@dataclass(frozen=True, slots=True)
class Message:
    """A well-formed message; the caller stores it, then asks for its ACK."""

    header: Header
    account: str
    timestamp: datetime | None
    offset: int
    clock_skew: timedelta | None = None
    data: str = field(default="", repr=False)
    sia_events: tuple[SiaEvent, ...] = field(default=(), repr=False)
    contact_id: ContactId | None = field(default=None, repr=False)
    extended: tuple[ExtendedBlock, ...] = field(default=(), repr=False)

    @property
    def protocol(self) -> Protocol:
        """SIA-DCS, ADM-CID or NULL."""
        return PROTOCOLS[self.header.token]

    @property
    def encrypted(self) -> bool:
        """Whether the panel sent it encrypted."""
        return self.header.encrypted

    @property
    def sequence(self) -> str:
        """The panel's 4-digit sequence number."""
        return self.header.sequence

    @property
    def receiver(self) -> str | None:
        """The receiver number, without its ``R``; None when the panel sent none."""
        return self.header.receiver

    @property
    def line(self) -> str:
        """The account prefix (``L`` field), without its ``L``."""
        return self.header.line

    @property
    def identity(self) -> tuple[str, str, str, str | None]:
        """(line, account, sequence, timestamp): equal for a retransmission.

        The line prefix is included because DC-09 makes accounts unique only
        within a prefix.
        """
        moment = self.timestamp.isoformat() if self.timestamp else None
        return (self.line, self.account, self.sequence, moment)

    def extended_value(self, tag: str) -> str | None:
        """The value of the first extended block with ``tag``, if any."""
        return next((block.value for block in self.extended if block.tag == tag), None)


@dataclass(frozen=True, slots=True)
class ProtocolError:
    """Something that is not a storable message, with the answer DC-09 asks for.

    ``reason`` names the fault and the field, never the content; ``offset`` is the
    byte offset in the connection's stream where the frame (or garbage) began.
    ``answer`` is None when the standard wants no reply.
    """

    reason: str
    offset: int
    answer: Answer | None = None
    header: Header | None = None


Event = Message | ProtocolError
