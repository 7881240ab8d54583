"""customer lifecycle: who was told (art. 14), the outbox's record, login link tokens

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-01 22:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None

Id = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
Timestamp = sa.DateTime(timezone=True)


def upgrade() -> None:
    with op.batch_alter_table("panel_users") as batch:
        batch.add_column(sa.Column("informed_at", Timestamp, nullable=True))
    with op.batch_alter_table("course_participants") as batch:
        batch.add_column(sa.Column("informed_at", Timestamp, nullable=True))
    op.create_table(
        "outbox_messages",
        sa.Column("id", Id, autoincrement=True, nullable=False),
        sa.Column("person_id", Id, nullable=True),
        sa.Column("channel", sa.String(8), nullable=False),
        sa.Column("recipient_hash", sa.String(64), nullable=False),
        sa.Column("template", sa.String(64), nullable=False),
        sa.Column("status", sa.String(8), nullable=False),
        sa.Column("error", sa.String(64), nullable=True),
        sa.Column("sent_at", Timestamp, nullable=False),
        sa.ForeignKeyConstraint(
            ["person_id"], ["persons.id"], name="fk_outbox_messages_person_id_persons"
        ),
        sa.PrimaryKeyConstraint("id", name="pk_outbox_messages"),
    )
    op.create_index("ix_outbox_messages_person_id", "outbox_messages", ["person_id"])
    op.create_index("ix_outbox_messages_recipient_hash", "outbox_messages", ["recipient_hash"])
    op.create_table(
        "login_tokens",
        sa.Column("token_hash", sa.String(64), nullable=False),
        sa.Column("login_id", Id, nullable=False),
        sa.Column("purpose", sa.String(16), nullable=False),
        sa.Column("created_at", Timestamp, nullable=False),
        sa.Column("expires_at", Timestamp, nullable=False),
        sa.Column("used_at", Timestamp, nullable=True),
        sa.ForeignKeyConstraint(
            ["login_id"], ["logins.id"], name="fk_login_tokens_login_id_logins"
        ),
        sa.PrimaryKeyConstraint("token_hash", name="pk_login_tokens"),
    )
    op.create_index("ix_login_tokens_login_id", "login_tokens", ["login_id"])


def downgrade() -> None:
    op.drop_index("ix_login_tokens_login_id", table_name="login_tokens")
    op.drop_table("login_tokens")
    op.drop_index("ix_outbox_messages_recipient_hash", table_name="outbox_messages")
    op.drop_index("ix_outbox_messages_person_id", table_name="outbox_messages")
    op.drop_table("outbox_messages")
    with op.batch_alter_table("course_participants") as batch:
        batch.drop_column("informed_at")
    with op.batch_alter_table("panel_users") as batch:
        batch.drop_column("informed_at")
