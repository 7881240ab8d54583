"""The words for recipients and transfers: roles, safeguards and countries."""

from __future__ import annotations

from typing import Final

from alarmvern.policy.model import Role, Transfer
from alarmvern.policy.wording.core import W

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
