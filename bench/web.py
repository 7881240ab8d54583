"""Two pages under load over loopback, beside a trivial FastAPI endpoint in the same run.

Builds a SQLite store with one customer holding 5,000 alarm events and an open incident at
their site with an operator assigned, starts ``alarmvern serve`` on it in its own process, and
a trivial FastAPI app (one JSON endpoint, nothing else) in another. Then for each of the
Mine Sider alarm log, the operator's incident view and the trivial endpoint:

- open loop: requests sent at a fixed rate (default 200/s) for a while, latency measured from
  when each request was due, so a slow server cannot hide its queue (p50, p99);
- closed loop: as many requests as N concurrent clients get answered (requests/s), and the
  CPU time the serving processes spent per answered request (Linux: read from /proc), the
  steadier figure on a machine shared with other work. On PostgreSQL also the CPU time of
  the server's backends for the run's database (they share the cores but are not the
  serving processes' children) and how many backends were opened meanwhile.

Goal: p99 under 100 ms at 200 requests/s for both pages. Every incident view is audited
(one write per view), so that page also measures the audit log's cost.

With ``--pg postgresql://127.0.0.1/postgres`` the store is a fresh PostgreSQL database made
on that server for the run (and dropped after it) instead of SQLite.

    .venv/bin/python bench/web.py [--rate 200] [--seconds 15] [--workers 2] [--pg URL]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections import deque
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
from sqlalchemy.engine import make_url

import cpu as cpu_of  # bench/cpu.py, beside this script
from alarmvern.initialise import initialise
from alarmvern.intake import incidents
from alarmvern.intake.process import WEB_NICENESS
from alarmvern.settings import Settings
from alarmvern.store import tables as t
from alarmvern.store.engine import normalise_url
from alarmvern.store.writes import insert_many
from alarmvern.system import open_system
from alarmvern.web.security import Role, create_login

EVENTS = 5000
PASSWORD = "bench-password-1"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def build(data: Path, database_url: str | None = None) -> int:
    """The store; returns the incident id."""
    settings = Settings(data_dir=data, database_url=database_url)
    initialise(settings)
    system = open_system(settings)
    now = datetime.now(UTC)
    with system.engine.begin() as conn:
        person = conn.execute(
            t.persons.insert().values(
                name="Kari Bench", email="kari@bench.test", phone="+4790000000"
            )
        ).inserted_primary_key[0]  # type: ignore[index]
        account = conn.execute(
            t.customer_accounts.insert().values(
                customer_no="B1", kind="private", holder_person_id=person, started_at=now
            )
        ).inserted_primary_key[0]  # type: ignore[index]
        site = conn.execute(
            t.sites.insert().values(
                account_id=account,
                street="Benkgata 1",
                postcode="0150",
                municipality="Oslo",
                panel_account="BEEF01",
            )
        ).inserted_primary_key[0]  # type: ignore[index]
        contact = conn.execute(
            t.persons.insert().values(name="Ola Kontakt", phone="+4790000001")
        ).inserted_primary_key[0]  # type: ignore[index]
        conn.execute(
            t.alarm_contacts.insert().values(
                account_id=account, site_id=site, person_id=contact, priority=1
            )
        )
        conn.execute(
            t.panel_users.insert().values(
                account_id=account, site_id=site, person_id=person, user_no=1, display_name="Kari"
            )
        )
        rows = [
            {
                "account_id": account,
                "site_id": site,
                "actor_person_id": person,
                "panel_account": "BEEF01",
                "protocol": "SIA-DCS",
                "code": "CL" if n % 2 else "OP",
                "user_no": 1,
                "method": "code",
                "occurred_at": now - timedelta(minutes=n),
                "received_at": now - timedelta(minutes=n),
            }
            for n in range(EVENTS)
        ]
        insert_many(conn, t.alarm_events, rows)
        incident = incidents.open_incident(
            conn, account_id=account, site_id=site, kind="burglary", at=now
        )
        create_login(
            conn,
            username="kari@bench.test",
            password=PASSWORD,
            role=Role.customer,
            person_id=int(person),
        )
        operator = create_login(conn, username="op", password=PASSWORD, role=Role.operator)
        incidents.assign(conn, incident, f"operator:{operator}")
    if system.engine.dialect.name == "postgresql" and not os.environ.get("BENCH_NO_ANALYZE"):
        # The planner's statistics, as autovacuum gathers them within a minute or so of a
        # bulk load: without them it guesses a handful of events for the customer, and
        # sorts all 5,000 for each page of the log. (BENCH_NO_ANALYZE=1: measure that.)
        with system.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.exec_driver_sql("ANALYZE")
    system.close()
    return incident


# The baseline runs at the web's niceness: `serve` lowers the web's priority (the receiver
# goes first), and on a machine shared with other work a baseline at full priority would
# be measured under other conditions than the pages beside it.
TRIVIAL = f"""
from fastapi import FastAPI
import os, uvicorn, sys
os.nice({WEB_NICENESS})
app = FastAPI()
@app.get("/ping")
def ping() -> dict[str, bool]:
    return {{"ok": True}}
