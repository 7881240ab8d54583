"""CRC-16/ARC, the checksum of a DC-09 frame."""

from __future__ import annotations

import sys
from array import array
from functools import cache


def _step(crc: int) -> int:
    for _ in range(8):
        crc = (crc >> 1) ^ 0xA001 if crc & 1 else crc >> 1
    return crc


_TABLE = tuple(_step(byte) for byte in range(256))
_LITTLE = sys.byteorder == "little"


@cache
def _pairs() -> array[int]:
    """The table for two bytes at a time (built at first use: 65,536 entries). The register
    is 16 bits wide, so once two bytes are XOR-ed in (the first in its low half, the CRC being
    reflected) its next state depends on those 16 bits alone.

    Kept as 16-bit numbers in one block (128 KB), not as a tuple of int objects (2.3 MB
    scattered over the heap): in a receiver whose every frame is a different one, the
    tuple's lookups missed the processor's caches, and the CRC took ~40 % longer."""
    return array(
        "H",
        (
            (_TABLE[x & 0xFF] >> 8) ^ _TABLE[(_TABLE[x & 0xFF] ^ (x >> 8)) & 0xFF]
            for x in range(65536)
        ),
    )


def crc16_arc(data: bytes) -> int:
    """CRC-16/ARC (poly 0x8005 reflected, init 0) of ``data``; two bytes a step where the
    machine is little-endian (a frame's CRC is taken twice per frame, in and out)."""
    crc = 0
    done = len(data) & ~1 if _LITTLE else 0
    if done:
        pairs = _pairs()
        for word in memoryview(data)[:done].cast("H"):
            crc = pairs[crc ^ word]
    for byte in data[done:]:
        crc = (crc >> 8) ^ _TABLE[(crc ^ byte) & 0xFF]
    return crc
