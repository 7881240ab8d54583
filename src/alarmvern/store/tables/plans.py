"""What the alarm centre is told to do at a site: its action plans (instrukser)."""

from __future__ import annotations

from sqlalchemy import Column, ForeignKey, String, Table, UniqueConstraint

from alarmvern.store.datamap import Binding, Via, bind
from alarmvern.store.tables.columns import Id, Json, Timestamp, account_fk, id_column, metadata

# One plan per site and alarm kind: the ordered steps an operator follows (call the contacts,
# send a guard, call the police after N minutes, ...). Set by customer service; the steps are
# site data like the rest of the site's setup, kept while the customer relationship lasts.
action_plans = bind(
    Table(
        "action_plans",
        metadata,
        id_column(),
        account_fk(nullable=False),
        Column("site_id", Id, ForeignKey("sites.id"), nullable=False, index=True),
        Column("kind", String(32), nullable=False),  # fire, panic, medical, burglary, technical
        Column("steps", Json, nullable=False),  # [{"action": ..., "minutes": ..., "note": ...}]
        Column("set_by", String(100), nullable=False),
        Column("set_at", Timestamp, nullable=False),
        UniqueConstraint("site_id", "kind", name="uq_action_plans_site_kind"),
    ),
    Binding(
        label=("Instrukser for alarmer", "Alarm action plans"),
        labels={
            "steps": ("Steg", "Steps"),
            "set_by": ("Satt av", "Set by"),
            "set_at": ("Satt", "Set"),
        },
        category="user.alarm.system",
        subjects=("customer",),
        account="account_id",
        anchors={
            "captured": "set_at",
            "relationship_end": Via("account_id", "customer_accounts", "ended_at"),
        },
    ),
)
