"""Alarm intake: how many DC-09 frames the receiver stores and ACKs, against parse-only baselines.

The receiver is the real one (``alarmvern.intake.receiver.start`` on a fresh store in a temp
folder: 1,000 sites whose panel accounts the panels use, 30 panel users each) in a child
process; the panels are asyncio clients (a protocol per connection, no stream or task each, so the
load generator takes as little of the shared cores as it can) in 1-2 other processes, one
TCP connection each,
every panel sending its next frame only once the last one was ACKed (as real panels do).
Frames are the simulator's (``alarmvern.sia.simulate.panel_event``).

Phases, on each database:

- top: every panel sends as fast as its ACKs come back (the realistic mix: 65 % heartbeats
  and periodic tests, 25 % arm/disarm, 5 % alarms, 5 % troubles): the rate the receiver
  sustains, with every business event committed before its ACK;
- half: the same mix offered at half that rate (Poisson arrivals per panel), for p50/p99;
- business only, heartbeats only: each class alone, at the top rate.

Latency is from the moment a frame's last byte was handed to the socket to the moment its
ACK was read. Baselines in the same run: pysiaalarm's ``parse_and_check_event`` (the parsing
its server does for each read) and our pure core (``Connection.receive_data`` +
``next_events``) on the same frames, nothing stored; frames/s and the ratio. At the end, every
business frame ACKed in the run is looked for in ``alarm_events``: "lost" must be 0.

Goals on the 2-core machine with SQLite: >= 10,000 business events/s stored before ACK;
>= 30,000 heartbeats/s; p99 ACK < 100 ms at half load; >= 2x pysiaalarm parse-only.

    .venv/bin/python bench/ingest.py [--db sqlite|postgresql|both] [--panels 1000]
        [--clients 2] [--seconds 10] [--encrypted] [--burst 120] [--pg URL] [--profile DIR]
        [--receivers N]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import multiprocessing
import os
import random
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, cast

from sqlalchemy import select

from alarmvern import aio
from alarmvern.initialise import initialise
from alarmvern.intake import keys as panel_keys
from alarmvern.intake import receiver
from alarmvern.settings import Settings
from alarmvern.sia.protocol import Connection, build_frame, format_timestamp, parse_key
from alarmvern.sia.simulate import DEFAULT_MIX, panel_accounts, panel_event
from alarmvern.store import tables as t
from alarmvern.store.engine import create_store_engine
from alarmvern.store.tables.columns import as_utc
from alarmvern.store.writes import insert_many
from alarmvern.system import open_system
from cpu import of_process
from scratch import scratch_databases

HOST = "127.0.0.1"
SEED = 6
USERS_PER_SITE = 30
HEALTH = frozenset({"null", "test"})
MIXES: dict[str, Mapping[str, float]] = {
    "mix": DEFAULT_MIX,
    "business": {"openclose": 0.7, "alarm": 0.15, "trouble": 0.15},
    "heartbeats": {"null": 0.77, "test": 0.23},
}
ACK_TIMEOUT = 2.0
WARMUP = 3.0
BASELINE_FRAMES = 20_000

Identity = tuple[str, str, str]  # (panel account, sequence, DC-09 timestamp)


# The panels (client processes)


@dataclass
class Plan:
    """One phase for one client process."""

    host: str
    port: int
    accounts: list[tuple[str, str]]
    encrypted: bool
    mix: dict[str, float]
    rate: float | None  # frames/s for these panels together; None: as fast as ACKs come
    start: float  # time.time() at which the warm-up ends and measuring begins
    seconds: float
    seed: str


@dataclass
class Result:
    business: int = 0
    heartbeats: int = 0
    timeouts: int = 0
    errors: int = 0
    cpu: float = 0.0  # seconds of this client's CPU while measuring
    latencies: list[float] = field(default_factory=list)
    acked: list[Identity] = field(default_factory=list)  # business frames, whole phase


class _Panel:
    def __init__(self, account: str, key: bytes | None, rng: random.Random) -> None:
        self.account, self.key, self.rng = account, key, rng
        self.sequence = rng.randrange(1, 10_000)

    def next_frame(self, mix: Mapping[str, float]) -> tuple[bytes, str, Identity | None]:
        self.sequence = self.sequence % 9999 + 1
        kind = self.rng.choices(list(mix), weights=list(mix.values()))[0]
        token, data = panel_event(kind, self.rng)
        now = datetime.now(UTC)
        sequence = f"{self.sequence:04d}"
        frame = build_frame(
            token, sequence, "0", account=self.account, data=data, timestamp=now, key=self.key
        )
        identity = None if kind in HEALTH else (self.account, sequence, format_timestamp(now))
        return frame, sequence, identity


class _Link(asyncio.Protocol):
    """One panel's connection: the next frame goes out once the last one's ACK is in.

    A protocol rather than a stream and a task per panel: the load generator shares the
    machine's cores with the receiver, and what it spends is taken from the receiver."""

    def __init__(self, panel: _Panel, plan: Plan, result: Result, ended: asyncio.Future[None]):
        self.panel, self.plan, self.result, self.ended = panel, plan, result, ended
        self.loop = asyncio.get_running_loop()
        self.period = len(plan.accounts) / plan.rate if plan.rate else 0.0
        self.answer = b'"*ACK"' if plan.encrypted else b'"ACK"'
        self.next_send = time.time() + (panel.rng.uniform(0, self.period) if self.period else 0.0)
        self.transport: asyncio.Transport | None = None
        self.buffer = b""
        self.expected = b""
        self.identity: Identity | None = None
        self.sent = 0.0

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = cast(asyncio.Transport, transport)
        self._next()

    def _next(self) -> None:
        if not self.period:
            self._send()
            return
        self.loop.call_later(max(0.0, self.next_send - time.time()), self._send)
        self.next_send += self.panel.rng.expovariate(1 / self.period)

    def _send(self) -> None:
        if self.period:
            self.next_send = max(self.next_send, time.time())
        if time.time() >= self.plan.start + self.plan.seconds or self.transport is None:
            self._end()
            return
        frame, sequence, self.identity = self.panel.next_frame(self.plan.mix)
        self.expected = self.answer + sequence.encode()
        self.transport.write(frame)
        self.sent = time.perf_counter()

    def data_received(self, data: bytes) -> None:
        self.buffer += data
        if b"\r" not in self.buffer:
            return
        reply, _, self.buffer = self.buffer.partition(b"\r")
        # No timer per frame (it costs the client more than the rest of its work): an ACK
        # slower than ACK_TIMEOUT is counted as a timeout, and the phase has a deadline.
        took = time.perf_counter() - self.sent
        result = self.result
        if self.expected not in reply:
            result.errors += 1
            self._end()
            return
        if self.identity is not None:
            result.acked.append(self.identity)
        if time.time() >= self.plan.start:
            result.timeouts += took > ACK_TIMEOUT
            result.latencies.append(took)
            if self.identity is None:
                result.heartbeats += 1
            else:
                result.business += 1
        self._next()

    def connection_lost(self, exc: Exception | None) -> None:
        if not self.ended.done():
            self.result.errors += 1
        self.transport = None
        self._end()

    def _end(self) -> None:
        if not self.ended.done():
            self.ended.set_result(None)
        if self.transport is not None:
            self.transport.close()


