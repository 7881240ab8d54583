"""The living system for browser tests: `alarmvern demo` on a temporary data folder, and a
headless Chromium driven by Playwright.

Debian's Chromium is used (/usr/bin/chromium); where it is missing, the setup installs the
`chromium` package with apt-get, and skips with the reason only where that cannot be done.
"""

from __future__ import annotations

import os
import shutil
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

CHROMIUM = Path("/usr/bin/chromium")
ARTEFACTS = Path(__file__).resolve().parent.parent / "test-artefacts" / "screenshots"


def chromium() -> Path:
    if CHROMIUM.exists():
        return CHROMIUM
    apt = shutil.which("apt-get")
    if apt is None or os.geteuid() != 0:
        pytest.skip("Chromium is missing and cannot be installed here (no apt-get, or not root)")
    installed = subprocess.run(
        [apt, "install", "-y", "-q", "chromium"],
        env={**os.environ, "DEBIAN_FRONTEND": "noninteractive"},
        capture_output=True,
        text=True,
        timeout=900,
    )
    if installed.returncode != 0 or not CHROMIUM.exists():
        pytest.skip(f"Chromium could not be installed: {installed.stderr.strip()[-300:]}")
    return CHROMIUM


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@dataclass
class Live:
    base: str
    data: Path
    dc09_port: int
    customer: str

    def db(self) -> sqlite3.Connection:
        return sqlite3.connect(self.data / "alarmvern.db", timeout=10)


def start(data: Path) -> Iterator[Live]:
    port, dc09 = free_port(), free_port()
    command = [
        sys.executable, "-m", "alarmvern", "--data-dir", str(data), "demo", "--customers", "20",
        "--leads", "2", "--panels", "3", "--rate", "0.5", "--port", str(port),
        "--dc09-port", str(dc09), "--for", "900",
    ]  # fmt: skip
    log = (data.parent / "demo.log").open("w")
    process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        _wait_for(f"{base}/login", process)
        with sqlite3.connect(data / "alarmvern.db") as conn:
            (customer,) = conn.execute(
                "SELECT username FROM logins WHERE role = 'customer' ORDER BY id LIMIT 1"
            ).fetchone()
        yield Live(base, data, dc09, customer)
    finally:
        process.terminate()
        try:
            process.wait(timeout=60)
        except subprocess.TimeoutExpired:  # a loaded machine: stop it the hard way
            process.kill()
            process.wait(timeout=30)
        log.close()


def _wait_for(url: str, process: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 300  # a loaded 2-core machine builds the demo slowly
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the demo stopped (exit {process.returncode}); see demo.log")
        try:
            with urllib.request.urlopen(url, timeout=2):
                return
        except OSError:
            time.sleep(0.3)
    raise RuntimeError("the demo did not start within 300 s")
