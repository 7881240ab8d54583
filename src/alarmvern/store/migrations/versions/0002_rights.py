"""rights: restrictions (art. 18) and rectifications (art. 16)

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-30 04:40:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
_TIME = sa.DateTime(timezone=True)


def _person_and_request(table: str) -> list[sa.SchemaItem]:
    return [
        sa.Column("id", _ID, autoincrement=True, nullable=False),
        sa.Column("person_id", _ID, nullable=False),
        sa.Column("request_id", _ID, nullable=True),
        sa.ForeignKeyConstraint(
            ["person_id"], ["persons.id"], name=op.f(f"fk_{table}_person_id_persons")
        ),
        sa.ForeignKeyConstraint(
            ["request_id"],
            ["rights_requests.id"],
            name=op.f(f"fk_{table}_request_id_rights_requests"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f(f"pk_{table}")),
    ]


def upgrade() -> None:
    op.create_table(
        "restrictions",
        *_person_and_request("restrictions"),
        sa.Column("reason", sa.String(length=32), nullable=False),
        sa.Column("placed_at", _TIME, nullable=False),
        sa.Column("lifted_at", _TIME, nullable=True),
    )
    op.create_table(
        "rectifications",
        *_person_and_request("rectifications"),
        sa.Column("target_table", sa.String(length=64), nullable=False),
        sa.Column("target_id", _ID, nullable=False),
        sa.Column("column_name", sa.String(length=64), nullable=False),
        sa.Column("old_value_enc", sa.Text(), nullable=True),
        sa.Column("changed_at", _TIME, nullable=False),
        sa.Column("changed_by", sa.String(length=100), nullable=False),
    )
    for table in ("restrictions", "rectifications"):
        op.create_index(op.f(f"ix_{table}_person_id"), table, ["person_id"], unique=False)


def downgrade() -> None:
    for table in ("rectifications", "restrictions"):
        op.drop_index(op.f(f"ix_{table}_person_id"), table_name=table)
        op.drop_table(table)
