"""The vault: encrypted blobs and fields, one data key per data subject, wrapped by a master
key and kept in a key store outside the database. Erasing a subject destroys their key
(crypto-shredding)."""

from typing import TYPE_CHECKING, Any

from alarmvern.vault.blobs import (
    BlobMissing,
    BlobStore,
    FolderBlobStore,
    blob_store_from,
    check_blob_id,
)
from alarmvern.vault.keys import MasterKey, create_key_file, load_master_key
from alarmvern.vault.keystore import KeyStore, key_store_from
from alarmvern.vault.vault import Vault

if TYPE_CHECKING:
    from alarmvern.vault.s3 import S3BlobStore

__all__ = [
    "BlobMissing",
    "BlobStore",
    "FolderBlobStore",
    "KeyStore",
    "MasterKey",
    "S3BlobStore",
    "Vault",
    "blob_store_from",
    "check_blob_id",
    "create_key_file",
    "key_store_from",
    "load_master_key",
]


def __getattr__(name: str) -> Any:
    # boto3 takes a tenth of a second to import: only S3 users pay for it.
    if name == "S3BlobStore":
        from alarmvern.vault.s3 import S3BlobStore

        return S3BlobStore
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
