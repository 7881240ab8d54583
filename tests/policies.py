"""Small policies for tests, built from YAML text so each test shows what it varies."""

from __future__ import annotations

from alarmvern.policy import LoadedPolicy, loads
from alarmvern.store.check import tables_by_category

HEADER = """\
version: "test-1"
date: 2026-01-01
controller: {name: Test Alarm AS, org_no: "999999999", email: post@test.example}
subjects:
  customer: {name: {nb: Kunde, en: Customer}}
"""


def covering(categories: list[str], *, retention: bool = True) -> LoadedPolicy:
    """A policy with one activity covering ``categories`` (each kept 1 year if ``retention``)."""
    cats = "".join(f"  {c}: {{name: {{nb: {c}, en: {c}}}}}\n" for c in categories)
    rules = "".join(f"      {c}: {{keep: 1y, from: captured}}\n" for c in categories if retention)
    text = (
        HEADER
        + "categories:\n"
        + cats
        + "activities:\n"
        + "  - id: service\n"
        + "    name: {nb: Tjeneste, en: Service}\n"
        + "    purpose: {nb: Levere tjenesten, en: Deliver the service}\n"
        + "    legal_basis: contract\n"
        + "    subjects: [customer]\n"
        + f"    categories: [{', '.join(categories)}]\n"
        + ("    retention:\n" + rules if rules else "")
    )
    return loads(text, name="test.yaml")


def covering_store(*, except_: str | None = None) -> LoadedPolicy:
    """A policy covering every category the store holds, but ``except_``."""
    return covering(sorted(c for c in tables_by_category() if c != except_))


# A small, complete, lint-clean policy that the linter, record and diff tests vary.
BASE = """\
version: "1"
date: 2026-01-01
controller:
  name: Test Alarm AS
  org_no: "999999999"
  email: post@test.example
  dpo: {name: Ombud, email: personvern@test.example}
  supervisory_authority: {name: Datatilsynet, web: https://www.datatilsynet.no}
subjects:
  customer: {name: {nb: Kunde, en: Customer}}
categories:
  user.contact: {name: {nb: Kontaktinformasjon, en: Contact information}}
  user.alarm.media: {name: {nb: Alarmbilder, en: Alarm images}}
recipients:
  - id: hosting
    name: {nb: Driftsleverandør, en: Hosting provider}
    role: processor
    country: "NO"
    dpa_signed: 2025-03-01
activities:
  - id: service
    name: {nb: Alarmtjenesten, en: The alarm service}
    purpose: {nb: Levere alarmtjenesten, en: Deliver the alarm service}
    legal_basis: contract
    subjects: [customer]
    categories: [user.contact, user.alarm.media]
    recipients: [hosting]
    required: contract
    consequence: {nb: Uten dem kan vi ikke levere, en: Without it we cannot deliver}
    retention:
      user.contact: {keep: 12mo, from: relationship_end}
      user.alarm.media: {keep: 7d, from: captured, quote: "Bilder lagres i 7 dager."}
    quote: "Vi behandler opplysninger for å levere tjenesten."
  - id: newsletter
    name: {nb: Nyhetsbrev, en: Newsletter}
    purpose: {nb: Sende nyhetsbrev, en: Send newsletters}
    legal_basis: consent
    withdrawal: {nb: Lenken i hvert brev, en: The link in every letter}
    subjects: [customer]
    categories: [user.contact]
    retention:
      user.contact: {keep: 0d, from: consent_withdrawn}
accountability:
  assessments:
    - {activity: service, description: Alarm images, necessity: Verification,
       risks: Images of homes, measures: Encryption, dpo_advice: Proceed, decision: Approved,
       assessed: 2025-12-01,
       next_review: 2027-12-01}
"""
