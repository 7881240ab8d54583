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
from alarmvern.store.tables._columns import as_utc


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
            raise LeaseLost(f"{self.job}: the lease was taken over by another process; stopped")

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
                        f"{job} is already running (pid {current.pid} on {current.host}); "
                        "wait for it to finish"
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
        raise AlreadyRunning(f"{job} was started by another process just now; wait") from None
    return Lease(job, holder, ttl)
