"""The clear-text header of a DC-09 message: ``"id"seq Rrcvr Lpref #acct[``.

``parse_header`` reads what DC-09 allows, and an empty ``L`` (some panels send
``"SIA-DCS"0001L#1234[``) as line 0. ``salvage_header`` reads what it can of a
header that does not match, so that the DUH can echo it (DC-09 5.5.3.3).
"""

from __future__ import annotations

import re

from .events import Header

_HEADER = re.compile(
    r'"(?P<star>\*?)(?P<token>[^"*]{1,16})"'
    r"(?P<seq>\d{4})"
    r"(?:R(?P<receiver>[0-9A-Fa-f]{1,6}))?"
    r"L(?P<line>[0-9A-Fa-f]{0,6})"
    r"(?:#(?P<account>[0-9A-Fa-f]{3,16}))?"
    r"\["
)
# Each field on its own, as loosely as a DUH may echo it: anything not fitting is left out.
_LOOSE = re.compile(
    r'"?(?P<star>\*?)(?P<token>[^"\[]{0,16})"?'
    r"(?P<seq>[^RL#\[]*)"
    r"(?:R(?P<receiver>[^L#\[]*))?"
    r"(?:L(?P<line>[^#\[]*))?"
    r"(?:#(?P<account>[^\[]*))?"
)
_SEQUENCE = re.compile(r"\d{1,4}")
_HEX = re.compile(r"[0-9A-Fa-f]{1,16}")


def parse_header(text: str) -> tuple[Header, str] | None:
    """The header and the rest after its ``[``, or None if ``text`` does not start with one."""
    match = _HEADER.match(text)
    if match is None:
        return None
    star, token, sequence, receiver, line, account = match.groups()  # one call, not six
    header = Header(token, bool(star), sequence, receiver, line or "0", account)
    return header, text[match.end() :]


def salvage_header(text: str) -> Header:
    """What can be read of a header that ``parse_header`` refused, for the DUH to echo.

    A field is echoed as sent when it holds only the characters its kind allows
    (sequence: 1-4 digits; receiver, line: 1-6 hex digits; account: 1-16 hex
    digits); otherwise the sequence becomes ``0000``, the line ``0``, and the
    receiver and account are left out.
    """
    match = _LOOSE.match(text)
    assert match is not None  # every group may be empty: the pattern matches any text

    def fits(pattern: re.Pattern[str], value: str | None, most: int) -> str | None:
        return value if value and len(value) <= most and pattern.fullmatch(value) else None

    return Header(
        token=match["token"],
        encrypted=bool(match["star"]),
        sequence=fits(_SEQUENCE, match["seq"], 4) or "0000",
        receiver=fits(_HEX, match["receiver"], 6),
        line=fits(_HEX, match["line"], 6) or "0",
        account=fits(_HEX, match["account"], 16),
    )