uvicorn.run(app, host="127.0.0.1", port=int(sys.argv[1]), log_level="warning")
"""


def start(command: list[str], url: str) -> subprocess.Popen[bytes]:
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 240  # a loaded machine starts two web processes slowly
    while time.monotonic() < deadline:
        try:
            httpx.get(url, timeout=1)
            return process
        except httpx.HTTPError:
            time.sleep(0.2)
    process.kill()
    raise SystemExit(f"did not start: {' '.join(command)}")


async def login(base: str, username: str) -> str:
    """The session's Cookie header for ``username`` (logged in through the API)."""
    async with httpx.AsyncClient(base_url=base, timeout=30) as client:
        answer = await client.post(
            "/api/v1/login", json={"username": username, "password": PASSWORD}
        )
        answer.raise_for_status()
        return "; ".join(f"{name}={value}" for name, value in client.cookies.items())


# Below uvicorn's keep-alive timeout (5 s): an idle connection older than this is not reused.
KEEP_ALIVE = 4.0
# Many browsers, each with a keep-alive connection of its own, which the kernel gives to one
# of the web processes (SO_REUSEPORT): the bench opens this many before it measures, and
# sends each request on the connection idle longest. (Reusing the one answered last, as it
# did, sent nearly every request of the open loop down one connection to one process, and
# the closed loop's 16 to whichever process had answered last: it measured one web process
# of two.)
BROWSERS = 32


class Failed(Exception):
    """A request that got an error status or lost its connection."""


class Connections:
    """Keep-alive HTTP/1.1 connections that send one prepared GET and read its answer.

    Written for the bench rather than using httpx: the load generator shares the two cores
    with the server it measures, and httpx spends about as much CPU on a request as the
    trivial endpoint does to answer it, which left the server less than it would have with
    a real client elsewhere. This sends the same bytes every time and reads only the status
    line, the headers and the body by its Content-Length."""

    def __init__(self, base: str, path: str, cookie: str | None) -> None:
        address = httpx.URL(base)
        self.host, self.port = address.host, address.port or 80
        headers = [f"GET {path} HTTP/1.1", f"Host: {self.host}:{self.port}"]
        headers += [f"Cookie: {cookie}"] if cookie else []
        self.request = ("\r\n".join(headers) + "\r\n\r\n").encode()
        self.idle: deque[tuple[asyncio.StreamReader, asyncio.StreamWriter, float]] = deque()
        self.sent = 0

    async def open(self, count: int) -> None:
        """``count`` connections more, idle, for the requests to take in turn."""
        for _ in range(count):
            reader, writer = await asyncio.open_connection(self.host, self.port)
            self.idle.append((reader, writer, time.monotonic()))

    async def get(self) -> None:
        reader, writer, used = self.idle.popleft() if self.idle else (None, None, 0.0)
        if writer is not None and time.monotonic() - used > KEEP_ALIVE:
            writer.close()  # the server may close it as we send: open a fresh one
            writer = None
        if reader is None or writer is None:
            reader, writer = await asyncio.open_connection(self.host, self.port)
        try:
            writer.write(self.request)
            head = await reader.readuntil(b"\r\n\r\n")
            status = int(head[9:12])
            length = 0
            for line in head.split(b"\r\n"):
                if line[:15].lower() == b"content-length:":
                    length = int(line[15:])
            if length:
                await reader.readexactly(length)
        except (OSError, asyncio.IncompleteReadError, asyncio.LimitOverrunError) as exc:
            writer.close()
            raise Failed(type(exc).__name__) from None
        self.sent += 1
        self.idle.append((reader, writer, time.monotonic()))
        if status >= 400:
            raise Failed(str(status))

    def close(self) -> None:
        for _, writer, _ in self.idle:
            writer.close()
        self.idle.clear()


