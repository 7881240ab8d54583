"""intake: devices, panel keys, incident steps, operator assignments; frame keys on events

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-30 04:40:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
_TIME = sa.DateTime(timezone=True)
_JSON = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql")


def _fk(table: str, column: str, target: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        [column], [f"{target}.id"], name=op.f(f"fk_{table}_{column}_{target}")
    )


def upgrade() -> None:
    op.add_column("alarm_events", sa.Column("frame_key", sa.String(length=32), nullable=True))
    op.create_index(
        "ux_alarm_events_frame_key", "alarm_events", ["frame_key", "occurred_at"], unique=True
    )
    op.create_table(
        "devices",
        sa.Column("id", _ID, autoincrement=True, nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("account_id", _ID, nullable=True),
        sa.Column("site_id", _ID, nullable=True),
        sa.Column("person_id", _ID, nullable=True),
        sa.Column("name", sa.String(length=100), nullable=True),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("revoked_at", _TIME, nullable=True),
        sa.Column("created_at", _TIME, nullable=False),
        _fk("devices", "account_id", "customer_accounts"),
        _fk("devices", "site_id", "sites"),
        _fk("devices", "person_id", "persons"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_devices")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_devices_token_hash")),
    )
    for column in ("account_id", "site_id", "person_id"):
        op.create_index(op.f(f"ix_devices_{column}"), "devices", [column], unique=False)
    op.create_table(
        "panel_keys",
        sa.Column("panel_account", sa.String(length=16), nullable=False),
        sa.Column("key_enc", sa.Text(), nullable=False),
        sa.Column("form", sa.String(length=4), nullable=False),
        sa.Column("created_at", _TIME, nullable=False),
        sa.PrimaryKeyConstraint("panel_account", name=op.f("pk_panel_keys")),
    )
    op.create_table(
        "incident_steps",
        sa.Column("id", _ID, autoincrement=True, nullable=False),
        sa.Column("incident_id", _ID, nullable=False),
        sa.Column("account_id", _ID, nullable=True),
        sa.Column("person_id", _ID, nullable=True),
        sa.Column("step", sa.String(length=32), nullable=False),
        sa.Column("actor", sa.String(length=100), nullable=False),
        sa.Column("at", _TIME, nullable=False),
        sa.Column("details", _JSON, nullable=True),
        _fk("incident_steps", "incident_id", "incidents"),
        _fk("incident_steps", "account_id", "customer_accounts"),
        _fk("incident_steps", "person_id", "persons"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_incident_steps")),
    )
    for column in ("incident_id", "account_id", "person_id"):
        op.create_index(
            op.f(f"ix_incident_steps_{column}"), "incident_steps", [column], unique=False
        )
    op.create_table(
        "operator_assignments",
        sa.Column("id", _ID, autoincrement=True, nullable=False),
        sa.Column("incident_id", _ID, nullable=False),
        sa.Column("operator", sa.String(length=100), nullable=False),
        sa.Column("assigned_at", _TIME, nullable=False),
        sa.Column("released_at", _TIME, nullable=True),
        _fk("operator_assignments", "incident_id", "incidents"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_operator_assignments")),
    )
    for column in ("incident_id", "operator"):
        op.create_index(
            op.f(f"ix_operator_assignments_{column}"),
            "operator_assignments",
            [column],
            unique=False,
        )


def downgrade() -> None:
    for table in ("operator_assignments", "incident_steps", "panel_keys", "devices"):
        op.drop_table(table)
    op.drop_index("ux_alarm_events_frame_key", table_name="alarm_events")
    op.drop_column("alarm_events", "frame_key")
