"""Cutting a byte stream into DC-09 frames: ``LF crc(4 hex) 0LLL payload CR``."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from .crc import crc16_arc
from .events import Answer, ProtocolError

LF = 0x0A
CR = 0x0D
MAX_PAYLOAD = 0xFFF
_HEX = frozenset(b"0123456789ABCDEFabcdef")


# Not frozen: a frozen dataclass sets each field through object.__setattr__, and a Frame is
# made for every frame received (the events handed to the caller stay frozen).
@dataclass(slots=True)
class Frame:
    """A frame whose CRC and length checked out; ``payload`` runs from the first quote."""

    payload: bytes
    offset: int


def encode_frame(payload: bytes) -> bytes:
    """Wrap ``payload`` (from the id token's first quote) in LF, CRC, length and CR."""
    if len(payload) > MAX_PAYLOAD:
        raise ValueError(f"payload of {len(payload)} bytes does not fit the 0LLL length field")
    head = f"{crc16_arc(payload):04X}0{len(payload):03X}".encode("ascii")
    return b"\n" + head + payload + b"\r"


def check_frame(frame: bytes, offset: int) -> Frame | ProtocolError:
    """Verify the CRC and length of ``frame`` (the bytes between LF and CR)."""
    if len(frame) < 8:
        return ProtocolError("frame shorter than its CRC and length fields", offset)
    if not _HEX.issuperset(frame[:4]):
        return ProtocolError("CRC field is not 4 hex digits", offset)
    if not _HEX.issuperset(frame[4:8]):
        return ProtocolError("length field is not 4 hex digits", offset)
    payload = frame[8:]
    declared = int(frame[4:8], 16)
    if declared != len(payload):
        reason = f"length field says {declared} bytes, payload has {len(payload)}"
        return ProtocolError(reason, offset, Answer.NAK)
    if int(frame[:4], 16) != crc16_arc(payload):
        return ProtocolError("CRC mismatch", offset, Answer.NAK)
    return Frame(payload, offset)


class FrameReader:
    """Buffers received bytes and hands out whole frames, resyncing on garbage."""

    def __init__(self, max_frame: int = 4096) -> None:
        self.max_frame = max_frame
        self._buffer = bytearray()
        self._offset = 0  # stream offset of self._buffer[0]
        self.discarded = 0  # bytes thrown away without forming a frame (garbage)

    @property
    def buffered(self) -> int:
        """Bytes received but not yet handed out."""
        return len(self._buffer)

    def feed(self, data: bytes) -> None:
        """Add received bytes."""
        self._buffer += data

    def frames(self) -> Iterator[Frame | ProtocolError]:
        """Every complete frame (or fault) in the buffer, in order."""
        while (item := self._next()) is not None:
            yield item

    def _drop(self, count: int) -> int:
        offset = self._offset
        del self._buffer[:count]
        self._offset += count
        return offset

    def _next(self) -> Frame | ProtocolError | None:
        buffer = self._buffer
        if not buffer:
            return None
        start = buffer.find(LF)
        if start != 0:
            skipped = len(buffer) if start == -1 else start
            offset = self._drop(skipped)
            self.discarded += skipped
            return ProtocolError(f"skipped {skipped} bytes before LF", offset)
        end = _find_end(buffer)
        if end == -1:
            if len(buffer) > self.max_frame + 2:
                size = len(buffer)
                self.discarded += size
                return ProtocolError(f"frame exceeds {self.max_frame} bytes", self._drop(size))
            return None
        if buffer[end] == LF:
            self.discarded += end
            return ProtocolError("frame cut short by a new LF", self._drop(end))
        frame = bytes(buffer[1:end])
        offset = self._drop(end + 1)
        if len(frame) > self.max_frame:
            self.discarded += end + 1
            return ProtocolError(f"frame exceeds {self.max_frame} bytes", offset)
        return check_frame(frame, offset)


def _find_end(buffer: bytearray) -> int:
    """Index of the first CR or LF after the opening LF, or -1."""
    cr = buffer.find(CR, 1)
    lf = buffer.find(LF, 1)
    if cr == -1:
        return lf
    if lf == -1:
        return cr
    return min(cr, lf)
