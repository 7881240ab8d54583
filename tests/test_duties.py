"""Singular work (sweeps, supervision) runs on one node at a time and moves when it dies.

Two schedulers share one database: in this process with a clock of the test's own (the
lease's expiry), and as two processes of which the holder is killed with SIGKILL.
"""

from __future__ import annotations

import selectors
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta

from sqlalchemy import Engine, select

from alarmvern.store.leases import Duty
from alarmvern.store.tables import job_leases

TTL = timedelta(seconds=30)
T0 = datetime(2026, 12, 2, 3, 0, tzinfo=UTC)


def test_one_scheduler_has_the_duty_and_keeps_it_while_it_renews(engine: Engine) -> None:
    first, second = Duty(engine, "sweeps", TTL), Duty(engine, "sweeps", TTL)
    assert first.mine(T0)
    assert not second.mine(T0)
    assert first.mine(T0 + TTL / 2)  # renewed: until T0 + 1.5 TTL
    assert not second.mine(T0 + TTL + timedelta(seconds=1))
    with engine.connect() as conn:
        assert conn.execute(select(job_leases.c.holder)).scalars().all() == [first.holder]


def test_the_duty_moves_when_its_holder_stops_renewing(engine: Engine) -> None:
    first, second = Duty(engine, "sweeps", TTL), Duty(engine, "sweeps", TTL)
    assert first.mine(T0)
    # The first node is gone (another machine: its pid cannot be checked), its lease lapses.
    with engine.begin() as conn:
        conn.execute(job_leases.update().values(host="another-machine"))
    assert not second.mine(T0 + TTL - timedelta(seconds=1))
    assert second.mine(T0 + TTL + timedelta(seconds=1))
    assert not first.mine(T0 + TTL + timedelta(seconds=2))  # it comes back: not its turn
    assert second.mine(T0 + TTL + timedelta(seconds=3))


def test_duties_of_different_jobs_are_held_apart(engine: Engine) -> None:
    assert Duty(engine, "sweeps", TTL).mine(T0)
    assert Duty(engine, "supervision", TTL).mine(T0)


def test_giving_up_lets_the_next_take_it_at_once(engine: Engine) -> None:
    first, second = Duty(engine, "sweeps", TTL), Duty(engine, "sweeps", TTL)
    assert first.mine(T0)
    first.give_up()
    assert second.mine(T0)


SCHEDULER = """
import sys, time
from datetime import timedelta
from alarmvern.store.engine import create_store_engine
from alarmvern.store.leases import Duty
duty = Duty(create_store_engine(sys.argv[1]), "sweeps", timedelta(minutes=10))
while True:
    print("mine" if duty.mine() else "other", flush=True)
    time.sleep(0.1)
"""


def _url(engine: Engine) -> str:
    return engine.url.render_as_string(hide_password=False)


def _next_line(process: subprocess.Popen[str], timeout: float = 60.0) -> str:
    assert process.stdout is not None
    with selectors.DefaultSelector() as selector:
        selector.register(process.stdout, selectors.EVENT_READ)
        assert selector.select(timeout), "the scheduler said nothing"
    line = process.stdout.readline().strip()
    assert line, f"the scheduler stopped (exit {process.poll()})"
    return line


def _scheduler(engine: Engine) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-c", SCHEDULER, _url(engine)],
        stdout=subprocess.PIPE,
        text=True,
        bufsize=1,
    )


def test_a_killed_schedulers_duty_moves_to_the_other_process(engine: Engine) -> None:
    first = _scheduler(engine)
    second: subprocess.Popen[str] | None = None
    try:
        assert _next_line(first) == "mine"
        second = _scheduler(engine)
        for _ in range(5):  # the second asks again and again: never its turn
            assert _next_line(second) == "other"
            assert _next_line(first) == "mine"
        first.kill()  # SIGKILL: no release; its pid is gone from this host
        first.wait()
        deadline = time.monotonic() + 60
        while _next_line(second) != "mine":
            assert time.monotonic() < deadline, "the duty did not move"
    finally:
        for process in (first, second):
            if process is not None:
                process.kill()
                process.wait()
