"""breaches: the register of personal-data breaches, the people affected, the drafts

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-01 22:45:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None

Id = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
Json = sa.JSON(none_as_null=True).with_variant(postgresql.JSONB(none_as_null=True), "postgresql")
Timestamp = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "breaches",
        sa.Column("id", Id, primary_key=True, autoincrement=True),
        sa.Column("title", sa.String(200), nullable=False),
        sa.Column("description", sa.Text, nullable=False),
        sa.Column("began_at", Timestamp),
        sa.Column("discovered_at", Timestamp, nullable=False),
        sa.Column("registered_at", Timestamp, nullable=False),
        sa.Column("registered_by", sa.String(100), nullable=False),
        sa.Column("categories", Json, nullable=False),
        sa.Column("people_count", sa.Integer),
        sa.Column("records_count", sa.Integer),
        sa.Column("consequences", sa.Text, nullable=False),
        sa.Column("measures", sa.Text, nullable=False),
        sa.Column("controller", sa.String(200)),
        sa.Column("notify_authority", sa.Boolean),
        sa.Column("notify_people", sa.Boolean),
        sa.Column("decision_reasons", sa.Text),
        sa.Column("decided_at", Timestamp),
        sa.Column("decided_by", sa.String(100)),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_breaches")),
    )
    op.create_table(
        "breach_affected",
        sa.Column("id", Id, primary_key=True, autoincrement=True),
        sa.Column("breach_id", Id, nullable=False),
        sa.Column("person_id", Id, nullable=False),
        sa.Column("source", sa.String(200), nullable=False),
        sa.Column("added_at", Timestamp, nullable=False),
        sa.ForeignKeyConstraint(
            ["breach_id"], ["breaches.id"], name=op.f("fk_breach_affected_breach_id_breaches")
        ),
        sa.ForeignKeyConstraint(
            ["person_id"], ["persons.id"], name=op.f("fk_breach_affected_person_id_persons")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_breach_affected")),
    )
    op.create_index(op.f("ix_breach_affected_breach_id"), "breach_affected", ["breach_id"])
    op.create_index(op.f("ix_breach_affected_person_id"), "breach_affected", ["person_id"])
    op.create_table(
        "breach_drafts",
        sa.Column("id", Id, primary_key=True, autoincrement=True),
        sa.Column("breach_id", Id, nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("person_id", Id),
        sa.Column("body_nb", sa.Text, nullable=False),
        sa.Column("body_en", sa.Text, nullable=False),
        sa.Column("created_at", Timestamp, nullable=False),
        sa.Column("to_send_by", sa.String(16)),
        sa.Column("sent_at", Timestamp),
        sa.Column("sent_by", sa.String(100)),
        sa.ForeignKeyConstraint(
            ["breach_id"], ["breaches.id"], name=op.f("fk_breach_drafts_breach_id_breaches")
        ),
        sa.ForeignKeyConstraint(
            ["person_id"], ["persons.id"], name=op.f("fk_breach_drafts_person_id_persons")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_breach_drafts")),
    )
    op.create_index(op.f("ix_breach_drafts_breach_id"), "breach_drafts", ["breach_id"])
    op.create_index(op.f("ix_breach_drafts_person_id"), "breach_drafts", ["person_id"])


def downgrade() -> None:
    op.drop_table("breach_drafts")
    op.drop_table("breach_affected")
    op.drop_table("breaches")
