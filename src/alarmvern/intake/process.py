"""The DC-09 receiver in a process of its own, as ``alarmvern serve`` runs it.

Alarms come first: the receiver and its writer share no event loop, no thread pool, no GIL
and no memory with the web, so no page, upload or password check can make an ACK wait for
Python to get round to it. They share only the database, where every web transaction is a
short one (see ``docs/security.md``, "Intake isolation").

- Priority: the receiver runs ``WEB_NICENESS`` steps above the web, so under CPU load the
  kernel runs the receiver first. Where the process may raise its priority (root, or
  CAP_SYS_NICE, or an RLIMIT_NICE that allows it, as systemd's ``LimitNICE=`` sets), the
  receiver raises its own and the web keeps the priority ``serve`` was started with: the
  web's threads, which hold SQLite's write lock for their short transactions, then do not
  starve behind other programs while the receiver waits for that lock. Elsewhere the web
  processes lower theirs (:func:`lower_priority`). Raising a priority needs privileges,
  lowering one does not, so the receiver is forked from a helper process started before
  the web lowered its own (multiprocessing's forkserver): a receiver started again after a
  crash keeps the higher priority. Where there is no forkserver (not Linux or macOS) it is
  spawned, and then inherits the web's priority.
- A receiver that stops without being asked (a crash, the out-of-memory killer) is started
  again after a pause that doubles with each crash in a row, up to ``MAX_PAUSE``; it is
  never given up on.
- It stops cleanly (the store flushed, every stored alarm ACKed) on SIGTERM, and by itself
  when ``serve`` is gone (the pipe between them closes). Ctrl-C reaches it too, but it
  leaves stopping to ``serve``, which stops everything together.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import multiprocessing
import os
import signal
import time
from multiprocessing.connection import Connection
from multiprocessing.context import ForkServerContext, SpawnContext
from multiprocessing.process import BaseProcess

from alarmvern import aio, heap
from alarmvern.errors import SettingsError
from alarmvern.intake import receiver
from alarmvern.policy.loader import load
from alarmvern.settings import Settings
from alarmvern.sia.server import Transport
from alarmvern.store.engine import give_priority
from alarmvern.system import System, open_system

log = logging.getLogger(__name__)

WEB_NICENESS = 10
START_SECONDS = 60.0  # to open the store and listen
STOP_SECONDS = 15.0
MAX_PAUSE = 30.0
STEADY_SECONDS = 60.0  # a receiver that ran this long before it crashed starts a new count


def lower_priority(by: int = WEB_NICENESS) -> bool:
    """Lower this process's scheduling priority (the web's); False where the OS cannot."""
    try:
        os.nice(by)
    except (AttributeError, OSError):
        return False
    return True


def raise_priority(by: int = WEB_NICENESS) -> bool:
    """Raise this process's scheduling priority (the receiver's) where it may; False where
    it may not (no privilege) or the OS cannot."""
    try:
        before = os.nice(0)
        return os.nice(-by) == before - by
    except (AttributeError, OSError):
        return False


class ReceiverProcess:
    """The receiver's process, started, looked after and stopped by ``serve``."""

    def __init__(
        self,
        settings: Settings,
        policy_sha256: str,
        host: str,
        port: int,
        protocol: Transport,
        reuse_port: bool = False,
    ) -> None:
        self.settings, self.policy_sha256 = settings, policy_sha256
        self.host, self.port, self.protocol = host, port, protocol
        self.reuse_port = reuse_port  # one of several receivers on the port (SO_REUSEPORT)
        self._context: ForkServerContext | SpawnContext
        try:
            self._context = multiprocessing.get_context("forkserver")
            self._context.set_forkserver_preload([])  # a clean helper: nothing imported twice
        except ValueError:
            self._context = multiprocessing.get_context("spawn")
        self.process: BaseProcess | None = None
        self._pipe: Connection | None = None
        self._started_at = 0.0
        self.raised = False  # the receiver raised its own priority (the web need not lower its)
        self.crashes = 0
        self.restarts = 0

    def start(self) -> int:
        """Start the receiver and wait until it listens; its port (the bound one for 0)."""
        mine, theirs = self._context.Pipe()
        process = self._context.Process(
            target=run_receiver,
            args=(
                self.settings,
                self.policy_sha256,
                self.host,
                self.port,
                self.protocol,
                theirs,
                self.reuse_port,
            ),
            name="alarmvern-receiver",
            daemon=True,
        )
        process.start()
        theirs.close()
        self.process, self._pipe, self._started_at = process, mine, time.monotonic()
        if not mine.poll(START_SECONDS):
            self.stop()
            raise SettingsError(
                f"DC-09: mottakeren startet ikke innen {START_SECONDS:.0f} s",
                f"DC-09: the receiver did not start in {START_SECONDS:.0f} s",
            )
        try:
            kind, value = mine.recv()
        except EOFError:
            kind, value = (
                "error",
                (
                    f"DC-09: mottakeren stanset mens den startet (kode {process.exitcode})",
                    f"DC-09: the receiver stopped as it started (exit {process.exitcode})",
                ),
            )
        if kind != "ready":
            self.stop()
            nb, en = value
            raise SettingsError(nb, en)
        port, self.raised = value
        self.port = int(port)  # a receiver started again listens where the first did
        return self.port

    def alive(self) -> bool:
        return self.process is not None and self.process.is_alive()

    async def supervise(self) -> None:
        """Start the receiver again whenever it stops by itself; until cancelled."""
        while True:
            await asyncio.sleep(0.2)
            if self.alive() or self.process is None:
                continue
            exitcode = self.process.exitcode
            steady = time.monotonic() - self._started_at >= STEADY_SECONDS
            self.crashes = 1 if steady else self.crashes + 1
            pause = min(0.5 * 2 ** (self.crashes - 1), MAX_PAUSE)
            log.error("DC-09: the receiver stopped (exit %s); starting it again in %.1f s",
                      exitcode, pause)  # fmt: skip
            await asyncio.sleep(pause)
            try:
                await asyncio.to_thread(self.start)
                self.restarts += 1
                log.warning("DC-09: the receiver is listening again on port %d", self.port)
            except SettingsError as exc:  # logged; the next round tries again
                log.error("%s", exc)

    def stop(self) -> None:
        process = self.process
        if process is not None and process.is_alive():
            process.terminate()  # SIGTERM: it stores and ACKs what it has, then ends
            process.join(STOP_SECONDS)
            if process.is_alive():
                process.kill()
                process.join()
        if self._pipe is not None:
            self._pipe.close()
            self._pipe = None


