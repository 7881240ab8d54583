"""audit log: an index on purpose, for "who saw what for this incident"

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-30 05:00:00
"""

from __future__ import annotations

from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index(op.f("ix_audit_log_purpose"), "audit_log", ["purpose"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_audit_log_purpose"), table_name="audit_log")
