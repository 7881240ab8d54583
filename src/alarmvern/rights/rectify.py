"""Rectification (art. 16): correct one personal value, keeping the value it replaced.

The old value is kept encrypted with the person's key, so erasing the person shreds their
history of corrections too. The audit log names the table, row and column, never a value.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import Column, Connection, Date, DateTime, Float, Integer, Table, select

from alarmvern import audit
from alarmvern.errors import AlarmvernError, VaultError
from alarmvern.retention.predicates import primary_key
from alarmvern.rights import export
from alarmvern.rights.scope import personal_tables, scope_of, selection
from alarmvern.store.datamap import Binding
from alarmvern.store.tables import persons, rectifications
from alarmvern.store.tables.columns import as_utc
from alarmvern.vault import Vault

# A column that is also stored as a keyed lookup hash (to find people by it) gets its hash
# rewritten with it, normalised the way the finder hashes it.
LOOKUP_TWINS = {("persons", "nin_enc"): "nin_lookup"}
# The history of corrections is evidence of what was done; it is not itself corrected.
NOT_RECTIFIABLE = frozenset({rectifications.name})


class RectifyError(AlarmvernError):
    """The value cannot be corrected as asked; the message says why."""


@dataclass(frozen=True)
class Rectification:
    id: int
    person_id: int
    request_id: int | None
    table: str
    row_id: int
    column: str
    category: str | None  # the column's category, for the notices to recipients (art. 19)
    old_value: str | None  # as text; None when there was none, or the key is shredded
    changed_at: datetime
    changed_by: str


def rectify(
    conn: Connection,
    vault: Vault,
    *,
    person_id: int,
    table_name: str,
    row_id: int,
    column: str,
    new_value: Any,
    actor: str,
    request_id: int | None = None,
    seen: str | None = None,
    check_seen: bool = False,
) -> Rectification:
    """Set ``table_name.column`` of row ``row_id`` to ``new_value``, recording the change.

    With ``check_seen``, ``seen`` is the value staff saw when they decided (as text): if it
    has changed since, nothing is changed and the correction is refused.
    """
    table, binding = _personal_table(table_name)
    column = _rectifiable(table, binding, column)
    row = _row_of_person(conn, vault, table, binding, row_id, person_id)
    old = _stored_value(conn, vault, table, binding, row, column)
    if check_seen and _as_text(old) != (seen or None):
        raise RectifyError(
            "verdien er endret siden du så den; se på den igjen før du retter",
            "the value has changed since you saw it; look at it again before correcting it",
            field="old_value",
            code="changed",
        )
    value = _typed(table.c[column], new_value)
    if value == old:
        raise RectifyError(
            f"{table.name}.{column} i rad {row_id} har allerede den verdien",
            f"{table.name}.{column} of row {row_id} already holds that value",
            field="new_value",
            code="unchanged",
        )
    key = primary_key(table)
    changes = _new_values(conn, vault, table, binding, row, column, value)
    conn.execute(table.update().where(key == row_id).values(changes))
    found = Rectification(
        id=0,  # given by the database in _record
        person_id=person_id,
        request_id=request_id,
        table=table.name,
        row_id=row_id,
        column=column,
        category=binding.columns[column],
        old_value=_as_text(old),
        changed_at=datetime.now(UTC),
        changed_by=actor,
    )
    found = replace(found, id=_record(conn, vault, found))
    audit.append(
        conn,
        actor=actor,
        action="rights.rectified",
        subject=f"person:{person_id}",
        purpose=f"rights-request:{request_id}" if request_id else "rectification",
        details={"table": table.name, "row": row_id, "column": column, "rectification": found.id},
    )
    return found


# Tables whose rows describe the person and their accounts (a register, not a log of what
# happened): their retention runs from the end of the relationship, not from an event.
REGISTER_ANCHORS = frozenset({"relationship_end", "last_contact"})
ON_FILE_ROWS = 50  # per table: a person has a handful of sites, users and contacts


@dataclass(frozen=True)
class OnFile:
    """One value on file about the person that a correction may change."""

    table: str
    row_id: int
    column: str
    label: tuple[str, str]  # what the data map calls the column, bokmål and English
    value: str | None

    @property
    def key(self) -> str:
        """``table:row:column``, what a form sends back to name the value."""
        return f"{self.table}:{self.row_id}:{self.column}"


def on_file(conn: Connection, vault: Vault, person_id: int) -> list[OnFile]:
    """What is on file about the person (name, contact details, address, sites, panel users,
    contacts) that a correction may change, decrypted; hashes and credentials left out."""
    scope = replace(scope_of(conn, vault, person_id), identifier_hashes=())
    found: list[OnFile] = []
    for table, binding in personal_tables():
        if table.name in NOT_RECTIFIABLE or not binding.columns:
            continue
        if not set(binding.anchors) <= REGISTER_ANCHORS:
            continue
        where = selection(table, binding, scope)
        if where is None:
            continue
        key = primary_key(table)
        query = select(table).where(where).order_by(key).limit(ON_FILE_ROWS)
        for row in conn.execute(query):
            values = dict(row._mapping)
            for column in binding.columns:
                if binding.stored_as(column) is not None:
                    continue
                label = binding.column_label(column) or (column, column)
                value = _stored_value(conn, vault, table, binding, values, column)
                found.append(OnFile(table.name, int(values[key.name]), column, label,
                                    _as_text(value)))  # fmt: skip
    return found


def parse_key(key: str) -> tuple[str, int, str]:
    """A form's ``table:row:column`` back into its parts, or a clear refusal."""
    table, _, rest = key.partition(":")
    row, _, column = rest.partition(":")
    if not table or not column or not row.isdigit():
        raise RectifyError("velg opplysningen som skal rettes", "choose the value to be corrected")
    return table, int(row), column


