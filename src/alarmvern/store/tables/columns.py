"""Column types shared by every table, the same on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, Column, DateTime, ForeignKey, Integer, MetaData
from sqlalchemy.dialects.postgresql import JSONB

# Named constraints, so that Alembic migrations are the same on both databases.
metadata = MetaData(
    naming_convention={
        "ix": "ix_%(table_name)s_%(column_0_N_name)s",
        "uq": "uq_%(table_name)s_%(column_0_N_name)s",
        "ck": "ck_%(table_name)s_%(constraint_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    }
)

# SQLite only auto-increments an INTEGER PRIMARY KEY; PostgreSQL wants BIGINT for event tables.
Id = BigInteger().with_variant(Integer(), "sqlite")
# None is SQL NULL, not the JSON value null: "no value" must look the same in every column.
Json = JSON(none_as_null=True).with_variant(JSONB(none_as_null=True), "postgresql")
Timestamp = DateTime(timezone=True)


def now() -> datetime:
    return datetime.now(UTC)


def as_utc(at: datetime) -> datetime:
    """A stored time as an aware UTC datetime: SQLite hands times back naive, always UTC."""
    return at if at.tzinfo is not None else at.replace(tzinfo=UTC)


def id_column() -> Column[Any]:
    return Column("id", Id, primary_key=True, autoincrement=True)


def person_fk(name: str = "person_id", nullable: bool = True) -> Column[Any]:
    return Column(name, Id, ForeignKey("persons.id"), nullable=nullable, index=True)


def account_fk(name: str = "account_id", nullable: bool = True, index: bool = True) -> Column[Any]:
    """The customer account a row belongs to; ``index=False`` where an index of the table
    already leads with it."""
    return Column(name, Id, ForeignKey("customer_accounts.id"), nullable=nullable, index=index)


def created_at() -> Column[Any]:
    return Column("created_at", Timestamp, nullable=False, default=now)
