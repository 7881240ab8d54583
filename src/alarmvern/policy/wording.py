"""The fixed wording of the privacy notice, in bokmål and English.

Everything the notice says that does not come from the policy itself lives here: headings,
the sentences that explain each legal basis, the words for each retention anchor, role and
transfer safeguard. The renderer (:mod:`alarmvern.policy.notice`) only assembles them.
"""

from __future__ import annotations

from typing import Final, Literal

from alarmvern.policy.model import (
    Anchor,
    Condition,
    LegalBasis,
    Role,
    Source,
    Strategy,
    Transfer,
    Verification,
)

Lang = Literal["nb", "en"]
W = tuple[str, str]  # (bokmål, English)


def pick(words: W, lang: Lang) -> str:
    return words[0] if lang == "nb" else words[1]


# The HTML ids of the sections (ASCII, stable across versions of the notice).
SECTION_IDS: Final[dict[str, W]] = {
    "controller": ("ansvarlig", "controller"),
    "dpo": ("personvernombud", "dpo"),
    "processor_for": ("databehandler", "processor"),
    "subjects": ("hvem", "whom"),
    "summary": ("kort-fortalt", "in-brief"),
    "activities": ("behandlinger", "processing"),
    "activity": ("behandling", "activity"),
    "recipients": ("mottakere", "recipients"),
    "transfers": ("overforing", "transfers"),
    "retention": ("lagringstid", "retention"),
    "automated": ("automatiserte-avgjorelser", "automated-decisions"),
    "rights": ("rettigheter", "rights"),
    "consent": ("samtykke", "consent"),
    "complaint": ("klage", "complaints"),
    "cookies": ("informasjonskapsler", "cookies"),
    "security": ("sikkerhet", "security"),
    "version": ("versjon", "version"),
}

HEADINGS: Final[dict[str, W]] = {
    "title": ("Personvernerklæring", "Privacy notice"),
    "summary": ("Kort fortalt", "In brief"),
    "contents": ("Innhold", "Contents"),
    "controller": ("Hvem som er ansvarlig", "Who is responsible"),
    "dpo": ("Personvernombud", "Data protection officer"),
    "processor_for": (
        "Når vi behandler opplysninger for bedriftskunder",
        "When we process data for business customers",
    ),
    "subjects": ("Hvem erklæringen gjelder", "Whom this notice concerns"),
    "activities": (
        "Hva vi behandler, hvorfor og på hvilket grunnlag",
        "What we process, why, and on what legal basis",
    ),
    "recipients": ("Hvem vi deler opplysningene med", "Who receives the data"),
    "transfers": ("Overføring til land utenfor EØS", "Transfers outside the EEA"),
    "retention": ("Hvor lenge vi lagrer opplysningene", "How long we keep the data"),
    "automated": ("Automatiserte avgjørelser", "Automated decisions"),
    "rights": ("Dine rettigheter", "Your rights"),
    "marketing": (
        "Retten til å protestere mot direkte markedsføring",
        "The right to object to direct marketing",
    ),
    "consent": ("Å trekke tilbake et samtykke", "Withdrawing consent"),
    "exercise": ("Slik bruker du rettighetene dine", "How to use your rights"),
    "complaint": ("Klage til Datatilsynet", "Complaints to Datatilsynet"),
    "cookies": ("Informasjonskapsler", "Cookies"),
    "security": ("Sikkerhet og andre opplysninger", "Security and further information"),
    "version": ("Endringer i erklæringen", "Changes to this notice"),
}

LABELS: Final[dict[str, W]] = {
    "purpose": ("Formål", "Purpose"),
    "storage": ("Lagring", "Storage"),
    "access_log": ("Logging av tilgang", "Access logging"),
    "who": ("Hvem det gjelder", "Whom it concerns"),
    "data": ("Opplysninger", "Data"),
    "basis": ("Rettslig grunnlag", "Legal basis"),
    "required": ("Plikt til å gi opplysningene", "Whether you must provide the data"),
    "source": ("Hvor opplysningene kommer fra", "Where the data comes from"),
    "recipients": ("Mottakere", "Recipients"),
    "retention": ("Lagringstid", "Retention"),
    "automated": ("Automatisert avgjørelse", "Automated decision"),
    "logic": ("Slik virker det", "How it works"),
    "significance": ("Betydning for deg", "What it means for you"),
    "org_no": ("org.nr.", "org. no."),
    "version": ("Versjon", "Version"),
    "valid_from": ("gjeldende fra", "effective"),
}

