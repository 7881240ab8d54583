"""Failover: two receivers on a Patroni cluster lose no ACKed frame when its primary dies.

A one-member etcd and two PostgreSQL nodes under Patroni (synchronous replication) run on
loopback ports (``tests/cluster_support.py``); two ``alarmvern serve`` (web and receiver), each
with a data folder of its own, use the cluster through its multi-host URL
(``target_session_attrs=read-write``), and share what a node must not keep to itself: the key
store, a database of its own on the same cluster (ALARMVERN_KEY_STORE_URL, multi-host too),
and the vault's blobs, in an S3 bucket on a moto server both reach over HTTP. The simulator's
panels send to both receivers at a steady rate, and a camera uploads images to both webs.
The primary is killed (SIGKILL to the whole node) at a random moment, ``KILLS`` times; after
each, the frames ACKed until then must all be in the cluster, none twice. Measured (printed,
and bounded by the issue's 30 s): the time from the kill to the first frame stored on the new
primary, to the web answering a request that needs the database, and to the next image
stored. The killed node is started again and becomes the synchronous standby before the next
kill. At the end every image a web answered 201 for is read back, through a third vault on
the shared key store and bucket, and is the image sent; so is every media row the cluster
holds (an upload whose answer was lost in a failover may have been stored all the same).

Patroni and etcd are installed with apt-get where missing; skipped, with the reason, where
that cannot be done.
"""

from __future__ import annotations

import asyncio
import functools
import itertools
import os
import random
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path

import boto3
import httpx
import psycopg
import pytest
from moto.server import ThreadedMotoServer
from sqlalchemy import func, select

from alarmvern.intake import devices
from alarmvern.sia.simulate import Stats, panel_accounts, simulate
from alarmvern.store import tables as t
from alarmvern.store.engine import create_store_engine
from alarmvern.vault import KeyStore, MasterKey, Vault
from alarmvern.vault.s3 import S3BlobStore
from tests import builders as b
from tests import cluster_support
from tests.test_intake_kill import free_port

pytestmark = [pytest.mark.slow, pytest.mark.postgres]

KILLS = 5
PANELS = 8  # per receiver
RATE = 16.0  # frames a second, per receiver
RESUME_WITHIN = 30.0  # seconds, the goal
MIX = {"openclose": 1.0}  # every frame is an event row, so ACKed frames can be counted
UPLOAD_EVERY = 0.5  # seconds between a camera's images, per web
S3_ENV = {
    "AWS_ACCESS_KEY_ID": "test",
    "AWS_SECRET_ACCESS_KEY": "test",
    "AWS_DEFAULT_REGION": "us-east-1",
}


@pytest.fixture(scope="module")
def cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[cluster_support.Cluster]:
    reason = cluster_support.install()
    if reason is not None:
        pytest.skip(reason)
    begun = time.monotonic()
    running = cluster_support.start_cluster()
    print(f"cluster up in {time.monotonic() - begun:.1f} s", flush=True)
    try:
        yield running
    finally:
        running.stop(keep_logs=tmp_path_factory.mktemp("cluster-logs"))


@pytest.fixture(scope="module")
def s3_endpoint() -> Iterator[str]:
    """A moto S3 server on a free loopback port, reached by both nodes over HTTP."""
    port = free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    yield f"http://127.0.0.1:{port}"
    server.stop()


def s3_client(endpoint: str) -> object:
    return boto3.client(
        "s3",
        endpoint_url=endpoint,
        aws_access_key_id=S3_ENV["AWS_ACCESS_KEY_ID"],
        aws_secret_access_key=S3_ENV["AWS_SECRET_ACCESS_KEY"],
        region_name=S3_ENV["AWS_DEFAULT_REGION"],
    )


def alarmvern(data_dir: Path, db: str, *args: str) -> list[str]:
    return [sys.executable, "-m", "alarmvern", "--data-dir", str(data_dir), "--db", db, *args]


