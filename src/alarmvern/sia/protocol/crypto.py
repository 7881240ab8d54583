"""DC-09 encryption: AES-CBC with a zero IV over ``pad|data]...``, sent as hex.

DC-09 pads at the front: random characters other than ``|``, ``[`` and ``]``,
then ``|``, so that the whole is a multiple of 16 bytes. Some panels leave out
the ``|`` when the data is empty (``pad]_timestamp``); both are read.
"""

from __future__ import annotations

import secrets
import string
from collections.abc import Callable
from typing import Literal

from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

_ZERO_IV = bytes(16)
_KEY_SIZES = (16, 24, 32)
_PAD_ALPHABET = string.ascii_letters + string.digits
_HEX_DIGITS = frozenset(string.hexdigits)

KeyForm = Literal["auto", "text", "hex"]
PadSource = Callable[[int], str]


def parse_key(value: str, form: KeyForm = "auto") -> bytes:
    """An AES key from its configured form: 16/24/32 ASCII characters or 32/48/64 hex digits.

    With ``form="auto"`` a 32-character string of hex digits is refused, as it is
    both a 256-bit text key and a 128-bit hex key: say which.
    """
    value = value.strip()
    is_hex = len(value) in (32, 48, 64) and _HEX_DIGITS.issuperset(value)
    if form == "auto":
        if len(value) == 32 and is_hex:
            raise ValueError("a 32-digit hex key is ambiguous; give form='hex' or 'text'")
        form = "hex" if is_hex else "text"
    if form == "hex":
        if not is_hex:
            raise ValueError("a hex key needs 32, 48 or 64 hex digits")
        return bytes.fromhex(value)
    key = value.encode("ascii")
    if len(key) not in _KEY_SIZES:
        raise ValueError("a text key needs 16, 24 or 32 characters")
    return key


def random_pad(length: int) -> str:
    """``length`` random pad characters (letters and digits)."""
    return "".join(secrets.choice(_PAD_ALPHABET) for _ in range(length))


def encrypt_body(body: str, key: bytes, pad: PadSource = random_pad) -> str:
    """Hex of AES-CBC(``pad|body``); ``body`` is everything after ``[``, e.g. ``]_12:00:00,...``."""
    size = len(body) + 1
    text = pad(16 - size % 16) + "|" + body
    encryptor = Cipher(algorithms.AES(key), modes.CBC(_ZERO_IV)).encryptor()
    data = encryptor.update(text.encode("latin-1")) + encryptor.finalize()
    return data.hex().upper()


def decrypt_body(hex_text: str, key: bytes) -> str | None:
    """The plain text after the pad, or None if this is not ``pad|...`` under ``key``."""
    if not hex_text or len(hex_text) % 32 or not _HEX_DIGITS.issuperset(hex_text):
        return None
    decryptor = Cipher(algorithms.AES(key), modes.CBC(_ZERO_IV)).decryptor()
    plain = decryptor.update(bytes.fromhex(hex_text)) + decryptor.finalize()
    return strip_pad(plain)


def strip_pad(plain: bytes) -> str | None:
    """Drop the pad; None when what follows is not printable text (a wrong key)."""
    ends = [index for index in (plain.find(b"|"), plain.find(b"]")) if index != -1]
    if not ends:
        return None
    end = min(ends)
    if b"[" in plain[:end]:
        return None
    rest = plain[end + 1 :] if plain[end] == ord("|") else plain[end:]
    if any(byte < 0x20 or byte == 0x7F for byte in rest):
        return None
    return rest.decode("latin-1")
