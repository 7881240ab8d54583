"""Every table of the store, in one SQLAlchemy ``MetaData``, each with its data-map binding."""

from alarmvern.store.tables.accountability import breach_affected, breach_drafts, breaches
from alarmvern.store.tables.alarm import (
    account_supervision,
    alarm_events,
    call_recordings,
    incidents,
    media,
    presence,
    service_visits,
)
from alarmvern.store.tables.authentication import login_throttle, logins, sessions
from alarmvern.store.tables.business import (
    contracts,
    correspondence,
    course_participants,
    invoices,
    job_applicants,
    leads,
    office_visitors,
)
from alarmvern.store.tables.columns import metadata
from alarmvern.store.tables.intake import (
    devices,
    incident_steps,
    operator_assignments,
    panel_keys,
    panel_settings,
)
from alarmvern.store.tables.messaging import login_tokens, outbox_messages
from alarmvern.store.tables.operations import blob_tombstones, job_leases, key_tombstones
from alarmvern.store.tables.people import (
    alarm_contacts,
    customer_accounts,
    panel_users,
    persons,
    sites,
)
from alarmvern.store.tables.plans import action_plans
from alarmvern.store.tables.privacy import (
    audit_log,
    consents,
    disclosures,
    legal_holds,
    marketing_suppressions,
    policy_notices,
    policy_versions,
    rectifications,
    restrictions,
    rights_requests,
    subject_keys,
)

__all__ = [
    "account_supervision",
    "action_plans",
    "alarm_contacts",
    "alarm_events",
    "audit_log",
    "blob_tombstones",
    "breach_affected",
    "breach_drafts",
    "breaches",
    "call_recordings",
    "consents",
    "contracts",
    "correspondence",
    "course_participants",
    "customer_accounts",
    "devices",
    "disclosures",
    "incident_steps",
    "incidents",
    "invoices",
    "job_applicants",
    "job_leases",
    "key_tombstones",
    "leads",
    "legal_holds",
    "login_throttle",
    "login_tokens",
    "logins",
    "marketing_suppressions",
    "media",
    "metadata",
    "office_visitors",
    "operator_assignments",
    "outbox_messages",
    "panel_keys",
    "panel_settings",
    "panel_users",
    "persons",
    "policy_notices",
    "policy_versions",
    "presence",
    "rectifications",
    "restrictions",
    "rights_requests",
    "service_visits",
    "sessions",
    "sites",
    "subject_keys",
]


def _ids_never_reused() -> None:
    """SQLite gives a deleted top row's id to the next insert unless the table says
    AUTOINCREMENT; an id named in the erasure journal must never come back (migration 0013
    does the same to existing databases)."""
    for table in metadata.tables.values():
        if [c.name for c in table.primary_key.columns] == ["id"]:
            table.dialect_kwargs["sqlite_autoincrement"] = True


_ids_never_reused()
