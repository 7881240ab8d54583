"""Message content, encryption, timestamps and the answers they call for."""

from __future__ import annotations

import random
import string
from datetime import UTC, datetime, timedelta

import pytest

from alarmvern.sia.protocol import (
    Answer,
    Connection,
    EventClass,
    ExtendedBlock,
    Message,
    Policy,
    ProtocolError,
    build_frame,
    cid_meaning,
    decrypt_body,
    encode_frame,
    parse_key,
    sia_meaning,
)

NOW = datetime(2024, 5, 1, 12, 0, 0, tzinfo=UTC)
KEY_FORMS = [
    ("0123456789abcdef", "text", 16),
    ("0123456789abcdefghijklmn", "text", 24),
    ("0123456789abcdefghijklmnopqrstuv", "text", 32),
    ("00112233445566778899AABBCCDDEEFF", "hex", 16),
    ("00112233445566778899AABBCCDDEEFF0011223344556677", "hex", 24),
    ("00112233445566778899AABBCCDDEEFF00112233445566778899AABBCCDDEEFF", "hex", 32),
]


def _one(frame: bytes, keys: dict[str, bytes] | None = None, **policy: object) -> object:
    connection = Connection(keys, policy=Policy(**policy))  # type: ignore[arg-type]
    connection.receive_data(frame)
    [event] = connection.next_events(NOW)
    return event


def _encrypted(
    key: bytes, timestamp: datetime | None = NOW, data: str = "#1234|Nri1/CL501"
) -> bytes:
    return build_frame("SIA-DCS", "0007", "3", account="1234", receiver="5", data=data,
                       timestamp=timestamp, key=key)  # fmt: skip


@pytest.mark.parametrize(("value", "form", "size"), KEY_FORMS)
def test_encryption_round_trip_and_encrypted_ack(value: str, form: str, size: int) -> None:
    key = parse_key(value, form)  # type: ignore[arg-type]
    assert len(key) == size
    connection = Connection({"1234": key})
    connection.receive_data(_encrypted(key))
    [message] = connection.next_events(NOW)
    assert isinstance(message, Message)
    assert (message.encrypted, message.account, message.timestamp) == (True, "1234", NOW)
    assert [(e.code, e.parameter, e.area) for e in message.sia_events] == [("CL", "501", "1")]
    ack = connection.ack(message, NOW)
    head, cipher = ack[9:-1].split(b"[")
    assert head == b'"*ACK"0007R5L3#1234'
    assert decrypt_body(cipher.decode(), key) == "]_12:00:00,05-01-2024"


def test_key_forms() -> None:
    assert parse_key("AAAAAAAAAAAAAAAA") == b"A" * 16
    assert parse_key("AB" * 24) == bytes([0xAB]) * 24
    with pytest.raises(ValueError, match="ambiguous"):
        parse_key("AB" * 16)
    with pytest.raises(ValueError):
        parse_key("too short")
    with pytest.raises(ValueError):
        parse_key("XY" * 16, "hex")


def test_wrong_key_draws_duh_echoing_the_header() -> None:
    frame = _encrypted(parse_key("0123456789abcdef"))
    connection = Connection({"1234": parse_key("fedcba9876543210")})
    connection.receive_data(frame)
    [error] = connection.next_events(NOW)
    assert isinstance(error, ProtocolError)
    assert error.answer is Answer.DUH
    assert error.reason.startswith("cannot decrypt")
    reply = connection.reply(error, NOW)
    assert reply is not None and reply[9:-1] == b'"DUH"0007R5L3#1234[]'


def test_unknown_account_draws_duh() -> None:
    error = _one(_encrypted(parse_key("0123456789abcdef")), {"9999": b"x" * 16})
    assert isinstance(error, ProtocolError)
    assert (error.reason, error.answer) == ("no key for account", Answer.DUH)


@pytest.mark.parametrize(
    ("offset", "accepted"),
    [(-40, True), (-41, False), (20, True), (21, False)],
)
def test_encrypted_timestamp_window(offset: int, accepted: bool) -> None:
    key = parse_key("0123456789abcdef")
    event = _one(_encrypted(key, NOW + timedelta(seconds=offset)), {"1234": key})
    assert isinstance(event, Message) is accepted
    if not accepted:
        assert isinstance(event, ProtocolError) and event.answer is Answer.NAK
        nak = Connection().reply(event, NOW)
        assert nak is not None and nak[9:-1] == b'"NAK"0000R0L0A0[]_12:00:00,05-01-2024'