async def _run_panel(panel: _Panel, plan: Plan, result: Result) -> None:
    loop = asyncio.get_running_loop()
    ended: asyncio.Future[None] = loop.create_future()
    try:
        await loop.create_connection(
            lambda: _Link(panel, plan, result, ended), plan.host, plan.port
        )
    except ConnectionError:
        result.errors += 1
        return
    await ended


async def _client(plan: Plan) -> Result:
    result = Result()
    panels = [
        _Panel(
            account,
            parse_key(key, "hex") if plan.encrypted else None,
            random.Random(f"{plan.seed}:{account}"),
        )
        for account, key in plan.accounts
    ]

    async def measure_cpu() -> None:
        await asyncio.sleep(max(0.0, plan.start - time.time()))
        began = time.process_time()
        await asyncio.sleep(max(0.0, plan.start + plan.seconds - time.time()))
        result.cpu = time.process_time() - began

    runs = asyncio.gather(measure_cpu(), *(_run_panel(panel, plan, result) for panel in panels))
    try:
        await asyncio.wait_for(runs, plan.start + plan.seconds - time.time() + 60)
    except TimeoutError:
        result.errors += 1  # the receiver stalled: say so rather than hang
    return result


def client_process(plan: Plan, results: Any) -> None:
    results.put(aio.run(_client(plan)))


