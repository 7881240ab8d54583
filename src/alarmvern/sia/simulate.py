"""A panel simulator: N panels sending DC-09 frames at a total rate, each awaiting its ACK.

Like real panels, each one sends its next frame only after the ACK for the last
(retransmitting on timeout); the panels run concurrently. A TCP panel whose
connection is lost (the receiver restarted) connects again and sends the same
frame again, as a panel does, so that ACKs can be counted across a restart.

As real panels are configured, a panel may have a backup receiver path besides its primary:
after ``switch_after`` failed attempts in a row on one path (an ACK timed out, the
connection was lost or refused) it sends the same frame on the other, and once it has been
on the backup for ``return_after`` seconds it tries the primary again before its next frame,
staying there if the primary takes the connection.

Keys for real accounts come from a file or the environment (``accounts_from_text``),
never from the command line, where ``ps`` and the shell history would show them.
"""

from __future__ import annotations

import asyncio
import os
import random
import re
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Literal

from .protocol import Frame, FrameReader, build_frame, decrypt_body, parse_key
from .protocol.crypto import KeyForm

Link = Literal["tcp", "udp"]
DEFAULT_MIX: Mapping[str, float] = {
    "null": 0.5,
    "test": 0.15,
    "openclose": 0.25,
    "alarm": 0.05,
    "trouble": 0.05,
}
_REPLY = re.compile(rb'"(\*?)(ACK|NAK|DUH)"(\d{4})')
#: The environment variable that may hold the panel keys, in the form of a keys file.
KEYS_VARIABLE = "ALARMVERN_PANEL_KEYS"


@dataclass
class Switch:
    """A panel moving to another receiver path: when (``time.monotonic()``), to which path
    (0 the primary, 1 the backup), and when the first ACK came on it (None: none yet)."""

    at: float
    account: str
    to: int
    first_ack: float | None = None


@dataclass
class Stats:
    """What the panels saw; ``latencies`` are seconds from a frame's last byte to its ACK;
    ``path_acks`` counts the ACKs on the primary path and on the backup."""

    sent: int = 0
    acked: int = 0
    naks: int = 0
    duhs: int = 0
    timeouts: int = 0
    failed: int = 0
    reconnects: int = 0
    latencies: list[float] = field(default_factory=list)
    acked_frames: list[tuple[str, str]] = field(default_factory=list)  # (account, sequence)
    path_acks: list[int] = field(default_factory=lambda: [0, 0])
    switches: list[Switch] = field(default_factory=list)


def panel_accounts(n: int, seed: int = 0) -> list[tuple[str, str]]:
    """``n`` distinct (account, AES-256 key as 64 hex digits), the same for the same seed."""
    rng = random.Random(seed)
    accounts: dict[str, str] = {}
    while len(accounts) < n:
        account = f"{rng.randrange(0x100000, 0x1000000):06X}"
        accounts.setdefault(account, rng.randbytes(32).hex().upper())
    return list(accounts.items())


def accounts_from_text(text: str) -> list[tuple[str, str]]:
    """(account, key as hex) from lines ``ACCOUNT KEY [hex|text]`` (hex if not said).

    Blank lines and ``#`` comments are skipped; ``;`` also ends an entry, so that one
    environment variable can hold several. Errors name the entry, never the key.
    """
    accounts: list[tuple[str, str]] = []
    entries = [entry.split("#", 1)[0].split() for entry in re.split(r"[\n;]", text)]
    for number, fields in enumerate((fields for fields in entries if fields), start=1):
        if len(fields) not in (2, 3) or (len(fields) == 3 and fields[2] not in ("hex", "text")):
            raise ValueError(
                f"oppføring {number}: skriv KONTO NØKKEL [hex|text] / "
                f"entry {number}: write ACCOUNT KEY [hex|text]"
            )
        form: KeyForm = "text" if len(fields) == 3 and fields[2] == "text" else "hex"
        try:
            key = parse_key(fields[1], form)
        except ValueError as error:
            raise ValueError(f"oppføring {number} / entry {number}: {error}") from None
        accounts.append((fields[0].upper(), key.hex().upper()))
    return accounts