TABLE: Final[dict[str, W]] = {
    "recipient": ("Mottaker", "Recipient"),
    "role": ("Rolle", "Role"),
    "country": ("Land", "Country"),
    "safeguard": ("Grunnlag for overføring", "Transfer safeguard"),
    "receives": ("Mottar opplysninger fra", "Receives data from"),
    "category": ("Opplysninger", "Data"),
    "activity": ("Formål", "Purpose"),
    "period": ("Lagringstid", "Retention"),
    "cookie": ("Navn", "Name"),
    "vendor": ("Leverandør", "Provider"),
    "cookie_purpose": ("Formål", "Purpose"),
    "lifetime": ("Levetid", "Lifetime"),
    "cookie_consent": ("Krever samtykke", "Needs consent"),
    "recipients_caption": ("Mottakere av personopplysninger", "Recipients of personal data"),
    "retention_caption": ("Oversikt over lagringstider", "Overview of retention periods"),
    "cookies_caption": ("Informasjonskapsler vi bruker", "Cookies we use"),
    "yes": ("Ja", "Yes"),
    "no": ("Nei, strengt nødvendig", "No, strictly necessary"),
    "session": ("til nettleseren lukkes", "until the browser is closed"),
    "not_stated": ("ikke oppgitt", "not stated"),
    "not_needed": ("ikke aktuelt (innen EØS)", "not applicable (within the EEA)"),
}

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

ROLE: Final[dict[Role, W]] = {
    Role.processor: ("databehandler", "processor"),
    Role.sub_processor: ("underdatabehandler", "sub-processor"),
    Role.independent_controller: ("selvstendig behandlingsansvarlig", "independent controller"),
    Role.joint_controller: ("felles behandlingsansvarlig", "joint controller"),
    Role.public_authority: ("offentlig myndighet", "public authority"),
}

ROLE_EXPLAINED: Final[dict[Role, W]] = {
    Role.processor: (
        "En databehandler behandler opplysningene bare på våre vegne, etter våre instrukser og "
        "under en databehandleravtale med oss.",
        "A processor handles the data only on our behalf, on our instructions and under a "
        "data processing agreement with us.",
    ),
    Role.sub_processor: (
        "En underdatabehandler er en leverandør som en av våre databehandlere bruker, på de "
        "samme vilkårene.",
        "A sub-processor is a supplier one of our processors uses, on the same terms.",
    ),
    Role.independent_controller: (
        "En selvstendig behandlingsansvarlig bestemmer selv over opplysningene den mottar, og "
        "har sin egen personvernerklæring.",
        "An independent controller decides for itself over the data it receives, and has its "
        "own privacy notice.",
    ),
    Role.joint_controller: (
        "Med en felles behandlingsansvarlig har vi avtalt hvem som har hvilket ansvar; du kan "
        "bruke rettighetene dine overfor hver av oss.",
        "With a joint controller we have agreed who is responsible for what; you can use your "
        "rights against each of us.",
    ),
    Role.public_authority: (
        "Offentlige myndigheter mottar opplysninger når det trengs for å håndtere en alarm, "
        "eller når loven krever det.",
        "Public authorities receive data when it is needed to handle an alarm, or when the law "
        "requires it.",
    ),
}

