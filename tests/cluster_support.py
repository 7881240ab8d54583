"""A PostgreSQL cluster for the failover tests: one etcd member and two PostgreSQL nodes under
Patroni, on loopback ports in a temporary folder, with synchronous replication.

The Debian packages ``patroni`` and ``etcd-server`` provide the engines; :func:`install`
installs them with apt-get where they are missing and that can be done, and otherwise says
why not, so that a test can skip with the reason. PostgreSQL's own binaries are those of
/usr/lib/postgresql/<version>/bin. PostgreSQL refuses to run as root, so when the tests run
as root the cluster runs as the ``postgres`` user (in a folder that user owns).

A node is "killed" as a machine dies: Patroni and every PostgreSQL process of the node get
SIGKILL at once, and nothing is cleaned up. Patroni's leader key in etcd then expires (``ttl``
seconds) and the synchronous standby is promoted; a killed node started again finds the new
primary, is rewound (``pg_rewind``) and follows it, and becomes the synchronous standby again.
"""

from __future__ import annotations

import atexit
import contextlib
import json
import os
import pwd
import shutil
import signal
import socket
import subprocess
import tempfile
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ETCD = "etcd"
PATRONI = "patroni"
TTL = 10  # seconds: the leader key's life; a dead primary is replaced within about this
LOOP_WAIT = 1
RETRY_TIMEOUT = 4  # loop_wait + 2 × retry_timeout must stay below the ttl (Patroni's rule)


def bin_dir() -> Path | None:
    """The newest PostgreSQL server binaries on this machine."""
    found = sorted(
        Path("/usr/lib/postgresql").glob("*/bin/postgres"),
        key=lambda p: int(p.parent.parent.name) if p.parent.parent.name.isdigit() else 0,
    )
    return found[-1].parent if found else None


def missing() -> str | None:
    """Why a cluster cannot be started here, or None if it can."""
    for program, package in ((ETCD, "etcd-server"), (PATRONI, "patroni")):
        if shutil.which(program) is None:
            return f"{program} is not installed (apt-get install -y {package})"
    if bin_dir() is None:
        return "no PostgreSQL server binaries under /usr/lib/postgresql/*/bin"
    if os.geteuid() == 0:
        try:
            pwd.getpwnam("postgres")
        except KeyError:
            return "running as root and there is no postgres user to run PostgreSQL as"
    return None


def install() -> str | None:
    """Install what is missing with apt-get (as root); why a cluster cannot run, or None."""
    reason = missing()
    if reason is None or "not installed" not in reason:
        return reason
    apt = shutil.which("apt-get")
    if apt is None or os.geteuid() != 0:
        return f"{reason}, and it cannot be installed here (no apt-get, or not root)"
    installed = subprocess.run(
        [apt, "install", "-y", "-q", "patroni", "etcd-server"],
        env={**os.environ, "DEBIAN_FRONTEND": "noninteractive"},
        capture_output=True,
        text=True,
        timeout=900,
    )
    if installed.returncode != 0:
        return f"{reason}; apt-get failed: {installed.stderr.strip()[-300:]}"
    return missing()


def free_ports(n: int) -> list[int]:
    sockets = [socket.socket() for _ in range(n)]
    try:
        for each in sockets:
            each.bind(("127.0.0.1", 0))
        return [each.getsockname()[1] for each in sockets]
    finally:
        for each in sockets:
            each.close()


@dataclass
class Node:
    name: str
    pg_port: int
    api_port: int
    data_dir: Path
    config: Path
    process: subprocess.Popen[bytes] | None = None

    def api(self, path: str, timeout: float = 2.0) -> tuple[int, Any]:
        """Patroni's REST API: (status, JSON body); status 0 when the node does not answer."""
        url = f"http://127.0.0.1:{self.api_port}{path}"
        try:
            with urllib.request.urlopen(url, timeout=timeout) as response:
                return response.status, json.loads(response.read() or b"null")
        except urllib.error.HTTPError as error:
            with contextlib.suppress(ValueError):
                return error.code, json.loads(error.read() or b"null")
            return error.code, None
        except (OSError, ValueError):
            return 0, None

    def is_primary(self) -> bool:
        status, body = self.api("/primary")
        return status == 200 and isinstance(body, dict) and body.get("state") == "running"

    def sync_standbys(self) -> list[str]:
        """The nodes streaming to this one as synchronous standbys (its pg_stat_replication)."""
        status, body = self.api("/primary")
        if status != 200 or not isinstance(body, dict):
            return []
        return [
            str(each.get("application_name"))
            for each in body.get("replication") or []
            if each.get("state") == "streaming" and each.get("sync_state") == "sync"
        ]