# The receiver (child process)


def serve(data_dir: str, url: str, port: int = 0, reuse_port: bool = False) -> None:
    """Run the real receiver; print its port, and its totals and CPU time on SIGUSR1."""
    settings = Settings(data_dir=Path(data_dir), database_url=url or None)
    system = open_system(settings)

    async def run() -> None:
        intake = await receiver.start(system, HOST, port, reuse_port=reuse_port)
        busy = [0.0]
        store = intake.sink._store

        def timed_store(*batch: Any) -> None:  # how long the writer is busy
            began = time.perf_counter()
            try:
                store(*batch)
            finally:
                busy[0] += time.perf_counter() - began

        intake.sink._store = timed_store  # type: ignore[method-assign]
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()

        def report() -> None:
            times = os.times()
            totals = intake.sink.totals
            print(
                json.dumps(
                    {
                        "port": intake.receiver.tcp_port,
                        "messages": totals.messages,
                        "events": totals.events,
                        "duplicates": totals.duplicates,
                        "transactions": totals.transactions,
                        "cpu": times.user + times.system,
                        "writer": busy[0],
                        "wall": time.perf_counter(),
                    }
                ),
                flush=True,
            )

        loop.add_signal_handler(signal.SIGUSR1, report)
        loop.add_signal_handler(signal.SIGTERM, stop.set)
        report()
        await stop.wait()
        await intake.close()

    try:
        aio.run(run())  # the event loop the product runs on (uvloop where installed)
    finally:
        system.close()


class ReceiverProcess:
    """The receiver: one process, or ``count`` on one port (SO_REUSEPORT), summed."""

    def __init__(
        self, data_dir: Path, url: str | None, log: Path, db: str = "", count: int = 1
    ) -> None:
        self.db = db
        self.url = url
        self.log = log.open("w")
        self.processes: list[subprocess.Popen[str]] = []
        self.port = 0
        for _ in range(count):
            shared = ["--reuse-port", str(self.port)] if count > 1 else []
            self.processes.append(
                subprocess.Popen(
                    [sys.executable, __file__, "--serve", str(data_dir), url or "", *shared],
                    stdout=subprocess.PIPE,
                    stderr=self.log,
                    text=True,
                )
            )
            self.port = int(self._read(self.processes[-1])["port"])
        self.process = self.processes[0]

    def _read(self, process: subprocess.Popen[str]) -> dict[str, Any]:
        assert process.stdout is not None
        line = process.stdout.readline()
        if not line:
            raise SystemExit(f"the receiver died; see {self.log.name}")
        return dict(json.loads(line))

    def totals(self) -> dict[str, Any]:
        for process in self.processes:
            process.send_signal(signal.SIGUSR1)
        each = [self._read(process) for process in self.processes]
        summed = {k: sum(t[k] for t in each) for k in each[0] if k not in ("port", "wall")}
        # CPU and writer time are summed over the processes; the wall clock is one.
        return {**summed, "port": self.port, "wall": max(t["wall"] for t in each)}

    def profile(self, folder: str, name: str, seconds: float) -> subprocess.Popen[bytes]:
        """py-spy on the receiver for ``seconds``: collapsed stacks per thread, idle included
        (a thread waiting for the database's answer or its fsync shows as waiting)."""
        path = Path(folder)
        path.mkdir(parents=True, exist_ok=True)
        slug = "".join(c if c.isalnum() else "-" for c in name).strip("-")
        out = path / f"{self.db}-{slug}.txt"
        command = ["py-spy", "record", "--pid", str(self.process.pid), "--duration"]
        command += [str(max(1, int(seconds))), "--rate", "200", "--format", "raw", "--threads"]
        command += ["--idle", "--nonblocking", "--output", str(out)]
        spy = shutil.which("py-spy") or str(Path(sys.executable).parent / "py-spy")
        return subprocess.Popen([spy, *command[1:]], stdout=subprocess.DEVNULL, stderr=self.log)

    def stop(self) -> None:
        for process in self.processes:
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
        for process in self.processes:
            try:
                process.wait(30)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        self.log.close()

    @property
    def returncode(self) -> int | None:
        codes = [p.returncode for p in self.processes if p.returncode not in (0, None)]
        return codes[0] if codes else self.process.returncode


