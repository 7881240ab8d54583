"""Building frames: the receiver's ACK, NAK and DUH, and panel messages (for the simulator)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from .crypto import PadSource, encrypt_body, random_pad
from .events import Answer, ExtendedBlock, Header, Message
from .framing import encode_frame
from .timestamps import format_timestamp


def build_frame(
    token: str,
    sequence: str,
    line: str,
    *,
    account: str | None = None,
    receiver: str | None = None,
    data: str = "",
    extended: Iterable[ExtendedBlock] = (),
    timestamp: datetime | None = None,
    key: bytes | None = None,
    pad: PadSource = random_pad,
) -> bytes:
    """A whole frame ``LF crc 0LLL "id"seq[R]L[#acct][data][ext]..[_ts] CR``.

    With a ``key`` the id token gets its ``*`` and everything after ``[`` is encrypted.
    """
    head = _head(("*" if key else "") + token, sequence, receiver, line, account)
    body = data + "]" + "".join(f"[{block.tag}{block.value}]" for block in extended)
    if timestamp is not None:
        body += "_" + format_timestamp(timestamp)
    if key is not None:
        body = encrypt_body(body, key, pad)
    return encode_frame(f"{head}[{body}".encode("latin-1"))


def _head(token: str, sequence: str, receiver: str | None, line: str, account: str | None) -> str:
    """``"id"seq[Rrcvr]Lpref[#acct]``: what every frame starts with."""
    receiver_part = "" if receiver is None else "R" + receiver
    account_part = "" if account is None else "#" + account
    return f'"{token}"{sequence}{receiver_part}L{line}{account_part}'


def _clear_answer(answer: Answer, header: Header) -> bytes:
    """``build_frame`` for a clear answer, which has no data, blocks or timestamp: the same
    bytes, built in one step (a clear ACK is written for most frames received)."""
    head = _head(answer.value, header.sequence, header.receiver, header.line, header.account)
    return encode_frame(f"{head}[]".encode("latin-1"))


def _answer(
    answer: Answer,
    header: Header,
    timestamp: datetime | None = None,
    key: bytes | None = None,
    pad: PadSource = random_pad,
) -> bytes:
    return build_frame(
        answer.value,
        header.sequence,
        header.line,
        account=header.account,
        receiver=header.receiver,
        timestamp=timestamp,
        key=key,
        pad=pad,
    )


def build_ack(
    message: Message, now: datetime, key: bytes | None = None, pad: PadSource = random_pad
) -> bytes:
    """The ACK for ``message``, echoing its sequence, receiver, prefix and account.

    An encrypted message gets an encrypted ACK (``"*ACK"``, ``[pad|]_now``) under
    ``key``; a clear one gets ``"ACK"...[]``.
    """
    if not message.encrypted:
        return _clear_answer(Answer.ACK, message.header)
    if key is None:
        raise ValueError("an encrypted message needs its key for the ACK")
    return _answer(Answer.ACK, message.header, now, key, pad)


def build_duh(header: Header) -> bytes:
    """The DUH for a message the receiver read but cannot process; always in clear."""
    return _clear_answer(Answer.DUH, header)


def build_nak(now: datetime) -> bytes:
    """The NAK, carrying the receiver's time so that the panel can correct its clock."""
    return encode_frame(f'"NAK"0000R0L0A0[]_{format_timestamp(now)}'.encode("ascii"))