@dataclass
class Cluster:
    folder: Path
    nodes: list[Node] = field(default_factory=list)
    etcd: subprocess.Popen[bytes] | None = None
    etcd_port: int = 0
    user: str | None = None  # the user PostgreSQL runs as, when not this one

    # -- the multi-host URL the services use ---------------------------------------------

    def url(self, database: str = "postgres") -> str:
        """A libpq multi-host URL: every node, and only the read-write one will do."""
        hosts = ",".join(f"127.0.0.1:{node.pg_port}" for node in self.nodes)
        return (
            f"postgresql://postgres@{hosts}/{database}"
            "?target_session_attrs=read-write&connect_timeout=3"
        )

    # -- starting ----------------------------------------------------------------------

    def start(self, timeout: float = 90.0) -> None:
        etcd_client, etcd_peer, *ports = free_ports(6)
        self.etcd_port = etcd_client
        etcd_dir = self.folder / "etcd"
        peer, client = f"http://127.0.0.1:{etcd_peer}", f"http://127.0.0.1:{etcd_client}"
        argv = [ETCD, "--name", "e0", "--data-dir", str(etcd_dir)]
        argv += ["--listen-client-urls", client, "--advertise-client-urls", client]
        argv += ["--listen-peer-urls", peer, "--initial-advertise-peer-urls", peer]
        argv += ["--initial-cluster", f"e0={peer}"]
        self.etcd = self._spawn(
            argv,
            self.folder / "etcd.log",
        )
        for index in range(2):
            name = f"pg{index}"
            node = Node(
                name,
                ports[2 * index],
                ports[2 * index + 1],
                self.folder / name,
                self.folder / f"{name}.yml",
            )
            node.config.write_text(json.dumps(self._config(node)), encoding="utf-8")
            self._own(node.config)
            self.nodes.append(node)
        self._wait(lambda: self._etcd_answers(), timeout, "etcd did not answer")
        self.start_node(self.nodes[0])
        self._wait(lambda: self.nodes[0].is_primary(), timeout, "the first node did not start")
        self.start_node(self.nodes[1])
        self.wait_healthy(timeout)

    def start_node(self, node: Node) -> None:
        node.process = self._spawn([PATRONI, str(node.config)], self.folder / f"{node.name}.log")

    def wait_healthy(self, timeout: float = 90.0) -> None:
        """Until one node is primary and the other its synchronous standby."""
        self._wait(
            lambda: self.primary() is not None and self.sync_standby() is not None,
            timeout,
            "the cluster did not get a primary and a synchronous standby",
        )

    def primary(self) -> Node | None:
        found = [node for node in self.nodes if node.is_primary()]
        return found[0] if len(found) == 1 else None

    def sync_standby(self) -> Node | None:
        """The node streaming as synchronous standby and named so in etcd: only then may
        Patroni promote it (a standby that streams but is not yet in the DCS's sync key
        would leave the cluster without a primary)."""
        primary = self.primary()
        if primary is None:
            return None
        streaming = primary.sync_standbys()
        status, body = primary.api("/cluster")
        members = body.get("members", []) if status == 200 and isinstance(body, dict) else []
        named = {m.get("name") for m in members if m.get("role") == "sync_standby"}
        found = [node for node in self.nodes if node.name in streaming and node.name in named]
        return found[0] if len(found) == 1 else None

    # -- killing -----------------------------------------------------------------------

    def kill(self, node: Node) -> None:
        """SIGKILL to Patroni and to every PostgreSQL process of ``node``, at once."""
        groups = set()
        if node.process is not None:
            groups.add(os.getpgid(node.process.pid))
        postmaster = _postmaster_pid(node.data_dir)
        if postmaster is not None:
            with contextlib.suppress(ProcessLookupError):
                groups.add(os.getpgid(postmaster))
        for group in groups:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(group, signal.SIGKILL)
        if node.process is not None:
            node.process.wait(timeout=10)
            node.process = None
        if postmaster is not None:
            _wait_gone(postmaster)

    def stop(self, keep_logs: Path | None = None) -> None:
        """Kill everything and remove the folder (its logs copied to ``keep_logs`` first)."""
        if keep_logs is not None:
            keep_logs.mkdir(parents=True, exist_ok=True)
            for log in self.folder.glob("*.log"):
                shutil.copy(log, keep_logs / log.name)
        for node in self.nodes:
            with contextlib.suppress(Exception):
                self.kill(node)
        if self.etcd is not None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(os.getpgid(self.etcd.pid), signal.SIGKILL)
            self.etcd.wait(timeout=10)
            self.etcd = None
        shutil.rmtree(self.folder, ignore_errors=True)

    # -- helpers -----------------------------------------------------------------------

    def _config(self, node: Node) -> dict[str, Any]:
        binaries = bin_dir()
        trust = [
            "local all all trust",
            "host all all 127.0.0.1/32 trust",
            "host replication all 127.0.0.1/32 trust",
        ]
        return {
            "scope": "alarmvern-test",
            "name": node.name,
            "log": {"level": "WARNING"},
            "restapi": {
                "listen": f"127.0.0.1:{node.api_port}",
                "connect_address": f"127.0.0.1:{node.api_port}",
            },
            "etcd3": {"hosts": [f"127.0.0.1:{self.etcd_port}"]},
            "bootstrap": {
                "dcs": {
                    "ttl": TTL,
                    "loop_wait": LOOP_WAIT,
                    "retry_timeout": RETRY_TIMEOUT,
                    # The synchronous standby has every commit: promote it however far its
                    # replay lags behind what it received.
                    "maximum_lag_on_failover": 1 << 30,
                    "synchronous_mode": True,
                    "postgresql": {
                        "use_pg_rewind": True,
                        "remove_data_directory_on_rewind_failure": True,
                        "remove_data_directory_on_diverged_timelines": True,
                        "parameters": {
                            "wal_log_hints": "on",
                            "max_connections": 100,
                            "max_wal_senders": 5,
                            "max_replication_slots": 5,
                            "fsync": "on",
                            "synchronous_commit": "on",
                            "shared_buffers": "32MB",
                        },
                    },
                },
                "initdb": [{"encoding": "UTF8"}, {"username": "postgres"}, "data-checksums"],
                "pg_hba": trust,
            },
            "postgresql": {
                "listen": f"127.0.0.1:{node.pg_port}",
                "connect_address": f"127.0.0.1:{node.pg_port}",
                "data_dir": str(node.data_dir),
                "bin_dir": str(binaries),
                "pgpass": str(self.folder / f"{node.name}.pgpass"),
                "authentication": {
                    "superuser": {"username": "postgres", "password": "postgres"},
                    "replication": {"username": "postgres", "password": "postgres"},
                },
                "parameters": {"unix_socket_directories": str(self.folder)},
                "pg_hba": trust,
            },
            "tags": {"nofailover": False, "noloadbalance": False},
        }

    def _spawn(self, argv: list[str], log: Path) -> subprocess.Popen[bytes]:
        output = log.open("ab")
        self._own(log)
        try:
            return subprocess.Popen(
                argv,
                stdout=output,
                stderr=subprocess.STDOUT,
                cwd=self.folder,
                start_new_session=True,  # its own process group, to be killed as one
                user=self.user,
                env={**os.environ, "PATRONI_LOG_LEVEL": "WARNING"},
            )
        finally:
            output.close()

    def _own(self, path: Path) -> None:
        if self.user is not None:
            record = pwd.getpwnam(self.user)
            os.chown(path, record.pw_uid, record.pw_gid)

    def _etcd_answers(self) -> bool:
        url = f"http://127.0.0.1:{self.etcd_port}/health"
        try:
            with urllib.request.urlopen(url, timeout=1) as response:
                return bool(response.status == 200)
        except OSError:
            return False

    def _wait(self, condition: Any, timeout: float, what: str) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if condition():
                return
            time.sleep(0.2)
        raise RuntimeError(f"{what} within {timeout:.0f} s; logs in {self.folder}")


def _postmaster_pid(data_dir: Path) -> int | None:
    try:
        first = (data_dir / "postmaster.pid").read_text(encoding="utf-8").split("\n", 1)[0]
        return int(first)
    except (OSError, ValueError):
        return None


def _wait_gone(pid: int, timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return
        time.sleep(0.05)


def start_cluster() -> Cluster:
    """A running cluster in a fresh temporary folder; call ``stop()`` when done."""
    folder = Path(tempfile.mkdtemp(prefix="alarmvern-cluster-"))
    cluster = Cluster(folder)
    if os.geteuid() == 0:
        cluster.user = "postgres"
        record = pwd.getpwnam("postgres")
        os.chown(folder, record.pw_uid, record.pw_gid)
    folder.chmod(0o700)
    atexit.register(cluster.stop)  # a test run cut short leaves no cluster running
    try:
        cluster.start()
    except BaseException:
        cluster.stop()
        raise
    return cluster


def create_database(cluster: Cluster, name: str) -> None:
    import psycopg

    with psycopg.connect(cluster.url(), autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
