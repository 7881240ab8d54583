"""How each personal table would be spread over a Citus cluster: by its customer account (the
distribution key), or copied whole to every node (a reference table), and why.

The distribution key is the data map's own ``Binding.account``: a table that carries it is
distributed by it, and every such table sits with its account's other rows on one node
(co-located), so an account's alarm log, incidents, images and calls are read and erased on
one node. The personal tables below carry no account because what they hold is about a
person, not about a customer relationship (a login, a consent, a job application); they are
reference tables, small beside the alarm data. ``tests/test_distribution.py`` keeps this list
and the data map in step: a new personal table must carry its account or be named here.
See docs/deploy.md for what the audit chain and the sweeps need on such a cluster.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import MetaData

from alarmvern.store.datamap import bindings

REFERENCE: dict[str, str] = {
    "persons": "the data subjects themselves; a person may belong to several accounts",
    "marketing_suppressions": "hashed identifiers of people who said no, checked for everyone",
    "breach_affected": "people a breach touched, whatever their account",
    "breach_drafts": "notices to people a breach touched",
    "consents": "a person's own consents",
    "course_participants": "course attendees, not customers",
    "job_applicants": "applicants, not customers",
    "logins": "a person's login, which may see several accounts",
    "office_visitors": "visitors to the company's offices",
    "outbox_messages": "mail to a person, customer or not",
    "policy_notices": "a person told of, or reading, a changed privacy notice",
    "rights_requests": "a person's requests under the GDPR",
    "leads": "prospects before they have an account",
    "rectifications": "corrections a person asked for",
    "restrictions": "restrictions a person asked for",
}


@dataclass(frozen=True)
class Placement:
    table: str
    key: str | None  # the distribution column; None for a reference table
    reason: str = ""


def placements(metadata: MetaData) -> list[Placement]:
    """Every personal table's placement; ValueError naming a table that has none."""
    found = []
    for table, binding in bindings(metadata):
        if binding.account is not None:
            found.append(Placement(table.name, binding.account))
        elif table.name in REFERENCE:
            found.append(Placement(table.name, None, REFERENCE[table.name]))
        else:
            raise ValueError(
                f"{table.name}: a personal table without its account (Binding.account) that "
                "is not a reference table either; add the account column or name it in "
                "alarmvern.store.distribution.REFERENCE"
            )
    return found
