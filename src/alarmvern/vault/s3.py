"""Blobs in an S3-compatible bucket (AWS S3, MinIO, Ceph, …) through boto3."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from typing import TYPE_CHECKING, Any, NoReturn

import boto3
from botocore.exceptions import BotoCoreError, ClientError

from alarmvern.errors import VaultError
from alarmvern.vault.blobs import BlobMissing, check_blob_id

if TYPE_CHECKING:
    from mypy_boto3_s3 import S3Client

_NOT_FOUND = {"404", "NoSuchKey", "NotFound"}
_DOING = {"write": "skriving", "read": "lesing", "delete in": "sletting", "list": "listing"}


class S3BlobStore:
    """Each blob is one object, its key the blob id (after ``prefix``, if given).

    S3 writes are atomic per object, so no temporary objects are needed.
    """

    def __init__(
        self,
        bucket: str,
        endpoint_url: str | None = None,
        client: S3Client | None = None,
        prefix: str = "",
    ) -> None:
        self.bucket = bucket
        self.endpoint_url = endpoint_url
        self.prefix = prefix
        self.client: S3Client = client or boto3.client("s3", endpoint_url=endpoint_url)

    def __repr__(self) -> str:
        return f"S3BlobStore({self.bucket!r}, endpoint_url={self.endpoint_url!r})"

    def _key(self, blob_id: str) -> str:
        return self.prefix + check_blob_id(blob_id)

    def put(self, blob_id: str, data: bytes) -> None:
        key = self._key(blob_id)
        try:
            self.client.put_object(Bucket=self.bucket, Key=key, Body=data)
        except (BotoCoreError, ClientError) as exc:
            self._fail("write", exc)

    def get(self, blob_id: str) -> bytes:
        key = self._key(blob_id)
        try:
            response = self.client.get_object(Bucket=self.bucket, Key=key)
            return response["Body"].read()
        except ClientError as exc:
            if _code(exc) in _NOT_FOUND:
                raise BlobMissing(
                    f"filen {blob_id} finnes ikke i S3-bøtta {self.bucket}",
                    f"blob {blob_id} is not in S3 bucket {self.bucket}",
                    field="blob_id",
                ) from None
            self._fail("read", exc)
        except BotoCoreError as exc:
            self._fail("read", exc)

    def delete(self, blob_id: str) -> None:
        key = self._key(blob_id)
        try:
            self.client.delete_object(Bucket=self.bucket, Key=key)
        except (BotoCoreError, ClientError) as exc:
            self._fail("delete in", exc)

    def exists(self, blob_id: str) -> bool:
        key = self._key(blob_id)
        try:
            self.client.head_object(Bucket=self.bucket, Key=key)
        except ClientError as exc:
            if _code(exc) in _NOT_FOUND:
                return False
            self._fail("read", exc)
        except BotoCoreError as exc:
            self._fail("read", exc)
        return True

    def iter_ids(self) -> Iterator[str]:
        paginator = self.client.get_paginator("list_objects_v2")
        try:
            for page in paginator.paginate(Bucket=self.bucket, Prefix=self.prefix):
                for item in page.get("Contents", []):
                    yield item["Key"][len(self.prefix) :]
        except (BotoCoreError, ClientError) as exc:
            self._fail("list", exc)

    def iter_written_before(self, moment: datetime) -> Iterator[str]:
        paginator = self.client.get_paginator("list_objects_v2")
        try:
            for page in paginator.paginate(Bucket=self.bucket, Prefix=self.prefix):
                for item in page.get("Contents", []):
                    if item["LastModified"] < moment:
                        yield item["Key"][len(self.prefix) :]
        except (BotoCoreError, ClientError) as exc:
            self._fail("list", exc)

    def _fail(self, doing: str, exc: Any) -> NoReturn:
        reason = _code(exc) if isinstance(exc, ClientError) else type(exc).__name__
        raise VaultError(
            f"S3-bøtta {self.bucket}: {_DOING.get(doing, doing)} gikk ikke ({reason}); "
            "sjekk ALARMVERN_S3_BUCKET, "
            "ALARMVERN_S3_ENDPOINT_URL og AWS-nøklene",
            f"cannot {doing} S3 bucket {self.bucket} ({reason}); check ALARMVERN_S3_BUCKET, "
            "ALARMVERN_S3_ENDPOINT_URL and the AWS credentials",
            field="ALARMVERN_S3_BUCKET",
        ) from None


def _code(exc: ClientError) -> str:
    return str(exc.response.get("Error", {}).get("Code", "unknown"))
