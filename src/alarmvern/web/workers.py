"""More than one web process: ``alarmvern serve --workers N``.

Python runs one thread of Python code at a time per process, so one process serves pages on
one core however many it has. With ``--workers N`` the main process (which alone runs the
DC-09 receiver and the retention schedule) serves the web and starts N-1 processes that
serve only the web, each on its own listening socket for the same port, all opened by the
main process (:func:`listening_sockets`).
The processes share nothing but the database: sessions, the audit chain and every write go
through it, so any process may answer any request.

A worker that crashes is started again; one that was asked to stop (its exit code 0) is
not. A stop of the main process (Ctrl-C, SIGTERM) stops them all.
"""

from __future__ import annotations

import errno
import logging
import multiprocessing
import socket
from dataclasses import dataclass, field
from multiprocessing.process import BaseProcess

import uvicorn

from alarmvern import aio
from alarmvern.errors import SettingsError
from alarmvern.settings import Settings
from alarmvern.system import open_system
from alarmvern.web.app import create_app

log = logging.getLogger(__name__)

STOP_SECONDS = 15.0
BACKLOG = 2048


def listening_sockets(host: str, port: int, count: int) -> list[socket.socket]:
    """One listening socket per web process, or a clear error when the port is taken.

    Several processes get one socket each on the same port (SO_REUSEPORT), so that the
    kernel spreads connections over them evenly. A socket they all shared would leave
    each connection with whichever process accepted first, most often the busiest, and
    keep-alive connections stay where they landed.
    """
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    try:
        if count == 1:
            return [socket.create_server((host, port), family=family, backlog=BACKLOG)]
        if port != 0:  # nobody else listens there, not even another alarmvern
            socket.create_server((host, port), family=family).close()
        first = socket.create_server((host, port), family=family, backlog=BACKLOG, reuse_port=True)
        bound = first.getsockname()[1]
        return [first] + [
            socket.create_server((host, bound), family=family, backlog=BACKLOG, reuse_port=True)
            for _ in range(count - 1)
        ]
    except OSError as exc:
        hint = "another program listens there" if exc.errno == errno.EADDRINUSE else exc.strerror
        raise SettingsError(
            f"web: cannot listen on {host}:{port} ({hint}); choose another with --port"
        ) from None


def uvicorn_config(app: object) -> uvicorn.Config:
    return uvicorn.Config(app, log_level="warning", lifespan="off")  # type: ignore[arg-type]


@dataclass
class Workers:
    """The extra web processes, one per socket, kept running until :meth:`stop`."""

    settings: Settings
    sockets: list[socket.socket]
    processes: list[BaseProcess] = field(default_factory=list)

    def start(self) -> None:
        self.processes = [self._spawn(sock) for sock in self.sockets]

    def restart_crashed(self) -> int:
        """Start a new process for each that has crashed; returns how many."""
        dead = [
            n
            for n, process in enumerate(self.processes)
            if not process.is_alive() and process.exitcode != 0
        ]
        for n in dead:
            log.error("web worker %d stopped (exit %s); starting it again",
                      n + 1, self.processes[n].exitcode)  # fmt: skip
            # The socket stayed open here, so what queued on it waits for the new process.
            self.processes[n] = self._spawn(self.sockets[n])
        return len(dead)

    def stop(self) -> None:
        for process in self.processes:
            if process.is_alive():
                process.terminate()  # SIGTERM: uvicorn finishes the requests in flight
        for process in self.processes:
            process.join(STOP_SECONDS)
            if process.is_alive():
                process.kill()
                process.join()

    def _spawn(self, sock: socket.socket) -> BaseProcess:
        # spawn, not fork: the parent runs threads and an event loop that a fork would copy
        # half-way through; the socket travels to the child as a duplicated descriptor.
        context = multiprocessing.get_context("spawn")
        process = context.Process(
            target=serve_web_only, args=(self.settings, sock), name="alarmvern-web"
        )
        process.start()
        return process


def serve_web_only(settings: Settings, sock: socket.socket) -> None:
    """A worker process: the web app on the shared socket, until SIGTERM or SIGINT."""
    system = open_system(settings)
    try:
        server = uvicorn.Server(uvicorn_config(create_app(system)))
        aio.run(server.serve(sockets=[sock]))
    finally:
        system.close()
