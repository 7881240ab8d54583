"""Legal bases, consent, cookies, transfers and dates."""

from __future__ import annotations

import re
from collections.abc import Iterator

from alarmvern.policy import jurisdiction
from alarmvern.policy.lint._base import Context, Finding, rule
from alarmvern.policy.model import LegalBasis, Source, Transfer


@rule("policy-date")
def policy_date(ctx: Context) -> Iterator[Finding]:
    when = ctx.policy.date
    since = jurisdiction.of(ctx.policy.controller.country).gdpr_since
    if when > ctx.today:
        # A staged version (alarmvern.policy_staging): stored now, enforced from its date.
        yield ctx.finding(
            "policy-date",
            "info",
            "art. 13(3)",
            ("date",),
            f"Erklæringen gjelder fra {when.isoformat()}, etter dagens dato "
            f"({ctx.today.isoformat()}): den legges klar, og den gjeldende versjonen følges "
            "til da. Kundene må få vite om vesentlige endringer før den datoen.",
            f"The notice applies from {when.isoformat()}, after today "
            f"({ctx.today.isoformat()}): it is staged, and the version in force is followed "
            "until then. Customers must be told of material changes before that date.",
        )
    elif ctx.policy.dated and when < jurisdiction.of(ctx.policy.controller.country).gdpr_since:
        yield ctx.finding(
            "policy-date",
            "warning",
            "art. 13",
            ("date",),
            f"Erklæringen er datert {when.isoformat()}, før personvernforordningen gjaldt "
            f"({since.isoformat()}): den er neppe oppdatert.",
            f"The notice is dated {when.isoformat()}, before the GDPR applied "
            f"({since.isoformat()}): it is unlikely to be up to date.",
        )


@rule("dpa-date")
def dpa_date(ctx: Context) -> Iterator[Finding]:
    p = ctx.policy
    for index, rec in enumerate(p.recipients):
        signed = rec.dpa_signed
        if signed is None:
            continue
        path = ("recipients", index, "dpa_signed")
        if signed > ctx.today:
            yield ctx.finding(
                "dpa-date",
                "error",
                "art. 28(3)",
                path,
                f"Databehandleravtalen med «{rec.id}» er datert {signed.isoformat()}, i fremtiden.",
                f'The processing agreement with "{rec.id}" is dated {signed.isoformat()}, in the '
                "future.",
            )
        elif signed > p.date:
            yield ctx.finding(
                "dpa-date",
                "warning",
                "art. 28(3)",
                path,
                f"Databehandleravtalen med «{rec.id}» ({signed.isoformat()}) er signert etter "
                f"erklæringens dato ({p.date.isoformat()}): erklæringen lover noe som ikke var "
                "på plass, eller datoen er feil.",
                f'The processing agreement with "{rec.id}" ({signed.isoformat()}) was signed '
                f"after the notice's date ({p.date.isoformat()}): the notice promised something "
                "not yet in place, or a date is wrong.",
            )


@rule("privacy-shield")
def privacy_shield(ctx: Context) -> Iterator[Finding]:
    for index, rec in enumerate(ctx.policy.recipients):
        if rec.transfer is Transfer.privacy_shield:
            yield ctx.finding(
                "privacy-shield",
                "error",
                "art. 44-46",
                ("recipients", index, "transfer"),
                f"Overføringen til «{rec.id}» bygger på Privacy Shield, som EU-domstolen "
                "kjente ugyldig 16. juli 2020 (Schrems II). Bruk EU-US Data Privacy Framework "
                "(hvis mottakeren er sertifisert) eller standardkontrakter.",
                f'The transfer to "{rec.id}" rests on Privacy Shield, which the EU Court of '
                "Justice struck down on 16 July 2020 (Schrems II). Use the EU-US Data Privacy "
                "Framework (if the recipient is certified) or standard contractual clauses.",
            )


@rule("transfer-safeguard")
def transfer_safeguard(ctx: Context) -> Iterator[Finding]:
    for index, rec in enumerate(ctx.policy.recipients):
        path = ("recipients", index, "transfer")
        if rec.third_country and rec.transfer in (Transfer.none_needed, Transfer.unknown):
            yield ctx.finding(
                "transfer-safeguard",
                "error",
                "art. 13(1)(f)",
                path,
                f"«{rec.id}» er i {rec.country}, utenfor EØS, men grunnlaget for overføringen er "
                "ikke oppgitt (adequacy, dpf, scc, bcr eller derogation).",
                f'"{rec.id}" is in {rec.country}, outside the EEA, but no safeguard for the '
                "transfer is given (adequacy, dpf, scc, bcr or derogation).",
            )
        elif not rec.third_country and rec.transfer is Transfer.unknown:
            yield ctx.finding(
                "transfer-safeguard",
                "warning",
                "art. 13(1)(f)",
                path,
                f"Erklæringen nevner en overføring til «{rec.id}» uten å si til hvilket land "
                "eller med hvilket grunnlag.",
                f'The notice mentions a transfer to "{rec.id}" without saying to which country '
                "or on what safeguard.",
            )


@rule("consent-withdrawal")
def consent_withdrawal(ctx: Context) -> Iterator[Finding]:
    for index, act in enumerate(ctx.policy.activities):
        if act.legal_basis is LegalBasis.consent and act.withdrawal is None:
            yield ctx.finding(
                "consent-withdrawal",
                "error",
                "art. 7(3), 13(2)(c)",
                ("activities", index, "legal_basis"),
                f"Aktiviteten «{act.id}» bygger på samtykke, men sier ikke hvordan samtykket "
                "trekkes tilbake: fyll ut withdrawal.",
                f'Activity "{act.id}" rests on consent but does not say how to withdraw it: '
                "fill in withdrawal.",
            )


