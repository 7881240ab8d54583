"""audit log: the purpose index covers "who saw what for this incident"

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-30 08:10:00
"""

from __future__ import annotations

from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

COLUMNS = ["purpose", "actor", "action", "subject", "at", "seq"]


def upgrade() -> None:
    op.create_index("ix_audit_log_purpose_record", "audit_log", COLUMNS, unique=False)
    op.drop_index(op.f("ix_audit_log_purpose"), table_name="audit_log")


def downgrade() -> None:
    op.create_index(op.f("ix_audit_log_purpose"), "audit_log", ["purpose"], unique=False)
    op.drop_index("ix_audit_log_purpose_record", table_name="audit_log")
