"""policy changes that can be staged: who was told of a version, and who has read it

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-03 09:00:00

The table is made with AUTOINCREMENT on SQLite from the start (what 0013 gives the tables
before it), so an id is never handed out twice.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None

Id = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
Timestamp = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "policy_notices",
        sa.Column("id", Id, autoincrement=True, nullable=False),
        sa.Column("version_id", Id, nullable=False),
        sa.Column("person_id", Id, nullable=False),
        sa.Column("told_at", Timestamp, nullable=True),
        sa.Column("channel", sa.String(8), nullable=True),
        sa.Column("read_at", Timestamp, nullable=True),
        sa.Column("created_at", Timestamp, nullable=False),
        sa.ForeignKeyConstraint(
            ["version_id"],
            ["policy_versions.id"],
            name="fk_policy_notices_version_id_policy_versions",
        ),
        sa.ForeignKeyConstraint(
            ["person_id"], ["persons.id"], name="fk_policy_notices_person_id_persons"
        ),
        sa.PrimaryKeyConstraint("id", name="pk_policy_notices"),
        sa.UniqueConstraint(
            "version_id", "person_id", name="uq_policy_notices_version_idperson_id"
        ),
        sqlite_autoincrement=True,
    )
    op.create_index("ix_policy_notices_person_id", "policy_notices", ["person_id"])


def downgrade() -> None:
    op.drop_index("ix_policy_notices_person_id", table_name="policy_notices")
    op.drop_table("policy_notices")
