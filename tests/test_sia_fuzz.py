"""Property tests: the parser never raises, reads are split anyhow, built frames check out."""

from __future__ import annotations

from datetime import UTC, datetime

from hypothesis import given, settings
from hypothesis import strategies as st

from alarmvern.sia.protocol import (
    Connection,
    FrameReader,
    Message,
    ProtocolError,
    build_ack,
    build_frame,
    crc16_arc,
    parse_key,
)
from alarmvern.sia.protocol.framing import Frame

NOW = datetime(2024, 5, 1, 12, 0, 0, tzinfo=UTC)
KEY = parse_key("0123456789abcdef")
accounts = st.text("0123456789ABCDEF", min_size=3, max_size=16)
sequences = st.integers(0, 9999).map(lambda n: f"{n:04d}")
sia_data = st.sampled_from(["", "Nri1/CL501", "#1234|Nri2/BA012^Hall^", "NRR|Atext", "Nri1/ZX9"])


@st.composite
def frames(draw: st.DrawFn) -> bytes:
    return build_frame(
        "SIA-DCS",
        draw(sequences),
        draw(st.text("0123456789ABCDEF", min_size=1, max_size=6)),
        account=draw(accounts),
        receiver=draw(st.none() | st.text("0123456789ABCDEF", min_size=1, max_size=6)),
        data=draw(sia_data),
        timestamp=NOW,
        key=KEY if draw(st.booleans()) else None,
    )


def _check(frame: bytes) -> bool:
    payload = frame[9:-1]
    return (
        frame[:1] == b"\n"
        and frame[-1:] == b"\r"
        and int(frame[1:5], 16) == crc16_arc(payload)
        and int(frame[5:9], 16) == len(payload)
    )


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=600), st.booleans())
def test_arbitrary_bytes_never_raise(data: bytes, with_keys: bool) -> None:
    connection = Connection({"1234": KEY} if with_keys else None, max_frame=256)
    connection.receive_data(data)
    events = connection.next_events(NOW)
    assert all(isinstance(event, Message | ProtocolError) for event in events)
    for event in events:
        if isinstance(event, ProtocolError):
            connection.reply(event, NOW)


@settings(max_examples=300, deadline=None)
@given(frames(), st.lists(st.tuples(st.integers(0, 400), st.integers(0, 255)), max_size=4))
def test_mangled_frames_never_raise(frame: bytes, edits: list[tuple[int, int]]) -> None:
    mangled = bytearray(frame)
    for position, value in edits:
        mangled[position % len(mangled)] = value
    connection = Connection(_keys_for([frame]))
    connection.receive_data(bytes(mangled))
    for event in connection.next_events(NOW):
        if isinstance(event, ProtocolError):
            connection.reply(event, NOW)


@settings(max_examples=200, deadline=None)
@given(st.lists(frames(), min_size=1, max_size=4), st.data())
def test_any_split_of_valid_frames_gives_the_same_messages(
    sent: list[bytes], data: st.DataObject
) -> None:
    stream = b"".join(sent)
    cuts = sorted(data.draw(st.lists(st.integers(0, len(stream)), max_size=10)))
    connection = Connection(_keys_for(sent))
    events = []
    for start, end in zip([0, *cuts], [*cuts, len(stream)], strict=True):
        connection.receive_data(stream[start:end])
        events += connection.next_events(NOW)
    whole = Connection(_keys_for(sent))
    whole.receive_data(stream)
    assert events == whole.next_events(NOW)
    assert len(events) == len(sent)
    assert all(isinstance(event, Message) for event in events)


def _keys_for(sent: list[bytes]) -> dict[str, bytes]:
    accounts = (frame.split(b"#", 1)[1].split(b"[", 1)[0].decode() for frame in sent)
    return dict.fromkeys(accounts, KEY)


@settings(max_examples=200, deadline=None)
@given(frames())
def test_built_frames_and_their_acks_check_out(frame: bytes) -> None:
    assert _check(frame)
    reader = FrameReader()
    reader.feed(frame)
    [item] = list(reader.frames())
    assert isinstance(item, Frame)
    connection = Connection(_keys_for([frame]))
    connection.receive_data(frame)
    [message] = connection.next_events(NOW)
    assert isinstance(message, Message)
    assert _check(build_ack(message, NOW, KEY if message.encrypted else None))