# The store


def build_store(data_dir: Path, url: str | None, panels: int, encrypted: bool) -> list[Any]:
    """A fresh store with a site for each panel and its panel users; keys if encrypted."""
    settings = Settings(data_dir=data_dir, database_url=url)
    initialise(settings)
    system = open_system(settings)
    accounts = panel_accounts(panels, SEED)
    began = datetime(2024, 1, 1, tzinfo=UTC)
    try:
        with system.engine.begin() as conn:
            ids = range(1, panels + 1)
            insert_many(
                conn,
                t.persons,
                [{"id": i, "name": f"Kunde {i}", "email": f"k{i}@bench.test"} for i in ids],
            )
            insert_many(
                conn,
                t.customer_accounts,
                [
                    {
                        "id": i,
                        "customer_no": f"K{i}",
                        "kind": "private",
                        "holder_person_id": i,
                        "started_at": began,
                    }
                    for i in ids
                ],
            )
            insert_many(
                conn,
                t.sites,
                [
                    {
                        "id": i,
                        "account_id": i,
                        "street": f"Gate {i}",
                        "postcode": "0150",
                        "panel_account": account,
                        "supervision_seconds": 3600,
                    }
                    for i, (account, _key) in zip(ids, accounts, strict=True)
                ],
            )
            insert_many(
                conn,
                t.panel_users,
                [
                    {"account_id": i, "site_id": i, "person_id": i, "user_no": n}
                    for i in ids
                    for n in range(1, USERS_PER_SITE + 1)
                ],
            )
            if encrypted:
                for account, key in accounts:
                    panel_keys.set_key(conn, system.vault, account, key, "hex")
    finally:
        system.close()
    return accounts


def stored_identities(url: str) -> set[Identity]:
    engine = create_store_engine(url)
    try:
        with engine.connect() as conn:
            rows = conn.execute(
                select(
                    t.alarm_events.c.panel_account,
                    t.alarm_events.c.sequence,
                    t.alarm_events.c.occurred_at,
                )
            )
            return {(r[0], r[1], format_timestamp(as_utc(r[2]))) for r in rows}
    finally:
        engine.dispose()


def server_cpu(url: str | None) -> float:
    """Seconds of CPU the PostgreSQL backends serving ``url``'s database have used so far
    (their /proc entries: the server runs on this machine); 0 for SQLite. A backend that
    ended meanwhile takes its seconds with it, so a phase reads the same backends twice."""
    if url is None:
        return 0.0
    import psycopg

    plain = url.replace("postgresql+psycopg://", "postgresql://")
    with psycopg.connect(plain, autocommit=True) as pg:
        pids = [
            int(pid)
            for (pid,) in pg.execute(
                "SELECT pid FROM pg_stat_activity WHERE datname = current_database() "
                "AND pid <> pg_backend_pid()"
            )
        ]
    return sum(of_process(pid) or 0.0 for pid in pids)  # 0: ended, or not here


