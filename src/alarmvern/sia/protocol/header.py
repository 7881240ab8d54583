"""The clear-text header of a DC-09 message: ``"id"seq Rrcvr Lpref #acct[``."""

from __future__ import annotations

import re

from .events import Header

_HEADER = re.compile(
    r'"(?P<star>\*?)(?P<token>[^"*]{1,16})"'
    r"(?P<seq>\d{4})"
    r"(?:R(?P<receiver>[0-9A-Fa-f]{1,6}))?"
    r"L(?P<line>[0-9A-Fa-f]{1,6})"
    r"(?:#(?P<account>[0-9A-Fa-f]{3,16}))?"
    r"\["
)


def parse_header(text: str) -> tuple[Header, str] | None:
    """The header and the rest after its ``[``, or None if ``text`` does not start with one."""
    match = _HEADER.match(text)
    if match is None:
        return None
    header = Header(
        token=match["token"],
        encrypted=bool(match["star"]),
        sequence=match["seq"],
        receiver=match["receiver"],
        line=match["line"],
        account=match["account"],
    )
    return header, text[match.end() :]
