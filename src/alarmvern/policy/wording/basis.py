"""The words for the legal bases, for whether data is required, and for where it comes from."""

from __future__ import annotations

from typing import Final

from alarmvern.policy.model import LegalBasis, Source
from alarmvern.policy.wording.core import W

# "personvernforordningen artikkel 6 nr. 1 bokstav b" / "GDPR Article 6(1)(b)"
BASIS_INTRO: Final[dict[LegalBasis, W]] = {
    LegalBasis.consent: (
        "Behandlingen bygger på ditt samtykke",
        "The processing rests on your consent",
    ),
    LegalBasis.contract: (
        "Behandlingen er nødvendig for å oppfylle avtalen med deg, eller for å gjøre det du "
        "ber om før en avtale inngås",
        "The processing is necessary to perform our contract with you, or to take steps you "
        "ask for before a contract is made",
    ),
    LegalBasis.legal_obligation: (
        "Behandlingen er nødvendig for å oppfylle en rettslig plikt vi har",
        "The processing is necessary to comply with a legal obligation we have",
    ),
    LegalBasis.vital_interest: (
        "Behandlingen er nødvendig for å verne om livet eller helsen til deg eller andre",
        "The processing is necessary to protect the life or health of you or others",
    ),
    LegalBasis.public_task: (
        "Behandlingen er nødvendig for å utføre en oppgave i allmennhetens interesse",
        "The processing is necessary for a task carried out in the public interest",
    ),
    LegalBasis.legitimate_interest: (
        "Behandlingen bygger på en berettiget interesse som vi har vurdert at veier tyngre "
        "enn hensynet til ditt personvern",
        "The processing rests on a legitimate interest that we have weighed and found to "
        "outweigh your privacy interests",
    ),
    LegalBasis.not_stated: (
        "Erklæringen oppgir ikke hvilket rettslig grunnlag behandlingen bygger på",
        "The notice does not state the legal basis the processing rests on",
    ),
}

BASIS_SHORT: Final[dict[LegalBasis, W]] = {
    LegalBasis.consent: ("samtykke", "consent"),
    LegalBasis.contract: ("avtale", "contract"),
    LegalBasis.legal_obligation: ("rettslig plikt", "legal obligation"),
    LegalBasis.vital_interest: ("vitale interesser", "vital interests"),
    LegalBasis.public_task: ("allmennhetens interesse", "public interest"),
    LegalBasis.legitimate_interest: ("berettiget interesse", "legitimate interest"),
    LegalBasis.not_stated: ("ikke oppgitt", "not stated"),
}

REQUIRED: Final[dict[str, W]] = {
    "contract": (
        "Opplysningene er nødvendige for å inngå og oppfylle avtalen.",
        "The data is necessary to make and perform the contract.",
    ),
    "law": (
        "Vi er pålagt ved lov å behandle opplysningene.",
        "We are required by law to process the data.",
    ),
    "voluntary": (
        "Det er frivillig å gi oss opplysningene.",
        "Giving us the data is voluntary.",
    ),
}

SOURCE: Final[dict[Source, W]] = {
    Source.subject: ("deg", "you"),
    Source.third_party: ("andre", "third parties"),
    Source.system: ("våre egne systemer", "our own systems"),
    Source.public: ("offentlige registre", "public registers"),
    Source.device: (
        "enheten din (vi leser dem fra telefonen eller appen)",
        "your device (we read them from your phone or the app)",
    ),
}
