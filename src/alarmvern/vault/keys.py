"""The master key: 32 random bytes that wrap every data key, kept in a 0600 file or the
environment, and never shown. Only its id (a hash prefix) is safe to print."""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import os
import stat
from pathlib import Path

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from alarmvern.errors import VaultError
from alarmvern.settings import Settings

KEY_BYTES = 32
NONCE_BYTES = 12
_WRAP_CONTEXT = b"alarmvern/subject-key/v1\x00"


class MasterKey:
    """A master key. ``id`` is the first 16 hex digits of its SHA-256; the key never leaves
    the object except through :meth:`encoded`, which is for writing the key file."""

    __slots__ = ("_aead", "_key", "id")

    def __init__(self, key: bytes) -> None:
        if len(key) != KEY_BYTES:
            raise VaultError(
                f"en hovednøkkel er {KEY_BYTES} byte, denne er {len(key)}",
                f"a master key is {KEY_BYTES} bytes, this one is {len(key)}",
                code="bad_master_key",
            )
        self._key = bytes(key)
        self._aead = AESGCM(self._key)
        self.id: str = hashlib.sha256(self._key).hexdigest()[:16]

    @classmethod
    def generate(cls) -> MasterKey:
        return cls(os.urandom(KEY_BYTES))

    @classmethod
    def from_base64(cls, text: str, source: str) -> MasterKey:
        """Decode a base64 key; ``source`` names where it came from, for the error."""
        try:
            raw = base64.b64decode(text.strip(), validate=True)
        except (binascii.Error, ValueError):
            raw = b""
        if len(raw) != KEY_BYTES:
            raise VaultError(
                f"{source} er ikke en hovednøkkel (base64 av {KEY_BYTES} byte); legg tilbake "
                "den riktige nøkkelen, eller lag en ny når installasjonen settes opp",
                f"{source} is not a master key (base64 of {KEY_BYTES} bytes); restore the "
                "right key, or create one when setting up a new installation",
                field="master_key",
                code="bad_master_key",
            )
        return cls(raw)

    def encoded(self) -> str:
        """The key as base64, for the key file or ALARMVERN_MASTER_KEY. Handle with care."""
        return base64.b64encode(self._key).decode("ascii")

    def wrap(self, subject: str, data_key: bytes) -> bytes:
        """``data_key`` encrypted under this key, bound to ``subject``: nonce ‖ ciphertext."""
        nonce = os.urandom(NONCE_BYTES)
        return nonce + self._aead.encrypt(nonce, data_key, _WRAP_CONTEXT + subject.encode())

    def unwrap(self, subject: str, wrapped: bytes) -> bytes:
        """The data key of ``subject``; raises ``InvalidTag`` if it was not wrapped by this key
        for this subject."""
        if len(wrapped) <= NONCE_BYTES:
            raise InvalidTag()
        nonce, body = wrapped[:NONCE_BYTES], wrapped[NONCE_BYTES:]
        return self._aead.decrypt(nonce, body, _WRAP_CONTEXT + subject.encode())

    def derive(self, purpose: bytes) -> bytes:
        """A 32-byte key for ``purpose`` (HKDF-SHA256), independent of the wrapping key."""
        return HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=purpose).derive(self._key)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, MasterKey) and hmac.compare_digest(self._key, other._key)

    def __hash__(self) -> int:
        return hash(self.id)

    def __repr__(self) -> str:
        return f"MasterKey(id={self.id!r})"

    __str__ = __repr__

    def __reduce__(self) -> tuple[object, ...]:
        raise TypeError("a MasterKey is not pickled: it would write the key out")


def create_key_file(path: Path) -> Path:
    """Write a new random master key to ``path`` (mode 0600); refuse to overwrite a file."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        raise VaultError(
            f"nøkkelfilen {path} finnes allerede; den overskrives ikke, for da kunne data "
            "kryptert under den ikke lenger leses",
            f"master key file {path} already exists; it is not overwritten, since the data "
            "encrypted under it could no longer be read",
            field="master_key",
            code="key_exists",
        ) from None
    except OSError as exc:
        raise VaultError(
            f"nøkkelfilen {path} kan ikke lages ({exc.strerror}); velg en annen datamappe "
            "(ALARMVERN_DATA_DIR)",
            f"master key file {path}: cannot create it ({exc.strerror}); "
            "choose another data dir (ALARMVERN_DATA_DIR)",
            field="data_dir",
            code="data_dir_unusable",
        ) from None
    try:
        if hasattr(os, "fchmod"):
            os.fchmod(fd, 0o600)  # the umask may only narrow it, but say exactly what we mean
        os.write(fd, (MasterKey.generate().encoded() + "\n").encode("ascii"))
        os.fsync(fd)
    finally:
        os.close(fd)
    return path


def load_master_key(settings: Settings) -> MasterKey:
    """The master key from ALARMVERN_MASTER_KEY, else from the key file in the data dir."""
    if settings.master_key is not None:
        return MasterKey.from_base64(settings.master_key.get_secret_value(), "ALARMVERN_MASTER_KEY")
    path = settings.key_file
    try:
        mode = path.stat().st_mode
    except FileNotFoundError:
        raise VaultError(
            f"ingen hovednøkkel: sett opp installasjonen, eller sett ALARMVERN_MASTER_KEY "
            f"(nøkkelfilen {path} finnes ikke)",
            f"no master key: set up the installation, or set ALARMVERN_MASTER_KEY "
            f"(looked for the key file {path})",
            field="master_key",
            code="not_initialised",
        ) from None
    if os.name == "posix" and stat.S_IMODE(mode) & 0o077:
        raise VaultError(
            f"nøkkelfilen {path} kan leses av andre (modus {stat.S_IMODE(mode):04o}); "
            f"gjør den lesbar bare for eieren (chmod 600 {path})",
            f"master key file {path} can be read by others (mode {stat.S_IMODE(mode):04o}); "
            f"make it readable by its owner only (chmod 600 {path})",
            field="master_key",
            code="key_exposed",
        )
    try:
        text = path.read_text(encoding="ascii")
    except (OSError, UnicodeDecodeError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) else "not ASCII text"
        raise VaultError(
            f"nøkkelfilen {path} kan ikke leses ({reason}); rett den, eller sett "
            "ALARMVERN_MASTER_KEY",
            f"master key file {path}: cannot read it ({reason}); fix it or set "
            "ALARMVERN_MASTER_KEY",
            field="master_key",
            code="bad_master_key",
        ) from None
    return MasterKey.from_base64(text, f"master key file {path}")
