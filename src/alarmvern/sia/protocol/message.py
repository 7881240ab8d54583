"""From a checked frame to a ``Message`` or a ``ProtocolError`` with its answer.

Answers, where DC-09 leaves room (no frame whose CRC and length are right goes
unanswered):
- header that does not match DC-09 (a one-digit account, a sequence that is not
  four digits, no ``L``): DUH echoing the fields that could be read
  (``salvage_header``); an empty ``L`` is read as line 0 and accepted;
- unknown id token, no key for the account, malformed data, unreadable
  timestamp: DUH; so is an encrypted body that does not decrypt to data and a
  readable timestamp (a wrong key's output cannot be told from a missing one);
- timestamp outside -40 s / +20 s: NAK with the receiver's time. DC-09 asks this
  of encrypted messages (replay protection); a clear message is accepted and
  its ``clock_skew`` reported unless ``Policy.check_clear_timestamps`` is set,
  so that a panel with a drifting clock does not lose alarms;
- unknown event codes are messages (``known=False``), never errors.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta

from .content import Payload, parse_contact_id, parse_sia_data, split_account, split_payload
from .crypto import decrypt_body
from .events import PROTOCOLS, Answer, ContactId, Header, Message, Protocol, ProtocolError, SiaEvent
from .framing import Frame
from .header import parse_header, salvage_header
from .timestamps import WINDOW_FUTURE, WINDOW_PAST, in_window, parse_timestamp

_ACCOUNT = re.compile(r"[0-9A-Fa-f]{3,16}")
#: The caller's keys: a mapping or a function from account number to AES key.
KeyLookup = Mapping[str, bytes] | Callable[[str], bytes | None]
#: The caller's own rules for a parsed message (per account): None, or the answer and reason.
Admit = Callable[[Message, datetime], tuple[Answer, str] | None]


@dataclass(frozen=True, slots=True)
class Policy:
    """How strict to be. ``check_clear_timestamps`` also NAKs clear messages out of window."""

    window_past: timedelta = WINDOW_PAST
    window_future: timedelta = WINDOW_FUTURE
    check_clear_timestamps: bool = False
    admit: Admit | None = None


DEFAULT_POLICY = Policy()


def find_key(keys: KeyLookup | None, account: str) -> bytes | None:
    """The key for ``account`` (tried as given and upper-cased), or None."""
    if keys is None:
        return None
    lookup = keys.get if isinstance(keys, Mapping) else keys
    return lookup(account) or lookup(account.upper())


def parse_message(
    frame: Frame, now: datetime, keys: KeyLookup | None = None, policy: Policy = DEFAULT_POLICY
) -> Message | ProtocolError:
    """Read one frame's payload; the result says what to answer, never answers itself."""
    event = _parse(frame, now, keys, policy)
    if isinstance(event, Message) and policy.admit and (refused := policy.admit(event, now)):
        return ProtocolError(refused[1], frame.offset, refused[0], event.header)
    return event


def _parse(
    frame: Frame, now: datetime, keys: KeyLookup | None, policy: Policy
) -> Message | ProtocolError:
    text = frame.payload.decode("latin-1")
    parsed = parse_header(text)
    if parsed is None:
        # CRC and length were right, so the panel sent this on purpose: it gets an answer.
        return ProtocolError("header not readable", frame.offset, Answer.DUH, salvage_header(text))
    header, rest = parsed
    offset = frame.offset
    if header.token not in PROTOCOLS:
        return _duh("unknown id token", offset, header)
    if header.encrypted:
        if header.account is None:
            return _duh("encrypted message without account in header", offset, header)
        key = find_key(keys, header.account)
        if key is None:
            return _duh("no key for account", offset, header)
        decrypted = _decrypted_payload(rest.removesuffix("]"), key)
        if decrypted is None:
            reason = "cannot decrypt (wrong key, bad cipher text, or no timestamp inside)"
            return _duh(reason, offset, header)
        return _checked(header, decrypted, offset, now, policy)
    payload = split_payload(rest)
    if isinstance(payload, str):
        return _duh(payload, offset, header)
    return _checked(header, payload, offset, now, policy)


# A function of its own, not a closure made in each call: the parse runs for every frame.
def _duh(reason: str, offset: int, header: Header) -> ProtocolError:
    return ProtocolError(reason, offset, Answer.DUH, header)


def _decrypted_payload(cipher_text: str, key: bytes) -> Payload | None:
    """The payload under ``key``, or None when ``key`` is not the sender's.

    A wrong key's garbage passes the pad check about once in a thousand frames;
    garbage that also splits into parts and ends in a readable timestamp (which
    an encrypted message must carry) does not, in practice. So a frame without
    its timestamp cannot be told from one under the wrong key, and is named so.
    """
    plain = decrypt_body(cipher_text, key)
    payload = split_payload(plain) if plain is not None else None
    if not isinstance(payload, Payload) or payload.timestamp is None:
        return None
    return payload if parse_timestamp(payload.timestamp) is not None else None


def _checked(
    header: Header, payload: Payload, offset: int, now: datetime, policy: Policy
) -> Message | ProtocolError:
    timestamp = parse_timestamp(payload.timestamp) if payload.timestamp is not None else None
    if payload.timestamp is not None and timestamp is None:
        return _duh("timestamp not readable", offset, header)
    skew = timestamp - now if timestamp else None
    checked = header.encrypted or policy.check_clear_timestamps
    if (
        timestamp
        and checked
        and not in_window(timestamp, now, policy.window_past, policy.window_future)
    ):
        return ProtocolError("timestamp outside window", offset, Answer.NAK, header)
    data_account, data = split_account(payload.data)
    if data_account is not None and not _ACCOUNT.fullmatch(data_account):
        return _duh("account in data is not 3-16 hex digits", offset, header)
    account = header.account or data_account
    if not account:
        return _duh("no account", offset, header)
    content = _content(PROTOCOLS[header.token], data)
    if isinstance(content, str):
        return _duh(content, offset, header)
    events, contact_id = content
    return Message(
        header, account.upper(), timestamp, offset, skew,
        payload.data, events, contact_id, payload.extended,
    )  # fmt: skip


def _content(protocol: Protocol, data: str) -> tuple[tuple[SiaEvent, ...], ContactId | None] | str:
    if protocol is Protocol.SIA_DCS:
        events = parse_sia_data(data)
        return events if isinstance(events, str) else (events, None)
    if protocol is Protocol.ADM_CID:
        contact_id = parse_contact_id(data)
        return contact_id if isinstance(contact_id, str) else ((), contact_id)
    return (), None
