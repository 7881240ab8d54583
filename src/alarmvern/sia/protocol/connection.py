"""One panel connection (or one UDP datagram): bytes in, events out, h11-style.

The connection never answers by itself. The caller stores each ``Message`` and
then calls ``ack``; for a ``ProtocolError`` it calls ``reply``, which gives the
NAK or DUH the standard asks for, or None.
"""

from __future__ import annotations

from datetime import datetime

from .builder import build_ack, build_duh, build_nak
from .crypto import PadSource, random_pad
from .events import Answer, Event, Message, ProtocolError
from .framing import Frame, FrameReader
from .message import DEFAULT_POLICY, KeyLookup, Policy, find_key, parse_message


class Connection:
    """Parses what one peer sends; ``max_frame`` bounds the bytes buffered for a frame."""

    def __init__(
        self,
        keys: KeyLookup | None = None,
        *,
        max_frame: int = 4096,
        policy: Policy = DEFAULT_POLICY,
        pad: PadSource = random_pad,
    ) -> None:
        self._keys = keys
        self._policy = policy
        self._pad = pad
        self._reader = FrameReader(max_frame)

    @property
    def buffered(self) -> int:
        """Bytes received that do not yet form a frame."""
        return self._reader.buffered

    @property
    def discarded(self) -> int:
        """Bytes received so far that formed no frame: garbage."""
        return self._reader.discarded

    def receive_data(self, data: bytes) -> None:
        """Add bytes read from the peer."""
        self._reader.feed(data)

    def next_events(self, now: datetime) -> list[Event]:
        """Every event the buffered bytes make, in order; ``now`` is the receiver's UTC time."""
        return [self._event(item, now) for item in self._reader.frames()]

    def _event(self, item: Frame | ProtocolError, now: datetime) -> Event:
        if isinstance(item, ProtocolError):
            return item
        return parse_message(item, now, self._keys, self._policy)

    def ack(self, message: Message, now: datetime) -> bytes:
        """The ACK for ``message``: call it only once the message is stored."""
        if not message.encrypted:
            return build_ack(message, now)
        key = find_key(self._keys, message.header.account or message.account)
        return build_ack(message, now, key, self._pad)

    def reply(self, error: ProtocolError, now: datetime) -> bytes | None:
        """The NAK or DUH ``error`` calls for, or None when the standard wants silence."""
        if error.answer is Answer.NAK:
            return build_nak(now)
        if error.answer is Answer.DUH and error.header is not None:
            return build_duh(error.header)
        return None