def start_nodes(
    data_dirs: list[Path], db: str, web_ports: list[int], env: dict[str, str]
) -> list[tuple[subprocess.Popen[bytes], int]]:
    """An ``alarmvern serve`` (web and receiver) per data folder, started together, with
    ``env`` as their environment; (the process, its DC-09 port) each, once all listen."""
    nodes, logs = [], []
    for n, (data_dir, web_port) in enumerate(zip(data_dirs, web_ports, strict=True)):
        port, logs_at = free_port(), data_dir.parent / f"node{n}-serve.log"
        command = alarmvern(
            data_dir, db, "serve", "--port", str(web_port), "--dc09-port", str(port)
        )
        with logs_at.open("ab") as log:
            process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=log, env=env)
        nodes.append((process, port))
        logs.append(logs_at)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        for (process, _), log_file in zip(nodes, logs, strict=True):
            assert process.poll() is None, log_file.read_text()[-2000:]
        if all(_listens(port) for port in [*web_ports, *(port for _, port in nodes)]):
            return nodes
        time.sleep(0.1)
    for process, _ in nodes:
        process.kill()
        process.wait()
    raise AssertionError("the nodes did not start listening")


def _listens(port: int) -> bool:
    with socket.socket() as sock:
        return sock.connect_ex(("127.0.0.1", port)) == 0


def web_answers(base: str) -> bool:
    """The web answers a request that needs the database (a login, refused: a wrong password)."""
    try:
        answer = httpx.post(
            f"{base}/api/v1/login",
            json={"username": "probe@example.no", "password": "not-the-password"},
            timeout=5,
        )
    except httpx.HTTPError:
        return False
    return answer.status_code in (401, 429)


async def _back(check: Callable[[], bool], started: float, what: str) -> float:
    """Seconds from ``started`` until ``check`` (run in a thread) holds."""
    while not await asyncio.to_thread(check):
        assert time.monotonic() - started < 120, f"{what} did not resume"
        await asyncio.sleep(0.2)
    return time.monotonic() - started


def register(url: str, accounts: list[str]) -> str:
    """The panels' sites, and a camera at the first; the camera's device token."""
    engine = create_store_engine(url)
    try:
        with engine.begin() as conn:
            holder = b.person(conn, name="Failover test holder")
            account = b.account(conn, holder, "FAILOVER")
            sites = [b.site(conn, account, panel_account=panel) for panel in accounts]
            _, token = devices.register(conn, kind="camera", site_id=sites[0], name="Inngang")
    finally:
        engine.dispose()
    return token


Uploaded = tuple[int, bytes, float]  # media id, the image, when the answered request was sent


async def camera(web: str, token: str, number: int, uploaded: list[Uploaded]) -> None:
    """Upload an image every ``UPLOAD_EVERY`` s to ``web``, each sent again until it is
    answered 201 (a failover answers 500 or nothing meanwhile); record each 201's media id."""
    rng = random.Random(number)
    async with httpx.AsyncClient(base_url=web, timeout=10) as client:
        for sent in itertools.count():
            image = (
                b"\xff\xd8\xff\xe0"
                + f"camera {number} image {sent} ".encode()
                + rng.randbytes(2048)
            )
            while True:
                sent_at = time.monotonic()
                try:
                    answer = await client.post(
                        "/api/v1/intake/media",
                        headers={"Authorization": f"Bearer {token}"},
                        files={"file": ("bilde.jpg", image, "image/jpeg")},
                        data={"captured_at": datetime.now(UTC).isoformat()},
                    )
                except httpx.HTTPError:
                    answer = None
                if answer is not None and answer.status_code == 201:
                    uploaded.append((int(answer.json()["id"]), image, sent_at))
                    break
                await asyncio.sleep(0.3)
            await asyncio.sleep(UPLOAD_EVERY)


def uploaded_since(uploaded: list[Uploaded], moment: float) -> bool:
    """Whether an image sent after ``moment`` (monotonic) was answered 201 (one sent before
    may be answered after: its commit came before the kill)."""
    return any(at > moment for *_, at in uploaded)