TRANSFER: Final[dict[Transfer, W]] = {
    Transfer.none_needed: ("ikke oppgitt", "not stated"),
    Transfer.adequacy: (
        "EU-kommisjonens beslutning om at landet har et tilstrekkelig beskyttelsesnivå "
        "(artikkel 45)",
        "the European Commission's decision that the country ensures an adequate level of "
        "protection (Article 45)",
    ),
    Transfer.dpf: (
        "EU–US Data Privacy Framework: mottakeren er sertifisert under rammeverket, som "
        "EU-kommisjonen 10. juli 2023 slo fast at gir et tilstrekkelig beskyttelsesnivå "
        "(artikkel 45)",
        "the EU–US Data Privacy Framework: the recipient is certified under the framework, "
        "which the European Commission found on 10 July 2023 to ensure an adequate level of "
        "protection (Article 45)",
    ),
    Transfer.scc: (
        "EU-kommisjonens standardkontrakter (artikkel 46 nr. 2 bokstav c), med de "
        "tilleggstiltakene som trengs",
        "the European Commission's standard contractual clauses (Article 46(2)(c)), with "
        "such supplementary measures as are needed",
    ),
    Transfer.bcr: (
        "bindende virksomhetsregler godkjent av en tilsynsmyndighet (artikkel 47)",
        "binding corporate rules approved by a supervisory authority (Article 47)",
    ),
    Transfer.derogation: (
        "et unntak for særlige situasjoner (artikkel 49)",
        "a derogation for specific situations (Article 49)",
    ),
    Transfer.privacy_shield: (
        "Privacy Shield, som EU-domstolen kjente ugyldig 16. juli 2020",
        "Privacy Shield, which the EU Court of Justice struck down on 16 July 2020",
    ),
    Transfer.unknown: ("ikke oppgitt", "not stated"),
}

# Safeguards of which the data subject may obtain a copy (art. 13(1)(f), 46, 47).
COPYABLE: Final = frozenset({Transfer.scc, Transfer.bcr})

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

COUNTRY: Final[dict[str, W]] = {
    "NO": ("Norge", "Norway"),
    "SE": ("Sverige", "Sweden"),
    "DK": ("Danmark", "Denmark"),
    "FI": ("Finland", "Finland"),
    "IS": ("Island", "Iceland"),
    "DE": ("Tyskland", "Germany"),
    "NL": ("Nederland", "the Netherlands"),
    "IE": ("Irland", "Ireland"),
    "FR": ("Frankrike", "France"),
    "BE": ("Belgia", "Belgium"),
    "PL": ("Polen", "Poland"),
    "EE": ("Estland", "Estonia"),
    "LT": ("Litauen", "Lithuania"),
    "LV": ("Latvia", "Latvia"),
    "ES": ("Spania", "Spain"),
    "IT": ("Italia", "Italy"),
    "AT": ("Østerrike", "Austria"),
    "LU": ("Luxembourg", "Luxembourg"),
    "GB": ("Storbritannia", "the United Kingdom"),
    "CH": ("Sveits", "Switzerland"),
    "US": ("USA", "the United States"),
    "IN": ("India", "India"),
    "CA": ("Canada", "Canada"),
    "JP": ("Japan", "Japan"),
    "KR": ("Sør-Korea", "South Korea"),
    "UA": ("Ukraina", "Ukraine"),
    "PH": ("Filippinene", "the Philippines"),
}

MONTHS: Final[tuple[W, ...]] = (
    ("januar", "January"),
    ("februar", "February"),
    ("mars", "March"),
    ("april", "April"),
    ("mai", "May"),
    ("juni", "June"),
    ("juli", "July"),
    ("august", "August"),
    ("september", "September"),
    ("oktober", "October"),
    ("november", "November"),
    ("desember", "December"),
)

AND: Final[W] = ("og", "and")

# How to reach someone: "Du når oss på e-post x, på telefon y eller per post til z."
ROUTE: Final[dict[str, W]] = {
    "email": ("på e-post {}", "by e-mail at {}"),
    "phone": ("på telefon {}", "by phone on {}"),
    "address": ("per post til {}", "by post to {}"),
    "web": ("via nettstedet {}", "through our website {}"),
}