# A phase: clients against the running receiver


@dataclass
class Figures:
    name: str
    seconds: float
    business: int
    heartbeats: int
    timeouts: int
    errors: int
    latencies: list[float]
    messages: int
    transactions: int
    cpu: float
    writer: float
    client_cpu: float
    server_cpu: float = 0.0  # PostgreSQL's backends for this database (0 on SQLite)

    @property
    def business_rate(self) -> float:
        return self.business / self.seconds

    @property
    def heartbeat_rate(self) -> float:
        return self.heartbeats / self.seconds

    @property
    def rate(self) -> float:
        return self.business_rate + self.heartbeat_rate

    def percentile(self, q: int) -> float:
        if len(self.latencies) < 2:
            return float("nan")
        return statistics.quantiles(self.latencies, n=100, method="inclusive")[q - 1]


def phase(
    name: str,
    recv: ReceiverProcess,
    accounts: Sequence[tuple[str, str]],
    args: argparse.Namespace,
    mix: Mapping[str, float],
    rate: float | None,
    seconds: float,
    acked: set[Identity],
) -> Figures:
    clients = max(1, args.clients)
    start = time.time() + WARMUP + len(accounts) / 1000
    context = multiprocessing.get_context("fork")
    results = context.Queue()
    processes = [
        context.Process(
            target=client_process,
            args=(
                Plan(
                    HOST,
                    recv.port,
                    list(accounts[n::clients]),
                    args.encrypted,
                    dict(mix),
                    rate / clients if rate else None,
                    start,
                    seconds,
                    seed=f"{name}:{n}",
                ),
                results,
            ),
        )
        for n in range(clients)
    ]
    for process in processes:
        process.start()
    time.sleep(max(0.0, start - time.time()))
    before = recv.totals()
    server_before = server_cpu(recv.url)
    spy = recv.profile(args.profile, name, seconds) if args.profile else None
    time.sleep(max(0.0, start + seconds - time.time()))
    after = recv.totals()
    server_after = server_cpu(recv.url)
    if spy is not None:
        spy.wait()
    gathered: list[Result] = [results.get(timeout=120) for _ in processes]
    for process in processes:
        process.join()
    for result in gathered:
        acked.update(result.acked)
    return Figures(
        name=name,
        seconds=seconds,
        business=sum(r.business for r in gathered),
        heartbeats=sum(r.heartbeats for r in gathered),
        timeouts=sum(r.timeouts for r in gathered),
        errors=sum(r.errors for r in gathered),
        latencies=[x for r in gathered for x in r.latencies],
        messages=after["messages"] - before["messages"],
        transactions=after["transactions"] - before["transactions"],
        cpu=(after["cpu"] - before["cpu"]) / (after["wall"] - before["wall"]),
        writer=(after["writer"] - before["writer"]) / (after["wall"] - before["wall"]),
        client_cpu=sum(r.cpu for r in gathered) / seconds,
        server_cpu=(server_after - server_before) / (after["wall"] - before["wall"]),
    )


def show(db: str, f: Figures) -> None:
    batch = f.messages / f.transactions if f.transactions else 0.0
    print(
        f"{db:<10} {f.name:<16} business {f.business_rate:8,.0f}/s  heartbeats "
        f"{f.heartbeat_rate:8,.0f}/s  total {f.rate:8,.0f}/s | ACK p50 "
        f"{f.percentile(50) * 1000:6.1f} ms  p99 {f.percentile(99) * 1000:6.1f} ms | "
        f"{f.timeouts} timeouts, {f.errors} errors | {batch:5.0f} msgs/commit, writer busy "
        f"{f.writer:4.0%} | CPU "
        f"receiver {f.cpu:4.0%} ({f.cpu / f.rate * 1e6 if f.rate else 0:4.0f} µs/frame), "
        f"clients {f.client_cpu:4.0%}"
        + (
            f", postgres {f.server_cpu:4.0%} ({f.server_cpu / f.rate * 1e6 if f.rate else 0:4.0f}"
            " µs/frame)"
            if f.server_cpu
            else ""
        ),
        flush=True,
    )