def test_encrypted_message_without_timestamp_draws_duh() -> None:
    key = parse_key("0123456789abcdef")
    error = _one(_encrypted(key, timestamp=None), {"1234": key})
    assert isinstance(error, ProtocolError)
    assert error.answer is Answer.DUH
    assert error.reason == "cannot decrypt (wrong key, bad cipher text, or no timestamp inside)"


def test_clear_message_out_of_window_is_accepted_unless_policy_says_otherwise() -> None:
    stale = NOW - timedelta(hours=1)
    frame = build_frame("SIA-DCS", "0001", "0", account="1234", data="Nri1/BA1", timestamp=stale)
    message = _one(frame)
    assert isinstance(message, Message)
    assert message.clock_skew == timedelta(hours=-1)
    error = _one(frame, check_clear_timestamps=True)
    assert isinstance(error, ProtocolError) and error.answer is Answer.NAK


def test_contact_id_content() -> None:
    frame = build_frame("ADM-CID", "0002", "0", account="1234", data="#1234|1401 01 001")
    message = _one(frame)
    assert isinstance(message, Message) and message.contact_id is not None
    cid = message.contact_id
    assert (cid.qualifier, cid.code, cid.group, cid.zone, cid.known) == (
        "1",
        "401",
        "01",
        "001",
        True,
    )


@pytest.mark.parametrize(
    ("protocol", "data"),
    [("SIA-DCS", "Nri1/ZX12"), ("ADM-CID", "1999 01 001"), ("ADM-CID", "5401 01 001")],
)
def test_unknown_codes_are_messages_not_errors(protocol: str, data: str) -> None:
    message = _one(build_frame(protocol, "0003", "0", account="1234", data=data))
    assert isinstance(message, Message)
    known = [e.known for e in message.sia_events] or [
        message.contact_id and message.contact_id.known
    ]
    assert known == [False]


def test_malformed_content_draws_duh_without_content_in_the_reason() -> None:
    error = _one(build_frame("ADM-CID", "0004", "0", account="1234", data="secret zone 7"))
    assert isinstance(error, ProtocolError)
    assert error.answer is Answer.DUH
    assert "secret" not in error.reason and "secret" not in repr(error)


def test_extended_blocks_known_and_unknown_are_kept() -> None:
    blocks = [ExtendedBlock(tag, value) for tag, value in [
        ("X", "E10.7522"), ("Y", "N59.9139"), ("H", "11:59:58,05-01-2024"),
        ("V", "http://cam/1"), ("I", "Front door"), ("P", "raw"), ("Q", "unknown"),
    ]]  # fmt: skip
    frame = build_frame("SIA-DCS", "0005", "0", account="1234", data="Nri1/BA1", extended=blocks)
    message = _one(frame)
    assert isinstance(message, Message)
    assert message.extended == tuple(blocks)
    assert message.extended_value("X") == "E10.7522"
    assert message.extended_value("Z") is None


def test_ack_echoes_only_present_fields() -> None:
    connection = Connection()
    connection.receive_data(build_frame("NULL", "0009", "A1", account="ABC"))
    [message] = connection.next_events(NOW)
    assert isinstance(message, Message)
    assert connection.ack(message, NOW)[9:-1] == b'"ACK"0009LA1#ABC[]'


def test_retransmission_has_the_same_identity() -> None:
    frame = build_frame("SIA-DCS", "0010", "0", account="1234", data="Nri1/FA2", timestamp=NOW)
    first, second = _one(frame), _one(frame)
    other = _one(
        build_frame("SIA-DCS", "0011", "0", account="1234", data="Nri1/FA2", timestamp=NOW)
    )
    assert isinstance(first, Message) and isinstance(second, Message) and isinstance(other, Message)
    assert first.identity == second.identity != other.identity


def test_repr_of_a_message_hides_its_content() -> None:
    message = _one(build_frame("SIA-DCS", "0012", "0", account="1234", data="Nri1/BA1^Bedroom^"))
    assert "Bedroom" not in repr(message)


@pytest.mark.parametrize(
    ("meaning", "event_class", "kind"),
    [
        (sia_meaning("BA"), EventClass.ALARM, "burglary"),
        (sia_meaning("CL"), EventClass.ARM, None),
        (sia_meaning("YT"), EventClass.TROUBLE, "battery"),
        (sia_meaning("RP"), EventClass.TEST, None),
        (cid_meaning("1", "401"), EventClass.DISARM, None),
        (cid_meaning("3", "401"), EventClass.ARM, None),
        (cid_meaning("1", "110"), EventClass.ALARM, "fire"),
        (cid_meaning("3", "110"), EventClass.RESTORE, "fire"),
        (cid_meaning("1", "602"), EventClass.TEST, None),
    ],
)
def test_meanings(meaning: object, event_class: EventClass, kind: str | None) -> None:
    assert (meaning.event_class, meaning.kind) == (event_class, kind)  # type: ignore[attr-defined]


