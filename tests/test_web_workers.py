"""``alarmvern serve --workers N``: more web processes on one socket, restarted when they
crash, stopped with the main process; and a clear error when the port is taken."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from alarmvern.errors import SettingsError
from alarmvern.initialise import initialise
from alarmvern.settings import Settings
from alarmvern.web.workers import Workers, listening_sockets

HOST = "127.0.0.1"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind((HOST, 0))
        return int(probe.getsockname()[1])


def web_workers(parent: int) -> set[int]:
    """The parent's child processes that serve the web (not multiprocessing's helpers)."""
    children = Path(f"/proc/{parent}/task/{parent}/children").read_text().split()
    found = set()
    for child in map(int, children):
        try:
            command = Path(f"/proc/{child}/cmdline").read_bytes()
        except FileNotFoundError:
            continue
        if b"spawn_main" in command:
            found.add(child)
    return found


def wait_for(check: object, seconds: float = 90.0) -> None:  # a loaded machine starts slowly
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if check():  # type: ignore[operator]
            return
        time.sleep(0.1)
    raise AssertionError(f"not within {seconds} s")


def answers(base: str) -> bool:
    try:
        return httpx.get(f"{base}/login", timeout=5).status_code == 200
    except httpx.HTTPError:
        return False


@pytest.fixture
def server(tmp_path: Path) -> Iterator[tuple[subprocess.Popen[bytes], str]]:
    if not Path("/proc/self/task").exists():
        pytest.skip("needs Linux's /proc to find the worker processes")
    initialise(Settings(data_dir=tmp_path / "data"))
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "alarmvern", "--data-dir", str(tmp_path / "data"), "serve",
         "--port", str(port), "--dc09-port", str(free_port()), "--workers", "2"],
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
    )  # fmt: skip
    base = f"http://{HOST}:{port}"
    try:
        wait_for(lambda: answers(base) or process.poll() is not None)
        assert process.poll() is None, process.stderr.read().decode()  # type: ignore[union-attr]
        yield process, base
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()


def test_a_crashed_worker_is_replaced_and_all_stop_together(
    server: tuple[subprocess.Popen[bytes], str],
) -> None:
    process, base = server
    wait_for(lambda: len(web_workers(process.pid)) == 1)
    [first] = web_workers(process.pid)
    with httpx.Client(base_url=base, timeout=10) as client:
        assert all(client.get("/login").status_code == 200 for _ in range(40))
    os.kill(first, signal.SIGKILL)
    wait_for(lambda: len(web_workers(process.pid) - {first}) == 1)
    [second] = web_workers(process.pid)
    with httpx.Client(base_url=base, timeout=10) as client:
        assert all(client.get("/login").status_code == 200 for _ in range(40))
    process.send_signal(signal.SIGTERM)
    assert process.wait(timeout=30) == 0
    assert _gone(second)


def test_a_worker_told_to_stop_stays_stopped_and_the_others_serve(
    server: tuple[subprocess.Popen[bytes], str],
) -> None:
    process, base = server
    wait_for(lambda: len(web_workers(process.pid)) == 1)
    [first] = web_workers(process.pid)
    os.kill(first, signal.SIGTERM)  # asked to stop: not a crash
    wait_for(lambda: not web_workers(process.pid))
    time.sleep(2.5)  # a crash would have been restarted after 1 s
    assert not web_workers(process.pid)
    fresh = httpx.Limits(max_keepalive_connections=0)  # a new connection for each request
    with httpx.Client(base_url=base, timeout=5, limits=fresh) as client:
        assert all(client.get("/login").status_code == 200 for _ in range(40))  # none waits

    process.send_signal(signal.SIGTERM)
    assert process.wait(timeout=30) == 0


def test_a_worker_whose_main_process_dies_stops(
    server: tuple[subprocess.Popen[bytes], str],
) -> None:
    process, _ = server
    wait_for(lambda: len(web_workers(process.pid)) == 1)
    [worker] = web_workers(process.pid)
    process.kill()
    process.wait()
    wait_for(lambda: _gone(worker), seconds=15)


def _gone(pid: int) -> bool:
    return not Path(f"/proc/{pid}").exists() or b"zombie" in _state(pid)


def _state(pid: int) -> bytes:
    try:
        return Path(f"/proc/{pid}/status").read_bytes().lower()
    except FileNotFoundError:
        return b"gone"


@pytest.mark.parametrize("count", [1, 2])
def test_a_taken_port_is_named_with_what_to_do(count: int) -> None:
    with socket.create_server((HOST, 0)) as taken:
        port = taken.getsockname()[1]
        with pytest.raises(
            SettingsError, match=f"cannot listen on {HOST}:{port}.*choose another port"
        ):
            listening_sockets(HOST, port, count)


def test_a_second_alarmvern_cannot_join_the_port_of_the_first() -> None:
    first = listening_sockets(HOST, 0, 2)
    port = first[0].getsockname()[1]
    try:
        assert {sock.getsockname()[1] for sock in first} == {port}
        with pytest.raises(SettingsError, match="cannot listen"):
            listening_sockets(HOST, port, 2)
    finally:
        for sock in first:
            sock.close()


class _FakeProcess:
    def __init__(self, exitcode: int | None) -> None:
        self.exitcode = exitcode

    def is_alive(self) -> bool:
        return self.exitcode is None


def test_a_crash_loop_backs_off_then_gives_up_and_closes_the_socket(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    [sock] = listening_sockets(HOST, 0, 1)
    workers = Workers(Settings(), "sha", [sock])
    starts: list[float] = []

    def start(slot: Any) -> None:
        starts.append(slot.restart_at or 0.0)
        slot.process, slot.started_at, slot.restart_at = _FakeProcess(None), 0.0, None

    monkeypatch.setattr(workers, "_start", start)
    workers.start()
    [slot] = workers.slots
    now = 10.0
    for crashes, pause in enumerate((1.0, 2.0, 4.0, 8.0), start=1):
        slot.process.exitcode = 1  # type: ignore[union-attr]
        workers.supervise(now)
        assert slot.restart_at == now + pause
        workers.supervise(now + pause - 0.1)
        assert len(starts) == crashes  # not started again yet
        workers.supervise(now + pause)
        assert len(starts) == crashes + 1
        now += pause + 1.0
    slot.process.exitcode = 1  # type: ignore[union-attr]
    workers.supervise(now)
    assert slot.given_up and sock.fileno() == -1
    workers.supervise(now + 1000)
    assert len(starts) == 5  # the first start and four restarts, no more


@pytest.mark.parametrize("exitcode", [0, -signal.SIGTERM, -signal.SIGINT])
def test_a_worker_asked_to_stop_is_not_restarted(
    exitcode: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    [sock] = listening_sockets(HOST, 0, 1)
    workers = Workers(Settings(), "sha", [sock])
    monkeypatch.setattr(
        workers, "_start", lambda slot: setattr(slot, "process", _FakeProcess(exitcode))
    )
    workers.start()
    workers.supervise(1000.0)
    [slot] = workers.slots
    assert slot.restart_at is None and slot.given_up and sock.fileno() == -1


@pytest.mark.skipif(not socket.has_dualstack_ipv6(), reason="no dual-stack IPv6 here")
def test_every_address_means_ipv4_too() -> None:
    try:
        [sock] = listening_sockets("::", 0, 1)
    except SettingsError:
        pytest.skip("IPv6 is switched off on this machine")
    with sock, socket.create_connection((HOST, sock.getsockname()[1]), timeout=5):
        pass