def bench_db(db: str, url: str | None, args: argparse.Namespace) -> dict[str, Any]:
    folder = Path(tempfile.mkdtemp(prefix="alarmvern-bench-ingest-"))
    store_url = url or f"sqlite:///{(folder / 'data' / 'alarmvern.db').resolve()}"
    figures: dict[str, Any] = {}
    acked: set[Identity] = set()
    try:
        accounts = build_store(folder / "data", url, args.panels, args.encrypted)
        raw = raw_insert_rate(url, folder)
        print(
            f"{db:<10} raw driver alone: {raw:9,.0f} rows/s in committed batches of "
            f"{RAW_BATCH} (no receiver, no checks)",
            flush=True,
        )
        figures["raw"] = raw
        recv = ReceiverProcess(folder / "data", url, folder / "receiver.log", db, args.receivers)
        try:
            top = phase("top (mix)", recv, accounts, args, MIXES["mix"], None, args.seconds, acked)
            show(db, top)
            half = phase(
                "half (mix)",
                recv,
                accounts,
                args,
                MIXES["mix"],
                top.rate / 2,
                args.seconds,
                acked,
            )
            show(db, half)
            for kind in ("business", "heartbeats"):
                alone = phase(
                    f"top ({kind})", recv, accounts, args, MIXES[kind], None, args.seconds, acked
                )
                show(db, alone)
                figures[kind] = alone
            figures |= {"top": top, "half": half}
            if args.burst:
                burst_acked: set[Identity] = set()
                burst = phase(
                    f"burst {args.burst:.0f} s",
                    recv,
                    accounts,
                    args,
                    MIXES["mix"],
                    None,
                    args.burst,
                    burst_acked,
                )
                show(db, burst)
                acked |= burst_acked
        finally:
            recv.stop()
        if recv.returncode not in (0, None):
            print(f"{db:<10} the receiver exited with {recv.returncode}")
        stored = stored_identities(store_url)
        if args.burst:
            lost_in_burst = len(burst_acked - stored)
            print(
                f"{db:<10} burst: {len(burst_acked):,} business frames ACKed; lost: {lost_in_burst}"
            )
        lost = len(acked - stored)
        print(
            f"{db:<10} whole run: {len(acked):,} business frames ACKed, {len(stored):,} rows "
            f"in alarm_events; lost: {lost} (load average now {os.getloadavg()[0]:.1f})",
            flush=True,
        )
    finally:
        if os.environ.get("KEEP"):
            print(f"kept {folder}")
        else:
            shutil.rmtree(folder, ignore_errors=True)
    return figures


# The raw driver: what the database itself takes, with no receiver in front of it


RAW_BATCH = 200  # rows per commit: a busy group-commit batch
RAW_SECONDS = 2.0


