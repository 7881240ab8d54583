"""The notice's longer sentences, outside the rights section; {placeholders} are filled in by
the renderer.
"""

from __future__ import annotations

from typing import Final

from alarmvern.policy.wording.core import W

# How to reach someone: "Du når oss på e-post x, på telefon y eller per post til z."
ROUTE: Final[dict[str, W]] = {
    "email": ("på e-post {}", "by e-mail at {}"),
    "phone": ("på telefon {}", "by phone on {}"),
    "address": ("per post til {}", "by post to {}"),
    "web": ("via nettstedet {}", "through our website {}"),
}

# Longer sentences; {placeholders} are filled in by the renderer. The rights section's are in
# alarmvern.policy.wording.rights.
GENERAL: Final[dict[str, W]] = {
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