def _personal_table(name: str) -> tuple[Table, Binding]:
    found = next(((t, b) for t, b in personal_tables() if t.name == name), None)
    if found is None or name in NOT_RECTIFIABLE:
        raise RectifyError(
            f"{name} er ikke en tabell med personopplysninger som kan rettes",
            f"{name} is not a table of personal data that can be rectified",
            field="table",
        )
    return found


def _rectifiable(table: Table, binding: Binding, column: str) -> str:
    # The readable name of an encrypted column (``nin``) means the column itself (``nin_enc``).
    stored = column + export.ENCRYPTED_SUFFIX
    if column not in binding.columns and stored in binding.columns:
        column = stored
    if column not in binding.columns:
        allowed = ", ".join(sorted(binding.columns)) or "none"
        raise RectifyError(
            f"{table.name}.{column} er ikke en kolonne med personopplysninger som kan rettes "
            f"(de i {table.name}: {allowed})",
            f"{table.name}.{column} is not a personal column that can be rectified "
            f"(those of {table.name}: {allowed})",
            field="column",
        )
    if binding.stored_as(column) is not None:
        raise RectifyError(
            f"{table.name}.{column} har bare en nøkkelhash; rett verdien den er laget av",
            f"{table.name}.{column} holds only a keyed hash; rectify the value it is made from",
            field="column",
        )
    return column


def _row_of_person(
    conn: Connection, vault: Vault, table: Table, binding: Binding, row_id: int, person_id: int
) -> dict[str, Any]:
    if conn.execute(select(persons.c.id).where(persons.c.id == person_id)).first() is None:
        raise RectifyError(
            f"fant ingen person {person_id}", f"no person {person_id}", field="person"
        )
    # Only the rows they are the subject of or whose account they hold, never a hash match.
    scope = replace(scope_of(conn, vault, person_id), identifier_hashes=())
    concerns = selection(table, binding, scope)
    query = select(table).where(primary_key(table) == row_id)
    row = conn.execute(query if concerns is None else query.where(concerns)).first()
    if row is None or concerns is None:
        raise RectifyError(
            f"rad {row_id} i {table.name} gjelder ikke person {person_id}",
            f"row {row_id} of {table.name} does not concern person {person_id}",
            field="row",
        )
    return dict(row._mapping)


