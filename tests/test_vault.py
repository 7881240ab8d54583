"""The vault: encryption per data subject, shredding, master-key rotation, blob stores.

Database tests take ``engine`` and run on SQLite and PostgreSQL; S3 tests run against a real
S3-compatible HTTP server (moto's server mode) on a free localhost port.
"""

from __future__ import annotations

import base64
import contextlib
import os
import socket
import stat
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import boto3
import pytest
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from hypothesis import given
from hypothesis import strategies as st
from moto.server import ThreadedMotoServer
from sqlalchemy import Connection, Engine, LargeBinary, String, Text, select

from alarmvern.errors import VaultError
from alarmvern.settings import Settings
from alarmvern.store import migrate
from alarmvern.store.engine import create_store_engine
from alarmvern.store.tables import media, metadata, persons, subject_keys
from alarmvern.vault import (
    BlobMissing,
    FolderBlobStore,
    KeyStore,
    MasterKey,
    S3BlobStore,
    Vault,
    blob_store_from,
    cipher,
    create_key_file,
    load_master_key,
)
from alarmvern.vault.blobs import BlobStore

IMAGE = b"\x89PNG-alarm-image-of-the-hallway-" + bytes(range(256))
NIN = "01019012345"


@pytest.fixture
def master() -> MasterKey:
    return MasterKey.generate()


@pytest.fixture
def blob_root(tmp_path: Path) -> Path:
    return tmp_path / "blobs"


@pytest.fixture
def vault(master: MasterKey, blob_root: Path) -> Vault:
    return Vault(master, FolderBlobStore(blob_root))


def _person(conn: Connection, vault: Vault, person_id: int, nin: str) -> str:
    subject = f"person:{person_id}"
    conn.execute(
        persons.insert().values(
            id=person_id,
            name=f"Person {person_id}",
            nin_enc=vault.encrypt_field(conn, subject, "persons", "nin_enc", nin),
            nin_lookup=vault.lookup_hash(conn, nin),
        )
    )
    return subject


def _image(conn: Connection, vault: Vault, subject: str, data: bytes) -> str:
    blob_id = vault.new_blob_id()
    vault.put_blob(conn, subject, "media", blob_id, data)
    conn.execute(
        media.insert().values(
            kind="image",
            content_type="image/png",
            size=len(data),
            blob_id=blob_id,
            captured_at=datetime.now(UTC),
        )
    )
    return blob_id


