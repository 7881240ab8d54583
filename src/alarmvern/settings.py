"""Settings, layered: command-line options, then ALARMVERN_* environment variables, then defaults.

The master key is never printed: it is a ``SecretStr`` and only the vault unwraps it.
"""

from __future__ import annotations

from pathlib import Path

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

KEY_FILE = "master.key"
DATABASE_FILE = "alarmvern.db"


class Settings(BaseSettings):
    """Where alarmvern keeps its data and which policy it runs on.

    :param data_dir: the data folder (ALARMVERN_DATA_DIR)
    :param database_url: SQLAlchemy URL (ALARMVERN_DATABASE_URL); default a SQLite file in data_dir
    :param blob_dir: folder for encrypted blobs (ALARMVERN_BLOB_DIR); default data_dir/blobs
    :param s3_bucket: keep blobs in this S3-compatible bucket instead (ALARMVERN_S3_BUCKET)
    :param s3_endpoint_url: the S3-compatible server (ALARMVERN_S3_ENDPOINT_URL)
    :param master_key: base64 master key (ALARMVERN_MASTER_KEY); default the data_dir key file
    :param policy: a pack name or a policy file (ALARMVERN_POLICY)
    :param trusted_proxies: addresses of reverse proxies whose X-Forwarded-For and
        X-Forwarded-Proto are believed, comma-separated (ALARMVERN_TRUSTED_PROXIES); none
    :param key_store: the subjects' data keys, a file outside the database and its backups
        (ALARMVERN_KEY_STORE); default data_dir/keys/subject-keys.db
    :param key_store_url: the key store as a database URL instead (ALARMVERN_KEY_STORE_URL),
        shared by several nodes; a database of its own, never the main database
    """

    model_config = SettingsConfigDict(env_prefix="ALARMVERN_", extra="ignore")

    data_dir: Path = Path("data")
    database_url: str | None = None
    blob_dir: Path | None = None
    s3_bucket: str | None = None
    s3_endpoint_url: str | None = None
    master_key: SecretStr | None = Field(default=None, repr=False)
    policy: str = "default"
    trusted_proxies: str = ""
    key_store: Path | None = None
    key_store_url: str | None = None

    @property
    def db_url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite:///{(self.data_dir / DATABASE_FILE).resolve()}"

    @property
    def blobs(self) -> Path:
        return self.blob_dir if self.blob_dir is not None else self.data_dir / "blobs"

    @property
    def key_store_file(self) -> Path:
        if self.key_store is not None:
            return self.key_store
        return self.data_dir / "keys" / "subject-keys.db"

    @property
    def exports_dir(self) -> Path:
        """Files made for people (packages, letters, receipts): kept a week at most."""
        return self.data_dir / "exports"

    @property
    def key_file(self) -> Path:
        return self.data_dir / KEY_FILE
