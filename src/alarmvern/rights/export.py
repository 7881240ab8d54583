"""Rows as the person may read them: JSON-safe, encrypted fields decrypted, hashes named.

What a column holds is the data map's to say (``Binding.stored_as``): a credential (a password
or alarm-code hash, a device token's hash) is never handed out, not even to its owner; a keyed
hash of an identifier is named as one. No column name is special here."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import Connection, Table

from alarmvern.errors import VaultError
from alarmvern.store.datamap import Binding, Stored
from alarmvern.vault import Vault

ENCRYPTED_SUFFIX = "_enc"
# What the person is shown instead of a column that holds no value of theirs to read.
NOTES = {
    # the value is not stored, only a keyed hash of it
    Stored.keyed_hash: "[lagret bare som nøkkelhash / stored only as a keyed hash]",
    # it proves a secret; handing it out would let a leaked copy be cracked offline
    Stored.credential: (
        "[lagret bare i en omgjort form som ikke kan leses tilbake, og som vi ikke utleverer / "
        "stored only in a transformed form that cannot be read back, and not handed out]"
    ),
}
HASH_NOTE = NOTES[Stored.keyed_hash]


def plain(value: Any) -> Any:
    if isinstance(value, datetime):
        return _utc_iso(value)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, bytes):
        return None
    return value


def _utc_iso(at: datetime) -> str:
    """A stored time in UTC, offset shown, whichever database gave it: SQLite hands times
    back naive (always UTC), PostgreSQL in the session's time zone."""
    if at.tzinfo is None:
        return at.isoformat() + "+00:00"
    return (at if at.tzinfo is UTC else at.astimezone(UTC)).isoformat()


def readable(
    conn: Connection, vault: Vault, table: Table, binding: Binding, row: Mapping[str, Any]
) -> dict[str, Any]:
    """One row as JSON-safe values, with its encrypted fields decrypted for the person."""
    return Reader(conn, vault, table, binding)(row)


class Reader:
    """:func:`readable` for many rows of one table: what each column needs is worked out
    once, since an access package may hold hundreds of thousands of rows."""

    def __init__(self, conn: Connection, vault: Vault, table: Table, binding: Binding) -> None:
        self.conn, self.vault, self.table, self.binding = conn, vault, table, binding
        self.stored = {
            c.name: kind for c in table.c if (kind := binding.stored_as(c.name)) is not None
        }
        self.special = {c.name for c in table.c if c.name.endswith(ENCRYPTED_SUFFIX)}
        self.special |= set(self.stored)
        # Rows of a table with nothing to decrypt need not be handed over as mappings.
        self.plain = not any(c.endswith(ENCRYPTED_SUFFIX) for c in self.special)
        self.converted = {
            c.name for c in table.c if c.type.python_type in (datetime, date, Decimal, bytes)
        }
        # The columns whose values are not handed out as they are, for the plain path.
        self._fixed = [c.name for c in table.c if c.name in self.converted | self.special]

    def __call__(self, row: Mapping[str, Any]) -> dict[str, Any]:
        return self.from_values(row.keys(), row.values(), row)

    def from_values(
        self, names: Iterable[str], values: Iterable[Any], row: Mapping[Any, Any] | None = None
    ) -> dict[str, Any]:
        if self.plain:
            # Nothing to decrypt, so no column is renamed: take the row as it is, then put
            # right the few columns that need it (much faster over thousands of rows).
            out = dict(zip(names, values, strict=True))
            for column in self._fixed:
                value = out.get(column)
                if value is not None:
                    kind = self.stored.get(column)
                    out[column] = NOTES[kind] if kind is not None else plain(value)
            return out
        out = {}
        for column, value in zip(names, values, strict=True):
            if value is None:
                out[column] = None
            elif column in self.special:
                self._special(out, row if row is not None else out, column, value)
            elif column in self.converted:
                out[column] = plain(value)
            else:
                out[column] = value
        return out

    def _special(
        self, out: dict[str, Any], row: Mapping[str, Any], column: str, value: Any
    ) -> None:
        if column.endswith(ENCRYPTED_SUFFIX):
            out[column.removesuffix(ENCRYPTED_SUFFIX)] = _decrypt(
                self.conn, self.vault, self.table, self.binding, row, column, value
            )
        else:
            out[column] = NOTES[self.stored[column]]


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
