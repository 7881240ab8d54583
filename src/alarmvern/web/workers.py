"""More than one web process: ``alarmvern serve --workers N``.

Python runs one thread of Python code at a time per process, so one process serves pages on
one core however many it has. With ``--workers N`` the main process (which alone runs the
retention schedule, and looks after the DC-09 receiver's process) serves the web and
starts N-1 processes that serve only the web, each on its own listening socket for the
same port, all opened by the main process (:func:`listening_sockets`). The processes share
nothing but the database: sessions, the audit chain, login failures
(:mod:`alarmvern.web.throttle`) and every write go through it, so any process may answer
any request.

- A worker that crashes is started again, after a pause that doubles with each crash in a
  row; after ``GIVE_UP_AFTER`` crashes in a row it is retired: its socket is closed, so
  that the kernel stops sending it connections, and the others carry on.
- A worker stops cleanly (exit code 0) on SIGTERM or SIGINT, and by itself when the main
  process is gone. One that was asked to stop (or that a SIGTERM or SIGINT ended while it
  was still starting) is retired, not started again. SIGKILL counts as a crash: it is what
  the out-of-memory killer sends.
- A worker refuses to start on a policy other than the main process's (the file changed on
  disk since): one process must not answer on another policy than its neighbours.
"""

from __future__ import annotations

import asyncio
import contextlib
import errno
import logging
import multiprocessing
import os
import signal
import socket
import time
from collections.abc import Iterator
from dataclasses import dataclass
from multiprocessing.process import BaseProcess

import uvicorn

from alarmvern import aio, heap
from alarmvern.errors import SettingsError
from alarmvern.policy.loader import load
from alarmvern.settings import Settings
from alarmvern.system import open_system
from alarmvern.web.app import create_app

log = logging.getLogger(__name__)

STOP_SECONDS = 15.0
BACKLOG = 2048
GIVE_UP_AFTER = 5  # crashes in a row
STEADY_SECONDS = 60.0  # a worker that ran this long before it crashed starts a new count
EXIT_POLICY_CHANGED = 3
# A clean stop, or a signal to stop that came before the worker could handle it itself.
ASKED_TO_STOP = frozenset({0, -signal.SIGTERM, -signal.SIGINT})


class QuietServer(uvicorn.Server):
    """Uvicorn without its own signal handling: its process decides when it stops."""

    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        yield


def uvicorn_config(app: object, trusted_proxies: str = "") -> uvicorn.Config:
    """Uvicorn's settings. X-Forwarded-For names the client (for the login throttle) only
    when the peer is a proxy named in ``trusted_proxies``: uvicorn would otherwise believe
    any local peer, and anyone on the host could pick their own address."""
    return uvicorn.Config(
        app,  # type: ignore[arg-type]
        log_level="warning",
        lifespan="off",
        proxy_headers=bool(trusted_proxies.strip()),
        forwarded_allow_ips=trusted_proxies.strip() or "",
    )


def listening_sockets(host: str, port: int, count: int) -> list[socket.socket]:
    """One listening socket per web process, or a clear error when the port is taken.

    Several processes get one socket each on the same port (SO_REUSEPORT), so that the
    kernel spreads connections over them evenly. A socket they all shared would leave
    each connection with whichever process accepted first, most often the busiest, and
    keep-alive connections stay where they landed.
    """
    try:
        if count == 1:
            return [_bind(host, port, reuse_port=False)]
        if port != 0:  # nobody else listens there, not even another alarmvern
            _bind(host, port, reuse_port=False).close()
        first = _bind(host, port, reuse_port=True)
        bound = first.getsockname()[1]
        return [first] + [_bind(host, bound, reuse_port=True) for _ in range(count - 1)]
    except ValueError:  # no SO_REUSEPORT here (Windows)
        raise SettingsError(
            "web: flere enn én arbeidsprosess trenger SO_REUSEPORT, som dette systemet mangler; "
            "bruk én",
            "web: more than one worker needs SO_REUSEPORT, which this system lacks; use one",
            field="workers",
        ) from None
    except OSError as exc:
        taken = exc.errno == errno.EADDRINUSE
        raise SettingsError(
            f"web: kan ikke lytte på {host}:{port} "
            f"({'et annet program lytter der' if taken else exc.strerror}); velg en annen port",
            f"web: cannot listen on {host}:{port} "
            f"({'another program listens there' if taken else exc.strerror}); choose another port",
            field="port",
        ) from None


