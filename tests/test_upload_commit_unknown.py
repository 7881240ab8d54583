"""An upload whose commit fails keeps its blob: the row may be stored all the same (#20).

An upload's blob is written before its row's transaction. When the commit itself fails (the
connection to the primary lost in a failover) the caller cannot know whether the row was
stored: on a cluster with a synchronous standby it often was. Deleting the blob then would
leave a media row whose image is gone. Here the commit really happens on the server and the
caller then sees the connection error, as a client does when the primary dies between the
two; the image must read back, and the upload's error still reach the caller. A failure
before the commit still removes the blob (nothing refers to it).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest
from sqlalchemy import Connection, Engine, event, select

from alarmvern.intake import devices, media
from alarmvern.intake.upload_rules import UploadRefused
from alarmvern.store import tables as t
from alarmvern.store.engine import READ_ONLY
from alarmvern.vault import FolderBlobStore, MasterKey, Vault
from tests import builders as b

JPEG = b"\xff\xd8\xff\xe0 an image sent as the primary died"


@pytest.fixture
def camera(pg_engine: Engine) -> Iterator[devices.Device]:
    with pg_engine.begin() as conn:
        holder = b.person(conn)
        site = b.site(conn, b.account(conn, holder))
        _, token = devices.register(conn, kind="camera", site_id=site, name="Inngang")
        device = devices.authenticate(conn, token)
    assert device is not None
    yield device


def _lose_the_answer_to_the_next_commit(engine: Engine) -> None:
    """The next write's COMMIT is done on the server, then the caller gets a connection
    error (a read's COMMIT, which ends a snapshot on PostgreSQL, is passed by)."""

    def commit_then_fail(conn: Connection) -> None:
        if conn.get_execution_options().get(READ_ONLY, False):
            return
        event.remove(engine, "commit", commit_then_fail)
        dbapi = conn.connection.dbapi_connection
        assert dbapi is not None
        dbapi.commit()
        raise psycopg.OperationalError("the server closed the connection unexpectedly")

    event.listen(engine, "commit", commit_then_fail)


@pytest.mark.postgres
def test_an_image_whose_commit_answer_was_lost_reads_back(
    pg_engine: Engine, camera: devices.Device, tmp_path: Path
) -> None:
    blobs = FolderBlobStore(tmp_path / "blobs")
    vault = Vault(MasterKey.generate(), blobs)
    _lose_the_answer_to_the_next_commit(pg_engine)
    with pytest.raises(psycopg.OperationalError):
        media.upload_media(pg_engine, vault, camera, JPEG, "image/jpeg", b.T0)
    with pg_engine.connect() as conn:
        [row] = conn.execute(select(t.media)).all()  # the commit did happen
        assert vault.get_blob(conn, f"account:{row.account_id}", "media", row.blob_id) == JPEG


@pytest.mark.postgres
def test_an_upload_refused_before_its_commit_leaves_no_blob(
    pg_engine: Engine, camera: devices.Device, tmp_path: Path
) -> None:
    blobs = FolderBlobStore(tmp_path / "blobs")
    vault = Vault(MasterKey.generate(), blobs)
    with pytest.raises(UploadRefused):  # an on-demand image nobody can have asked for
        media.upload_media(
            pg_engine, vault, camera, JPEG, "image/jpeg", b.T0, on_demand=True, requested_by=-1
        )
    with pg_engine.connect() as conn:
        assert conn.execute(select(t.media)).all() == []
    assert list(blobs.iter_ids()) == []
