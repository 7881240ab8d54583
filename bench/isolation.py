"""Intake isolation: alarm ACK times while the web is under a login storm and large uploads.

    .venv/bin/python bench/isolation.py [--db sqlite|postgresql|both] [--seconds 15]
        [--logins 40] [--uploads 2] [--pg postgresql://postgres@127.0.0.1:5432/postgres]

For each database it builds a fresh store with one panel (AES-256, encrypted frames), a
customer login and a camera, and starts the real ``alarmvern serve`` (web, receiver in its
own process, retention) as a subprocess. The panel sends one encrypted event every 0.1 s and
times each ACK, first with no web load (the baseline), then while ``--logins`` clients log
in with the right password in a closed loop and ``--uploads`` clients post 9 MB camera
images in a loop. It prints ACK p50/p99/max for both, and the web's throughput meanwhile.
The goal is an ACK p99 under 100 ms with the load. The machine may be shared: figures are
noisy, and the baseline is measured in the same run for that reason.
"""

from __future__ import annotations

import argparse
import asyncio
import multiprocessing
import os
import random
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx

from alarmvern.intake import devices
from alarmvern.settings import Settings
from alarmvern.sia.protocol import parse_key
from alarmvern.system import open_system
from alarmvern.web.security import Role, create_login
from ingest import SEED, _Panel, build_store
from scratch import scratch_databases

HOST = "127.0.0.1"
PERIOD = 0.1  # seconds between the panel's events
PASSWORD = "benchmark-password-1"
IMAGE = b"\xff\xd8\xff\xe0" + os.urandom(9 * 1024 * 1024)  # a 9 MB "JPEG"
MIX = {"burglary": 1.0}


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind((HOST, 0))
        return int(probe.getsockname()[1])


@dataclass
class Acks:
    latencies: list[float] = field(default_factory=list)
    lost: int = 0

    def line(self) -> str:
        if not self.latencies:
            return f"no ACKs ({self.lost} lost)"
        ms = sorted(x * 1000 for x in self.latencies)
        p99 = ms[min(len(ms) - 1, int(len(ms) * 0.99))]
        return (
            f"p50 {statistics.median(ms):7.1f} ms  p99 {p99:7.1f} ms  max {ms[-1]:7.1f} ms  "
            f"({len(ms)} ACKs, {self.lost} lost)"
        )

    def p99(self) -> float:
        ms = sorted(x * 1000 for x in self.latencies)
        return ms[min(len(ms) - 1, int(len(ms) * 0.99))] if ms else float("inf")


async def panel(port: int, account: str, key: str, seconds: float) -> Acks:
    acks = Acks()
    sender = _Panel(account, parse_key(key, "hex"), random.Random(SEED))
    reader, writer = await asyncio.open_connection(HOST, port)
    until = time.monotonic() + seconds
    try:
        while time.monotonic() < until:
            frame, sequence, _ = sender.next_frame(MIX)
            sent = time.perf_counter()
            writer.write(frame)
            try:
                reply = await asyncio.wait_for(reader.readuntil(b"\r"), 10)
            except (TimeoutError, asyncio.IncompleteReadError, ConnectionError):
                acks.lost += 1
                writer.close()
                reader, writer = await asyncio.open_connection(HOST, port)
                continue
            took = time.perf_counter() - sent
            if b'"*ACK"' + sequence.encode() in reply:
                acks.latencies.append(took)
            else:
                acks.lost += 1
            await asyncio.sleep(max(0.0, PERIOD - took))
    finally:
        writer.close()
    return acks


