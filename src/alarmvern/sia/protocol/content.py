"""The part after the header's ``[``: ``data]`` ``[ext]...`` ``_timestamp``.

Functions return a reason string instead of raising when the text is malformed;
reasons name the field, never its content.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

from .events import ContactId, ExtendedBlock, SiaEvent
from .meaning import is_known_cid, is_known_sia

_MODIFIER = re.compile(r"([a-z]{2})([0-9:.\-]*)")
_EVENT = re.compile(r"([A-Z]{2})([0-9]*)")
_CONTACT_ID = re.compile(r"(\d)([0-9A-Fa-f]{3}) ?([0-9A-Fa-f]{2}) ?([0-9A-Fa-f]{3})")


@dataclass(slots=True)  # made per frame, read once: not frozen (see framing.Frame)
class Payload:
    """The payload cut into its fields, still as text."""

    data: str
    extended: tuple[ExtendedBlock, ...]
    timestamp: str | None


def split_payload(rest: str) -> Payload | str:
    """Cut ``data]`` ``[ext]``* ``_timestamp``? into its parts, or say why not."""
    close = _closing_bracket(rest)
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


def _closing_bracket(rest: str) -> int:
    """Where the data field ends: the first ``]`` outside ``^text^``; with an unpaired ``^``,
    the first ``]`` at all."""
    if "^" not in rest:
        return rest.find("]")
    in_text = False
    for position, char in enumerate(rest):
        if char == "^":
            in_text = not in_text
        elif char == "]" and not in_text:
            return position
    return rest.find("]")


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
    """The events of SIA-DCS data such as ``Nri1/CL501``, ``NRR|Atest`` or
    ``Nri01^TOTAL^/BA001^Front door^``."""
    events: list[SiaEvent] = []
    for index, block in enumerate(split_outside_text(data, "|") if data else ()):
        if block[:1] in ("N", "O"):
            parsed = _parse_sia_block(block[1:], index)
            if isinstance(parsed, str):
                return parsed
            events.extend(parsed)
        elif block[:1] == "A" and events:
            events[-1] = replace(events[-1], text=block[1:])
        else:
            return f"SIA data block {index} has an unknown type"
    return tuple(events)


def split_outside_text(data: str, separator: str) -> list[str]:
    """``data`` cut at ``separator``, except inside ``^text^`` (which may hold any character)."""
    if "^" not in data:  # most frames: no text, and no character-by-character walk
        return data.split(separator)
    parts: list[str] = []
    start, in_text = 0, False
    for position, char in enumerate(data):
        if char == "^":
            in_text = not in_text
        elif char == separator and not in_text:
            parts.append(data[start:position])
            start = position + 1
    parts.append(data[start:])
    return parts


def _parse_sia_block(block: str, index: int) -> list[SiaEvent] | str:
    """The events of one ``N`` block: modifiers, events and ``^text^`` in any order.

    DC-03 lets an ASCII text field follow a data field; panels put one after the area
    modifier (Jablotron: ``ri01^TOTAL^``), after the user (``id12^Ola^``) or after the
    event (a zone name). Text after a modifier names it (area or user text); text after
    an event is that event's text; text before anything goes to the next event.
    """
    events: list[SiaEvent] = []
    modifiers: dict[str, str] = {}
    texts: dict[str, str] = {}
    last: str | None = None  # "event", a modifier's name, or None at the start
    pending: str | None = None
    position = 0
    while position < len(block):
        if block[position] == "/":
            position += 1
        elif block[position] == "^":
            close = block.find("^", position + 1)
            end = len(block) if close == -1 else close
            text = block[position + 1 : end]
            position = end + 1
            if last == "event":
                events[-1] = replace(events[-1], text=text)
            elif last is not None:
                texts[last] = text
            else:
                pending = text
        elif match := _MODIFIER.match(block, position):
            modifiers[match[1]] = match[2]
            texts.pop(match[1], None)
            last, position = match[1], match.end()
        elif match := _EVENT.match(block, position):
            events.append(_sia_event(match[1], match[2], pending, modifiers, texts))
            pending, last, position = None, "event", match.end()
        else:
            return f"SIA data block {index}: unreadable at position {position}"
    return events


def _sia_event(
    code: str,
    parameter: str,
    text: str | None,
    modifiers: dict[str, str],
    texts: dict[str, str],
) -> SiaEvent:
    return SiaEvent(
        code=code,
        parameter=parameter,
        area=modifiers.get("ri"),
        user=modifiers.get("id"),
        time=modifiers.get("ti"),
        text=text,
        modifiers=tuple(modifiers.items()),
        known=is_known_sia(code),
        area_text=texts.get("ri"),
        user_text=texts.get("id"),
    )


def parse_contact_id(data: str) -> ContactId | str:
    """A Contact ID event ``Q EEE GG ZZZ`` such as ``1401 01 001``."""
    match = _CONTACT_ID.fullmatch(data)
    if match is None:
        return "ADM-CID data is not Q EEE GG ZZZ"
    qualifier, code, group, zone = match.groups()
    return ContactId(qualifier, code, group, zone, is_known_cid(qualifier, code))