def load_accounts(
    path: Path | None, environ: Mapping[str, str] = os.environ
) -> list[tuple[str, str]] | None:
    """The accounts in the keys file at ``path``, else in ``$ALARMVERN_PANEL_KEYS``, else None."""
    if path is not None:
        return accounts_from_text(path.read_text(encoding="utf-8"))
    text = environ.get(KEYS_VARIABLE)
    return accounts_from_text(text) if text else None


def panel_event(kind: str, rng: random.Random) -> tuple[str, str]:
    """(id token, data) for one event of ``kind``, in SIA-DCS or Contact ID."""
    contact_id = rng.random() < 0.3
    user, zone, area = rng.randint(1, 30), rng.randint(1, 64), rng.randint(1, 4)
    if kind == "null":
        return "NULL", ""
    if kind == "test":
        return ("ADM-CID", "1602 00 000") if contact_id else ("SIA-DCS", "Nri0/RP0000")
    if kind == "openclose":
        closing = rng.random() < 0.5
        if contact_id:
            return "ADM-CID", f"{3 if closing else 1}401 {area:02d} {user:03d}"
        return "SIA-DCS", f"Nri{area}/{'CL' if closing else 'OP'}{user:03d}"
    if kind == "alarm":
        code, cid = rng.choice([("BA", "130"), ("FA", "110"), ("PA", "120")])
        if contact_id:
            return "ADM-CID", f"1{cid} {area:02d} {zone:03d}"
        return "SIA-DCS", f"Nri{area}/{code}{zone:03d}"
    code, cid = rng.choice([("AT", "301"), ("YT", "302"), ("NT", "350")])
    return ("ADM-CID", f"1{cid} 00 000") if contact_id else ("SIA-DCS", f"Nri0/{code}0000")


class _Replies(asyncio.DatagramProtocol):
    def __init__(self) -> None:
        self.queue: asyncio.Queue[bytes] = asyncio.Queue()

    def datagram_received(self, data: bytes, addr: tuple[str, int]) -> None:
        self.queue.put_nowait(data)


Address = tuple[str, int]  # a receiver path: host and port


