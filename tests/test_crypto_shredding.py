"""Crypto-shredding that holds against backups (security review H3).

A backup of the database and the blob folder, taken before an erasure, is restored with the
key store as it is after the erasure: nothing of the erased person decrypts, while the
neighbour in the same backup still does (so the check is not vacuous). The database is
backed up the way each one is: SQLite's online backup, a PostgreSQL template copy.
"""

from __future__ import annotations

import shutil
import sqlite3
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import psycopg
import pytest
from sqlalchemy import Engine, select

from alarmvern.errors import VaultError
from alarmvern.policy import load
from alarmvern.retention.sweep import finish_tombstones
from alarmvern.rights import erasure
from alarmvern.rights.scope import scope_of
from alarmvern.store import tables as t
from alarmvern.store.engine import create_store_engine
from alarmvern.store.tables import subject_keys
from alarmvern.vault import FolderBlobStore, KeyStore, MasterKey, Vault
from tests import rights_world
from tests.rights_world import World


@contextmanager
def backup_of(engine: Engine, folder: Path) -> Iterator[Engine]:
    """A copy of the database as it is now, as an engine (dropped afterwards)."""
    if engine.dialect.name == "sqlite":
        copy = folder / "backup.db"
        with sqlite3.connect(str(engine.url.database)) as source, sqlite3.connect(copy) as target:
            source.backup(target)
        restored = create_store_engine(f"sqlite:///{copy}")
        yield restored
        restored.dispose()
        return
    name = f"alarmvern_bak_{uuid.uuid4().hex[:10]}"
    admin = engine.url.set(database="postgres", drivername="postgresql")
    engine.dispose()  # a template copy needs the source to have no connections
    admin_url = admin.render_as_string(hide_password=False)
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}" TEMPLATE "{engine.url.database}"')
    restored = create_store_engine(engine.url.set(database=name).render_as_string(False))
    try:
        yield restored
    finally:
        restored.dispose()
        with psycopg.connect(admin_url, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _nin_token(engine: Engine, person: int) -> str:
    with engine.connect() as conn:
        query = select(t.persons.c.nin_enc).where(t.persons.c.id == person)
        return str(conn.execute(query).scalar_one())


def _readable(engine: Engine, vault: Vault, world: World) -> dict[str, bool]:
    """Which of the person's secrets (and the neighbour's) this vault opens in ``engine``."""
    found = {}
    nin = _nin_token(engine, world.person)
    with engine.connect() as conn:
        tries = {
            "nin": lambda: vault.decrypt_field(
                conn, f"person:{world.person}", "persons", "nin_enc", nin
            ),
            "image": lambda: vault.get_blob(
                conn, f"account:{world.account}", "media", world.media_blob
            ),
            "call": lambda: vault.get_blob(
                conn, f"account:{world.account}", "call_recordings", world.call_blob
            ),
            "neighbour": lambda: vault.encrypt_field(
                conn, f"person:{world.neighbour}", "persons", "nin_enc", "x"
            ),
        }
        for name, attempt in tries.items():
            try:
                attempt()
                found[name] = True
            except VaultError:
                found[name] = False
    return found


@pytest.mark.parametrize("key_store", ["file", "postgresql"])
def test_a_backup_from_before_an_erasure_decrypts_nothing_of_the_person(
    engine: Engine, tmp_path: Path, key_store: str, request: pytest.FixtureRequest
) -> None:
    master = MasterKey.generate()
    if key_store == "postgresql":
        keys = KeyStore.at(request.getfixturevalue("pg_key_store_url"))
    else:
        keys = KeyStore(tmp_path / "keys" / "subject-keys.db")
    live = Vault(master, FolderBlobStore(tmp_path / "blobs"), keys)
    with engine.begin() as conn:
        world = rights_world.build(conn, live)
        assert conn.execute(select(subject_keys)).first() is None  # no key in the database

    shutil.copytree(tmp_path / "blobs", tmp_path / "backup-blobs")
    with backup_of(engine, tmp_path) as backup:
        from_backup = Vault(master, FolderBlobStore(tmp_path / "backup-blobs"), keys)
        every = {"nin": True, "image": True, "call": True, "neighbour": True}
        assert _readable(backup, from_backup, world) == every  # before: the attack works

        with engine.begin() as conn:
            scope = scope_of(conn, live, world.person)
            receipt = erasure.erase(conn, live, load("default").policy, scope, actor="test")
        finish_tombstones(engine, live)
        assert f"person:{world.person}" in receipt.shredded
        assert f"account:{world.account}" in receipt.shredded

        # The restore: the backup's database and blobs, the key store as it is now.
        restored = Vault(master, FolderBlobStore(tmp_path / "backup-blobs"), keys)
        assert _readable(backup, restored, world) == {
            "nin": False,
            "image": False,
            "call": False,
            "neighbour": True,
        }
    keys.close()


def test_a_shred_rolled_back_keeps_the_key_and_one_committed_is_finished_later(
    engine: Engine, tmp_path: Path
) -> None:
    """The two steps of a shred: nothing is lost when the transaction rolls back; when it
    commits and the process dies before the key store is told, the key is unusable at once
    and the next finish deletes it."""
    vault = Vault(MasterKey.generate(), FolderBlobStore(tmp_path / "blobs"))
    with engine.begin() as conn:
        token = vault.encrypt_field(conn, "person:5", "persons", "nin_enc", "01017012345")
    with engine.connect() as conn:
        assert vault.shred(conn, "person:5")
        conn.rollback()
    with engine.connect() as conn:
        assert vault.decrypt_field(conn, "person:5", "persons", "nin_enc", token)
    with engine.begin() as conn:
        assert vault.shred(conn, "person:5")
    # (a crash here: the tombstone committed, the key store not yet told)
    assert vault.keys.read("person:5") is not None
    with engine.connect() as conn, pytest.raises(VaultError, match="shredded"):
        vault.decrypt_field(conn, "person:5", "persons", "nin_enc", token)
    assert vault.finish_shreds(engine) == 1
    assert vault.keys.read("person:5") is None
    with engine.connect() as conn:
        assert conn.execute(select(t.key_tombstones)).first() is None
    vault.keys.close()


def test_keys_an_older_version_kept_in_the_database_move_to_the_key_store(
    engine: Engine, tmp_path: Path
) -> None:
    master = MasterKey.generate()
    vault = Vault(master, FolderBlobStore(tmp_path / "blobs"))
    with engine.begin() as conn:
        token = vault.encrypt_field(conn, "person:9", "persons", "nin_enc", "01017012345")
    stored = vault.keys.read("person:9")
    assert stored is not None
    vault.keys.remove(["person:9"])
    with engine.begin() as conn:  # as the version before this one kept it
        conn.execute(
            subject_keys.insert().values(
                subject="person:9", wrapped_key=stored.wrapped, master_key_id=master.id
            )
        )
    with engine.begin() as conn:
        vault.check_master(conn)  # every start does this (open_system, init)
    with engine.connect() as conn:
        assert conn.execute(select(subject_keys)).first() is None
        assert vault.decrypt_field(conn, "person:9", "persons", "nin_enc", token) == "01017012345"
    vault.keys.close()