def load(base: str, username: str, camera: str, logins: int, uploads: int, stop: Any, out: Any):
    """The web load, in a process of its own: login and upload clients until ``stop``.

    Its clients would be other machines; here they share the CPUs with the server, so they
    run at the lowest priority, not to take the receiver's CPU themselves."""
    os.nice(19)
    counts = {"logins": 0, "uploads": 0, "refused": 0, "errors": 0}
    lock = threading.Lock()

    def count(what: str) -> None:
        with lock:
            counts[what] += 1

    def log_in() -> None:
        with httpx.Client(base_url=base, timeout=30) as client:
            while not stop.is_set():
                try:
                    answer = client.post(
                        "/api/v1/login", json={"username": username, "password": PASSWORD}
                    )
                    count("logins" if answer.status_code == 200 else "refused")
                except httpx.HTTPError:
                    count("errors")

    def upload() -> None:
        with httpx.Client(base_url=base, timeout=60) as client:
            while not stop.is_set():
                try:
                    answer = client.post(
                        "/api/v1/intake/media",
                        headers={"Authorization": f"Bearer {camera}"},
                        files={"file": ("x.jpg", IMAGE, "image/jpeg")},
                        data={"captured_at": datetime.now(UTC).isoformat()},
                    )
                    count("uploads" if answer.status_code == 201 else "refused")
                except httpx.HTTPError:
                    count("errors")

    threads = [threading.Thread(target=log_in) for _ in range(logins)]
    threads += [threading.Thread(target=upload) for _ in range(uploads)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    out.put(counts)


@contextmanager
def served(data_dir: Path, url: str | None) -> Any:
    port, dc09 = free_port(), free_port()
    command = [sys.executable, "-m", "alarmvern", "--data-dir", str(data_dir)]
    if url:
        command += ["--db", url]
    command += ["serve", "--port", str(port), "--dc09-port", str(dc09)]
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    base = f"http://{HOST}:{port}"
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and process.poll() is None:
            try:
                if httpx.get(f"{base}/login", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.2)
        if process.poll() is not None:
            raise SystemExit(process.stderr.read().decode())  # type: ignore[union-attr]
        time.sleep(1.0)  # the receiver listens before the web: it has
        yield base, dc09
    finally:
        process.terminate()
        try:
            process.wait(30)
        except subprocess.TimeoutExpired:
            process.kill()


def prepare(data_dir: Path, url: str | None) -> tuple[str, str, str, str]:
    [(account, key)] = build_store(data_dir, url, 1, encrypted=True)
    system = open_system(Settings(data_dir=data_dir, database_url=url))
    try:
        with system.engine.begin() as conn:
            create_login(
                conn, username="kunde@bench.test", password=PASSWORD, role=Role.customer,
                person_id=1,
            )  # fmt: skip
            _, camera = devices.register(conn, kind="camera", site_id=1, name="Bench")
    finally:
        system.close()
    return account, key, "kunde@bench.test", camera


def bench_db(db: str, url: str | None, args: argparse.Namespace) -> tuple[Acks, Acks, dict]:
    with tempfile.TemporaryDirectory(prefix="alarmvern-isolation-") as folder:
        data_dir = Path(folder) / "data"
        account, key, username, camera = prepare(data_dir, url)
        with served(data_dir, url) as (base, dc09):
            quiet = asyncio.run(panel(dc09, account, key, args.seconds))
            context = multiprocessing.get_context("spawn")
            stop, out = context.Event(), context.Queue()
            storm = context.Process(
                target=load, args=(base, username, camera, args.logins, args.uploads, stop, out)
            )
            storm.start()
            time.sleep(3.0)  # the storm gets going
            loaded = asyncio.run(panel(dc09, account, key, args.seconds))
            stop.set()
            counts = out.get(timeout=120)
            storm.join(60)
    return quiet, loaded, counts


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", choices=["sqlite", "postgresql", "both"], default="both")
    parser.add_argument("--pg", default="postgresql://postgres@127.0.0.1:5432/postgres")
    parser.add_argument("--seconds", type=float, default=15.0, help="measured per phase")
    parser.add_argument("--logins", type=int, default=40, help="login clients")
    parser.add_argument("--uploads", type=int, default=2, help="9 MB upload clients")
    args = parser.parse_args()
    print(f"{args.logins} login clients, {args.uploads} upload clients, {args.seconds:.0f} s "
          f"per phase, one encrypted event every {PERIOD} s; {os.cpu_count()} CPUs")  # fmt: skip
    for db in ("sqlite", "postgresql") if args.db == "both" else (args.db,):
        if db == "postgresql":
            with scratch_databases(args.pg, "isolation") as databases:
                quiet, loaded, counts = bench_db(db, databases.create(), args)
        else:
            quiet, loaded, counts = bench_db(db, None, args)
        rate = {k: v / (args.seconds + 3) for k, v in counts.items()}
        verdict = "met" if loaded.p99() < 100 else "NOT met"
        print(f"\n{db}")
        print(f"  baseline, no web load : {quiet.line()}")
        print(f"  login storm + uploads : {loaded.line()}")
        print(f"  ratio p99 loaded/baseline: {loaded.p99() / max(quiet.p99(), 1e-9):.1f}x; "
              f"goal p99 < 100 ms: {verdict}")  # fmt: skip
        print("  web meanwhile: " + ", ".join(f"{k} {v:.1f}/s" for k, v in rate.items()))


if __name__ == "__main__":
    main()