def _stored_value(
    conn: Connection,
    vault: Vault,
    table: Table,
    binding: Binding,
    row: dict[str, Any],
    column: str,
) -> Any:
    value = row[column]
    if value is None or not column.endswith(export.ENCRYPTED_SUFFIX):
        return as_utc(value) if isinstance(value, datetime) else value
    subject = binding.vault_subject(row)
    if subject is None:
        return None
    try:
        return vault.decrypt_field(conn, subject, table.name, column, value)
    except VaultError:
        return None  # shredded: the value is gone for everyone


def _typed(column: Column[Any], value: Any) -> Any:
    """A value from the command line or a form, as the column stores it ("" clears it)."""
    if value == "":
        return None
    if not isinstance(value, str):
        return value
    kind = column.type
    try:
        if isinstance(kind, DateTime):
            return as_utc(datetime.fromisoformat(value))
        if isinstance(kind, Date):
            return date.fromisoformat(value)
        if isinstance(kind, Float):
            return float(value)
        if isinstance(kind, Integer):
            return int(value)
    except ValueError:
        # The message names the column and the form wanted, never the value given.
        name = type(kind).__name__.lower()
        raise RectifyError(
            f"{column.table.name}.{column.name} trenger en verdi av typen {name}",
            f"{column.table.name}.{column.name} needs a {name} value",
            field="new_value",
        ) from None
    return value


def _new_values(
    conn: Connection,
    vault: Vault,
    table: Table,
    binding: Binding,
    row: dict[str, Any],
    column: str,
    value: Any,
) -> dict[str, Any]:
    changes = {column: value}
    if value is not None and column.endswith(export.ENCRYPTED_SUFFIX):
        subject = binding.vault_subject(row)
        if subject is None:
            raise RectifyError(
                f"{table.name}.{column}: raden har ingen nøkkel å kryptere verdien med",
                f"{table.name}.{column}: the row has no key to encrypt it with",
                field="column",
            )
        changes[column] = vault.encrypt_field(conn, subject, table.name, column, str(value))
    twin = LOOKUP_TWINS.get((table.name, column))
    if twin:
        digits = "".join(c for c in str(value) if c.isdigit())
        changes[twin] = None if value is None else vault.lookup_hash(conn, digits)
    return changes


def _as_text(value: Any) -> str | None:
    if value is None or isinstance(value, str):
        return value
    if isinstance(value, dict | list):
        return json.dumps(value, ensure_ascii=False)
    plain = export.plain(value)
    return None if plain is None else str(plain)


def _record(conn: Connection, vault: Vault, change: Rectification) -> int:
    token = None
    if change.old_value is not None:
        subject = f"person:{change.person_id}"
        token = vault.encrypt_field(
            conn, subject, rectifications.name, "old_value_enc", change.old_value
        )
    key = conn.execute(
        rectifications.insert().values(
            person_id=change.person_id,
            request_id=change.request_id,
            target_table=change.table,
            target_id=change.row_id,
            column_name=change.column,
            old_value_enc=token,
            changed_at=change.changed_at,
            changed_by=change.changed_by,
        )
    ).inserted_primary_key
    assert key is not None
    return int(key[0])


def history(conn: Connection, vault: Vault, person_id: int) -> list[Rectification]:
    """The person's corrections, oldest first, with the values they replaced."""
    query = (
        select(rectifications)
        .where(rectifications.c.person_id == person_id)
        .order_by(rectifications.c.changed_at, rectifications.c.id)
    )
    categories = {t.name: b.columns for t, b in personal_tables()}
    return [
        Rectification(
            id=row.id,
            person_id=row.person_id,
            request_id=row.request_id,
            table=row.target_table,
            row_id=row.target_id,
            column=row.column_name,
            category=categories.get(row.target_table, {}).get(row.column_name),
            old_value=_old_value(conn, vault, person_id, row.old_value_enc),
            changed_at=as_utc(row.changed_at),
            changed_by=row.changed_by,
        )
        for row in conn.execute(query)
    ]


def _old_value(conn: Connection, vault: Vault, person_id: int, token: str | None) -> str | None:
    if token is None:
        return None
    try:
        subject = f"person:{person_id}"
        return vault.decrypt_field(conn, subject, rectifications.name, "old_value_enc", token)
    except VaultError:
        return None  # the person was erased: their key, and so this value, is gone