def run_receiver(
    settings: Settings,
    policy_sha256: str,
    host: str,
    port: int,
    protocol: Transport,
    pipe: Connection,
    reuse_port: bool = False,
) -> None:
    """The receiver's process: the DC-09 server and its store, until told to stop."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # serve decides; it sends SIGTERM
    raised = raise_priority()
    if load(settings.policy).sha256 != policy_sha256:
        changed = (
            "DC-09: policyen på disk er endret siden tjenesten startet; start den på nytt",
            "DC-09: the policy on disk changed since serve started; restart it",
        )
        pipe.send(("error", changed))
        raise SystemExit(3)
    system = open_system(settings)
    heap.keep_what_is_loaded()
    try:
        aio.run(_serve(system, host, port, protocol, pipe, raised, reuse_port))
    finally:
        system.close()


async def _serve(
    system: System,
    host: str,
    port: int,
    protocol: Transport,
    pipe: Connection,
    raised: bool,
    reuse_port: bool,
) -> None:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    loop.add_signal_handler(signal.SIGTERM, stop.set)
    give_priority(system.engine)  # SQLite: its writes go before the web's
    try:
        intake = await receiver.start(system, host, port, protocol, reuse_port=reuse_port)
    except OSError as exc:
        pipe.send(("error", receiver.cannot_listen(host, port, exc)))
        return
    bound = intake.receiver.udp_port if protocol == "udp" else intake.receiver.tcp_port
    pipe.send(("ready", (bound, raised)))
    # serve never writes again: the pipe turns readable only when serve is gone.
    loop.add_reader(pipe.fileno(), stop.set)
    try:
        await stop.wait()
    finally:
        with contextlib.suppress(Exception):
            loop.remove_reader(pipe.fileno())
        await intake.close()