async def open_loop(client: Connections, rate: float, seconds: float) -> list[float]:
    """Latencies (s) of requests sent at ``rate``, each measured from when it was due."""
    latencies: list[float] = []
    start = time.perf_counter()
    tasks = []

    async def one(due: float) -> None:
        try:
            await client.get()
        except Failed:
            latencies.append(float("inf"))  # a failed request counts as slower than any
            return
        latencies.append(time.perf_counter() - due)

    for n in range(int(rate * seconds)):
        due = start + n / rate
        await asyncio.sleep(max(0.0, due - time.perf_counter()))
        tasks.append(asyncio.create_task(one(due)))
    await asyncio.gather(*tasks)
    return latencies


async def closed_loop(client: Connections, clients: int, seconds: float) -> tuple[float, int]:
    """Answered requests/s, and how many failed (an error status, a dropped connection);
    too many failures end the run."""
    done = failed = 0
    end = time.perf_counter() + seconds

    async def worker() -> None:
        nonlocal done, failed
        while time.perf_counter() < end:
            try:
                await client.get()
            except Failed:
                failed += 1
                if failed > 100:
                    raise
                continue
            done += 1

    began = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(clients)))
    return done / (time.perf_counter() - began), failed


class Backends(threading.Thread):
    """The CPU time of the PostgreSQL backends serving one database, sampled every 50 ms
    from /proc while it runs (the server is on this machine): a backend there from the
    start counts from its first sample, one opened meanwhile from zero. A backend opened
    and closed between two samples is missed, so where many are opened the figure is low;
    ``opened`` says how many were seen."""

    def __init__(self, database_url: str) -> None:
        super().__init__(daemon=True)
        import psycopg

        url = make_url(database_url).set(drivername="postgresql")
        self._conn = psycopg.connect(url.render_as_string(hide_password=False), autocommit=True)
        self._database = url.database
        self._me = self._conn.info.backend_pid
        self._first: dict[int, float] = {}
        self._last: dict[int, float] = {}
        self._done = threading.Event()
        self._sample(start=True)

    def _sample(self, *, start: bool = False) -> None:
        rows = self._conn.execute(
            "SELECT pid FROM pg_stat_activity WHERE datname = %s", (self._database,)
        )
        for (pid,) in rows.fetchall():
            cpu = cpu_of.of_process(pid) if pid != self._me else None
            if cpu is not None:
                self._first.setdefault(pid, cpu if start else 0.0)
                self._last[pid] = cpu

    def run(self) -> None:
        while not self._done.wait(0.05):
            self._sample()

    def finish(self) -> tuple[float, int]:
        """The CPU seconds sampled, and how many backends were opened while it ran."""
        self._done.set()
        self.join()
        self._sample()
        self._conn.close()
        spent = sum(self._last[pid] - first for pid, first in self._first.items())
        return spent, sum(first == 0.0 for first in self._first.values())


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * q))]


@dataclass(frozen=True)
class Figures:
    p50: float  # s, open loop
    p99: float
    throughput: float  # answered requests/s, closed loop
    failed: int
    cpu: float  # the serving processes' CPU seconds per answered request, closed loop
    generator: float  # the load generator's own CPU seconds per request, both loops
    backends: float | None = None  # PostgreSQL's backends' CPU seconds per request
    opened: int = 0  # PostgreSQL backends opened during the closed loop
    busiest: float = 1.0  # the busiest serving process's share of their CPU, both loops


async def measure(
    base: str,
    path: str,
    user: str | None,
    rate: float,
    seconds: float,
    pid: int,
    database_url: str | None = None,
) -> Figures:
    """The open loop's latencies, then the closed loop's throughput and CPU per request
    (with ``database_url``, a PostgreSQL database's backends' too)."""
    client = Connections(base, path, await login(base, user) if user else None)
    try:
        await client.open(BROWSERS)
        await closed_loop(client, 4, 1.0)  # warm up
        own, sent, each = time.process_time(), client.sent, cpu_of.of_each(pid)
        latencies = await open_loop(client, rate, seconds)
        backends = Backends(database_url) if database_url else None
        if backends is not None:
            backends.start()
        began, cpu = time.perf_counter(), cpu_of.of_tree(pid)
        throughput, failed = await closed_loop(client, 16, seconds / 2)
        answered = max(throughput * (time.perf_counter() - began), 1.0)
        per_request = (cpu_of.of_tree(pid) - cpu) / answered
        spent, opened = backends.finish() if backends is not None else (0.0, 0)
        generator = (time.process_time() - own) / max(client.sent - sent, 1)
        busiest = busiest_share(each, cpu_of.of_each(pid))
    finally:
        client.close()
    failed += sum(latency == float("inf") for latency in latencies)
    return Figures(
        percentile(latencies, 0.5), percentile(latencies, 0.99), throughput, failed,
        per_request, generator, spent / answered if backends is not None else None, opened,
        busiest,
    )  # fmt: skip


