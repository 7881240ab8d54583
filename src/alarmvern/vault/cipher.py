"""The encrypted formats, as pure functions of a data key: blobs and text fields.

Every ciphertext is AES-256-GCM with a random 96-bit nonce, and its associated data names
where it belongs (subject, table, and the row's blob id or the column), so a ciphertext
moved to another row, column or subject no longer decrypts.
"""

from __future__ import annotations

import base64
import binascii
import os

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

NONCE_BYTES = 12
BLOB_MAGIC = b"AVB1"
TOKEN_PREFIX = "av1."


class NotOurs(Exception):
    """A ciphertext that is malformed, altered, or bound to another place or key."""


def context(kind: str, *parts: str) -> bytes:
    """Unambiguous associated data: each part length-prefixed, so ("ab","c") ≠ ("a","bc")."""
    out = bytearray(b"alarmvern/" + kind.encode() + b"/v1")
    for part in parts:
        raw = part.encode("utf-8")
        out += len(raw).to_bytes(4, "big") + raw
    return bytes(out)


def blob_context(subject: str, table: str, blob_id: str) -> bytes:
    return context("blob", subject, table, blob_id)


def field_context(subject: str, table: str, column: str) -> bytes:
    return context("field", subject, table, column)


def seal(aead: AESGCM, plaintext: bytes, aad: bytes) -> bytes:
    nonce = os.urandom(NONCE_BYTES)
    return nonce + aead.encrypt(nonce, plaintext, aad)


def unseal(aead: AESGCM, sealed: bytes, aad: bytes) -> bytes:
    if len(sealed) < NONCE_BYTES + 16:
        raise NotOurs("too short")
    try:
        return aead.decrypt(sealed[:NONCE_BYTES], sealed[NONCE_BYTES:], aad)
    except InvalidTag:
        raise NotOurs("authentication failed") from None


def seal_blob(aead: AESGCM, data: bytes, aad: bytes) -> bytes:
    return BLOB_MAGIC + seal(aead, data, aad)


def unseal_blob(aead: AESGCM, stored: bytes, aad: bytes) -> bytes:
    if not stored.startswith(BLOB_MAGIC):
        raise NotOurs("not a vault blob")
    return unseal(aead, stored[len(BLOB_MAGIC) :], aad)


def seal_text(aead: AESGCM, value: str, aad: bytes) -> str:
    """``value`` encrypted as ASCII text: ``av1.`` and URL-safe base64 without padding."""
    sealed = seal(aead, value.encode("utf-8"), aad)
    return TOKEN_PREFIX + base64.urlsafe_b64encode(sealed).decode("ascii").rstrip("=")


def unseal_text(aead: AESGCM, token: str, aad: bytes) -> str:
    if not token.startswith(TOKEN_PREFIX):
        raise NotOurs("not a vault token")
    body = token[len(TOKEN_PREFIX) :]
    try:
        sealed = base64.urlsafe_b64decode(body + "=" * (-len(body) % 4))
    except (binascii.Error, ValueError):
        raise NotOurs("not base64") from None
    try:
        return unseal(aead, sealed, aad).decode("utf-8")
    except UnicodeDecodeError:
        raise NotOurs("not UTF-8") from None
