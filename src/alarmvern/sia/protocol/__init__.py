"""The SIA DC-09 protocol as a pure core: bytes in, events out, no I/O and no clock."""

from .builder import build_ack, build_duh, build_frame, build_nak
from .connection import Connection
from .crc import crc16_arc
from .crypto import decrypt_body, encrypt_body, parse_key
from .events import (
    Answer,
    ContactId,
    Event,
    ExtendedBlock,
    Header,
    Message,
    Protocol,
    ProtocolError,
    SiaEvent,
)
from .framing import Frame, FrameReader, encode_frame
from .meaning import EventClass, Meaning, cid_meaning, sia_meaning, stored_meaning
from .message import KeyLookup, Policy, parse_message
from .timestamps import format_timestamp, parse_timestamp

__all__ = [
    "Answer",
    "Connection",
    "ContactId",
    "Event",
    "EventClass",
    "ExtendedBlock",
    "Frame",
    "FrameReader",
    "Header",
    "KeyLookup",
    "Meaning",
    "Message",
    "Policy",
    "Protocol",
    "ProtocolError",
    "SiaEvent",
    "build_ack",
    "build_duh",
    "build_frame",
    "build_nak",
    "cid_meaning",
    "crc16_arc",
    "decrypt_body",
    "encode_frame",
    "encrypt_body",
    "format_timestamp",
    "parse_key",
    "parse_message",
    "parse_timestamp",
    "sia_meaning",
    "stored_meaning",
]