def busiest_share(before: dict[int, float], after: dict[int, float]) -> float:
    """The busiest process's share of the CPU a tree of processes spent between two
    readings (a process started meanwhile counts from zero)."""
    spent = [after[pid] - before.get(pid, 0.0) for pid in after]
    total = sum(spent)
    return max(spent) / total if total > 0 else 1.0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rate", type=float, default=200.0)
    parser.add_argument("--seconds", type=float, default=15.0)
    parser.add_argument(
        "--workers", type=int, default=2, help="web processes for `alarmvern serve --workers`"
    )
    parser.add_argument(
        "--pg", metavar="URL", help="a PostgreSQL server to make the run's database on"
    )
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="alarmvern-bench-web-"))
    with scratch_database(args.pg) as database_url:
        run(args, folder, database_url)


@contextmanager
def scratch_database(server: str | None) -> Iterator[str | None]:
    """None (SQLite), or a fresh database on the PostgreSQL ``server``, dropped after."""
    if server is None:
        yield None
        return
    import psycopg

    name = f"alarmvern_bench_web_{os.getpid()}"
    admin = make_url(normalise_url(server))
    plain = admin.set(drivername="postgresql").render_as_string(hide_password=False)
    with psycopg.connect(plain, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        yield admin.set(database=name).render_as_string(hide_password=False)
    finally:
        with psycopg.connect(plain, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def run(args: argparse.Namespace, folder: Path, database_url: str | None) -> None:
    incident = build(folder / "data", database_url)
    store = ["--db", database_url] if database_url else []
    port, trivial_port = free_port(), free_port()
    server = start(
        [
            sys.executable,
            "-m",
            "alarmvern",
            "--data-dir",
            str(folder / "data"),
            *store,
            "serve",
            "--port",
            str(port),
            "--dc09-port",
            str(free_port()),
            "--workers",
            str(args.workers),
        ],
        f"http://127.0.0.1:{port}/login",
    )
    trivial = None
    try:
        trivial = start(
            [sys.executable, "-c", TRIVIAL, str(trivial_port)],
            f"http://127.0.0.1:{trivial_port}/ping",
        )
        cases = [
            ("trivial FastAPI /ping", f"http://127.0.0.1:{trivial_port}", "/ping", None, trivial),
            (
                "Mine Sider alarm log",
                f"http://127.0.0.1:{port}",
                "/mine-sider/alarmlogg",
                "kari@bench.test",
                server,
            ),
            (
                "operator incident view",
                f"http://127.0.0.1:{port}",
                f"/operator/hendelse/{incident}",
                "op",
                server,
            ),
        ]
        print(
            f"{'PostgreSQL' if database_url else 'SQLite'}; "
            f"{EVENTS:,} events for the customer; open loop at {args.rate:.0f} req/s for "
            f"{args.seconds:.0f} s; closed loop with 16 clients; {args.workers} web process(es), "
            f"{os.cpu_count()} cores shared with this load generator"
        )
        baseline = baseline_cpu = None
        for label, base, path, user, served in cases:
            database = database_url if served is server else None
            got = asyncio.run(
                measure(base, path, user, args.rate, args.seconds, served.pid, database)
            )
            baseline = baseline or got.throughput
            baseline_cpu = baseline_cpu or got.cpu or None
            workers = args.workers if served is server else 1
            print(line(label, got, baseline, baseline_cpu, workers))
    finally:
        for process in (server, trivial):
            if process is not None:
                process.terminate()
                process.wait(timeout=30)


def line(
    label: str, got: Figures, baseline: float, baseline_cpu: float | None, workers: int = 1
) -> str:
    """One case's figures, beside the trivial endpoint's."""
    text = (
        f"{label:<24} p50 {got.p50 * 1000:6.1f} ms  p99 {got.p99 * 1000:6.1f} ms "
        f"(goal < 100 ms) | max {got.throughput:7.0f} req/s = {got.throughput / baseline:4.0%}"
        f" of trivial | CPU {got.cpu * 1000:5.2f} ms/request"
    )
    if baseline_cpu:
        text += f" = {got.cpu / baseline_cpu:4.1f}x trivial"
    if got.backends is not None:
        text += f" + PostgreSQL {got.backends * 1000:5.2f} ms ({got.opened} backends opened)"
    text += f" | load generator {got.generator * 1000:4.2f} ms/request"
    if workers > 1:
        text += f" | busiest process {got.busiest:.0%} of the CPU"
    return text + (f" | {got.failed} failed" if got.failed else "")


if __name__ == "__main__":
    main()
