"""Where encrypted blobs are kept: a folder (default) or an S3-compatible bucket.

A blob store holds opaque bytes under an id; it knows nothing of keys or subjects.
"""

from __future__ import annotations

import contextlib
import os
import re
import tempfile
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Protocol, runtime_checkable

from alarmvern.errors import VaultError
from alarmvern.settings import Settings

_BLOB_ID = re.compile(r"[A-Za-z0-9_-]{8,64}")
_TEMP_PREFIX = ".tmp-"


class BlobMissing(VaultError):
    """No blob is stored under the id asked for."""


def check_blob_id(blob_id: str) -> str:
    """Blob ids are 8-64 letters, digits, ``-`` or ``_``: safe as file names and S3 keys."""
    if not _BLOB_ID.fullmatch(blob_id):
        raise VaultError(
            f"fil-id {blob_id[:64]!r} er ugyldig: bruk 8-64 bokstaver, sifre, - eller _",
            f"blob id {blob_id[:64]!r} is not valid: use 8-64 letters, digits, - or _ "
            "(Vault.new_blob_id() makes one)",
            field="blob_id",
        )
    return blob_id


@runtime_checkable
class BlobStore(Protocol):
    def put(self, blob_id: str, data: bytes) -> None: ...

    def get(self, blob_id: str) -> bytes: ...

    def delete(self, blob_id: str) -> None: ...

    def exists(self, blob_id: str) -> bool: ...

    def iter_ids(self) -> Iterator[str]: ...

    def iter_written_before(self, moment: datetime) -> Iterator[str]:
        """The blobs last written before ``moment``."""
        ...


class FolderBlobStore:
    """Blobs as files under ``root``, fanned out as ``root/ab/cd/abcd…`` by id prefix.

    A write goes to a temporary file in the target folder, is fsynced, renamed over the final
    name and the folder fsynced: a reader sees the old blob or the new one, never a part.
    """

    def __init__(self, root: Path) -> None:
        self.root = Path(root)

    def __repr__(self) -> str:
        return f"FolderBlobStore({str(self.root)!r})"

    def path(self, blob_id: str) -> Path:
        check_blob_id(blob_id)
        return self.root / blob_id[:2] / blob_id[2:4] / blob_id

    def put(self, blob_id: str, data: bytes) -> None:
        final = self.path(blob_id)
        try:
            # Level by level: mkdir(parents=True) would give the levels above the default mode.
            for folder in (self.root, final.parent.parent, final.parent):
                folder.mkdir(mode=0o700, parents=folder == self.root, exist_ok=True)
            fd, temp = tempfile.mkstemp(prefix=_TEMP_PREFIX, dir=final.parent)
        except OSError as exc:
            raise VaultError(
                f"filmappen {self.root} kan ikke skrives til ({exc.strerror}); rett "
                "tillatelsene eller velg en annen med ALARMVERN_BLOB_DIR",
                f"blob dir {self.root}: cannot write ({exc.strerror}); fix its permissions or "
                "choose another with ALARMVERN_BLOB_DIR",
                field="ALARMVERN_BLOB_DIR",
            ) from None
        try:
            with os.fdopen(fd, "wb") as out:
                out.write(data)
                out.flush()
                os.fsync(out.fileno())
            os.replace(temp, final)
        except BaseException:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(temp)
            raise
        _fsync_dir(final.parent)

    def get(self, blob_id: str) -> bytes:
        try:
            return self.path(blob_id).read_bytes()
        except FileNotFoundError:
            raise BlobMissing(
                f"filen {blob_id} finnes ikke i filmappen {self.root}",
                f"blob {blob_id} is not in the blob dir {self.root}",
                field="blob_id",
            ) from None

    def delete(self, blob_id: str) -> None:
        path = self.path(blob_id)
        try:
            path.unlink()
        except FileNotFoundError:
            return
        _fsync_dir(path.parent)

    def exists(self, blob_id: str) -> bool:
        return self.path(blob_id).is_file()

    def iter_ids(self) -> Iterator[str]:
        if not self.root.is_dir():
            return
        for first in sorted(self.root.iterdir()):
            if not first.is_dir():
                continue
            for second in sorted(first.iterdir()):
                if not second.is_dir():
                    continue
                for entry in sorted(second.iterdir()):
                    if entry.is_file() and _BLOB_ID.fullmatch(entry.name):
                        yield entry.name

    def iter_written_before(self, moment: datetime) -> Iterator[str]:
        cutoff = moment.timestamp()
        for blob_id in self.iter_ids():
            with contextlib.suppress(FileNotFoundError):  # deleted meanwhile
                if self.path(blob_id).stat().st_mtime < cutoff:
                    yield blob_id


def _fsync_dir(folder: Path) -> None:
    if os.name != "posix":
        return
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def blob_store_from(settings: Settings) -> BlobStore:
    """The S3 bucket if ALARMVERN_S3_BUCKET is set, else the blob folder."""
    if settings.s3_bucket:
        from alarmvern.vault.s3 import S3BlobStore

        return S3BlobStore(settings.s3_bucket, endpoint_url=settings.s3_endpoint_url)
    return FolderBlobStore(settings.blobs)
