"""Small made-up verification pictures for the demo: a camera's view, as a real PNG.

Each picture is a scene, not a test pattern: a sky that darkens to the top, a house wall and
a door, a figure standing where the seed puts it, and a dark band at the bottom with the
camera's time stamp in white digits, as a CCTV still has. Nothing here is a photograph of
anyone. Pure code: bytes in, bytes out (PNG written with :mod:`zlib`, no imaging library),
fast enough for hundreds of demo customers (rows are built by slicing, not pixel by pixel).
"""

from __future__ import annotations

import random
import struct
import zlib
from datetime import datetime

WIDTH, HEIGHT = 320, 240
BAND = 18  # the time stamp band's height, at the bottom
SCALE = 2  # each pixel of the digit font is drawn as SCALE × SCALE

# A 3×5 font for the time stamp: each digit as five rows of three bits.
FONT = {
    "0": ("111", "101", "101", "101", "111"),
    "1": ("010", "110", "010", "010", "111"),
    "2": ("111", "001", "111", "100", "111"),
    "3": ("111", "001", "111", "001", "111"),
    "4": ("101", "101", "111", "001", "001"),
    "5": ("111", "100", "111", "001", "111"),
    "6": ("111", "100", "111", "101", "111"),
    "7": ("111", "001", "010", "010", "010"),
    "8": ("111", "101", "111", "101", "111"),
    "9": ("111", "101", "111", "001", "111"),
    "-": ("000", "000", "111", "000", "000"),
    ":": ("000", "010", "000", "010", "000"),
    " ": ("000", "000", "000", "000", "000"),
}

Colour = tuple[int, int, int]


def picture(at: datetime, seed: int) -> bytes:
    """A PNG of the scene at ``at``: night or day by the hour, the figure placed by ``seed``."""
    rng = random.Random(seed)
    night = at.hour < 6 or at.hour >= 20
    rows = _sky(night)
    _wall(rows, night)
    _figure(rows, x=rng.randrange(30, WIDTH - 60), tall=rng.randrange(70, 100))
    _stamp(rows, at.strftime("%Y-%m-%d %H:%M:%S"))
    return png(rows)


def _sky(night: bool) -> list[bytearray]:
    top, bottom = ((10, 14, 40), (40, 48, 90)) if night else ((90, 150, 220), (190, 215, 240))
    rows = []
    for y in range(HEIGHT):
        share = y / (HEIGHT - 1)
        colour = tuple(round(a + (b - a) * share) for a, b in zip(top, bottom, strict=True))
        rows.append(bytearray(bytes(colour) * WIDTH))
    return rows


def _fill(rows: list[bytearray], x0: int, y0: int, x1: int, y1: int, colour: Colour) -> None:
    """Paint the box [x0, x1) × [y0, y1), clipped to the picture."""
    x0, x1 = max(0, x0), min(WIDTH, x1)
    span = bytes(colour) * max(0, x1 - x0)
    for y in range(max(0, y0), min(HEIGHT - BAND, y1)):
        rows[y][3 * x0 : 3 * x1] = span


def _wall(rows: list[bytearray], night: bool) -> None:
    ground = HEIGHT - BAND - 40
    _fill(rows, 0, ground, WIDTH, HEIGHT, (60, 70, 60) if night else (110, 140, 90))
    _fill(rows, 180, 60, WIDTH, ground, (70, 55, 50) if night else (170, 120, 95))
    _fill(rows, 230, 110, 275, ground, (35, 30, 28) if night else (90, 60, 45))  # the door
    lamp = (250, 220, 130) if night else (200, 200, 190)
    _fill(rows, 282, 100, 290, 108, lamp)


def _figure(rows: list[bytearray], x: int, tall: int) -> None:
    """A standing figure whose feet are on the ground: body, legs, arms and a round head."""
    feet = HEIGHT - BAND - 30
    dark, skin = (25, 25, 30), (200, 170, 140)
    head = tall // 6
    top = feet - tall
    _fill(rows, x, top + head + 2, x + 22, top + tall * 3 // 5, dark)  # body
    _fill(rows, x + 2, top + tall * 3 // 5, x + 9, feet, dark)  # legs
    _fill(rows, x + 13, top + tall * 3 // 5, x + 20, feet, dark)
    _fill(rows, x - 5, top + head + 4, x, top + tall // 2, dark)  # arms
    _fill(rows, x + 22, top + head + 4, x + 27, top + tall // 2, dark)
    cx, cy = x + 11, top + head // 2 + 1
    for dy in range(-head // 2, head // 2 + 1):
        half = int((max(0, (head / 2) ** 2 - dy**2)) ** 0.5)
        _fill(rows, cx - half, cy + dy, cx + half + 1, cy + dy + 1, skin)


def _stamp(rows: list[bytearray], text: str) -> None:
    band = bytes((16, 16, 16)) * WIDTH
    for y in range(HEIGHT - BAND, HEIGHT):
        rows[y][:] = band
    white = bytes((235, 235, 235)) * SCALE
    left, top = 6, HEIGHT - BAND + (BAND - 5 * SCALE) // 2
    for n, char in enumerate(text):
        glyph = FONT.get(char, FONT[" "])
        for gy, bits in enumerate(glyph):
            for gx, bit in enumerate(bits):
                if bit == "1":
                    x = left + n * 4 * SCALE + gx * SCALE
                    for dy in range(SCALE):
                        rows[top + gy * SCALE + dy][3 * x : 3 * (x + SCALE)] = white


def png(rows: list[bytearray]) -> bytes:
    """An 8-bit RGB PNG of ``rows`` (each ``3 × width`` bytes, top row first)."""
    height, width = len(rows), len(rows[0]) // 3
    raw = b"".join(b"\x00" + bytes(row) for row in rows)  # filter type 0 on every row

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(raw, 6))
        + chunk(b"IEND", b"")
    )
