"""The controller's country: its supervisory authority, national laws, complaint text and the
dates a linter judges a notice by.

A Norwegian notice is judged by Norwegian law, a Swedish one by Swedish law: the cookie rule
came into force on different days (ekomloven § 3-15 on 1 January 2025; lagen om elektronisk
kommunikation 9 kap. 28 § on 22 August 2022; the Danish cookiebekendtgørelse on 14 December
2011; the Finnish act on electronic communications services § 205 on 1 January 2015), the GDPR
applied in Norway from 20 July 2018 (EEA incorporation) and in the EU from 25 May 2018, and
each country has its own rule on e-mail marketing without consent.

Sources: the authorities' own pages (datatilsynet.no, imy.se, datatilsynet.dk,
tietosuoja.fi); the laws as published in Lovdata, riksdagen.se, retsinformation.dk, finlex.fi.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from alarmvern.policy.model import Authority


@dataclass(frozen=True)
class Law:
    local: str  # as the country writes it
    en: str


@dataclass(frozen=True)
class Jurisdiction:
    country: str
    authority: Authority
    data_protection_act: Law
    marketing_rule: Law  # electronic marketing needs prior consent (with a customer exemption)
    cookie_rule: Law
    cookie_rule_since: date
    gdpr_since: date
    # The complaint sentence (art. 13(2)(d), 77) in the country's language and in English;
    # "{authority}" is filled in.
    complaint_local: str
    complaint_en: str


JURISDICTIONS: dict[str, Jurisdiction] = {
    "NO": Jurisdiction(
        country="NO",
        authority=Authority(
            name="Datatilsynet",
            web="https://www.datatilsynet.no",
            address="Postboks 458 Sentrum, 0105 Oslo",
        ),
        data_protection_act=Law("personopplysningsloven", "the Norwegian Personal Data Act"),
        marketing_rule=Law("markedsføringsloven § 15", "the Norwegian Marketing Control Act § 15"),
        cookie_rule=Law("ekomloven § 3-15", "the Norwegian Electronic Communications Act § 3-15"),
        cookie_rule_since=date(2025, 1, 1),
        gdpr_since=date(2018, 7, 20),
        complaint_local=(
            "Mener du at vi behandler personopplysninger i strid med regelverket, kan du klage "
            "til {authority}."
        ),
        complaint_en=(
            "If you believe we process personal data in breach of the rules, you may complain "
            "to {authority}."
        ),
    ),
    "SE": Jurisdiction(
        country="SE",
        authority=Authority(
            name="Integritetsskyddsmyndigheten (IMY)",
            web="https://www.imy.se",
            address="Box 8114, 104 20 Stockholm",
        ),
        data_protection_act=Law("dataskyddslagen (2018:218)", "the Swedish Data Protection Act"),
        marketing_rule=Law(
            "marknadsföringslagen (2008:486) 19 §", "the Swedish Marketing Act, section 19"
        ),
        cookie_rule=Law(
            "lagen (2022:482) om elektronisk kommunikation 9 kap. 28 §",
            "the Swedish Electronic Communications Act, chapter 9, section 28",
        ),
        cookie_rule_since=date(2022, 8, 22),
        gdpr_since=date(2018, 5, 25),
        complaint_local=(
            "Om du anser att vi behandlar personuppgifter i strid med reglerna kan du klaga "
            "till {authority}."
        ),
        complaint_en=(
            "If you believe we process personal data in breach of the rules, you may complain "
            "to {authority}."
        ),
    ),
    "DK": Jurisdiction(
        country="DK",
        authority=Authority(
            name="Datatilsynet",
            web="https://www.datatilsynet.dk",
            address="Carl Jacobsens Vej 35, 2500 Valby",
        ),
        data_protection_act=Law("databeskyttelsesloven", "the Danish Data Protection Act"),
        marketing_rule=Law("markedsføringsloven § 10", "the Danish Marketing Practices Act § 10"),
        cookie_rule=Law("cookiebekendtgørelsen", "the Danish Cookie Order"),
        cookie_rule_since=date(2011, 12, 14),
        gdpr_since=date(2018, 5, 25),
        complaint_local=(
            "Hvis du mener, at vi behandler personoplysninger i strid med reglerne, kan du klage "
            "til {authority}."
        ),
        complaint_en=(
            "If you believe we process personal data in breach of the rules, you may complain "
            "to {authority}."
        ),
    ),
    "FI": Jurisdiction(
        country="FI",
        authority=Authority(
            name="Tietosuojavaltuutetun toimisto",
            web="https://tietosuoja.fi",
            address="PL 800, 00531 Helsinki",
        ),
        data_protection_act=Law("tietosuojalaki (1050/2018)", "the Finnish Data Protection Act"),
        marketing_rule=Law(
            "laki sähköisen viestinnän palveluista 200 §",
            "the Finnish Act on Electronic Communications Services, section 200",
        ),
        cookie_rule=Law(
            "laki sähköisen viestinnän palveluista 205 §",
            "the Finnish Act on Electronic Communications Services, section 205",
        ),
        cookie_rule_since=date(2015, 1, 1),
        gdpr_since=date(2018, 5, 25),
        complaint_local=(
            "Jos katsot, että käsittelemme henkilötietoja säännösten vastaisesti, voit tehdä "
            "valituksen viranomaiselle: {authority}."
        ),
        complaint_en=(
            "If you believe we process personal data in breach of the rules, you may complain "
            "to {authority}."
        ),
    ),
}


def of(country: str) -> Jurisdiction:
    """The jurisdiction of a controller's country (the model allows only those above)."""
    return JURISDICTIONS[country]
