"""More than one web process: ``alarmvern serve --workers N``.

Python runs one thread of Python code at a time per process, so one process serves pages on
one core however many it has. With ``--workers N`` the main process (which alone runs the
DC-09 receiver and the retention schedule) serves the web and starts N-1 processes that
serve only the web, all accepting from one listening socket that the main process opened.
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


def listening_socket(host: str, port: int) -> socket.socket:
    """The web's listening socket, or a clear error when the address cannot be had."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    try:
        sock = socket.create_server((host, port), family=family, backlog=2048)
    except OSError as exc:
        hint = "another program listens there" if exc.errno == errno.EADDRINUSE else exc.strerror
        raise SettingsError(
            f"web: cannot listen on {host}:{port} ({hint}); choose another with --port"
        ) from None
    sock.set_inheritable(True)
    return sock


def uvicorn_config(app: object) -> uvicorn.Config:
    return uvicorn.Config(app, log_level="warning", lifespan="off")  # type: ignore[arg-type]


@dataclass
class Workers:
    """The extra web processes, kept at ``count`` until :meth:`stop`."""

    settings: Settings
    sock: socket.socket
    count: int
    processes: list[BaseProcess] = field(default_factory=list)

    def start(self) -> None:
        self.processes = [self._spawn() for _ in range(self.count)]

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
            self.processes[n] = self._spawn()
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

    def _spawn(self) -> BaseProcess:
        # spawn, not fork: the parent runs threads and an event loop that a fork would copy
        # half-way through; the socket travels to the child as a duplicated descriptor.
        context = multiprocessing.get_context("spawn")
        process = context.Process(
            target=serve_web_only, args=(self.settings, self.sock), name="alarmvern-web"
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
