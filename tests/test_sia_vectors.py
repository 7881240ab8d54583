"""Frames published by other DC-09 implementations (sources in tests/data/sia_vectors.json)."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from alarmvern.sia.protocol import (
    Answer,
    Connection,
    Frame,
    Message,
    ProtocolError,
    build_duh,
    build_nak,
    parse_key,
    parse_message,
)

VECTORS = json.loads((Path(__file__).parent / "data" / "sia_vectors.json").read_text())
KEYS = {account: parse_key(k["value"], k["form"]) for account, k in VECTORS["keys"].items()}
LATER = datetime(2030, 1, 1, tzinfo=UTC)


def _now(vector: dict[str, Any]) -> datetime:
    return datetime.fromisoformat(vector["now"]) if "now" in vector else LATER


def _wire(text: str) -> bytes:
    return b"\n" + text.encode("latin-1") + b"\r"


def _parse(vector: dict[str, Any]) -> Message | ProtocolError:
    payload = vector["frame"].encode("latin-1")[8:]
    return parse_message(Frame(payload, 0), _now(vector), KEYS)


@pytest.mark.parametrize("vector", VECTORS["messages"], ids=lambda v: v["source"][-40:])
def test_published_message_parses_to_its_fields(vector: dict[str, Any]) -> None:
    message = _parse(vector)
    assert isinstance(message, Message), message
    expect = vector["expect"]
    for name in ("protocol", "encrypted", "sequence", "receiver", "line", "account"):
        if name in expect:
            assert getattr(message, name) == expect[name], name
    if "timestamp" in expect:
        moment = message.timestamp.isoformat() if message.timestamp else None
        assert moment == expect["timestamp"]
    events = [
        {"code": e.code, "parameter": e.parameter, "area": e.area, "text": e.text, "known": e.known}
        for e in message.sia_events
    ]
    assert events == expect["events"]
    extended = [[block.tag, block.value] for block in message.extended]
    assert extended == expect.get("extended", [])


@pytest.mark.parametrize("vector", VECTORS["messages"], ids=lambda v: v["source"][-40:])
def test_published_frame_is_accepted_or_nakked_as_its_checksum_says(
    vector: dict[str, Any],
) -> None:
    connection = Connection(KEYS)
    connection.receive_data(_wire(vector["frame"]))
    [event] = connection.next_events(_now(vector))
    if vector["frame_valid"]:
        assert isinstance(event, Message)
    else:
        assert isinstance(event, ProtocolError)
        assert event.answer is Answer.NAK


@pytest.mark.parametrize("vector", [v for v in VECTORS["messages"] if "ack" in v])
def test_ack_is_byte_exact(vector: dict[str, Any]) -> None:
    connection = Connection(KEYS)
    connection.receive_data(_wire(vector["frame"]))
    [message] = connection.next_events(LATER)
    assert isinstance(message, Message)
    assert connection.ack(message, LATER) == _wire(vector["ack"])
    if "duh" in vector:
        assert build_duh(message.header) == _wire(vector["duh"])


@pytest.mark.parametrize("vector", VECTORS["naks"], ids=lambda v: v["source"][:30])
def test_nak_is_byte_exact(vector: dict[str, Any]) -> None:
    assert build_nak(_now(vector)) == _wire(vector["frame"])


@pytest.mark.parametrize("vector", VECTORS["rejected"], ids=lambda v: v["reason"])
def test_published_bad_message_gets_its_answer(vector: dict[str, Any]) -> None:
    error = _parse(vector)
    assert isinstance(error, ProtocolError)
    assert error.reason == vector["reason"]
    assert (error.answer.value if error.answer else None) == vector["answer"]


def test_clear_ack_matches_pysiaalarm() -> None:
    pysia = pytest.importorskip("pysiaalarm")
    from pysiaalarm.event import SIAEvent

    line = '31520028"SIA-DCS"0042R1L2#5A5A[#5A5A|Nri3/BA012]'
    accounts = {"5A5A": pysia.SIAAccount("5A5A", None)}
    theirs = SIAEvent.from_line(line, accounts).create_response()
    connection = Connection()
    connection.receive_data(_wire(line))
    [message] = connection.next_events(LATER)
    assert isinstance(message, Message)
    assert connection.ack(message, LATER) == theirs
