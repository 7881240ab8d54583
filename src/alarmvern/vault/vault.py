"""The vault: blobs and fields encrypted with one data key per data subject.

The data keys live in a key store of their own (:mod:`alarmvern.vault.keystore`), outside
the main database and its backups. Shredding a subject deletes their data key there; every
copy of their blobs and fields, in the blob store, in database backups or replicas, then
stays ciphertext for good.
"""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import secrets
import threading
from collections import OrderedDict
from collections.abc import Callable, Iterator
from datetime import UTC, datetime

from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from sqlalchemy import Connection, Engine, delete, select
from sqlalchemy.dialects import postgresql, sqlite

from alarmvern.errors import VaultError
from alarmvern.store.tables import key_tombstones
from alarmvern.vault import cipher, datakeys
from alarmvern.vault.blobs import BlobStore, FolderBlobStore, check_blob_id
from alarmvern.vault.keys import MasterKey
from alarmvern.vault.keystore import FILE as KEY_STORE_FILE
from alarmvern.vault.keystore import KeyStore

# The key of lookup hashes and pseudonyms: random, kept wrapped like a subject's data key, so
# that rotating the master key re-wraps it and every stored hash stays valid.
LOOKUP_SUBJECT = "system:lookup"
_CACHE_SIZE = 256


