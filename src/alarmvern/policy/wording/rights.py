"""The words of the rights section: each right, how to use them, and how identity is checked."""

from __future__ import annotations

from typing import Final

from alarmvern.policy.model import Verification
from alarmvern.policy.wording.core import W

VERIFICATION: Final[dict[Verification, W]] = {
    Verification.mine_sider: ("ved innlogging på Mine Sider", "by logging in to Mine Sider"),
    Verification.one_time_code: (
        "med en engangskode vi sender til e-postadressen eller telefonnummeret vi har "
        "registrert på deg",
        "with a one-time code we send to the e-mail address or phone number we have on record",
    ),
    Verification.id_document_checked: (
        "ved at du viser legitimasjon til en av våre ansatte, som noterer at den er kontrollert",
        "by showing an identity document to one of our staff, who records that it was checked",
    ),
    Verification.id_document_copy: (
        "ved at du sender oss en kopi av legitimasjon",
        "by sending us a copy of an identity document",
    ),
}

# The rights section's sentences (art. 13(2)(b)-(d), 15-22).
RIGHTS: Final[dict[str, W]] = {
    "rights_intro": (
        "Du har disse rettighetene etter personvernforordningen. Det koster ingenting å bruke dem.",
        "You have these rights under the GDPR. Using them costs nothing.",
    ),
    "access": (
        "Innsyn (artikkel 15): Du kan få vite om vi behandler opplysninger om deg, og i så "
        "fall få en kopi av dem, sammen med formål, mottakere og lagringstid.",
        "Access (Article 15): You can find out whether we process data about you and, if we "
        "do, get a copy of it, together with the purposes, recipients and retention periods.",
    ),
    "access_mine_sider": (
        "Som kunde ser du alarmloggen, alarmbildene og samtykkene dine på Mine Sider, og du "
        "kan laste ned opplysningene dine der.",
        "As a customer you can see your alarm log, alarm images and consents on Mine Sider, "
        "and download your data there.",
    ),
    "rectification": (
        "Retting (artikkel 16): Du kan kreve at uriktige opplysninger rettes, og at "
        "ufullstendige opplysninger suppleres.",
        "Rectification (Article 16): You can have inaccurate data corrected and incomplete "
        "data completed.",
    ),
    "erasure": (
        "Sletting (artikkel 17): Du kan kreve at opplysninger slettes, for eksempel når vi "
        "ikke lenger trenger dem, eller når du trekker tilbake et samtykke. Opplysninger vi "
        "er pålagt å beholde, som regnskapsmateriale, sletter vi når plikten opphører.",
        "Erasure (Article 17): You can have data erased, for example when we no longer need "
        "it or when you withdraw consent. Data we are obliged to keep, such as accounting "
        "records, is erased when the obligation ends.",
    ),
    "restriction": (
        "Begrensning (artikkel 18): Du kan kreve at vi bare lagrer opplysningene og ikke "
        "bruker dem ellers, for eksempel mens vi undersøker om de er riktige.",
        "Restriction (Article 18): You can require us only to store the data and not "
        "otherwise use it, for example while we check whether it is accurate.",
    ),
    "portability": (
        "Dataportabilitet (artikkel 20): Opplysninger du selv har gitt oss, og som vi "
        "behandler etter avtale eller samtykke, kan du få utlevert i et maskinlesbart format "
        "eller overført til en annen virksomhet.",
        "Data portability (Article 20): Data you have given us yourself, and which we process "
        "under a contract or on your consent, you can receive in a machine-readable format or "
        "have transferred to another organisation.",
    ),
    "portability_which": ("Dette gjelder {names}.", "This applies to {names}."),
    "objection": (
        "Protest (artikkel 21): Når vi behandler opplysninger på grunnlag av berettiget "
        "interesse, kan du protestere ut fra din særlige situasjon. Vi stanser da "
        "behandlingen, med mindre vi kan påvise tvingende grunner som går foran dine "
        "interesser, eller opplysningene trengs for et rettskrav.",
        "Objection (Article 21): Where we process data on the basis of a legitimate interest, "
        "you may object on grounds relating to your particular situation. We then stop, "
        "unless we can show compelling grounds that override your interests, or the data is "
        "needed for a legal claim.",
    ),
    "objection_which": ("Dette gjelder {names}.", "This applies to {names}."),
    "marketing": (
        "Du kan når som helst protestere mot at vi bruker opplysninger om deg til direkte "
        "markedsføring. Du trenger ikke begrunne det, og vi slutter da å sende deg "
        "markedsføring. Gi oss beskjed {contact}.",
        "You may at any time object to our using your data for direct marketing. You do not "
        "need to give a reason, and we then stop sending you marketing. Tell us {contact}.",
    ),
    "marketing_which": (
        "Vi sender direkte markedsføring som del av {names}.",
        "We send direct marketing as part of {names}.",
    ),
    "marketing_suppression": (
        "For at du ikke skal bli kontaktet igjen ved en feil, tar vi vare på en kode laget av "
        "e-postadressen eller telefonnummeret ditt, ikke selve opplysningen.",
        "So that you are not contacted again by mistake, we keep a code made from your e-mail "
        "address or phone number, not the address or number itself.",
    ),
    "consent_intro": (
        "Der vi bygger på samtykke, kan du trekke det tilbake når du vil, like enkelt som du "
        "ga det. Det påvirker ikke lovligheten av behandlingen før du trakk det tilbake.",
        "Where we rely on consent, you may withdraw it whenever you wish, as easily as you "
        "gave it. This does not affect the lawfulness of the processing before you withdrew "
        "it.",
    ),
    "no_consent": (
        "Ingen av behandlingene i denne erklæringen bygger på samtykke.",
        "None of the processing in this notice rests on consent.",
    ),
    "exercise": (
        # N-17, art. 12(6): identity is checked on reasonable doubt, not for every request.
        "Kontakt oss {contact}. Er vi i tvil om hvem du er, ber vi deg bekrefte det, for "
        "eksempel {methods}. Vi ber ikke om flere opplysninger enn vi trenger til det.",
        "Contact us {contact}. If we are in doubt about who you are, we ask you to confirm "
        "it, for example {methods}. We ask for no more information than we need for that.",
    ),
    "exercise_plain": (
        "Kontakt oss {contact}. Før vi svarer, kan vi be deg bekrefte hvem du er, men vi ber "
        "ikke om flere opplysninger enn vi trenger til det.",
        "Contact us {contact}. Before we answer, we may ask you to confirm who you are, but "
        "we ask for no more information than we need for that.",
    ),
    "deadline": (
        "Vi svarer uten ugrunnet opphold og senest innen {deadline}. Er henvendelsen "
        "særlig omfattende, kan fristen forlenges med inntil to måneder; da sier vi fra "
        "innen den første fristen og forklarer hvorfor.",
        "We answer without undue delay and at the latest within {deadline}. If the request "
        "is particularly complex, the period may be extended by up to two further months; we "
        "then tell you so within the first period and explain why.",
    ),
}
