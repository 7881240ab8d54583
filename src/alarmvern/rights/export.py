"""Rows as the person may read them: JSON-safe, encrypted fields decrypted, hashes named."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import Connection, Table

from alarmvern.errors import VaultError
from alarmvern.store.datamap import Binding
from alarmvern.vault import Vault

ENCRYPTED_SUFFIX = "_enc"
# Columns that hold only a keyed hash: the value cannot be shown because it is not stored.
HASH_NOTE = "[lagret bare som nøkkelhash / stored only as a keyed hash]"
HASHED_COLUMNS = ("nin_lookup", "code_hash", "identifier_hash")


def plain(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, bytes):
        return None
    return value


def readable(
    conn: Connection, vault: Vault, table: Table, binding: Binding, row: Mapping[str, Any]
) -> dict[str, Any]:
    """One row as JSON-safe values, with its encrypted fields decrypted for the person."""
    out: dict[str, Any] = {}
    for column, value in row.items():
        if value is not None and column.endswith(ENCRYPTED_SUFFIX):
            out[column.removesuffix(ENCRYPTED_SUFFIX)] = _decrypt(
                conn, vault, table, binding, row, column, value
            )
        elif value is not None and (column in HASHED_COLUMNS or column == binding.hashed):
            out[column] = HASH_NOTE
        else:
            out[column] = plain(value)
    return out


def _decrypt(
    conn: Connection,
    vault: Vault,
    table: Table,
    binding: Binding,
    row: Mapping[str, Any],
    column: str,
    token: str,
) -> str | None:
    subject = binding.vault_subject(row)
    if subject is None:
        return None
    try:
        return vault.decrypt_field(conn, subject, table.name, column, token)
    except VaultError:
        return None  # shredded: nobody can read it any more, us included