def read_back(db: str, keys: str, endpoint: str, bucket: str, master: str) -> dict[int, bytes]:
    """Every media row's image, decrypted by a vault of this process's own on the shared key
    store and bucket (a row whose image cannot be read fails here)."""
    store = S3BlobStore(bucket, endpoint_url=endpoint, client=s3_client(endpoint))  # type: ignore[arg-type]
    key_store = KeyStore.at(keys)
    vault = Vault(MasterKey.from_base64(master, "test"), store, key_store)
    engine = create_store_engine(db)
    try:
        with engine.connect() as conn:
            rows = conn.execute(select(t.media.c.id, t.media.c.account_id, t.media.c.blob_id))
            return {
                row.id: vault.get_blob(conn, f"account:{row.account_id}", "media", row.blob_id)
                for row in rows
            }
    finally:
        engine.dispose()
        key_store.close()


def stored(url: str) -> list[tuple[str, str]]:
    """(panel account, sequence) of every stored event, through the multi-host URL."""
    with psycopg.connect(url) as conn:
        return [
            (str(account), str(sequence))
            for account, sequence in conn.execute(
                "SELECT panel_account, sequence FROM alarm_events"
            )
        ]


def stored_since(url: str, moment: datetime) -> bool:
    """Whether an event received after ``moment`` is stored (False while there is no primary)."""
    try:
        with psycopg.connect(url) as conn:
            row = conn.execute(
                "SELECT count(*) FROM alarm_events WHERE received_at > %s", (moment,)
            ).fetchone()
            return bool(row and row[0])
    except psycopg.OperationalError:
        return False


def test_five_failovers_lose_no_acked_frame_nor_image(
    cluster: cluster_support.Cluster, s3_endpoint: str, tmp_path: Path
) -> None:
    cluster_support.create_database(cluster, "alarmvern")
    cluster_support.create_database(cluster, "alarmvern_keys")
    url, keys = cluster.url("alarmvern"), cluster.url("alarmvern_keys")
    bucket = f"alarmvern-{os.urandom(4).hex()}"
    s3_client(s3_endpoint).create_bucket(Bucket=bucket)  # type: ignore[attr-defined]
    master = MasterKey.generate().encoded()
    env = {
        **os.environ,
        **S3_ENV,
        "ALARMVERN_KEY_STORE_URL": keys,
        "ALARMVERN_S3_BUCKET": bucket,
        "ALARMVERN_S3_ENDPOINT_URL": s3_endpoint,
        "ALARMVERN_MASTER_KEY": master,  # both nodes', as the key store is
    }
    data_dirs = [tmp_path / "node0", tmp_path / "node1"]
    begun = time.monotonic()
    # Each node is initialised as on a machine of its own: the first migrates the cluster's
    # database, the second (meanwhile the test registers the panels) finds it done.
    init = subprocess.run(
        alarmvern(data_dirs[0], url, "init"), capture_output=True, timeout=120, env=env
    )
    assert init.returncode == 0, init.stderr.decode()
    second = subprocess.Popen(
        alarmvern(data_dirs[1], url, "init"), stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE, env=env,
    )  # fmt: skip
    fleets = [panel_accounts(PANELS, seed=seed) for seed in (1, 2)]
    token = register(url, [account for fleet in fleets for account, _ in fleet])
    _, errors = second.communicate(timeout=120)
    assert second.returncode == 0, errors.decode()
    web_ports = [free_port(), free_port()]
    receivers = start_nodes(data_dirs, url, web_ports, env)
    webs = [f"http://127.0.0.1:{port}" for port in web_ports]
    uploaded: list[Uploaded] = []
    try:
        deadline = time.monotonic() + 60
        while not all(web_answers(web) for web in webs):
            assert time.monotonic() < deadline, "the webs did not answer"
            time.sleep(0.2)
        print(f"two nodes initialised and serving {time.monotonic() - begun:.1f} s after the "
              "cluster was up", flush=True)  # fmt: skip
        stats = [Stats(), Stats()]
        resumes, rounds = asyncio.run(
            _kill_rounds(cluster, url, webs, token, receivers, fleets, stats, uploaded)
        )
    finally:
        for process, _ in receivers:
            process.kill()
            process.wait()
    for number, (resume, web_resume, image_resume, acked, lost, doubled) in enumerate(
        rounds, start=1
    ):
        print(f"kill {number}: intake resumed after {resume:.1f} s, the web after "
              f"{web_resume:.1f} s, uploads after {image_resume:.1f} s; {acked} frames ACKed "
              f"so far, {lost} lost, {doubled} stored twice")  # fmt: skip
    assert all(lost == 0 and doubled == 0 for *_, lost, doubled in rounds)
    assert len(resumes) == KILLS
    assert max(resumes) < RESUME_WITHIN, resumes
    assert max(r[1] for r in rounds) < RESUME_WITHIN, rounds
    assert max(r[2] for r in rounds) < RESUME_WITHIN, rounds
    engine = create_store_engine(url)
    try:
        with engine.connect() as conn:
            rows = conn.execute(select(func.count()).select_from(t.alarm_events)).scalar_one()
    finally:
        engine.dispose()
    assert rows >= rounds[-1][3]
    holds = set(stored(url))
    assert not {frame for each in stats for frame in each.acked_frames} - holds  # to the end
    # Every image answered 201 is stored and reads back as sent, and so does every media row
    # (none names a blob the bucket lost or a key the key store lacks).
    images = read_back(url, keys, s3_endpoint, bucket, master)
    print(f"{len(uploaded)} images answered 201 through both webs; {len(images)} media rows, "
          "all readable")  # fmt: skip
    assert {media_id: image for media_id, image, _ in uploaded}.items() <= images.items()
    assert len(uploaded) >= KILLS
    for data_dir in data_dirs:  # nothing of the vault kept on a node of its own
        assert not (data_dir / "keys" / "subject-keys.db").exists()
        assert not any((data_dir / "blobs").iterdir())


