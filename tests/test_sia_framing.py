"""Framing: CRC, splitting across reads, garbage, overflow, CRC and length faults."""

from __future__ import annotations

import random
from datetime import UTC, datetime

import pytest

from alarmvern.sia.protocol import (
    Answer,
    Connection,
    Message,
    ProtocolError,
    build_frame,
    crc16_arc,
    encode_frame,
)

NOW = datetime(2024, 5, 1, 12, 0, 0, tzinfo=UTC)


def _frames(count: int) -> list[bytes]:
    return [
        build_frame("SIA-DCS", f"{n:04d}", "0", account="1234", data=f"Nri1/BA{n:03d}")
        for n in range(1, count + 1)
    ]


def _sequences(events: list[Message | ProtocolError]) -> list[str]:
    return [event.sequence for event in events if isinstance(event, Message)]


@pytest.mark.parametrize(
    ("data", "crc"),
    [(b"123456789", 0xBB3D), (b"", 0x0000), (b"A", 0x30C0)],
)
def test_crc16_arc_known_values(data: bytes, crc: int) -> None:
    assert crc16_arc(data) == crc


def _crc_bit_by_bit(data: bytes) -> int:
    crc = 0
    for byte in data:
        crc ^= byte
        for _ in range(8):
            crc = (crc >> 1) ^ 0xA001 if crc & 1 else crc >> 1
    return crc


def test_crc16_arc_two_bytes_a_step_agrees_with_the_definition_at_every_length() -> None:
    rng = random.Random(19)
    for length in range(70):
        for _ in range(20):
            data = bytes(rng.randrange(256) for _ in range(length))
            assert crc16_arc(data) == _crc_bit_by_bit(data), (length, data)


def test_frame_layout_is_lf_crc_zero_lll_payload_cr() -> None:
    payload = b'"NULL"0001L0#1234[]'
    assert encode_frame(payload) == b"\n%04X0%03X%s\r" % (crc16_arc(payload), 19, payload)


def test_several_frames_in_one_read() -> None:
    connection = Connection()
    connection.receive_data(b"".join(_frames(3)))
    assert _sequences(connection.next_events(NOW)) == ["0001", "0002", "0003"]


def test_one_frame_byte_by_byte() -> None:
    connection = Connection()
    events = []
    for byte in _frames(1)[0]:
        connection.receive_data(bytes([byte]))
        events += connection.next_events(NOW)
    assert _sequences(events) == ["0001"]


def test_garbage_before_lf_is_reported_and_skipped() -> None:
    connection = Connection()
    connection.receive_data(b"\x00noise" + _frames(1)[0])
    error, message = connection.next_events(NOW)
    assert isinstance(error, ProtocolError)
    assert error.reason == "skipped 6 bytes before LF"
    assert error.answer is None
    assert isinstance(message, Message)
    assert message.offset == 6


def test_crc_mismatch_draws_a_nak_and_the_next_frame_still_parses() -> None:
    bad = bytearray(_frames(1)[0])
    bad[-3] ^= 0x01  # a bit flipped in the payload
    connection = Connection()
    connection.receive_data(bytes(bad) + _frames(2)[1])
    error, message = connection.next_events(NOW)
    assert isinstance(error, ProtocolError)
    assert (error.reason, error.answer) == ("CRC mismatch", Answer.NAK)
    assert connection.reply(error, NOW) is not None
    assert isinstance(message, Message)


def test_length_mismatch_draws_a_nak_naming_both_lengths() -> None:
    frame = _frames(1)[0]
    short = frame[:5] + b"0001" + frame[9:]
    connection = Connection()
    connection.receive_data(short)
    [error] = connection.next_events(NOW)
    assert isinstance(error, ProtocolError)
    assert error.answer is Answer.NAK
    assert error.reason.startswith("length field says 1 bytes")


def test_frame_cut_short_by_new_lf_resyncs_without_answer() -> None:
    first, second = _frames(2)
    connection = Connection()
    connection.receive_data(first[:20] + second)
    error, message = connection.next_events(NOW)
    assert isinstance(error, ProtocolError)
    assert error.answer is None
    assert _sequences([message]) == ["0002"]


def test_overflow_is_reported_and_the_connection_resyncs() -> None:
    connection = Connection(max_frame=64)
    connection.receive_data(b"\n" + b"9" * 100)
    [overflow] = connection.next_events(NOW)
    assert isinstance(overflow, ProtocolError)
    assert overflow.reason == "frame exceeds 64 bytes"
    assert connection.buffered == 0
    connection.receive_data(b"99\r" + _frames(1)[0])
    events = connection.next_events(NOW)
    assert _sequences(events) == ["0001"]


def test_unparseable_frame_with_a_right_crc_gets_a_duh() -> None:
    connection = Connection()
    connection.receive_data(encode_frame(b"hello there"))
    [error] = connection.next_events(NOW)
    assert isinstance(error, ProtocolError)
    assert error.reason == "header not readable"
    assert connection.reply(error, NOW) == encode_frame(b'"DUH"0000L0[]')
