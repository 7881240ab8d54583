"""Leases: a job that must not run twice at once holds a row, renewed as it goes.

A database row rather than a file lock, so that two machines sharing one database are kept
apart too. A lease whose holder died on this host (its pid is gone) or stopped renewing
(expired) is taken over.
"""

from __future__ import annotations

import os
import socket
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import Connection, Engine, delete, select, update
from sqlalchemy.exc import IntegrityError

from alarmvern.errors import AlarmvernError
from alarmvern.store.tables import job_leases
from alarmvern.store.tables.columns import as_utc


class AlreadyRunning(AlarmvernError):
    """Another process holds the job's lease."""


class LeaseLost(AlarmvernError):
    """The lease expired and another process took the job over."""


@dataclass(frozen=True)
class Lease:
    job: str
    holder: str
    ttl: timedelta

    def renew(self, conn: Connection) -> None:
        """Extend the lease in the caller's transaction; raise if it was taken over."""
        result = conn.execute(
            update(job_leases)
            .where(job_leases.c.job == self.job, job_leases.c.holder == self.holder)
            .values(expires_at=datetime.now(UTC) + self.ttl)
        )
        if result.rowcount != 1:
            raise LeaseLost(
                f"{self.job}: en annen prosess har tatt over jobben; stanset",
                f"{self.job}: the lease was taken over by another process; stopped",
            )

    def release(self, engine: Engine) -> None:
        with engine.begin() as conn:
            conn.execute(
                delete(job_leases).where(
                    job_leases.c.job == self.job, job_leases.c.holder == self.holder
                )
            )


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def acquire(engine: Engine, job: str, ttl: timedelta = timedelta(minutes=2)) -> Lease:
    host, pid = socket.gethostname(), os.getpid()
    holder = f"{host}:{pid}:{os.urandom(4).hex()}"
    now = datetime.now(UTC)
    try:
        with engine.begin() as conn:
            current = conn.execute(select(job_leases).where(job_leases.c.job == job)).first()
            if current is not None:
                expires = as_utc(current.expires_at)
                dead = current.host == host and not _alive(current.pid)
                if expires > now and not dead:
                    raise AlreadyRunning(
                        f"{job} kjører allerede (pid {current.pid} på {current.host}); "
                        "vent til den er ferdig",
                        f"{job} is already running (pid {current.pid} on {current.host}); "
                        "wait for it to finish",
                    )
                # Only the stale holder's row: if another process took the lease over
                # meanwhile, nothing is deleted and the insert below fails as it should.
                conn.execute(
                    delete(job_leases).where(
                        job_leases.c.job == job, job_leases.c.holder == current.holder
                    )
                )
            conn.execute(
                job_leases.insert().values(
                    job=job, holder=holder, pid=pid, host=host, expires_at=now + ttl
                )
            )
    except IntegrityError:
        raise AlreadyRunning(
            f"{job} ble nettopp startet av en annen prosess; vent",
            f"{job} was started by another process just now; wait",
        ) from None
    return Lease(job, holder, ttl)


class Duty:
    """Work that one node does at a time however many run it (the scheduled retention sweeps,
    the supervision check): the node whose lease row for ``job`` is current does it.

    Each node calls :meth:`mine` before each round of the work. The holder's call renews the
    lease for ``ttl``; any other's takes it over once it has expired (its holder died or lost
    the database) or its holder's pid is gone from this host, else answers False. So the work
    moves to a living node within ``ttl`` of its holder's death, and two nodes never hold it
    at once: the row's primary key lets only one insert win. Times are the nodes' clocks
    (kept by NTP); a round must come more often than ``ttl``, or the lease lapses between.
    """

    def __init__(self, engine: Engine, job: str, ttl: timedelta) -> None:
        self.engine, self.job, self.ttl = engine, job, ttl
        self.host, self.pid = socket.gethostname(), os.getpid()
        self.holder = f"{self.host}:{self.pid}:{os.urandom(4).hex()}"

    def mine(self, now: datetime | None = None) -> bool:
        """Whether this node has the duty now (renewed or taken over), in one transaction."""
        now = now or datetime.now(UTC)
        mine = (job_leases.c.job == self.job, job_leases.c.holder == self.holder)
        try:
            with self.engine.begin() as conn:
                renewed = conn.execute(
                    update(job_leases).where(*mine).values(expires_at=now + self.ttl)
                )
                if renewed.rowcount == 1:
                    return True
                current = conn.execute(
                    select(job_leases).where(job_leases.c.job == self.job)
                ).first()
                if current is not None:
                    dead = current.host == self.host and not _alive(current.pid)
                    if as_utc(current.expires_at) > now and not dead:
                        return False
                    conn.execute(
                        delete(job_leases).where(
                            job_leases.c.job == self.job, job_leases.c.holder == current.holder
                        )
                    )
                conn.execute(
                    job_leases.insert().values(
                        job=self.job, holder=self.holder, pid=self.pid, host=self.host,
                        expires_at=now + self.ttl,
                    )
                )  # fmt: skip
        except IntegrityError:  # another node took it over at the same moment
            return False
        return True

    def give_up(self) -> None:
        """Let the duty go at once (a clean stop), so that another node takes it next round."""
        with self.engine.begin() as conn:
            conn.execute(
                delete(job_leases).where(
                    job_leases.c.job == self.job, job_leases.c.holder == self.holder
                )
            )
