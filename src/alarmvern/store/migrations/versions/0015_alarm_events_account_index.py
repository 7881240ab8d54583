"""alarm events: the index on account_id alone goes; the (account_id, occurred_at) one serves

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-06 22:30:00

``ix_alarm_events_account_time`` leads with ``account_id``, so every lookup by account
(equality, IN, IS NULL, the foreign key's checks when a customer account is deleted) is
answered by it as well. The single-column index only cost the intake a second index entry
for every event stored (issue #19). On PostgreSQL it is a partitioned index: dropping it
drops it on every partition.
"""

from __future__ import annotations

from alembic import op

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.drop_index("ix_alarm_events_account_id", table_name="alarm_events")


def downgrade() -> None:
    op.create_index("ix_alarm_events_account_id", "alarm_events", ["account_id"])
