"""The key store: the subjects' wrapped data keys, in a database of their own, outside the
main database and so outside its backups: by default a SQLite file in the data folder; with
several nodes a small PostgreSQL database given by URL (ALARMVERN_KEY_STORE_URL), which all
nodes share and which must never be the main database (:func:`refuse_main_database`).

A backup of the main database taken before an erasure holds the person's rows again, but
not their key: the key lived only here, and shredding deleted it here. Restored with the
key store as it is after the erasure, nothing of the person decrypts. The store is small,
and is backed up on its own, with a short backup life (see docs/security.md,
"Crypto-shredding and backups").

A shred cannot commit together with the caller's transaction in another database, so it
goes in two steps, like a blob's deletion: :meth:`alarmvern.vault.Vault.shred` writes a
tombstone in the caller's transaction (the key stops being usable the moment that
commits, and stays usable if it rolls back), and :meth:`Vault.finish_shreds` deletes the
key here after the commit. A crash in between leaves the tombstone, and the next erasure,
sweep or replay finishes it.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import Connection, Engine, delete, select
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError, OperationalError

from alarmvern.errors import VaultError
from alarmvern.store.engine import create_store_engine, normalise_url
from alarmvern.store.tables import subject_keys
from alarmvern.vault import datakeys
from alarmvern.vault.keys import MasterKey

if TYPE_CHECKING:
    from alarmvern.settings import Settings

FILE = "subject-keys.db"


def _identity(url: str) -> tuple[str, ...]:
    """What names one database: the SQLite file, or PostgreSQL's hosts, ports and name."""
    try:
        parsed: URL = make_url(normalise_url(url))
    except ArgumentError:
        return ("unparsable", url)
    backend = parsed.get_backend_name()
    if backend == "sqlite":
        return ("sqlite", str(Path(parsed.database or ":memory:").resolve()))
    hosts = parsed.query.get("host") or parsed.host or "localhost"
    listed = sorted(hosts) if isinstance(hosts, tuple) else [hosts]
    port = str(parsed.port or 5432)
    nodes = ",".join(h if ":" in h else f"{h}:{port}" for h in listed)
    return (backend, nodes, parsed.database or "")


def refuse_main_database(key_store_url: str, database_url: str) -> None:
    """Raise if the key store would be the main database: its backups would bring an erased
    person's key back with their rows."""
    if _identity(key_store_url) == _identity(database_url):
        raise VaultError(
            "nøkkellageret (ALARMVERN_KEY_STORE_URL) er hoveddatabasen; gi nøkkellageret en "
            "egen database, sikkerhetskopiert for seg med kort levetid på kopiene "
            '(se docs/security.md, "Crypto-shredding and backups")',
            "key store (ALARMVERN_KEY_STORE_URL): it is the main database; give the key store "
            "a database of its own, backed up apart with a short backup life "
            '(see docs/security.md, "Crypto-shredding and backups")',
            field="ALARMVERN_KEY_STORE_URL",
        )


def key_store_from(settings: Settings) -> KeyStore:
    """The key store the settings name: ALARMVERN_KEY_STORE_URL, else the SQLite file."""
    if settings.key_store_url:
        refuse_main_database(settings.key_store_url, settings.db_url)
        return KeyStore.at(settings.key_store_url)
    return KeyStore(settings.key_store_file)