def raw_insert_rate(url: str | None, folder: Path) -> float:
    """Rows/s of alarm-event-shaped rows inserted by the driver alone in durable batches of
    ``RAW_BATCH`` (SQLite: WAL, synchronous=FULL, one prepared INSERT; PostgreSQL: COPY),
    each with a unique frame key, into a table of its own."""
    create = (
        "CREATE TABLE bench_raw (panel_account TEXT, sequence TEXT, code TEXT, zone TEXT, "
        "occurred_at TEXT, raw TEXT, frame_key TEXT UNIQUE)"
    )
    rows = [
        ("5A0F31", f"{i % 9999:04d}", "CL", "007", datetime.now(UTC).isoformat(), "Nri1/CL007")
        for i in range(RAW_BATCH)
    ]
    done = 0
    if url is None:
        import sqlite3

        db = sqlite3.connect(folder / "raw.db", isolation_level=None)
        db.execute("PRAGMA journal_mode=WAL")
        db.execute("PRAGMA synchronous=FULL")
        db.execute(create)
        began = time.perf_counter()
        while time.perf_counter() - began < RAW_SECONDS:
            db.execute("BEGIN IMMEDIATE")
            batch = [(*r, f"{done + i:032x}") for i, r in enumerate(rows)]
            db.executemany("INSERT INTO bench_raw VALUES (?, ?, ?, ?, ?, ?, ?)", batch)
            db.execute("COMMIT")
            done += len(batch)
        took = time.perf_counter() - began
        db.close()
        return done / took
    import psycopg

    with psycopg.connect(url.replace("postgresql+psycopg://", "postgresql://")) as pg:
        pg.execute(create)
        pg.commit()
        began = time.perf_counter()
        while time.perf_counter() - began < RAW_SECONDS:
            with pg.cursor() as cursor, cursor.copy("COPY bench_raw FROM STDIN") as copy:
                for i, r in enumerate(rows):
                    copy.write_row((*r, f"{done + i:032x}"))
            pg.commit()
            done += len(rows)
        took = time.perf_counter() - began
        pg.execute("DROP TABLE bench_raw")
        pg.commit()
    return done / took


@contextmanager
def postgres_database(admin: str) -> Iterator[str]:
    with scratch_databases(admin, "ingest") as databases:
        yield databases.create()


# Parse-only baselines


# pysiaalarm checks each frame's timestamp against the wall clock (40 s behind, 20 s ahead by
# default). Built once and parsed six times, the frames would age out of that window on a loaded
# machine and the baseline would fail; its accounts get this band instead (the check still runs
# on every frame, so it costs what it always costs). Our core is given the frames' own time as
# its clock, so it checks its window against a time that does not move.
PYSIAALARM_TIMEBAND = (24 * 3600, 24 * 3600)


def baseline_frames(n: int, encrypted: bool) -> tuple[list[bytes], dict[str, str], datetime]:
    """``n`` frames of the realistic mix from 1,000 panels, keys as text (pysiaalarm's form),
    and the time the frames carry."""
    rng = random.Random(SEED)
    accounts = [account for account, _ in panel_accounts(1000, SEED)]
    keys = {a: "".join(rng.choices("0123456789ABCDEF", k=32)) for a in accounts}
    now = datetime.now(UTC)
    frames = []
    for i in range(n):
        kind = rng.choices(list(DEFAULT_MIX), weights=list(DEFAULT_MIX.values()))[0]
        token, data = panel_event(kind, rng)
        account = accounts[i % len(accounts)]
        key = parse_key(keys[account], "text") if encrypted else None
        frames.append(
            build_frame(
                token,
                f"{i % 9999 + 1:04d}",
                "0",
                account=account,
                data=data,
                timestamp=now,
                key=key,
            )
        )
    return frames, keys, now


def parse_ours(frames: list[bytes], keys: dict[str, str], encrypted: bool, now: datetime) -> float:
    lookup = {a: parse_key(k, "text") for a, k in keys.items()} if encrypted else None
    connection = Connection(lookup)
    began = time.perf_counter()
    parsed = 0
    for frame in frames:
        connection.receive_data(frame)
        parsed += len(connection.next_events(now))
    took = time.perf_counter() - began
    assert parsed == len(frames)
    return len(frames) / took


def parse_pysiaalarm(frames: list[bytes], keys: dict[str, str], encrypted: bool) -> float:
    # Imported here: a dev dependency, needed for the baseline only.
    from pysiaalarm.account import SIAAccount
    from pysiaalarm.aio.server import SIAServerTCP
    from pysiaalarm.event import SIAEvent
    from pysiaalarm.utils.counter import Counter
    from pysiaalarm.utils.enums import ResponseType

    accounts = {
        a: SIAAccount(a, k if encrypted else None, allowed_timeband=PYSIAALARM_TIMEBAND)
        for a, k in keys.items()
    }

    async def ignore(_event: Any) -> None:
        return None

    server = SIAServerTCP(accounts, ignore, Counter())
    began = time.perf_counter()
    events = [server.parse_and_check_event(frame) for frame in frames]
    took = time.perf_counter() - began
    good = sum(1 for e in events if isinstance(e, SIAEvent) and e.response is ResponseType.ACK)
    assert good == len(frames), f"pysiaalarm accepted {good} of {len(frames)} frames"
    return len(frames) / took