class _Panel:
    def __init__(
        self,
        account: str,
        key: bytes | None,
        rng: random.Random,
        paths: Sequence[Address],
        link: Link,
        switch_after: int = 3,
        return_after: float = 60.0,
    ) -> None:
        self.account, self.key, self.rng = account, key, rng
        self.paths, self.link = list(paths), link
        self.switch_after, self.return_after = switch_after, return_after
        self.path = 0  # the index in ``paths`` of the one in use
        self.failures = 0  # failed attempts in a row on it
        self.switched_at = 0.0  # when the panel last moved (the loop's clock)
        self.switch: Switch | None = None  # the last move, until its first ACK
        self.sequence = 0
        self.frames = FrameReader()
        self.writer: asyncio.StreamWriter | None = None
        self.reader: asyncio.StreamReader | None = None
        self.udp: asyncio.DatagramTransport | None = None
        self.replies: _Replies | None = None

    @property
    def connected(self) -> bool:
        return self.writer is not None or self.udp is not None

    async def connect(self) -> None:
        """Open the current path (TCP: connect; UDP: a socket aimed at it)."""
        host, port = self.paths[self.path]
        self.frames = FrameReader()
        if self.link == "tcp":
            self.reader, self.writer = await asyncio.open_connection(host, port)
            return
        loop = asyncio.get_running_loop()
        self.udp, self.replies = await loop.create_datagram_endpoint(
            _Replies, remote_addr=(host, port)
        )

    async def reconnect(self, give_up_after: float, stats: Stats) -> None:
        """Connect again, retrying with back-off, and moving to the other path after
        ``switch_after`` refusals in a row where there is one; ConnectionError when no path
        took the connection for ``give_up_after`` seconds."""
        self.close()
        loop = asyncio.get_running_loop()
        give_up, pause = loop.time() + give_up_after, 0.1
        while True:
            try:
                await self.connect()
                return
            except OSError as error:
                if loop.time() + pause > give_up:
                    raise ConnectionError("the receiver did not come back") from error
                self.failed(stats)
            await asyncio.sleep(pause)
            pause = min(pause * 2, 2.0)

    def failed(self, stats: Stats) -> bool:
        """One failed attempt on the current path; after ``switch_after`` in a row, move to
        the next path (its connection still to be opened). Whether the panel moved."""
        self.failures += 1
        if len(self.paths) < 2 or self.failures < self.switch_after:
            return False
        self.move((self.path + 1) % len(self.paths), stats)
        return True

    def move(self, to: int, stats: Stats) -> None:
        self.close()
        self.path, self.failures = to, 0
        self.switched_at = asyncio.get_running_loop().time()
        self.switch = Switch(time.monotonic(), self.account, to)
        stats.switches.append(self.switch)

    async def back_to_primary(self, stats: Stats) -> None:
        """On the backup for ``return_after`` s: move to the primary if it takes a connection
        (over UDP, where nothing tells, simply move), else stay and try again as long later."""
        loop = asyncio.get_running_loop()
        if self.path == 0 or loop.time() - self.switched_at < self.return_after:
            return
        self.switched_at = loop.time()
        if self.link == "udp":
            self.move(0, stats)  # the socket is opened before the next frame
            return
        try:
            reader, writer = await asyncio.open_connection(*self.paths[0])
        except OSError:
            return
        self.move(0, stats)
        self.reader, self.writer, self.frames = reader, writer, FrameReader()

    def acked(self, stats: Stats, sequence: str) -> None:
        self.failures = 0
        stats.acked += 1
        stats.acked_frames.append((self.account, sequence))
        stats.path_acks[self.path] += 1
        if self.switch is not None:
            self.switch.first_ack, self.switch = time.monotonic(), None

    def close(self) -> None:
        if self.writer is not None:
            self.writer.close()
        if self.udp is not None:
            self.udp.close()
        self.writer = self.reader = self.udp = self.replies = None

    def next_frame(self, mix: Mapping[str, float]) -> tuple[bytes, str]:
        self.sequence = self.sequence % 9999 + 1
        kind = self.rng.choices(list(mix), weights=list(mix.values()))[0]
        token, data = panel_event(kind, self.rng)
        sequence = f"{self.sequence:04d}"
        frame = build_frame(
            token, sequence, "0", account=self.account, data=data,
            timestamp=datetime.now(UTC), key=self.key,
        )  # fmt: skip
        return frame, sequence

    async def send(self, frame: bytes) -> None:
        if self.writer is not None:
            self.writer.write(frame)
            await self.writer.drain()
        elif self.udp is not None:
            self.frames = FrameReader()
            self.udp.sendto(frame)

    async def reply(self) -> Frame:
        while True:
            for item in self.frames.frames():
                if isinstance(item, Frame):
                    return item
            if self.reader is not None:
                data = await self.reader.read(4096)
                if not data:
                    raise ConnectionError("receiver closed the connection")
            else:
                assert self.replies is not None
                data = await self.replies.queue.get()
            self.frames.feed(data)

    def verdict(self, reply: Frame, sequence: str) -> str:
        match = _REPLY.match(reply.payload)
        if match is None:
            return "garbled"
        star, answer, echoed = (part.decode() for part in match.groups())
        if answer == "NAK":
            return answer
        if echoed != sequence:
            return "garbled"
        if star and self.key is not None:
            hex_text = reply.payload.split(b"[", 1)[1].decode("latin-1")
            if decrypt_body(hex_text, self.key) is None:
                return "garbled"
        return answer