@rule("consent-where-necessary")
def consent_where_necessary(ctx: Context) -> Iterator[Finding]:
    for index, act in enumerate(ctx.policy.activities):
        if act.legal_basis is LegalBasis.consent and act.required in ("contract", "law"):
            yield ctx.finding(
                "consent-where-necessary",
                "error",
                "art. 6(1), 7(4)",
                ("activities", index, "legal_basis"),
                f"Aktiviteten «{act.id}» bygger på samtykke, men opplysningene kreves "
                f"({act.required}). Et samtykke som ikke kan nektes er ikke frivillig: bruk "
                "contract eller legal_obligation.",
                f'Activity "{act.id}" rests on consent, but the data is required '
                f"({act.required}). Consent that cannot be refused is not freely given: use "
                "contract or legal_obligation.",
            )


_PRESENCE = "user.location.presence"


def _cookie_law(ctx: Context) -> str:
    """The rule on reading from a user's device, in the controller's country."""
    return jurisdiction.of(ctx.policy.controller.country).cookie_rule.local


@rule("presence-needs-consent")
def presence_needs_consent(ctx: Context) -> Iterator[Finding]:
    for index, act in enumerate(ctx.policy.activities):
        tracks = any(c == _PRESENCE or c.startswith(_PRESENCE + ".") for c in act.categories)
        # Data read from the person's own device is the same case (the cookie rule covers
        # access to any terminal equipment, not only the browser).
        tracks = tracks or Source.device in act.sources
        if tracks and act.legal_basis is not LegalBasis.consent:
            yield ctx.finding(
                "presence-needs-consent",
                "error",
                f"{_cookie_law(ctx)}; art. 6(1)(a)",
                ("activities", index, "legal_basis"),
                f"Aktiviteten «{act.id}» sporer posisjon eller tilstedeværelse fra telefonen på "
                f"grunnlag av {act.legal_basis.value}. Lokasjon fra brukerens enhet krever "
                "samtykke som kan trekkes tilbake.",
                f'Activity "{act.id}" tracks location or presence from the phone on the basis '
                f"{act.legal_basis.value}. Location from the user's device needs consent that "
                "can be withdrawn.",
            )


_TRACKING = re.compile(
    r"analy|statisti|track|sporing|marketing|markedsf|advert|annons|remarketing|pixel|"
    r"google|facebook|meta\b|hotjar|linkedin|_ga\b|_gid|_fbp",
    re.IGNORECASE,
)


@rule("cookie-consent")
def cookie_consent(ctx: Context) -> Iterator[Finding]:
    p = ctx.policy
    for index, cookie in enumerate(p.cookies):
        hay = " ".join([cookie.name, cookie.vendor, cookie.purpose.nb, cookie.purpose.en])
        if not cookie.consent_required and _TRACKING.search(hay):
            yield ctx.finding(
                "cookie-consent",
                "error",
                _cookie_law(ctx),
                ("cookies", index, "consent_required"),
                f"Informasjonskapselen «{cookie.name}» ({cookie.vendor}) brukes til analyse eller "
                "markedsføring og er ikke strengt nødvendig: den krever samtykke.",
                f'Cookie "{cookie.name}" ({cookie.vendor}) is used for analytics or marketing '
                "and is not strictly necessary: it needs consent.",
            )
    for index, act in enumerate(p.activities):
        hay = " ".join([act.purpose.nb, act.purpose.en])  # the text, never the id
        web = re.search(r"cookie|informasjonskaps|nettside|nettsted|website|web", hay, re.I)
        analytics = re.search(r"analy|statisti|sporing|track", hay, re.I)
        stated = act.legal_basis is not LegalBasis.not_stated  # else basis-not-stated speaks
        if web and analytics and stated and act.legal_basis is not LegalBasis.consent:
            yield ctx.finding(
                "cookie-consent",
                "warning",
                _cookie_law(ctx),
                ("activities", index, "legal_basis"),
                f"Aktiviteten «{act.id}» analyserer besøk på nettstedet på grunnlag av "
                f"{act.legal_basis.value}; analyse med informasjonskapsler krever samtykke "
                "(analyse uten informasjonskapsler kan bygge på berettiget interesse).",
                f'Activity "{act.id}" analyses website visits on the basis '
                f"{act.legal_basis.value}; analytics with cookies needs consent (analytics "
                "without cookies may rest on legitimate interest).",
            )


@rule("contract-non-party")
def contract_non_party(ctx: Context) -> Iterator[Finding]:
    """Art. 6(1)(b) for a subject group that is no party to the contract: one per activity."""
    p = ctx.policy
    for index, act in enumerate(p.activities):
        strays = [
            key
            for key in act.subjects
            if key in p.subjects
            and act.basis_of(key).legal_basis is LegalBasis.contract
            and p.subjects[key].party_to_contract is False
        ]
        if not strays:
            continue
        names = ", ".join(strays)
        yield ctx.finding(
            "contract-non-party",
            "error",
            "art. 6(1)(b)",
            ("activities", index, "legal_basis"),
            f"«{act.id}» bygger på avtale også for {names}, som ikke er part i avtalen. Gi dem "
            "et eget grunnlag under basis_for: (for eksempel legitimate_interest med interessen "
            "skrevet ut), eller merk gruppen party_to_contract: true hvis den er part.",
            f'"{act.id}" rests on contract also for {names}, who are no party to the contract. '
            "Give them their own basis under basis_for: (e.g. legitimate_interest with the "
            "interest written out), or mark the group party_to_contract: true if it is a party.",
        )