def _bind(host: str, port: int, *, reuse_port: bool) -> socket.socket:
    return socket.create_server(
        (host, port),
        family=socket.AF_INET6 if ":" in host else socket.AF_INET,
        backlog=BACKLOG,
        reuse_port=reuse_port,
        # "::" means every address, IPv4 too, as it did when uvicorn bound it.
        dualstack_ipv6=host == "::" and socket.has_dualstack_ipv6(),
    )


@dataclass
class _Slot:
    """One worker's socket, its process and its run of crashes."""

    sock: socket.socket
    process: BaseProcess | None = None
    started_at: float = 0.0
    crashes: int = 0
    restart_at: float | None = None
    given_up: bool = False


class Workers:
    """The extra web processes, one per socket, looked after until :meth:`stop`."""

    def __init__(self, settings: Settings, policy_sha256: str, sockets: list[socket.socket]):
        self.settings = settings
        self.policy_sha256 = policy_sha256
        self.slots = [_Slot(sock) for sock in sockets]

    def start(self) -> None:
        for slot in self.slots:
            self._start(slot)

    def supervise(self, now: float | None = None) -> None:
        """Start again what crashed, once its pause is over; give up on a crash loop."""
        now = time.monotonic() if now is None else now
        for number, slot in enumerate(self.slots, start=1):
            process = slot.process
            if slot.given_up or process is None:
                continue
            if slot.restart_at is not None:
                if now >= slot.restart_at:
                    self._start(slot)
                continue
            if process.is_alive():
                continue
            if process.exitcode in ASKED_TO_STOP:
                self._retire(slot)
                log.warning("web worker %d was stopped; the others serve on", number)
                continue
            self._crashed(number, slot, process, now)

    def stop(self) -> None:
        running = [s.process for s in self.slots if s.process is not None]
        for process in running:
            if process.is_alive():
                process.terminate()  # SIGTERM: the worker finishes the requests in flight
        for process in running:
            process.join(STOP_SECONDS)
            if process.is_alive():
                process.kill()
                process.join()

    def _crashed(self, number: int, slot: _Slot, process: BaseProcess, now: float) -> None:
        steady = now - slot.started_at >= STEADY_SECONDS
        slot.crashes = 1 if steady else slot.crashes + 1
        if slot.crashes >= GIVE_UP_AFTER:
            self._retire(slot)
            log.error("web worker %d crashed %d times in a row (exit %s); given up, the "
                      "others serve on", number, slot.crashes, process.exitcode)  # fmt: skip
            return
        pause = 2.0 ** (slot.crashes - 1)
        slot.restart_at = now + pause
        log.error("web worker %d stopped (exit %s); starting it again in %.0f s",
                  number, process.exitcode, pause)  # fmt: skip

    @staticmethod
    def _retire(slot: _Slot) -> None:
        """No process will serve this socket again: close it, so that the kernel sends its
        share of the connections to the others instead of leaving them waiting."""
        slot.given_up = True
        slot.sock.close()

    def _start(self, slot: _Slot) -> None:
        # spawn, not fork: this process runs threads and an event loop that a fork would
        # copy half-way; the socket travels to the child as a duplicated descriptor.
        # daemon: should this process end without stop(), multiprocessing ends the child.
        context = multiprocessing.get_context("spawn")
        process = context.Process(
            target=serve_web_only,
            args=(self.settings, self.policy_sha256, slot.sock, os.getpid(), len(self.slots) + 1),
            name="alarmvern-web",
            daemon=True,
        )
        slot.process, slot.started_at, slot.restart_at = process, time.monotonic(), None
        process.start()


def serve_web_only(
    settings: Settings, policy_sha256: str, sock: socket.socket, parent: int, processes: int
) -> None:
    """A worker process: the web app on its socket, until told to stop or orphaned."""
    if load(settings.policy).sha256 != policy_sha256:
        log.error("web worker: the policy on disk is not the one alarmvern serve started "
                  "with; restart alarmvern serve to run the new one")  # fmt: skip
        raise SystemExit(EXIT_POLICY_CHANGED)
    system = open_system(settings)
    try:
        app = create_app(system)
        heap.keep_what_is_loaded()
        server = QuietServer(uvicorn_config(app, settings.trusted_proxies))
        aio.run(_serve_until_told(server, sock, parent))
    finally:
        system.close()


async def _serve_until_told(server: uvicorn.Server, sock: socket.socket, parent: int) -> None:
    def stop() -> None:
        server.should_exit = True

    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stop)

    async def watch_parent() -> None:
        while os.getppid() == parent:
            await asyncio.sleep(1.0)
        stop()  # the main process is gone: nobody else will stop this one

    watcher = asyncio.create_task(watch_parent())
    try:
        await server.serve(sockets=[sock])
    finally:
        watcher.cancel()
