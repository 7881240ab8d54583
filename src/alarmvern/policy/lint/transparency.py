"""What the notice itself leaves unsaid or confuses: fields written as ``not_stated``, bases
offered as a menu, rights and the complaint right the notice omits (even though the rendered
notice adds them), consent made a condition of the service, e-mail marketing without consent,
bases a private company cannot use, and notices older than the law they describe.

Each rule reads a model field, never a word in an id; the country's law and dates come from
:mod:`alarmvern.policy.jurisdiction`.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date

from alarmvern.policy import jurisdiction
from alarmvern.policy.lint._base import Context, Finding, rule
from alarmvern.policy.model import LegalBasis, Right, Transfer

SCHREMS_II = date(2020, 7, 16)  # C-311/18: Privacy Shield invalid, SCCs need an assessment

# Which article each not_stated field breaks, and how grave it is.
_NOT_STATED = {
    "purpose": ("error", "art. 13(1)(c)", "formålet", "the purpose"),
    "subjects": ("warning", "art. 14(1)(d), 30(1)(c)", "hvem det gjelder", "whom it concerns"),
    "categories": ("error", "art. 14(1)(d)", "hvilke opplysninger", "which data"),
    "legitimate_interest": (
        "error",
        "art. 13(1)(d), 14(2)(b)",
        "hvilken berettiget interesse behandlingen bygger på",
        "the legitimate interest the processing rests on",
    ),
    "law": (
        "error",
        "art. 13(1)(c), 6(3)",
        "hvilken lov som pålegger behandlingen",
        "which law requires the processing",
    ),
    "source_detail": (
        "error",
        "art. 14(2)(f)",
        "hvor opplysningene kommer fra",
        "where the data comes from",
    ),
    "date": ("warning", "art. 12(1), 5(2)", "datoen", "the date"),
    "version": ("warning", "art. 5(2)", "versjonen", "the version"),
    "group": (
        "error",
        "art. 13(1)(a)",
        "hvilke selskaper i konsernet den gjelder for",
        "which companies of the group it covers",
    ),
}


@rule("not-stated")
def not_stated(ctx: Context) -> Iterator[Finding]:
    """Each field the pack writes as not_stated: the notice is silent where the law asks."""
    p = ctx.policy
    for key in p.not_stated:
        severity, article, nb, en = _NOT_STATED[key]
        yield ctx.finding(
            "not-stated",
            severity,  # type: ignore[arg-type]
            article,
            (key,),
            f"Erklæringen oppgir ikke {nb}.",
            f"The notice does not state {en}.",
        )
    for key in p.controller.not_stated:
        severity, article, nb, en = _NOT_STATED[key]
        yield ctx.finding(
            "not-stated",
            severity,  # type: ignore[arg-type]
            article,
            ("controller", key),
            f"Erklæringen oppgir ikke {nb}.",
            f"The notice does not state {en}.",
        )
    for index, act in enumerate(p.activities):
        for key in act.not_stated:
            if key == "legal_basis":
                continue  # basis-not-stated
            severity, article, nb, en = _NOT_STATED[key]
            yield ctx.finding(
                "not-stated",
                severity,  # type: ignore[arg-type]
                article,
                ("activities", index, key),
                f"Aktiviteten «{act.id}»: erklæringen oppgir ikke {nb}.",
                f'Activity "{act.id}": the notice does not state {en}.',
            )


@rule("basis-not-stated")
def basis_not_stated(ctx: Context) -> Iterator[Finding]:
    """A purpose the notice ties to no legal basis (a list of bases beside a list of purposes)."""
    for index, act in enumerate(ctx.policy.activities):
        if LegalBasis.not_stated in act.bases and len(set(act.basis_alternatives)) < 2:
            yield ctx.finding(
                "basis-not-stated",
                "error",
                "art. 13(1)(c)",
                ("activities", index, "legal_basis"),
                f"Formålet «{act.id}» er ikke knyttet til noe rettslig grunnlag: oppgi "
                "grunnlaget for hvert formål.",
                f'The purpose "{act.id}" is tied to no legal basis: give the basis for each '
                "purpose.",
            )


@rule("basis-ambiguous")
def basis_ambiguous(ctx: Context) -> Iterator[Finding]:
    """Several bases offered for one purpose, "either consent, contract or legitimate interest"."""
    for index, act in enumerate(ctx.policy.activities):
        offered = list(dict.fromkeys(act.basis_alternatives))
        if len(offered) < 2:
            continue
        names = ", ".join(b.value for b in offered)
        confused = {LegalBasis.consent} & set(offered) and (
            {LegalBasis.contract, LegalBasis.legitimate_interest} & set(offered)
        )
        extra_nb = (
            " Samtykke kan ikke stå som alternativ til avtale eller berettiget interesse: "
            "trekkes samtykket, må behandlingen stanse."
            if confused
            else ""
        )
        extra_en = (
            " Consent cannot be an alternative to contract or legitimate interest: once it is "
            "withdrawn, the processing must stop."
            if confused
            else ""
        )
        yield ctx.finding(
            "basis-ambiguous",
            "error",
            "art. 13(1)(c), 17(1)(b)",
            ("activities", index, "basis_alternatives"),
            f"Formålet «{act.id}» har flere mulige grunnlag ({names}) uten at det står hvilket "
            f"som gjelder når.{extra_nb}",
            f'The purpose "{act.id}" is given several possible bases ({names}) without saying '
            f"which applies when.{extra_en}",
        )


# The rights every notice names (art. 13(2)(b)); the others where the processing calls for them.
_ALWAYS = (Right.access, Right.rectification, Right.erasure, Right.restriction)
_RIGHT_NAMES = {
    Right.access: ("innsyn", "access"),
    Right.rectification: ("retting", "rectification"),
    Right.erasure: ("sletting", "erasure"),
    Right.restriction: ("begrensning", "restriction"),
    Right.portability: ("dataportabilitet", "portability"),
    Right.objection: ("protest", "objection"),
    Right.withdraw_consent: ("å trekke tilbake samtykke", "withdrawal of consent"),
}


@rule("rights-missing")
def rights_missing(ctx: Context) -> Iterator[Finding]:
    """The rights the notice names lack one the law requires; one finding for the list."""
    p = ctx.policy
    stated = p.rights.stated
    if stated is None:
        return
    needed = list(_ALWAYS)
    if any(a.portable for a in p.activities):
        needed.append(Right.portability)
    if any(a.objectable for a in p.activities):
        needed.append(Right.objection)
    if any(LegalBasis.consent in a.bases for a in p.activities):
        needed.append(Right.withdraw_consent)
    missing = [r for r in needed if r not in stated]
    if not missing:
        return
    yield ctx.finding(
        "rights-missing",
        "error",
        "art. 13(2)(b)-(c)",
        ("rights", "stated"),
        "Erklæringen nevner ikke retten til "
        + ", ".join(_RIGHT_NAMES[r][0] for r in missing)
        + ". Malen skriver rettighetene inn, men erklæringen slik den er publisert, mangler dem.",
        "The notice does not name the right to "
        + ", ".join(_RIGHT_NAMES[r][1] for r in missing)
        + ". The template fills the rights in, but the notice as published lacks them.",
    )


@rule("complaint-right")
def complaint_right(ctx: Context) -> Iterator[Finding]:
    """No right to complain to the supervisory authority (hidden if the template adds one)."""
    p = ctx.policy
    stated = p.rights.stated
    no_authority = p.controller.stated_authority is None
    if not (no_authority or (stated is not None and Right.complaint not in stated)):
        return
    auth = jurisdiction.of(p.controller.country).authority.name
    yield ctx.finding(
        "complaint-right",
        "error",
        "art. 13(2)(d), 77",
        ("controller",) if no_authority else ("rights", "stated"),
        f"Erklæringen nevner ikke retten til å klage til tilsynsmyndigheten ({auth}). Den "
        "genererte erklæringen skriver den inn, men pakken sier det ikke: legg til "
        "supervisory_authority:.",
        f"The notice does not state the right to complain to the supervisory authority ({auth}). "
        "The generated notice adds it, but the pack does not say it: add supervisory_authority:.",
    )


@rule("complaint-discouraged")
def complaint_discouraged(ctx: Context) -> Iterator[Finding]:
    if ctx.policy.rights.complaint_discouraged:
        yield ctx.finding(
            "complaint-discouraged",
            "warning",
            "art. 12(2), 77",
            ("rights", "complaint_discouraged"),
            "Erklæringen fraråder å klage til tilsynsmyndigheten. Retten til å klage er "
            "ubetinget; den kan ikke gjøres til et siste utvei.",
            "The notice discourages complaints to the supervisory authority. The right to "
            "complain is unconditional; it may not be made a last resort.",
        )


@rule("consent-conditional")
def consent_conditional(ctx: Context) -> Iterator[Finding]:
    """Withdrawing consent costs the agreed service: consent is then not freely given."""
    p = ctx.policy
    if p.rights.withdrawal_ends_service:
        yield ctx.finding(
            "consent-conditional",
            "error",
            "art. 4(11), 7(4)",
            ("rights", "withdrawal_ends_service"),
            "Erklæringen sier at du kan miste tjenesten du har avtalt hvis du trekker tilbake et "
            "samtykke. Et samtykke som er en betingelse for avtalen, er ikke frivillig: det som "
            "trengs for avtalen, bygger på avtalen, resten på et samtykke du kan trekke uten "
            "å tape noe.",
            "The notice says withdrawing consent may cost the agreed service. Consent made a "
            "condition of the contract is not freely given: what the contract needs rests on "
            "the contract, the rest on a consent you can withdraw without losing anything.",
        )


@rule("marketing-consent")
def marketing_consent(ctx: Context) -> Iterator[Finding]:
    """E-mail or SMS marketing without consent, to people who are not customers."""
    p = ctx.policy
    law = jurisdiction.of(p.controller.country).marketing_rule
    for index, act in enumerate(p.activities):
        electronic = [c.value for c in act.channels if c.electronic]
        if not (act.marketing and electronic):
            continue
        # The customer exemption (mfl. § 15 third paragraph and its Nordic twins): an existing
        # customer may get e-mail about similar products with an easy way to say no.
        strays = [
            key
            for key in act.subjects
            if act.basis_of(key).legal_basis is not LegalBasis.consent
            and not (key in p.subjects and p.subjects[key].party_to_contract)
        ]
        if not strays:
            continue
        yield ctx.finding(
            "marketing-consent",
            "error",
            f"{law.local}; art. 6(1)(a)",
            ("activities", index, "legal_basis"),
            f"«{act.id}» sender markedsføring på {', '.join(electronic)} til "
            f"{', '.join(strays)} uten samtykke. Etter {law.local} krever elektronisk "
            "markedsføring forhåndssamtykke, unntatt til egne kunder om lignende varer.",
            f'"{act.id}" sends marketing by {", ".join(electronic)} to {", ".join(strays)} '
            f"without consent. Under {law.en}, electronic marketing needs prior consent, except "
            "to one's own customers about similar products.",
        )


_PUBLIC_BODY = re.compile(r"kommune|fylkeskommune|direktorat|etat|departement|statens", re.I)


@rule("basis-private-company")
def basis_private_company(ctx: Context) -> Iterator[Finding]:
    """Public task for a private company; vital interests as a standing basis."""
    p = ctx.policy
    public = bool(_PUBLIC_BODY.search(p.controller.name))
    for index, act in enumerate(p.activities):
        bases = act.bases | set(act.basis_alternatives)
        path = ("activities", index, "legal_basis")
        if LegalBasis.public_task in bases and not public:
            yield ctx.finding(
                "basis-private-company",
                "error",
                "art. 6(1)(e), 6(3)",
                path,
                f"«{act.id}» bygger på en oppgave i allmennhetens interesse. Det grunnlaget "
                "krever en oppgave fastsatt i lov; et privat alarmselskap har det ikke.",
                f'"{act.id}" rests on a task in the public interest. That basis needs a task '
                "laid down by law; a private alarm company has none.",
            )
        if LegalBasis.vital_interest in bases:
            yield ctx.finding(
                "basis-private-company",
                "warning",
                "art. 6(1)(d), recital 46",
                path,
                f"«{act.id}» bygger på vitale interesser. Det grunnlaget gjelder bare i en "
                "nødsituasjon der intet annet grunnlag kan brukes, ikke som fast grunnlag for "
                "en behandling som planlegges på forhånd.",
                f'"{act.id}" rests on vital interests. That basis applies only in an emergency '
                "where no other basis can serve, not as the standing basis of processing "
                "planned in advance.",
            )


@rule("transfers-stated")
def transfers_stated(ctx: Context) -> Iterator[Finding]:
    """Transfers: a mechanism without a country; silence; "none" contradicted."""
    p = ctx.policy
    # One finding per sentence of the notice: recipients sharing a quote are one defect.
    countryless: dict[str, list[int]] = {}
    for index, rec in enumerate(p.recipients):
        if rec.country is None and rec.transfer not in (Transfer.none_needed, Transfer.unknown):
            countryless.setdefault(rec.quote or rec.id, []).append(index)
    for indexes in countryless.values():
        recs = [p.recipients[i] for i in indexes]
        ids = ", ".join(r.id for r in recs)
        mechanisms = ", ".join(dict.fromkeys(r.transfer.value for r in recs))
        yield ctx.finding(
            "transfers-stated",
            "error",
            "art. 13(1)(f)",
            ("recipients", indexes[0], "transfer"),
            f"Erklæringen oppgir overføringsgrunnlag ({mechanisms}) for {ids} uten å si til "
            "hvilket land utenfor EØS opplysningene går.",
            f"The notice gives a transfer mechanism ({mechanisms}) for {ids} without saying to "
            "which country outside the EEA the data goes.",
        )
    abroad = [r for r in p.recipients if r.third_country]
    if p.transfers == "none" and abroad:
        yield ctx.finding(
            "transfers-stated",
            "error",
            "art. 13(1)(f)",
            ("transfers",),
            f"Pakken sier at ingen opplysninger går ut av EØS, men «{abroad[0].id}» er i "
            f"{abroad[0].country}.",
            f'The pack says no data leaves the EEA, but "{abroad[0].id}" is in '
            f"{abroad[0].country}.",
        )
    elif (
        p.transfers is None
        and not abroad
        and all(r.transfer is Transfer.none_needed for r in p.recipients)
        and any(r.country is None for r in p.recipients)
    ):
        yield ctx.finding(
            "transfers-stated",
            "warning",
            "art. 13(1)(f)",
            ("recipients",),
            "Erklæringen sier ikke om opplysninger går til land utenfor EØS, og nevner "
            "mottakere uten land. Skriv transfers: none hvis ingen gjør det.",
            "The notice does not say whether data leaves the EEA, and names recipients without "
            "a country. Write transfers: none if none does.",
        )


@rule("notice-stale")
def notice_stale(ctx: Context) -> Iterator[Finding]:
    """A notice dated before a change in the law that governs what it describes."""
    p = ctx.policy
    if not p.dated:
        return
    place = jurisdiction.of(p.controller.country)
    reasons_nb: list[str] = []
    reasons_en: list[str] = []
    transfers = [r for r in p.recipients if r.transfer not in (Transfer.none_needed,)]
    if p.date < SCHREMS_II and transfers:
        reasons_nb.append("Schrems II-dommen 16. juli 2020 (overføringer ut av EØS)")
        reasons_en.append("the Schrems II judgment of 16 July 2020 (transfers out of the EEA)")
    web = bool(p.cookies) or any(
        c.startswith("user.device.cookie") for a in p.activities for c in a.categories
    )
    if p.date < place.cookie_rule_since and web:
        since = place.cookie_rule_since.isoformat()
        reasons_nb.append(f"{place.cookie_rule.local} ({since}, informasjonskapsler)")
        reasons_en.append(f"{place.cookie_rule.en} ({since}, cookies)")
    if not reasons_nb:
        return
    yield ctx.finding(
        "notice-stale",
        "warning",
        "art. 12(1), 13",
        ("date",),
        f"Erklæringen er datert {p.date.isoformat()}, før "
        + " og ".join(reasons_nb)
        + ": den beskriver reglene slik de var.",
        f"The notice is dated {p.date.isoformat()}, before "
        + " and ".join(reasons_en)
        + ": it describes the rules as they were.",
    )


@rule("national-id-need")
def national_id_need(ctx: Context) -> Iterator[Finding]:
    """A national identity number with no stated need for secure identification."""
    p = ctx.policy
    law = jurisdiction.of(p.controller.country).data_protection_act.local
    for key, cat in p.categories.items():
        if not key.startswith("user.government_id") or cat.need is not None:
            continue
        yield ctx.finding(
            "national-id-need",
            "warning",
            f"{law} § 12" if p.controller.country == "NO" else law,
            ("categories", key),
            f"Fødselsnummer («{key}») behandles uten at erklæringen sier hvorfor sikker "
            "identifisering er nødvendig: skriv need:.",
            f'The national identity number ("{key}") is processed without the notice saying '
            "why secure identification is needed: write need:.",
        )
