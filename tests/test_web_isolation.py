"""Intake isolated from the web (C1), structurally: the DC-09 receiver listens in a process of
its own, at a higher priority than the web, started again when it crashes and stopped with
``serve``; and staff reads take no write transaction of their own."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from sqlalchemy import Connection, event

from alarmvern.initialise import initialise
from alarmvern.settings import Settings
from alarmvern.store.engine import READ_ONLY
from tests.test_web_workers import HOST, answers, free_port, wait_for
from tests.web_support import Web, web  # noqa: F401


def listener(port: int) -> int | None:
    """The process that listens on TCP ``port`` of 127.0.0.1, from Linux's /proc."""
    wanted = f"0100007F:{port:04X}"
    inode = None
    for line in Path("/proc/net/tcp").read_text().splitlines()[1:]:
        fields = line.split()
        if fields[1] == wanted and fields[3] == "0A":  # LISTEN
            inode = fields[9]
    if inode is None:
        return None
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            for fd in os.listdir(f"/proc/{pid}/fd"):
                if os.readlink(f"/proc/{pid}/fd/{fd}") == f"socket:[{inode}]":
                    return int(pid)
        except OSError:
            continue
    return None


def niceness(pid: int) -> int:
    stat = Path(f"/proc/{pid}/stat").read_text()
    return int(stat.rsplit(")", 1)[1].split()[16])


@pytest.fixture
def served(tmp_path: Path) -> Iterator[tuple[subprocess.Popen[bytes], int, int]]:
    if not Path("/proc/net/tcp").exists():
        pytest.skip("needs Linux's /proc to find the listening processes")
    initialise(Settings(data_dir=tmp_path / "data"))
    port, dc09 = free_port(), free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "alarmvern", "--data-dir", str(tmp_path / "data"), "serve",
         "--port", str(port), "--dc09-port", str(dc09)],
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
    )  # fmt: skip
    try:
        wait_for(lambda: answers(f"http://{HOST}:{port}") or process.poll() is not None)
        assert process.poll() is None, process.stderr.read().decode()  # type: ignore[union-attr]
        yield process, port, dc09
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()


def test_the_receiver_has_its_own_process_priority_and_restart(
    served: tuple[subprocess.Popen[bytes], int, int],
) -> None:
    process, port, dc09 = served
    assert listener(port) == process.pid  # the web
    first = listener(dc09)
    assert first is not None and first != process.pid
    intake_nice, web_nice = niceness(first), niceness(process.pid)
    # The receiver raised its own priority (where it may: on SQLite the web then keeps its
    # own), or else the web lowered its.
    assert (intake_nice, web_nice) in ((-10, 0), (0, 10))
    with socket.create_connection((HOST, dc09), timeout=5):
        pass

    os.kill(first, signal.SIGKILL)  # a crash, or the out-of-memory killer
    wait_for(lambda: listener(dc09) not in (None, first), seconds=20)
    second = listener(dc09)
    assert second is not None and niceness(second) == intake_nice  # not the web's
    with socket.create_connection((HOST, dc09), timeout=5):
        pass
    assert httpx.get(f"http://{HOST}:{port}/login", timeout=5).status_code == 200

    process.send_signal(signal.SIGTERM)
    assert process.wait(timeout=40) == 0
    wait_for(lambda: not Path(f"/proc/{second}").exists() or _zombie(second), seconds=15)


def _zombie(pid: int) -> bool:
    try:
        return b"zombie" in Path(f"/proc/{pid}/status").read_bytes()
    except FileNotFoundError:
        return True


def test_staff_reads_take_no_write_transaction(web: Web) -> None:  # noqa: F811
    """An office worker's audited look reads without the write lock; only the audit group
    writer's own thread writes, and the look is still recorded."""
    writers: list[str] = []

    def begun(conn: Connection) -> None:
        if not conn.get_execution_options().get(READ_ONLY, False):
            writers.append(threading.current_thread().name)

    client = web.client("customer_service")  # (its login writes a session: before we look)
    event.listen(web.system.engine, "begin", begun)
    try:
        for path in (
            f"/api/v1/people/{web.world.person}",
            f"/api/v1/customers/{web.world.account}",
            f"/api/v1/sites/{web.world.site}/contacts",
            "/api/v1/customers?q=kari",
        ):
            assert client.get(path).status_code == 200, path
    finally:
        event.remove(web.system.engine, "begin", begun)
    assert writers and set(writers) == {"alarmvern-audit-group"}, writers