class Vault:
    """Encrypts and decrypts a subject's blobs and fields.

    Every method that needs a data key takes the caller's ``Connection`` and checks there,
    in the caller's transaction, that the key is not being shredded, then reads it from the
    key store; so a key shredded by another process is never used. Only the unwrapping is
    cached, by the wrapped bytes, and :meth:`shred` evicts the subject's entries.

    ``keys`` is the key store; without one, a folder blob store keeps it beside its folder
    (``keys/subject-keys.db`` next to ``blobs/``).
    """

    def __init__(self, master: MasterKey, blobs: BlobStore, keys: KeyStore | None = None) -> None:
        self.master = master
        self.blobs = blobs
        if keys is None:
            if not isinstance(blobs, FolderBlobStore):
                raise VaultError(
                    "et hvelv på dette fillageret trenger et eget nøkkellager",
                    "a vault on this blob store needs a key store (keys=KeyStore(…))",
                    code="no_key_store",
                )
            keys = KeyStore(blobs.root.parent / "keys" / KEY_STORE_FILE)
        self.keys = keys
        self._lookup_key: tuple[bytes, bytes] | None = None  # (wrapped, plain)
        self._cache: OrderedDict[tuple[str, bytes], AESGCM] = OrderedDict()
        self._lock = threading.Lock()

    def __repr__(self) -> str:
        return f"Vault(master={self.master!r}, blobs={self.blobs!r})"

    # -- data keys -------------------------------------------------------------------------

    def _aead(self, conn: Connection, subject: str, create: bool) -> AESGCM:
        datakeys.check_subject(subject)
        stored = None if self._tombstoned(conn, subject) else self.keys.read(subject)
        if stored is None:
            if not create or self._tombstoned(conn, subject):
                raise VaultError(
                    f"ingen datanøkkel for {subject}: nøkkelen er makulert (eller ingenting er "
                    "noen gang kryptert for dem), så opplysningene kan ikke leses",
                    f"no data key for {subject}: the subject's key was shredded (or nothing "
                    "was ever encrypted for them), so their data cannot be read",
                    code="key_shredded",
                )
            stored = self.keys.get_or_create(self.master, subject)
        cache_key = (subject, stored.wrapped)
        with self._lock:
            aead = self._cache.get(cache_key)
            if aead is not None:
                self._cache.move_to_end(cache_key)
                return aead
        aead = AESGCM(datakeys.unwrap(self.master, stored))
        with self._lock:
            self._cache[cache_key] = aead
            while len(self._cache) > _CACHE_SIZE:
                self._cache.popitem(last=False)
        return aead

    def _evict(self, subject: str | None = None) -> None:
        with self._lock:
            for cache_key in [k for k in self._cache if subject is None or k[0] == subject]:
                del self._cache[cache_key]

    @staticmethod
    def _tombstoned(conn: Connection, subject: str) -> bool:
        query = select(key_tombstones.c.subject).where(key_tombstones.c.subject == subject)
        return conn.execute(query).first() is not None

    def check_master(self, conn: Connection) -> None:
        """Move keys an older version kept in the database into the key store, and refuse a
        master key other than the one the keys are wrapped under."""
        self.keys.adopt(conn)
        others = [key_id for key_id in self.keys.master_key_ids() if key_id != self.master.id]
        if others:
            raise VaultError(
                f"hovednøkkelen som er gitt (id {self.master.id}) er ikke den lagerets data er "
                f"kryptert under ({others[0]}); bruk den: nøkkelfilen master.key i datamappen "
                "eller ALARMVERN_MASTER_KEY",
                f"the master key given (key id {self.master.id}) is not the one this store's "
                f"data is encrypted under ({others[0]}); use that key: the key file "
                "master.key in the data dir or ALARMVERN_MASTER_KEY",
                field="master_key",
                code="wrong_master_key",
            )

    def shred(self, conn: Connection, subject: str) -> bool:
        """Shred ``subject``'s data key in the caller's transaction; True if there was one.

        The key is tombstoned in ``conn``: once that commits, their blobs and fields raise
        VaultError, and :meth:`finish_shreds` deletes the key from the key store. The blobs
        themselves stay until :meth:`delete_blob`: they are ciphertext nobody can open.
        """
        datakeys.check_subject(subject)
        self._evict(subject)
        if self._tombstoned(conn, subject) or self.keys.read(subject) is None:
            return False
        values = {"subject": subject, "shredded_at": datetime.now(UTC)}
        if conn.dialect.name == "postgresql":
            insert = postgresql.insert(key_tombstones).values(**values)
            conn.execute(insert.on_conflict_do_nothing(index_elements=["subject"]))
        else:
            lite = sqlite.insert(key_tombstones).values(**values)
            conn.execute(lite.on_conflict_do_nothing(index_elements=["subject"]))
        return True

    def finish_shreds(self, engine: Engine, batch: int = 500) -> int:
        """Delete from the key store the keys shredded in committed transactions (after the
        key, the tombstone); return how many."""
        done = 0
        while True:
            with engine.connect() as conn:
                query = select(key_tombstones.c.subject).limit(batch)
                subjects = list(conn.execute(query).scalars())
            if not subjects:
                return done
            self._evict()
            self.keys.remove(subjects)
            with engine.begin() as conn:
                conn.execute(delete(key_tombstones).where(key_tombstones.c.subject.in_(subjects)))
            done += len(subjects)

    def rotate_master(self, conn: Connection, new_master: MasterKey, batch_size: int = 500) -> int:
        """Re-wrap every data key under ``new_master``; blobs and fields are not touched.

        Returns how many keys were re-wrapped. The re-wrapping commits in the key store, not
        in ``conn``'s transaction (the keys are not in that database). This vault keeps its
        master key: open a new ``Vault(new_master, blobs, keys)``. Keys already under
        ``new_master`` are skipped, so an interrupted rotation can simply be run again.
        Lookup hashes stay valid: their key is re-wrapped like the others.
        """
        self.keys.adopt(conn)
        with self.keys.begin() as keys:
            count = datakeys.rewrap_all(keys, self.master, new_master, batch_size)
        self._evict()
        return count

    # -- blobs -----------------------------------------------------------------------------

    @staticmethod
    def new_blob_id() -> str:
        """A fresh random blob id (32 hex digits)."""
        return secrets.token_hex(16)

    def put_blob(
        self, conn: Connection, subject: str, table: str, blob_id: str, data: bytes
    ) -> None:
        """Encrypt ``data`` for the row of ``table`` that holds ``blob_id``, and store it."""
        check_blob_id(blob_id)
        aead = self._aead(conn, subject, create=True)
        sealed = cipher.seal_blob(aead, data, cipher.blob_context(subject, table, blob_id))
        self.blobs.put(blob_id, sealed)

    def check_key(self, conn: Connection, subject: str) -> None:
        """Refuse (VaultError) if ``subject``'s key is shredded or being shredded, as seen in
        ``conn``'s transaction. A blob put ahead of its row's transaction (with no write lock
        held while it is encrypted and written) is kept only if this passes in that
        transaction: a shred that committed meanwhile is never outlived by a new row."""
        datakeys.check_subject(subject)
        if self._tombstoned(conn, subject):
            raise VaultError(
                f"ingen datanøkkel for {subject}: nøkkelen er makulert, så ingenting nytt "
                "lagres for dem",
                f"no data key for {subject}: the subject's key was shredded, so nothing new "
                "is stored for them",
                code="key_shredded",
            )

    def get_blob(self, conn: Connection, subject: str, table: str, blob_id: str) -> bytes:
        check_blob_id(blob_id)
        return self._open_blob(self._aead(conn, subject, create=False), subject, table, blob_id)

    def blob_opener(self, conn: Connection, subject: str) -> Callable[[str, str], bytes]:
        """:meth:`get_blob` for many blobs of one subject, as ``opener(table, blob_id)``:
        the key is checked and read once, here, in ``conn``'s transaction (VaultError now if
        it is shredded). Use it within that transaction only."""
        aead = self._aead(conn, subject, create=False)

        def opener(table: str, blob_id: str) -> bytes:
            check_blob_id(blob_id)
            return self._open_blob(aead, subject, table, blob_id)

        return opener

    def _open_blob(self, aead: AESGCM, subject: str, table: str, blob_id: str) -> bytes:
        stored = self.blobs.get(blob_id)
        try:
            return cipher.unseal_blob(aead, stored, cipher.blob_context(subject, table, blob_id))
        except cipher.NotOurs:
            raise VaultError(
                f"filen {blob_id} kan ikke dekrypteres som {table}-data for {subject}: den "
                "hører til en annen rad eller person, eller er endret",
                f"blob {blob_id} cannot be decrypted as {table} data of {subject}: it belongs "
                "to another row or subject, or was altered",
                code="not_decryptable",
            ) from None

    def delete_blob(self, blob_id: str) -> None:
        """Remove the blob from the store; deleting a missing blob is not an error."""
        self.blobs.delete(blob_id)

    @contextlib.contextmanager
    def row_for_blob(self, engine: Engine, blob_id: str | None) -> Iterator[Connection]:
        """The transaction that stores the row naming ``blob_id``, a blob put ahead of it.

        If the transaction fails before its commit, nothing refers to the blob and it is
        removed again. If the commit itself fails, its outcome is unknown (the connection was
        lost in a failover, say: the row may be on the new primary all the same), so the blob
        stays; should no row name it, the sweep deletes it an hour on
        (:mod:`alarmvern.retention.orphan_blobs`)."""
        committing = False
        try:
            with engine.begin() as conn:
                yield conn
                committing = True
        except BaseException:
            if blob_id is not None and not committing:
                self.forget_blob(blob_id)
            raise

    def forget_blob(self, blob_id: str) -> None:
        """Remove a blob put ahead of a row that was then not stored, while the row's error
        is on its way up: a failure to remove it must not hide that error. (What is left is
        ciphertext under its subject's key, shredded with the subject.)"""
        with contextlib.suppress(OSError, VaultError):
            self.blobs.delete(blob_id)

    # -- fields ----------------------------------------------------------------------------

    def encrypt_field(
        self, conn: Connection, subject: str, table: str, column: str, value: str
    ) -> str:
        """``value`` encrypted for ``table.column`` of ``subject``, as ASCII text.

        The nonce is random, so equal values encrypt differently: use :meth:`lookup_hash`
        to find a value.
        """
        aead = self._aead(conn, subject, create=True)
        return cipher.seal_text(aead, value, cipher.field_context(subject, table, column))

    def decrypt_field(
        self, conn: Connection, subject: str, table: str, column: str, token: str
    ) -> str:
        aead = self._aead(conn, subject, create=False)
        try:
            return cipher.unseal_text(aead, token, cipher.field_context(subject, table, column))
        except cipher.NotOurs:
            raise VaultError(
                f"{table}.{column} for {subject} kan ikke dekrypteres: verdien hører til en "
                "annen kolonne eller person, eller er endret",
                f"{table}.{column} of {subject} cannot be decrypted: the value belongs to "
                "another column or subject, or was altered",
                code="not_decryptable",
            ) from None

    def lookup_hash(self, conn: Connection, value: str) -> str:
        """A keyed hash (HMAC-SHA256, 64 hex digits) of ``value``, to find it without
        decrypting, and to make stable pseudonyms. Its key is random and kept wrapped under
        the master key, so the hash is useless without both. The value is hashed exactly as
        given: normalise it first."""
        stored = self.keys.get_or_create(self.master, LOOKUP_SUBJECT)
        with self._lock:
            cached = self._lookup_key
        if cached is None or cached[0] != stored.wrapped:
            cached = (stored.wrapped, datakeys.unwrap(self.master, stored))
            with self._lock:
                self._lookup_key = cached
        return hmac.new(cached[1], value.encode("utf-8"), hashlib.sha256).hexdigest()
