"""The words of a retention rule: its anchor, what is done with the data, holds and exceptions."""

from __future__ import annotations

from typing import Final

from alarmvern.policy.model import Anchor, Condition, Strategy
from alarmvern.policy.wording.core import W

# After a duration: "slettes 12 måneder etter at kundeforholdet er avsluttet".
ANCHOR_AFTER: Final[dict[Anchor, W]] = {
    Anchor.captured: ("etter at opplysningene ble registrert", "after the data was recorded"),
    Anchor.relationship_end: (
        "etter at kundeforholdet er avsluttet",
        "after the customer relationship has ended",
    ),
    Anchor.fiscal_year_end: (
        "etter utgangen av regnskapsåret",
        "after the end of the financial year",
    ),
    Anchor.last_invoice: ("etter siste faktura", "after the last invoice"),
    Anchor.consent_withdrawn: (
        "etter at du har trukket tilbake samtykket",
        "after you have withdrawn your consent",
    ),
    Anchor.request_closed: (
        "etter at henvendelsen er avsluttet",
        "after the request has been closed",
    ),
    Anchor.incident_closed: (
        "etter at alarmhendelsen er avsluttet",
        "after the alarm incident has been closed",
    ),
    Anchor.last_contact: ("etter siste kontakt med deg", "after our last contact with you"),
    Anchor.erasure_request: (
        "etter at du har bedt oss slette dem",
        "after you have asked us to delete it",
    ),
}

# With no period: "slettes når du trekker tilbake samtykket".
ANCHOR_AT: Final[dict[Anchor, W]] = {
    Anchor.captured: ("straks de er registrert", "as soon as it is recorded"),
    Anchor.relationship_end: (
        "når kundeforholdet avsluttes",
        "when the customer relationship ends",
    ),
    Anchor.fiscal_year_end: ("ved utgangen av regnskapsåret", "at the end of the financial year"),
    Anchor.last_invoice: ("etter siste faktura", "after the last invoice"),
    Anchor.consent_withdrawn: (
        "så snart du trekker tilbake samtykket",
        "as soon as you withdraw your consent",
    ),
    Anchor.request_closed: ("når henvendelsen er avsluttet", "when the request is closed"),
    Anchor.incident_closed: (
        "når alarmhendelsen er avsluttet",
        "when the alarm incident is closed",
    ),
    Anchor.last_contact: ("etter siste kontakt med deg", "after our last contact with you"),
    Anchor.erasure_request: (
        "når du ber oss slette dem",
        "when you ask us to delete it",
    ),
}

# Recordings are "recorded", not "registered": the words a reader expects for images and calls.
RECORDING_CATEGORIES: Final = ("user.alarm.media", "user.content.call_recording")
ANCHOR_AFTER_RECORDING: Final[W] = ("etter opptak", "after recording")

DISPOSAL: Final[dict[str, W]] = {
    "delete": ("Slettes", "Deleted"),
    "anonymise": ("Anonymiseres", "Anonymised"),
    # A keyed pseudonym is pseudonymisation (art. 4(5)), not anonymisation (recital 26).
    "pseudonymise": ("Pseudonymiseres", "Pseudonymised"),
    # Only a coarser value is kept (a postcode, a year): still personal data beside the rest.
    "generalise": ("Generaliseres", "Generalised"),
    # As the notice writes it; the system does the one the rule resolves to (model.Disposal).
    "delete_or_anonymise": ("Slettes eller anonymiseres", "Deleted or anonymised"),
}

STRATEGY: Final[dict[Strategy, W]] = {
    Strategy.drop: ("opplysningen fjernes", "the value is removed"),
    Strategy.pseudonym: (
        "opplysningen erstattes med en kode. Koden er fortsatt en personopplysning om deg, og "
        "vi behandler den som det",
        "the value is replaced with a code. The code is still personal data about you, and we "
        "treat it as such",
    ),
    Strategy.generalise_year: ("bare årstallet beholdes", "only the year is kept"),
    Strategy.generalise_postcode: ("bare postnummeret beholdes", "only the postcode is kept"),
    Strategy.generalise_municipality: (
        "bare kommunen beholdes",
        "only the municipality is kept",
    ),
}

# Kameraovervåkingsforskriften § 4 (forskrift 2. juli 2018 nr. 1107): delete when there is no
# longer a reason, at the latest 7 days after recording; up to 30 days where it is likely that
# the recording will be handed to the police; recordings handed over are outside the duty.
HOLD: Final[W] = (
    "Er det sannsynlig at politiet trenger opptaket for å etterforske et lovbrudd eller en "
    "ulykke, kan vi ta vare på det i inntil {period}. Opptak vi har levert til politiet, er "
    "politiets ansvar.",
    "Where it is likely that the police will need the recording to investigate an offence or "
    "an accident, we may keep it for up to {period}. Recordings we have handed to the police "
    "are the police's responsibility.",
)

UNLESS: Final[dict[Condition, W]] = {
    Condition.became_customer: (
        "Blir du kunde, gjelder lagringstidene for kunder i stedet.",
        "If you become a customer, the retention periods for customers apply instead.",
    ),
    Condition.active_contract: (
        "Opplysningene slettes ikke så lenge avtalen løper.",
        "The data is not deleted while the contract is in force.",
    ),
    Condition.open_incident: (
        "Opplysningene slettes ikke mens en alarmhendelse er under behandling.",
        "The data is not deleted while an alarm incident is being handled.",
    ),
    Condition.open_request: (
        "Opplysningene slettes ikke mens en henvendelse fra deg er under behandling.",
        "The data is not deleted while a request from you is being handled.",
    ),
}
