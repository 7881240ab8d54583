"""ids never reused (SQLite AUTOINCREMENT); tombstones of shredded keys

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-01 22:00:00

SQLite hands out the highest row id again once that row is deleted; an erasure journal
that names rows by id would then hit a new, unrelated person on replay. AUTOINCREMENT
makes SQLite remember the highest id ever given (in ``sqlite_sequence``), so every table
with an integer ``id`` key is rebuilt with it. The rebuild starts the sequence at the
highest id present: ids deleted before this migration from the very top of a table may
still come back once (docs/security.md, "Erasure journal"). PostgreSQL's sequences never
go back, so it needs nothing.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def _tables_to_rebuild(conn: sa.Connection) -> list[str]:
    inspector = sa.inspect(conn)
    found = []
    for name in inspector.get_table_names():
        if name == "alembic_version":
            continue
        if inspector.get_pk_constraint(name).get("constrained_columns") != ["id"]:
            continue
        sql = conn.exec_driver_sql(
            "SELECT sql FROM sqlite_master WHERE type = 'table' AND name = ?", (name,)
        ).scalar_one()
        if "AUTOINCREMENT" not in sql.upper():
            found.append(name)
    return found


def upgrade() -> None:
    op.create_table(
        "key_tombstones",
        sa.Column("subject", sa.String(length=64), nullable=False),
        sa.Column("shredded_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("subject", name=op.f("pk_key_tombstones")),
    )
    conn = op.get_bind()
    if conn.dialect.name != "sqlite":
        return
    # Foreign keys are off for this (alarmvern.store.migrate): a table is copied, dropped
    # and renamed, and the rows pointing at it must not notice.
    for name in _tables_to_rebuild(conn):
        with op.batch_alter_table(
            name, recreate="always", table_kwargs={"sqlite_autoincrement": True}
        ):
            pass


def downgrade() -> None:
    op.drop_table("key_tombstones")