# intake, web and upload resume s; frames ACKed so far, lost, stored twice
Round = tuple[float, float, float, int, int, int]


async def _kill_rounds(
    cluster: cluster_support.Cluster,
    url: str,
    webs: list[str],
    token: str,
    receivers: list[tuple[subprocess.Popen[bytes], int]],
    fleets: list[list[tuple[str, str]]],
    stats: list[Stats],
    uploaded: list[Uploaded],
) -> tuple[list[float], list[Round]]:
    panels = [
        asyncio.create_task(
            simulate(
                "127.0.0.1",
                port,
                panels=PANELS,
                rate=RATE,
                duration=3600,
                encrypted=False,
                mix=MIX,
                accounts=fleet,
                ack_timeout=5.0,
                retries=20,
                reconnect_for=120.0,
                stats=stats[n],
            )
        )
        for n, ((_, port), fleet) in enumerate(zip(receivers, fleets, strict=True))
    ]
    cameras = [asyncio.create_task(camera(web, token, n, uploaded)) for n, web in enumerate(webs)]
    rng = random.Random(20261202)
    resumes: list[float] = []
    rounds: list[Round] = []
    try:
        for _ in range(KILLS):
            await asyncio.to_thread(cluster.wait_healthy, 120.0)
            await asyncio.sleep(rng.uniform(1.5, 4.0))  # the panels send meanwhile
            for each in (*panels, *cameras):
                assert not each.done(), each
            primary = cluster.primary()
            assert primary is not None
            killed_at = datetime.now(UTC)
            started = time.monotonic()
            await asyncio.to_thread(cluster.kill, primary)
            acked = [frame for each in stats for frame in each.acked_frames]
            web_back = asyncio.create_task(
                _back(lambda: all(web_answers(web) for web in webs), started, "the webs")
            )
            image_after = functools.partial(uploaded_since, uploaded, started)
            image_back = asyncio.create_task(_back(image_after, started, "uploads"))
            stored_after = functools.partial(stored_since, url, killed_at)
            intake = await _back(stored_after, started, "intake")
            resumes.append(intake)
            web_resume, image_resume = await web_back, await image_back
            holds = await asyncio.to_thread(stored, url)
            lost = len(set(acked) - set(holds))
            doubled = len(holds) - len(set(holds))
            rounds.append((intake, web_resume, image_resume, len(acked), lost, doubled))
            print(f"kill {len(rounds)} ({primary.name}): intake back after {intake:.1f} s, "
                  f"the webs after {web_resume:.1f} s, uploads after {image_resume:.1f} s",
                  flush=True)  # fmt: skip
            cluster.start_node(primary)
    finally:
        for each in (*panels, *cameras):
            each.cancel()
        await asyncio.gather(*panels, *cameras, return_exceptions=True)
    return resumes, rounds
