"""intake: the area/partition of each alarm event; what each panel account must send

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-01 22:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

_TIME = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.add_column("alarm_events", sa.Column("area", sa.String(length=8), nullable=True))
    op.create_table(
        "panel_settings",
        sa.Column("panel_account", sa.String(length=16), nullable=False),
        sa.Column("encryption_required", sa.Boolean(), nullable=True),
        sa.Column("clear_timestamps_checked", sa.Boolean(), nullable=False),
        sa.Column("rate_limited_at", _TIME, nullable=True),
        sa.Column("updated_at", _TIME, nullable=True),
        sa.PrimaryKeyConstraint("panel_account", name=op.f("pk_panel_settings")),
    )


def downgrade() -> None:
    op.drop_table("panel_settings")
    with op.batch_alter_table("alarm_events") as batch:
        batch.drop_column("area")