class KeyStore:
    """Wrapped data keys in the SQLite file ``path`` (made 0600 in a 0700 folder), or in the
    database at ``url`` (:meth:`at`); the table is made on first use."""

    def __init__(self, path: Path | None = None, *, url: str | None = None) -> None:
        if (path is None) == (url is None):
            raise ValueError("KeyStore: give a path or a url")
        self.path = Path(path) if path is not None else None
        self.url = url
        self._engine: Engine | None = None

    @classmethod
    def at(cls, url: str) -> KeyStore:
        """The key store in the database at ``url`` (SQLite or PostgreSQL)."""
        return cls(url=url)

    @property
    def _where(self) -> str:
        if self.path is not None:
            return str(self.path)
        return make_url(normalise_url(self.url or "")).render_as_string(hide_password=True)

    def __repr__(self) -> str:
        return f"KeyStore({self._where!r})"

    def _open(self) -> Engine:
        if self._engine is not None:
            return self._engine
        if self.url is not None:
            return self._connect(self.url)
        assert self.path is not None
        try:
            self.path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
            # Made before SQLite opens it: SQLite gives its -wal and -shm files the mode of
            # the database file.
            os.close(os.open(self.path, os.O_WRONLY | os.O_CREAT, 0o600))
        except OSError as exc:
            raise VaultError(
                f"nøkkellageret {self.path} kan ikke lages ({exc.strerror}); rett mappens "
                "tillatelser eller velg en annen med ALARMVERN_KEY_STORE",
                f"key store {self.path}: cannot create it ({exc.strerror}); fix the folder's "
                "permissions or choose another with ALARMVERN_KEY_STORE",
                field="ALARMVERN_KEY_STORE",
            ) from None
        return self._connect(f"sqlite:///{self.path.resolve()}")

    def _connect(self, url: str) -> Engine:
        engine = create_store_engine(url, pool_size=5)
        try:
            subject_keys.create(engine, checkfirst=True)
        except OperationalError as exc:
            engine.dispose()
            raise VaultError(
                f"nøkkellageret {self._where} kan ikke åpnes ({type(exc.orig).__name__}); "
                "sjekk at databasen kjører, eller legg det tilbake fra sin egen sikkerhetskopi",
                f"key store {self._where}: cannot open it ({type(exc.orig).__name__}); "
                "check that its database is running, or restore it from its own backup",
                field="ALARMVERN_KEY_STORE_URL",
            ) from None
        self._engine = engine
        return engine

    @contextmanager
    def begin(self) -> Iterator[Connection]:
        """A transaction on the key store (committed when the block ends)."""
        with self._open().begin() as conn:
            yield conn

    def read(self, subject: str) -> datakeys.StoredKey | None:
        with self._open().connect() as conn:
            return datakeys.read(conn, subject)

    def get_or_create(self, master: MasterKey, subject: str) -> datakeys.StoredKey:
        """The subject's key, made (and committed here) if there is none yet. A key made for
        a transaction that then rolls back stays, unused: it encrypts nothing."""
        found = self.read(subject)
        if found is not None:
            return found
        with self.begin() as conn:
            return datakeys.create(conn, master, subject)

    def remove(self, subjects: list[str]) -> int:
        """Delete the keys (overwritten in the file, not left in free pages)."""
        if not subjects:
            return 0
        with self.begin() as conn:
            return sum(datakeys.remove(conn, s) for s in subjects)

    def master_key_ids(self, limit: int = 2) -> list[str]:
        with self._open().connect() as conn:
            query = select(subject_keys.c.master_key_id).distinct().limit(limit)
            return list(conn.execute(query).scalars())

    def adopt(self, conn: Connection) -> int:
        """Move the keys an older version kept in the main database (``conn``'s transaction)
        into this store; return how many. The keys are committed here first, then deleted
        there, so a crash in between leaves a copy in both, and the next run finishes."""
        rows = conn.execute(
            select(subject_keys.c.subject, subject_keys.c.wrapped_key, subject_keys.c.master_key_id)
        ).all()
        if not rows:
            return 0
        with self.begin() as keys:
            known = set(keys.execute(select(subject_keys.c.subject)).scalars())
            fresh = [
                {"subject": r.subject, "wrapped_key": bytes(r.wrapped_key), "master_key_id": r[2]}
                for r in rows
                if r.subject not in known
            ]
            if fresh:
                keys.execute(subject_keys.insert(), fresh)
        if conn.dialect.name == "sqlite":
            conn.exec_driver_sql("PRAGMA secure_delete = ON")
        conn.execute(delete(subject_keys))
        return len(rows)

    def close(self) -> None:
        if self._engine is not None:
            self._engine.dispose()
            self._engine = None