async def _exchange(panel: _Panel, mix: Mapping[str, float], stats: Stats, timeout: float,
                    retries: int, reconnect_for: float) -> None:  # fmt: skip
    await panel.back_to_primary(stats)
    frame, sequence = panel.next_frame(mix)
    stats.sent += 1
    attempt = 0
    while attempt <= retries:
        started = time.perf_counter()
        try:
            if not panel.connected:  # it moved to another path: open that one
                await panel.connect()
            await panel.send(frame)
            reply = await asyncio.wait_for(panel.reply(), timeout)
        except TimeoutError:  # before OSError, of which it is a kind
            stats.timeouts += 1
            attempt += 1
            panel.failed(stats)
            continue
        except OSError:  # ConnectionError too: the receiver went away; the same frame again
            panel.failed(stats)
            await panel.reconnect(reconnect_for, stats)
            stats.reconnects += 1
            continue
        verdict = panel.verdict(reply, sequence)
        if verdict == "ACK":
            panel.acked(stats, sequence)
            stats.latencies.append(time.perf_counter() - started)
            return
        if verdict == "DUH":
            stats.duhs += 1
            return
        if verdict == "NAK":
            stats.naks += 1
            frame, sequence = panel.next_frame(mix)
    stats.failed += 1


async def _run_panel(panel: _Panel, rate: float, deadline: float, mix: Mapping[str, float],
                     stats: Stats, timeout: float, retries: int,
                     reconnect_for: float) -> None:  # fmt: skip
    loop = asyncio.get_running_loop()
    next_send = loop.time() + panel.rng.expovariate(rate)
    while next_send < deadline:
        await asyncio.sleep(max(0.0, next_send - loop.time()))
        try:
            await _exchange(panel, mix, stats, timeout, retries, reconnect_for)
        except ConnectionError:  # the receiver stayed away: this panel gives up
            stats.failed += 1
            return
        next_send = max(next_send + panel.rng.expovariate(rate), loop.time())


async def simulate(
    host: str,
    port: int,
    *,
    panels: int = 10,
    rate: float = 10.0,
    duration: float = 5.0,
    encrypted: bool = True,
    protocol: Link = "tcp",
    mix: Mapping[str, float] | None = None,
    seed: int = 0,
    ack_timeout: float = 2.0,
    retries: int = 2,
    accounts: Sequence[tuple[str, str]] | None = None,
    reconnect_for: float = 30.0,
    stats: Stats | None = None,
    backup: Address | None = None,
    switch_after: int = 3,
    return_after: float = 60.0,
) -> Stats:
    """Run ``panels`` panels for ``duration`` seconds at ``rate`` events/s in total.

    Accounts and keys (64 hex digits) are ``accounts``, or else ``panel_accounts(panels,
    seed)``; give the receiver the same. Each panel holds one connection (TCP) or socket (UDP);
    a TCP panel that loses it tries to connect again for ``reconnect_for`` seconds. With a
    ``backup`` (host, port), each panel moves there after ``switch_after`` failed attempts in
    a row on the primary (and back the same way, or after ``return_after`` seconds if the
    primary takes a connection again). Pass ``stats`` to read them while the panels run (or
    after cancelling the run).
    """
    if switch_after < 1:
        raise ValueError("switch_after må være minst 1 / switch_after must be at least 1")
    stats = stats if stats is not None else Stats()
    accounts = list(accounts or panel_accounts(panels, seed))[:panels]
    paths = [(host, port)] + ([backup] if backup is not None else [])
    fleet = [
        _Panel(
            account, parse_key(key, "hex") if encrypted else None, random.Random(f"{seed}:{i}"),
            paths, protocol, switch_after, return_after,
        )
        for i, (account, key) in enumerate(accounts)
    ]  # fmt: skip
    if backup is None:  # as before: a primary that is not there is the caller's error
        await asyncio.gather(*(panel.connect() for panel in fleet))
    else:  # a panel whose primary is down starts on its backup
        await asyncio.gather(*(panel.reconnect(reconnect_for, stats) for panel in fleet))
    deadline = asyncio.get_running_loop().time() + duration
    try:
        await asyncio.gather(*(
            _run_panel(panel, rate / panels, deadline, mix or DEFAULT_MIX, stats, ack_timeout,
                       retries, reconnect_for)
            for panel in fleet
        ))  # fmt: skip
    finally:
        for panel in fleet:
            panel.close()
    return stats
