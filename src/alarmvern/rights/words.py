"""The words for a rights request's kind, status and steps, in bokmål and English: one home
for the pages that show them and the errors that name them."""

from __future__ import annotations

Pair = tuple[str, str]

KIND: dict[str, Pair] = {
    "access": ("Innsyn", "Access"),
    "portability": ("Dataportabilitet", "Data portability"),
    "rectification": ("Retting", "Correction"),
    "erasure": ("Sletting", "Erasure"),
    "restriction": ("Begrensning", "Restriction"),
    "objection": ("Protest", "Objection"),
    "withdrawal": ("Trekke samtykke", "Consent withdrawal"),
}

STATUS: dict[str, Pair] = {
    "open": ("Under behandling", "In progress"),
    "identity_check": ("Venter på identitetssjekk", "Waiting for an identity check"),
    "done": ("Fullført", "Done"),
    "refused": ("Avslått", "Refused"),
}

STEP: dict[str, Pair] = {
    "received": ("Mottatt", "Received"),
    "person_confirmed": ("Person bekreftet", "Person confirmed"),
    "identity_check": ("Identitetssjekk", "Identity check"),
    "identity_verified": ("Identitet bekreftet", "Identity verified"),
    "package_built": ("Pakken er laget", "Package built"),
    "third_party_review": ("Gjennomgang for andres opplysninger", "Review for others' data"),
    "recipients_notified": ("Mottakere varslet", "Recipients notified"),
    "extended": ("Fristen forlenget", "Deadline extended"),
    "erased": ("Slettet", "Erased"),
    "rectified": ("Rettet", "Corrected"),
    "restricted": ("Begrenset", "Restricted"),
    "lift_notified": (
        "Varslet om at begrensningen oppheves",
        "Told the restriction will be lifted",
    ),
    "lifted": ("Begrensningen opphevet", "Restriction lifted"),
    "decision": ("Protesten vurderes", "Objection under consideration"),
    "decided": ("Protesten avgjort", "Objection decided"),
    "withdrawn": ("Samtykke trukket", "Consent withdrawn"),
    "sent": ("Sendt", "Sent"),
    "marketing_stopped": ("Markedsføring stanset", "Marketing stopped"),
}
