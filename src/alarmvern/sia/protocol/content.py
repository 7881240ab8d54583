"""The part after the header's ``[``: ``data]`` ``[ext]...`` ``_timestamp``.

Functions return a reason string instead of raising when the text is malformed;
reasons name the field, never its content.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .events import ContactId, ExtendedBlock, SiaEvent
from .meaning import is_known_cid, is_known_sia

_MODIFIER = re.compile(r"([a-z]{2})([0-9:.\-]*)")
_EVENT = re.compile(r"([A-Z]{2})([0-9]*)(?:\^([^\^]*)\^?)?")
_CONTACT_ID = re.compile(r"(\d)([0-9A-Fa-f]{3}) ?([0-9A-Fa-f]{2}) ?([0-9A-Fa-f]{3})")


@dataclass(frozen=True, slots=True)
class Payload:
    """The payload cut into its fields, still as text."""

    data: str
    extended: tuple[ExtendedBlock, ...]
    timestamp: str | None


def split_payload(rest: str) -> Payload | str:
    """Cut ``data]`` ``[ext]``* ``_timestamp``? into its parts, or say why not."""
    close = rest.find("]")
    if close == -1:
        return "data field has no closing ]"
    data = rest[:close]
    if "[" in data:
        return "data field contains ["
    blocks: list[ExtendedBlock] = []
    position = close + 1
    while rest.startswith("[", position):
        end = rest.find("]", position)
        if end == -1:
            return f"extended block {len(blocks) + 1} has no closing ]"
        block = rest[position + 1 : end]
        if not block:
            return f"extended block {len(blocks) + 1} is empty"
        blocks.append(_extended(block))
        position = end + 1
    tail = rest[position:]
    if tail and not tail.startswith("_"):
        return f"unexpected text at position {position} after the data"
    return Payload(data, tuple(blocks), tail[1:] if tail else None)


def _extended(block: str) -> ExtendedBlock:
    tag, value = block[0], block[1:]
    if tag == "I":  # alarm text is Windows-1252 by the standard
        value = value.encode("latin-1").decode("cp1252", errors="replace")
    return ExtendedBlock(tag, value)


def split_account(data: str) -> tuple[str | None, str]:
    """The ``#acct|`` that may start a data field, and the rest."""
    if data.startswith("#"):
        account, _, rest = data[1:].partition("|")
        return account, rest
    return None, data.removeprefix("|")


def parse_sia_data(data: str) -> tuple[SiaEvent, ...] | str:
    """The events of SIA-DCS data such as ``Nri1/CL501`` or ``NRR|Atest``."""
    events: list[SiaEvent] = []
    for index, block in enumerate(data.split("|") if data else ()):
        if block[:1] in ("N", "O"):
            parsed = _parse_sia_block(block[1:], index)
            if isinstance(parsed, str):
                return parsed
            events.extend(parsed)
        elif block[:1] == "A" and events:
            last = events[-1]
            events[-1] = SiaEvent(
                last.code, last.parameter, last.area, last.user, last.time, block[1:],
                last.modifiers, last.known,
            )  # fmt: skip
        else:
            return f"SIA data block {index} has an unknown type"
    return tuple(events)


def _parse_sia_block(block: str, index: int) -> list[SiaEvent] | str:
    events: list[SiaEvent] = []
    modifiers: dict[str, str] = {}
    for item in block.split("/"):
        position = 0
        while position < len(item):
            if match := _MODIFIER.match(item, position):
                modifiers[match[1]] = match[2]
            elif match := _EVENT.match(item, position):
                events.append(_sia_event(match[1], match[2], match[3], modifiers))
            else:
                return f"SIA data block {index}: unreadable at position {position}"
            position = match.end()
    return events


def _sia_event(code: str, parameter: str, text: str | None, modifiers: dict[str, str]) -> SiaEvent:
    return SiaEvent(
        code=code,
        parameter=parameter,
        area=modifiers.get("ri"),
        user=modifiers.get("id"),
        time=modifiers.get("ti"),
        text=text,
        modifiers=tuple(modifiers.items()),
        known=is_known_sia(code),
    )


def parse_contact_id(data: str) -> ContactId | str:
    """A Contact ID event ``Q EEE GG ZZZ`` such as ``1401 01 001``."""
    match = _CONTACT_ID.fullmatch(data)
    if match is None:
        return "ADM-CID data is not Q EEE GG ZZZ"
    qualifier, code, group, zone = match.groups()
    return ContactId(qualifier, code, group, zone, is_known_cid(qualifier, code))