def _files(root: Path) -> dict[Path, bytes]:
    return {p: p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


# -- roundtrips ----------------------------------------------------------------------------


def test_blob_and_field_roundtrip(engine: Engine, vault: Vault, blob_root: Path) -> None:
    with engine.begin() as conn:
        subject = _person(conn, vault, 1, NIN)
        blob_id = _image(conn, vault, subject, IMAGE)
    with engine.connect() as conn:
        token = conn.execute(select(persons.c.nin_enc)).scalar_one()
        assert vault.get_blob(conn, subject, "media", blob_id) == IMAGE
        assert vault.decrypt_field(conn, subject, "persons", "nin_enc", token) == NIN
        assert vault.keys.master_key_ids() == [vault.master.id]
        assert conn.execute(select(subject_keys)).first() is None  # not in the database
    assert token.isascii() and NIN not in token
    stored = (blob_root / blob_id[:2] / blob_id[2:4] / blob_id).read_bytes()
    assert IMAGE not in stored and len(stored) > len(IMAGE)
    vault.delete_blob(blob_id)
    with engine.connect() as conn, pytest.raises(BlobMissing):
        vault.get_blob(conn, subject, "media", blob_id)


def test_equal_values_encrypt_differently_but_hash_alike(engine: Engine, vault: Vault) -> None:
    with engine.begin() as conn:
        a = vault.encrypt_field(conn, "person:1", "persons", "nin_enc", NIN)
        b = vault.encrypt_field(conn, "person:1", "persons", "nin_enc", NIN)
        assert a != b
        assert vault.decrypt_field(conn, "person:1", "persons", "nin_enc", b) == NIN
        digest = vault.lookup_hash(conn, NIN)
        assert digest == vault.lookup_hash(conn, NIN)
        assert len(digest) == 64 and digest != vault.lookup_hash(conn, "x")


def test_lookup_hashes_differ_between_stores_and_survive_rotation(
    engine: Engine, vault: Vault, tmp_path: Path
) -> None:
    with engine.begin() as conn:
        before = vault.lookup_hash(conn, NIN)
        new_master = MasterKey.generate()
        vault.rotate_master(conn, new_master)
    with engine.begin() as conn:
        assert Vault(new_master, vault.blobs).lookup_hash(conn, NIN) == before
    other_store = create_store_engine(f"sqlite:///{tmp_path / 'other.db'}")
    migrate.upgrade(other_store)
    with other_store.begin() as conn:
        other_keys = KeyStore(tmp_path / "other-keys.db")
        assert Vault(new_master, vault.blobs, other_keys).lookup_hash(conn, NIN) != before
        other_keys.close()
    other_store.dispose()


def test_a_key_from_a_rolled_back_transaction_is_never_used(engine: Engine, vault: Vault) -> None:
    with engine.connect() as conn:
        vault.encrypt_field(conn, "person:1", "persons", "nin_enc", NIN)
        conn.rollback()
    with engine.begin() as conn:
        token = vault.encrypt_field(conn, "person:1", "persons", "nin_enc", NIN)
    with engine.connect() as conn:
        assert vault.decrypt_field(conn, "person:1", "persons", "nin_enc", token) == NIN


@given(st.text(max_size=200))
def test_field_roundtrip_on_any_text(value: str) -> None:
    aead = AESGCM(AESGCM.generate_key(256))
    aad = cipher.field_context("person:7", "persons", "nin_enc")
    token = cipher.seal_text(aead, value, aad)
    assert token.isascii() and token.isprintable()
    assert cipher.unseal_text(aead, token, aad) == value
    with pytest.raises(cipher.NotOurs):
        cipher.unseal_text(aead, token, cipher.field_context("person:8", "persons", "nin_enc"))


# -- ciphertexts bound to their place ------------------------------------------------------


def test_a_blob_swapped_between_rows_or_subjects_fails(
    engine: Engine, vault: Vault, blob_root: Path
) -> None:
    with engine.begin() as conn:
        first = _image(conn, vault, "person:1", b"first image")
        second = _image(conn, vault, "person:1", b"second image")
        _image(conn, vault, "person:2", b"other person's image")
    store = FolderBlobStore(blob_root)
    store.put(second, store.get(first))  # an attacker copies one row's blob over another's
    with engine.connect() as conn:
        assert vault.get_blob(conn, "person:1", "media", first) == b"first image"
        with pytest.raises(VaultError, match=f"blob {second} cannot be decrypted"):
            vault.get_blob(conn, "person:1", "media", second)
        with pytest.raises(VaultError, match="another row or subject"):
            vault.get_blob(conn, "person:2", "media", first)
        with pytest.raises(VaultError):
            vault.get_blob(conn, "person:1", "call_recordings", first)
        token = vault.encrypt_field(conn, "person:1", "persons", "nin_enc", NIN)
        with pytest.raises(VaultError, match=r"persons\.email of person:1"):
            vault.decrypt_field(conn, "person:1", "persons", "email", token)
        with pytest.raises(VaultError):
            vault.decrypt_field(conn, "person:2", "persons", "nin_enc", token)
        with pytest.raises(VaultError):
            vault.decrypt_field(conn, "person:1", "persons", "nin_enc", token[:-4] + "AAAA")


def test_a_wrong_master_key_fails_clearly(engine: Engine, vault: Vault) -> None:
    with engine.begin() as conn:
        blob_id = _image(conn, vault, "person:1", IMAGE)
    wrong = Vault(MasterKey.generate(), vault.blobs)
    with engine.connect() as conn, pytest.raises(VaultError) as caught:
        wrong.get_blob(conn, "person:1", "media", blob_id)
    message = str(caught.value)
    assert vault.master.id in message and wrong.master.id in message
    assert message.index(vault.master.id) < message.index(wrong.master.id)  # expected, given
    assert caught.value.__cause__ is None  # no crypto traceback attached
    assert caught.value.__context__ is None or caught.value.__suppress_context__


def test_a_tampered_key_row_fails_clearly(engine: Engine, vault: Vault) -> None:
    with engine.begin() as conn:
        token = vault.encrypt_field(conn, "person:1", "persons", "nin_enc", NIN)
        vault.encrypt_field(conn, "person:2", "persons", "nin_enc", NIN)
    with vault.keys.begin() as keys:
        # Give person:1 the wrapped key of person:2: the subject binding must catch it.
        other = keys.execute(
            select(subject_keys.c.wrapped_key).where(subject_keys.c.subject == "person:2")
        ).scalar_one()
        keys.execute(
            subject_keys.update()
            .where(subject_keys.c.subject == "person:1")
            .values(wrapped_key=other)
        )
    fresh = Vault(vault.master, vault.blobs)
    with engine.connect() as conn, pytest.raises(VaultError, match="altered or moved"):
        fresh.decrypt_field(conn, "person:1", "persons", "nin_enc", token)


# -- shredding -----------------------------------------------------------------------------


def _every_value(engine: Engine) -> list[str | bytes]:
    """Every text and bytes value in every table of the store."""
    found: list[str | bytes] = []
    with engine.connect() as conn:
        for table in metadata.sorted_tables:
            columns = [c for c in table.columns if isinstance(c.type, String | Text | LargeBinary)]
            if not columns:
                continue
            for row in conn.execute(select(*columns)):
                found.extend(v if isinstance(v, str) else bytes(v) for v in row if v is not None)
    return found


def _readable(engine: Engine, vault: Vault, blob_root: Path, subjects: list[str]) -> set[bytes]:
    """All that an attacker with the master key, the key store, the database and the blob
    folder can decrypt: every key still in the key store (or the database), tried on every
    blob file and every value of every table, for every place the ciphertext could belong
    to."""
    master = vault.master
    with vault.keys.begin() as keys:
        rows = keys.execute(select(subject_keys)).all()
    with engine.connect() as conn:
        rows += conn.execute(select(subject_keys)).all()
        blob_ids = list(conn.execute(select(media.c.blob_id)).scalars())
    keys = [AESGCM(master.unwrap(r.subject, bytes(r.wrapped_key))) for r in rows]
    keys.append(AESGCM(master.derive(b"alarmvern/lookup-hash/v1")))
    blobs = [p.read_bytes() for p in blob_root.rglob("*") if p.is_file()]
    values = _every_value(engine)
    tokens = [v for v in values if isinstance(v, str) and v.startswith(cipher.TOKEN_PREFIX)]
    raw = [v for v in values if isinstance(v, bytes)] + blobs
    places = [cipher.blob_context(s, "media", b) for s in subjects for b in blob_ids]
    places += [cipher.field_context(s, "persons", "nin_enc") for s in subjects]
    readable: set[bytes] = set()
    for aead in keys:
        for aad in places:
            for data in raw:
                for attempt in (cipher.unseal_blob, cipher.unseal):
                    with contextlib.suppress(cipher.NotOurs):
                        readable.add(attempt(aead, data, aad))
            for token in tokens:
                with contextlib.suppress(cipher.NotOurs):
                    readable.add(cipher.unseal_text(aead, token, aad).encode())
    return readable


def _raw_store_bytes(engine: Engine, blob_root: Path) -> bytes:
    """The bytes at rest: blob files, and the SQLite files or every PostgreSQL value."""
    parts = list(_files(blob_root).values())
    if engine.dialect.name == "sqlite":
        raw_conn = engine.raw_connection()  # outside any transaction: a checkpoint needs that
        try:
            raw_conn.driver_connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")  # type: ignore[union-attr]
        finally:
            raw_conn.close()
        db = Path(str(engine.url.database))
        parts += [p.read_bytes() for p in db.parent.glob(db.name + "*")]
    else:
        parts += [v if isinstance(v, bytes) else v.encode() for v in _every_value(engine)]
    return b"\x00".join(parts)


def test_shredding_a_subject_leaves_nothing_of_them_readable(
    engine: Engine, vault: Vault, master: MasterKey, blob_root: Path
) -> None:
    secret_image, other_image = b"IMG-person-1-" + os.urandom(32), b"IMG-person-2-" + os.urandom(32)
    secret_nin, other_nin = "17037712345", "24128854321"
    with engine.begin() as conn:
        one = _person(conn, vault, 1, secret_nin)
        two = _person(conn, vault, 2, other_nin)
        blob_one = _image(conn, vault, one, secret_image)
        blob_two = _image(conn, vault, two, other_image)
    with vault.keys.begin() as keys:
        wrapped_one = keys.execute(
            select(subject_keys.c.wrapped_key).where(subject_keys.c.subject == one)
        ).scalar_one()
    subjects = [one, two]
    everything = {secret_image, other_image, secret_nin.encode(), other_nin.encode()}
    assert _readable(engine, vault, blob_root, subjects) == everything  # the attack works
    assert secret_image not in _raw_store_bytes(engine, blob_root)

    with engine.begin() as conn:
        assert vault.shred(conn, one) is True
        assert vault.shred(conn, one) is False
    assert vault.finish_shreds(engine) == 1

    assert _readable(engine, vault, blob_root, subjects) == {other_image, other_nin.encode()}
    raw = _raw_store_bytes(engine, blob_root)
    for plain in (secret_image, secret_nin.encode(), other_image, other_nin.encode()):
        assert plain not in raw
    assert bytes(wrapped_one) not in raw
    vault.keys.close()  # checkpointed: secure_delete left the wrapped key nowhere in the file
    key_files = vault.keys.path.parent.glob(vault.keys.path.name + "*")
    assert all(bytes(wrapped_one) not in p.read_bytes() for p in key_files)
    with engine.connect() as conn:
        token_one = conn.execute(select(persons.c.nin_enc).where(persons.c.id == 1)).scalar_one()
        with pytest.raises(VaultError, match="the subject's key was shredded"):
            vault.get_blob(conn, one, "media", blob_one)
        with pytest.raises(VaultError, match="the subject's key was shredded"):
            vault.decrypt_field(conn, one, "persons", "nin_enc", token_one)
        # The other subject is untouched.
        assert vault.get_blob(conn, two, "media", blob_two) == other_image
        token_two = conn.execute(select(persons.c.nin_enc).where(persons.c.id == 2)).scalar_one()
        assert vault.decrypt_field(conn, two, "persons", "nin_enc", token_two) == other_nin


# -- master-key rotation -------------------------------------------------------------------


def test_rotation_rewraps_every_key_and_leaves_blobs_alone(
    engine: Engine, vault: Vault, blob_root: Path
) -> None:
    blobs: dict[str, tuple[str, bytes]] = {}
    with engine.begin() as conn:
        for n in range(1, 6):
            subject = _person(conn, vault, n, f"{n:011d}")
            data = f"image {n}".encode()
            blobs[_image(conn, vault, subject, data)] = (subject, data)
    before = _files(blob_root)
    new = MasterKey.generate()
    with engine.begin() as conn:
        assert vault.rotate_master(conn, new, batch_size=2) == 6  # 5 people + the lookup key
    assert _files(blob_root) == before
    with vault.keys.begin() as keys:
        ids = set(keys.execute(select(subject_keys.c.master_key_id)).scalars())
        assert ids == {new.id}
    with engine.connect() as conn:
        with pytest.raises(VaultError, match=f"{new.id}.*{vault.master.id}"):
            vault.get_blob(conn, "person:1", "media", next(iter(blobs)))
        rotated = Vault(new, vault.blobs)
        for blob_id, (subject, data) in blobs.items():
            assert rotated.get_blob(conn, subject, "media", blob_id) == data
        for n, token in conn.execute(select(persons.c.id, persons.c.nin_enc)):
            assert rotated.decrypt_field(conn, f"person:{n}", "persons", "nin_enc", token) == (
                f"{n:011d}"
            )
    with engine.begin() as conn:
        assert vault.rotate_master(conn, new) == 0  # run again: nothing left to do
        with pytest.raises(VaultError, match="the one in use"):
            rotated.rotate_master(conn, new)


def test_a_rotation_commits_in_the_key_store_whatever_the_caller_does(
    engine: Engine, vault: Vault
) -> None:
    with engine.begin() as conn:
        token = vault.encrypt_field(conn, "person:1", "persons", "nin_enc", NIN)
    new = MasterKey.generate()
    with engine.connect() as conn:
        assert vault.rotate_master(conn, new) == 1
        conn.rollback()
    with engine.connect() as conn:
        rotated = Vault(new, vault.blobs, vault.keys)
        assert rotated.decrypt_field(conn, "person:1", "persons", "nin_enc", token) == NIN


# -- the master key ------------------------------------------------------------------------


def test_key_file_is_private_and_never_overwritten(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path / "data")
    with pytest.raises(VaultError, match="no master key: set up the installation"):
        load_master_key(settings)
    path = create_key_file(settings.key_file)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    content = path.read_bytes()
    key = load_master_key(settings)
    assert base64.b64decode(content) == base64.b64decode(key.encoded())
    with pytest.raises(VaultError, match="already exists"):
        create_key_file(path)
    assert path.read_bytes() == content
    path.chmod(0o644)
    with pytest.raises(VaultError, match="chmod 600"):
        load_master_key(settings)
    path.chmod(0o600)
    path.write_text("not a key\n")
    with pytest.raises(VaultError, match="is not a master key"):
        load_master_key(settings)


def test_master_key_from_the_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    key = MasterKey.generate()
    monkeypatch.setenv("ALARMVERN_MASTER_KEY", key.encoded())
    assert load_master_key(Settings(data_dir=tmp_path)) == key
    monkeypatch.setenv("ALARMVERN_MASTER_KEY", base64.b64encode(b"short").decode())
    with pytest.raises(VaultError, match="ALARMVERN_MASTER_KEY is not a master key"):
        load_master_key(Settings(data_dir=tmp_path))


def test_a_master_key_is_never_shown() -> None:
    key = MasterKey.generate()
    secret = key.encoded()
    raw_hex = base64.b64decode(secret).hex()
    for shown in (repr(key), str(key), f"{key}", repr(Vault(key, FolderBlobStore(Path("x"))))):
        assert secret not in shown and raw_hex not in shown and key.id in shown
    assert len(key.id) == 16
    with pytest.raises(TypeError):
        import pickle

        pickle.dumps(key)


# -- blob stores ---------------------------------------------------------------------------


def _exercise(store: BlobStore) -> None:
    ids = [Vault.new_blob_id() for _ in range(3)]
    for n, blob_id in enumerate(ids):
        store.put(blob_id, f"blob {n}".encode())
    store.put(ids[0], b"replaced")
    assert store.get(ids[0]) == b"replaced" and store.get(ids[2]) == b"blob 2"
    assert store.exists(ids[1]) and not store.exists(Vault.new_blob_id())
    assert sorted(store.iter_ids()) == sorted(ids)
    store.delete(ids[1])
    store.delete(ids[1])  # deleting twice is fine
    assert not store.exists(ids[1])
    assert sorted(store.iter_ids()) == sorted([ids[0], ids[2]])
    with pytest.raises(BlobMissing):
        store.get(ids[1])
    for bad in ("../../etc/passwd", "a/b", "short", ""):
        with pytest.raises(VaultError, match="is not valid"):
            store.put(bad, b"x")


def test_folder_blob_store(tmp_path: Path) -> None:
    store = FolderBlobStore(tmp_path / "blobs")
    _exercise(store)
    files = [p for p in (tmp_path / "blobs").rglob("*") if p.is_file()]
    assert len(files) == 2 and not any(p.name.startswith(".tmp") for p in files)
    assert all(p.parent.parent.parent == tmp_path / "blobs" for p in files)
    assert all(p.parent.name == p.name[2:4] for p in files)


def test_blob_store_from_settings(tmp_path: Path) -> None:
    store = blob_store_from(Settings(data_dir=tmp_path))
    assert isinstance(store, FolderBlobStore) and store.root == tmp_path / "blobs"
    s3 = blob_store_from(Settings(s3_bucket="b", s3_endpoint_url="http://127.0.0.1:9"))
    assert isinstance(s3, S3BlobStore) and s3.bucket == "b"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(scope="module")
def s3_endpoint() -> Iterator[str]:
    port = _free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    yield f"http://127.0.0.1:{port}"
    server.stop()


@pytest.fixture
def s3_store(s3_endpoint: str, monkeypatch: pytest.MonkeyPatch) -> S3BlobStore:
    for name, value in {
        "AWS_ACCESS_KEY_ID": "test",
        "AWS_SECRET_ACCESS_KEY": "test",
        "AWS_DEFAULT_REGION": "us-east-1",
    }.items():
        monkeypatch.setenv(name, value)
    bucket = f"alarmvern-{os.urandom(4).hex()}"
    boto3.client("s3", endpoint_url=s3_endpoint).create_bucket(Bucket=bucket)
    return S3BlobStore(bucket, endpoint_url=s3_endpoint)


def test_s3_blob_store(s3_store: S3BlobStore) -> None:
    _exercise(s3_store)


def test_s3_missing_bucket_is_a_clear_error(s3_store: S3BlobStore) -> None:
    gone = S3BlobStore("no-such-bucket", endpoint_url=s3_store.endpoint_url)
    with pytest.raises(VaultError, match="ALARMVERN_S3_BUCKET"):
        gone.put(Vault.new_blob_id(), b"x")


def test_vault_roundtrip_and_shred_through_s3(
    engine: Engine, master: MasterKey, s3_store: S3BlobStore, tmp_path: Path
) -> None:
    vault = Vault(master, s3_store, KeyStore(tmp_path / "keys.db"))
    with engine.begin() as conn:
        blob_id = _image(conn, vault, "person:1", IMAGE)
    stored = s3_store.client.get_object(Bucket=s3_store.bucket, Key=blob_id)["Body"].read()
    assert IMAGE not in stored
    with engine.begin() as conn:
        assert vault.get_blob(conn, "person:1", "media", blob_id) == IMAGE
        assert vault.shred(conn, "person:1")
    with engine.connect() as conn, pytest.raises(VaultError, match="shredded"):
        vault.get_blob(conn, "person:1", "media", blob_id)
    assert s3_store.get(blob_id) == stored  # the ciphertext is still there, and useless
    vault.delete_blob(blob_id)
    assert not s3_store.exists(blob_id)


def test_s3_lists_the_blobs_written_before_a_moment(s3_store: S3BlobStore) -> None:
    s3_store.put("ab" * 16, b"x")
    now = datetime.now(UTC)
    assert list(s3_store.iter_written_before(now + timedelta(minutes=1))) == ["ab" * 16]
    assert list(s3_store.iter_written_before(now - timedelta(hours=1))) == []