# Longer sentences; {placeholders} are filled in by the renderer.
PROSE: Final[dict[str, W]] = {
    "summary_who": (
        "{name} er ansvarlig for opplysningene om deg. Du når oss {routes}.",
        "{name} is responsible for your data. You can reach us {routes}.",
    ),
    "summary_rights": (
        "Du kan be om innsyn, retting, sletting, begrensning og dataportabilitet, protestere "
        "og trekke samtykker tilbake. Du kan klage til {authority}. Se «{rights}».",
        "You may ask for access, rectification, erasure, restriction and data portability, "
        "object, and withdraw consents. You may complain to {authority}. See “{rights}”.",
    ),
    "intro": (
        "Denne erklæringen forklarer hvilke personopplysninger {name} behandler, hvorfor vi "
        "gjør det, hvem vi deler dem med, hvor lenge vi lagrer dem og hvilke rettigheter du "
        "har. Den gir deg informasjonen personvernforordningen artikkel 13 og 14 krever.",
        "This notice explains what personal data {name} processes, why we do so, whom we "
        "share it with, how long we keep it and what rights you have. It gives you the "
        "information required by Articles 13 and 14 of the General Data Protection "
        "Regulation (GDPR).",
    ),
    "version_line": (
        "Versjon {version}, gjeldende fra {date}.",
        "Version {version}, effective {date}.",
    ),
    "controller": (
        "{who} er behandlingsansvarlig for behandlingen av personopplysningene som er "
        "beskrevet i denne erklæringen. Det betyr at vi bestemmer hvorfor og hvordan "
        "opplysningene behandles, og at vi har ansvaret for at det skjer i samsvar med "
        "personvernforordningen og {act}.",
        "{who} is the controller of the personal data described in this notice. This means "
        "that we decide why and how the data is processed, and that we are responsible for "
        "doing so in line with the GDPR and {act_en}.",
    ),
    "reach_us": ("Du når oss {routes}.", "You can reach us {routes}."),
    "dpo": (
        "Vi har et personvernombud{name} som du kan kontakte om alt som gjelder vår "
        "behandling av personopplysninger om deg og om rettighetene dine. Du når "
        "personvernombudet {routes}.",
        "We have a data protection officer{name} whom you can contact about anything "
        "concerning our processing of your personal data and your rights. You can reach the "
        "data protection officer {routes}.",
    ),
    "dpo_not_stated": (
        "Erklæringen sier ikke om vi har et personvernombud. Spørsmål om personvern kan du "
        "sende til oss på kontaktopplysningene over.",
        "The notice does not say whether we have a data protection officer. Please send "
        "questions about privacy to us at the contact details above.",
    ),
    "dpo_group": (
        "Personvernombudet er felles for hele konsernet.",
        "The data protection officer serves the whole group.",
    ),
    "group": (
        "Erklæringen gjelder disse selskapene i konsernet. Hvert selskap er "
        "behandlingsansvarlig for opplysningene om sine egne kunder:",
        "This notice covers these companies of the group. Each company is the controller "
        "for the data about its own customers:",
    ),
    "recipients_not_stated": (
        "Erklæringen sier ikke om opplysningene deles med andre.",
        "The notice does not say whether the data is shared with anyone else.",
    ),
    "transfers_not_stated": (
        "Erklæringen sier ikke om personopplysninger overføres til land utenfor EU/EØS.",
        "The notice does not say whether personal data is transferred to countries outside "
        "the EU/EEA.",
    ),
    "automated_not_stated": (
        "Erklæringen sier ikke om vi treffer avgjørelser som utelukkende bygger på "
        "automatisert behandling.",
        "The notice does not say whether we make decisions based solely on automated processing.",
    ),
    "undated": ("Erklæringen er ikke datert.", "The notice is not dated."),
    "complaint_heading": ("Klage til {authority}", "Complaints to {authority}"),
    "storage": ("Opplysningene lagres {where}.", "The data is stored {where}."),
    "access_logged": (
        "Hver gang noen ser på opplysningene, blir det logget.",
        "Every time someone looks at the data, it is logged.",
    ),
    "access_not_logged": (
        "Vi logger ikke hvem som ser på opplysningene.",
        "We do not log who looks at the data.",
    ),
    "default_retention": (
        "Opplysninger som ikke har en egen regel over:",
        "Data without a rule of its own above:",
    ),
    "no_dpo": (
        "Vi har ikke utnevnt et personvernombud. Spørsmål om personvern kan du sende til oss "
        "på kontaktopplysningene over.",
        "We have not appointed a data protection officer. Please send questions about "
        "privacy to us at the contact details above.",
    ),
    "processor_for": (
        "For disse tjenestene er det bedriftskunden som er behandlingsansvarlig, og vi "
        "behandler opplysningene bare på kundens vegne og etter kundens instrukser. Vil du "
        "vite mer eller bruke rettighetene dine, kontakter du virksomheten som har tjenesten; "
        "vi hjelper den med å svare deg.",
        "For these services the business customer is the controller, and we process the "
        "data only on the customer's behalf and on its instructions. To learn more or to use "
        "your rights, contact the business that uses the service; we help it answer you.",
    ),
    "subjects": (
        "Erklæringen gjelder gruppene av personer som er listet opp her. Finn gruppen du hører "
        "til; avsnittene det vises til, forteller hva vi gjør med opplysningene om deg.",
        "This notice concerns the groups of people listed here. Find the group you belong "
        "to; the sections it refers to tell you what we do with your data.",
    ),
    "see": ("se {names}", "see {names}"),
    "article": (
        "personvernforordningen artikkel 6 nr. 1 bokstav {letter}",
        "GDPR Article 6(1)({letter})",
    ),
    "interest": ("Vår berettigede interesse: {text}", "Our legitimate interest: {text}"),
    "for_whom": ("For {names}:", "For {names}:"),
    "special": (
        "Opplysninger om helse eller om lovbrudd behandler vi bare på dette grunnlaget: {text}",
        "Data about health or about offences is processed only on this basis: {text}",
    ),
    "object_hint": (
        "Du kan protestere mot behandlingen; se «{rights}».",
        "You may object to the processing; see “{rights}”.",
    ),
    "law": ("Plikten følger av {law}.", "The obligation follows from {law}."),
    "law_other": ("Relevant lovgivning: {law}.", "Relevant law: {law}."),
    "withdraw": (
        "Du kan når som helst trekke samtykket tilbake: {how}",
        "You may withdraw your consent at any time: {how}",
    ),
    "source_intro": ("Vi får opplysningene fra {sources}.", "We obtain the data from {sources}."),
    "no_recipients": (
        "Opplysningene deles ikke med andre.",
        "The data is not shared with anyone else.",
    ),
    "own_rule_elsewhere": (
        "Lagres som beskrevet under «{activity}».",
        "Kept as described under “{activity}”.",
    ),
    "no_rule": (
        "Lagringstiden er ikke fastsatt i denne erklæringen; spør oss.",
        "The retention period is not set in this notice; ask us.",
    ),
    "recipients_intro": (
        "Vi deler personopplysninger bare når det trengs for formålene over. Tabellen viser "
        "hvem som mottar opplysninger, i hvilken rolle, hvor de behandles og fra hvilke "
        "formål.",
        "We share personal data only when the purposes above require it. The table shows "
        "who receives data, in what role, where it is processed and from which purposes.",
    ),
    "sub_processors": (
        "Underdatabehandlere: {names}.",
        "Sub-processors: {names}.",
    ),
    "sub_processor_of": ("underdatabehandler for {name}", "sub-processor for {name}"),
    "reference": ("Henvisning: {reference}.", "Reference: {reference}."),
    "none_recipients": (
        "Vi deler ikke personopplysninger med andre.",
        "We do not share personal data with anyone else.",
    ),
    "transfers_intro": (
        "Noen av mottakerne behandler opplysninger utenfor EU/EØS. Overføringene bygger på "
        "disse grunnlagene:",
        "Some recipients process data outside the EU/EEA. The transfers rest on these safeguards:",
    ),
    "no_transfers": (
        "Vi overfører ikke personopplysninger til land utenfor EU/EØS.",
        "We do not transfer personal data to countries outside the EU/EEA.",
    ),
    "copy_scc": (
        "Du kan få en kopi av standardkontraktene ved å kontakte oss {contact}.",
        "You can obtain a copy of the standard contractual clauses by contacting us {contact}.",
    ),
    "copy_bcr": (
        "Du kan få en kopi av de bindende virksomhetsreglene ved å kontakte oss {contact}.",
        "You can obtain a copy of the binding corporate rules by contacting us {contact}.",
    ),
    "copy": (
        "Du kan få en kopi av standardkontraktene og de bindende virksomhetsreglene ved å "
        "kontakte oss {contact}.",
        "You can obtain a copy of the standard contractual clauses and the binding corporate "
        "rules by contacting us {contact}.",
    ),
    "adequacy_public": (
        "EU-kommisjonens beslutninger om tilstrekkelig beskyttelsesnivå er offentlige, og vi "
        "viser deg gjerne hvor du finner dem.",
        "The European Commission's adequacy decisions are public, and we will gladly show "
        "you where to find them.",
    ),
    "country_unknown": (
        "Der landet ikke er oppgitt, kan du spørre oss hvor opplysningene behandles.",
        "Where no country is stated, you may ask us where the data is processed.",
    ),
    "retention_intro": (
        "Når fristen er ute, sletter systemet opplysningene automatisk, eller gjør dem om som "
        "det står for hver opplysning. Pseudonymiserte opplysninger er fortsatt "
        "personopplysninger, og vi behandler dem som det. Trenger politiet eller et rettskrav "
        "en bestemt alarmhendelse, kan vi holde tilbake akkurat de opplysningene lenger, og vi "
        "noterer hvorfor.",
        "When the period is over, the system deletes the data automatically, or changes it "
        "as stated for each item. Pseudonymised data is still personal data, and we treat it "
        "as such. Where the police or a legal claim need a particular alarm incident, we may "
        "keep exactly that data longer, and we record why.",
    ),
    "no_automated": (
        "Vi treffer ingen avgjørelser som utelukkende bygger på automatisert behandling, og "
        "som har rettsvirkning for deg eller på lignende måte påvirker deg i betydelig grad.",
        "We make no decisions based solely on automated processing that have legal effects "
        "for you or similarly significantly affect you.",
    ),
    "automated_rights": (
        "Du har rett til å få en person hos oss til å se på avgjørelsen på nytt, til å legge "
        "fram ditt syn og til å bestride avgjørelsen (artikkel 22 nr. 3).",
        "You have the right to have a person at our company review the decision, to express "
        "your point of view and to contest the decision (Article 22(3)).",
    ),
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
    "complaint": (
        "Mener du at vi behandler personopplysninger i strid med regelverket, kan du klage "
        "til {authority}. Vi setter pris på om du tar det opp med oss først, slik at vi kan "
        "rette opp feil, men du kan klage uansett. Bor eller arbeider du i et annet EØS-land, "
        "kan du også klage til tilsynsmyndigheten der (artikkel 77).",
        "If you believe that we process personal data in breach of the rules, you may "
        "complain to {authority}{authority_en}. We would "
        "appreciate the chance to put things right first, but you may complain in any case. "
        "If you live or work in another EEA country, you may also complain to the supervisory "
        "authority there (Article 77).",
    ),
    "cookies_intro": (
        "Informasjonskapsler er små tekstfiler som nettstedet lagrer i nettleseren din. "
        "Informasjonskapsler som ikke er strengt nødvendige for at nettstedet skal virke, "
        "setter vi bare hvis du samtykker ({cookie_law}).",
        "Cookies are small text files the website stores in your browser. Cookies that are "
        "not strictly necessary for the website to work are set only with your consent "
        "({cookie_law_en}).",
    ),
    "version": (
        "Dette er versjon {version} av erklæringen, gjeldende fra {date}. Vi oppdaterer "
        "erklæringen når vi endrer hvordan vi behandler personopplysninger. Vil vi bruke "
        "opplysninger til et nytt formål, gir vi deg beskjed før vi begynner. Tidligere "
        "versjoner får du ved å kontakte oss.",
        "This is version {version} of the notice, effective {date}. We update the notice "
        "when we change how we process personal data. Before we use data for a new purpose, "
        "we tell you. You can obtain earlier versions by contacting us.",
    ),
}
