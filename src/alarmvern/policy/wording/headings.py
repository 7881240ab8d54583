"""The notice's frame: section ids, headings, field labels and table headers."""

from __future__ import annotations

from typing import Final

from alarmvern.policy.wording.core import W

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