def baselines(encrypted: bool) -> tuple[float, float]:
    frames, keys, stamped_at = baseline_frames(BASELINE_FRAMES, encrypted)
    ours = max(parse_ours(frames, keys, encrypted, stamped_at) for _ in range(3))
    theirs = max(parse_pysiaalarm(frames, keys, encrypted) for _ in range(3))
    form = "encrypted" if encrypted else "clear"
    print(
        f"parse only ({form}, {len(frames):,} frames of the mix, one core): alarmvern "
        f"{ours:9,.0f} frames/s | pysiaalarm {theirs:9,.0f} frames/s | ratio {ours / theirs:4.1f}x"
        " (goal >= 2x)",
        flush=True,
    )
    return ours, theirs


def summary(db: str, figures: dict[str, Any], parse_rate: float) -> None:
    top, half = figures["top"], figures["half"]
    print(
        f"{db:<10} summary: mix at top {top.rate:,.0f} frames/s ({top.business_rate:,.0f} "
        f"business/s + {top.heartbeat_rate:,.0f} heartbeats/s); business alone "
        f"{figures['business'].business_rate:,.0f}/s (goal >= 10,000); heartbeats alone "
        f"{figures['heartbeats'].heartbeat_rate:,.0f}/s (goal >= 30,000); p99 at half load "
        f"{half.percentile(99) * 1000:.1f} ms (goal < 100 ms); stored+ACKed mix is "
        f"{top.rate / parse_rate:.0%} of our parse-only rate; business alone is "
        f"{figures['business'].business_rate / figures['raw']:.0%} of the raw driver's rate"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--db", choices=["sqlite", "postgresql", "both"], default="both")
    parser.add_argument("--pg", default="postgresql://postgres@127.0.0.1:5432/postgres")
    parser.add_argument("--panels", type=int, default=1000)
    parser.add_argument("--clients", type=int, default=1, help="client processes (1-2)")
    parser.add_argument("--seconds", type=float, default=10.0, help="measured per phase")
    parser.add_argument("--encrypted", action="store_true", help="AES-256 panels")
    parser.add_argument("--burst", type=float, default=0.0, help="also a burst of N seconds")
    parser.add_argument(
        "--profile", metavar="DIR", help="py-spy each phase's receiver into DIR (collapsed stacks)"
    )
    parser.add_argument(
        "--receivers", type=int, default=1, help="receiver processes on one port (SO_REUSEPORT)"
    )
    parser.add_argument("--serve", nargs=2, help=argparse.SUPPRESS)
    parser.add_argument("--reuse-port", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve:
        reuse = args.reuse_port is not None
        serve(*args.serve, port=args.reuse_port or 0, reuse_port=reuse)
        return
    print(
        f"{args.panels} panels over loopback TCP from {args.clients} client process(es) to "
        f"{args.receivers} receiver process(es), "
        f"{'encrypted' if args.encrypted else 'clear'} frames, {args.seconds:.0f} s measured "
        f"per phase after {WARMUP:.0f} s warm-up; {os.cpu_count()} CPUs, load average "
        f"{os.getloadavg()[0]:.1f} before the run"
    )
    ours, _theirs = baselines(args.encrypted)
    if args.db in ("sqlite", "both"):
        summary("sqlite", bench_db("sqlite", None, args), ours)
    if args.db in ("postgresql", "both"):
        with postgres_database(args.pg) as url:
            summary("postgresql", bench_db("postgresql", url, args), ours)


if __name__ == "__main__":
    main()