def test_unknown_meaning() -> None:
    assert not sia_meaning("ZX").known
    assert not cid_meaning("1", "999").known


def test_a_wrong_key_is_named_whatever_the_pad() -> None:
    """Garbage under a wrong key sometimes passes the pad check; it must still read as such."""
    sender, receiver = parse_key("0123456789abcdef"), parse_key("fedcba9876543210")
    alphabet = string.ascii_letters + string.digits
    reasons = set()
    for seed in range(5000):
        chooser = random.Random(seed)

        def pad(length: int, chooser: random.Random = chooser) -> str:
            return "".join(chooser.choices(alphabet, k=length))

        frame = build_frame(
            "SIA-DCS", "0007", "3", account="1234", receiver="5", data="#1234|Nri1/CL501",
            timestamp=NOW, key=sender, pad=pad,
        )  # fmt: skip
        connection = Connection({"1234": receiver})
        connection.receive_data(frame)
        [error] = connection.next_events(NOW)
        assert isinstance(error, ProtocolError)
        reasons.add(error.reason)
    assert reasons == {"cannot decrypt (wrong key, bad cipher text, or no timestamp inside)"}


@pytest.mark.parametrize(
    ("data", "fields"),
    [
        ("Nri01^TOTAL^/BA001", ("BA", "001", "01", "TOTAL", None)),  # Jablotron: area text
        ("Nri1CL0^VX FRONTE ^", ("CL", "0", "1", None, "VX FRONTE ")),
        ("Nri2^Garage^/BA5^Port/dør|inn^", ("BA", "5", "2", "Garage", "Port/dør|inn")),
        ("N^Hall^ri3/FA7", ("FA", "7", "3", None, "Hall")),
    ],
)
def test_text_blocks_are_read_wherever_dc03_allows_them(
    data: str, fields: tuple[str, str, str, str | None, str | None]
) -> None:
    message = _one(build_frame("SIA-DCS", "0013", "0", account="1234", data=data))
    assert isinstance(message, Message), message
    [event] = message.sia_events
    assert (event.code, event.parameter, event.area, event.area_text, event.text) == fields


def test_user_text_after_the_id_modifier() -> None:
    message = _one(build_frame("SIA-DCS", "0014", "0", account="1234", data="Nid12^Kari^/OP12"))
    assert isinstance(message, Message)
    assert [(e.user, e.user_text) for e in message.sia_events] == [("12", "Kari")]


def test_an_empty_line_prefix_is_line_zero() -> None:
    frame = encode_frame(b'"SIA-DCS"0001L#1234[|Nri1/BA001]')
    connection = Connection()
    connection.receive_data(frame)
    [message] = connection.next_events(NOW)
    assert isinstance(message, Message)
    assert (message.line, message.account) == ("0", "1234")
    assert connection.ack(message, NOW) == encode_frame(b'"ACK"0001L0#1234[]')


@pytest.mark.parametrize(
    ("payload", "duh"),
    [
        (b'"SIA-DCS"0001L0#1[|Nri1/BA001]', b'"DUH"0001L0#1[]'),  # one-digit account
        (b'"SIA-DCS"017L0#1234[|Nri1/BA001]', b'"DUH"017L0#1234[]'),  # three-digit sequence
        (b'"SIA-DCS"0001R2#1234[|Nri1/BA001]', b'"DUH"0001R2L0#1234[]'),  # no L at all
        (b'"SIA-DCS"0001L0#12G4[]', b'"DUH"0001L0[]'),  # an account that is not hex
        (b"\x00\xff binary", b'"DUH"0000L0[]'),
    ],
)
def test_a_header_dc09_does_not_allow_gets_a_duh_echoing_what_was_read(
    payload: bytes, duh: bytes
) -> None:
    connection = Connection()
    connection.receive_data(encode_frame(payload))
    [error] = connection.next_events(NOW)
    assert isinstance(error, ProtocolError)
    assert (error.reason, error.answer) == ("header not readable", Answer.DUH)
    assert connection.reply(error, NOW) == encode_frame(duh)
