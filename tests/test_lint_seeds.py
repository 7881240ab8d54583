"""The linter finds the real defects of the five real notices (../shared/seeds/), each with
the sentence it concerns; and the default pack, written to be right, lints clean."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from alarmvern.policy import load, pack_names
from alarmvern.policy.lint import Finding, lint

TODAY = date(2026, 6, 1)

# Per seed notice, the defects a Norwegian DPO finds by reading it (docs/lint.md lists each
# with its legal source): defect id → (rule, a fragment of the sentence the finding quotes,
# or None where the defect is a silence and there is no sentence to quote).
DEFECTS: dict[str, dict[str, tuple[str, str | None]]] = {
    "atlo": {
        "AT-01 controller named without legal form or org. no.": ("controller-person", None),
        "AT-02 no organisation number": ("controller-org-no", None),
        "AT-03 no DPO and no word on one": ("dpo-contact", None),
        "AT-04 placeholder left in": ("placeholder", "ettersom Atlo ??"),
        "AT-05 supplier list ends in a question mark": (
            "unfinished-sentence",
            "markedsføringsleverandører?",
        ),
        "AT-06 retention note left as a draft": ("unfinished-sentence", "Samtaleopptak?"),
        "AT-07 marketing suppliers with no marketing purpose": ("recipients", "markedsførings"),
        "AT-08 retention 'as long as necessary'": (
            "retention-criterion",
            "lenger enn det som er nødvendig",
        ),
        "AT-09 accounting archive tied to no basis or law": (
            "basis-not-stated",
            "regnskapsarkivet",
        ),
        "AT-10 notice undated": ("not-stated", None),
        "AT-11 complaint to Datatilsynet talked down": ("complaint-discouraged", None),
        "AT-12 personnummer kept with no need stated": ("national-id-need", None),
        "AT-13 silent on transfers, suppliers without country": ("transfers-stated", None),
    },
    "alltid24": {
        "A24-01 impossible date": ("impossible-date", "30.02.2019"),
        "A24-02 ID copy demanded for every request": (
            "id-document-copy",
            "kopi av gyldig legitimasjon",
        ),
        "A24-03 retention 'as long as necessary'": ("retention-criterion", "lenger enn nødvendig"),
        "A24-04 transfer abroad with no country or safeguard": (
            "transfer-safeguard",
            "land utenfor EU/EØS",
        ),
        "A24-05 call recording tied to no basis": ("basis-not-stated", "tas opp av hensyn til"),
        "A24-06 two bases offered for one purpose": ("basis-ambiguous", "evakueringsliste"),
        "A24-07 public task for a private company": ("basis-private-company", "evakueringsliste"),
        "A24-08 restriction and general objection missing": ("rights-missing", None),
        "A24-09 withdrawing consent may cost the service": ("consent-conditional", None),
        "A24-10 group companies not named": ("not-stated", None),
        "A24-11 dated before Schrems II, with transfers": ("notice-stale", None),
        "A24-12 no organisation number": ("controller-org-no", None),
    },
    "sector-alarm": {
        "SA-01 Privacy Shield": ("privacy-shield", "Privacy Shield"),
        "SA-02 third country not named": ("transfers-stated", "Privacy Shield"),
        "SA-03 retention 'as long as the purpose requires'": (
            "retention-criterion",
            "så lenge formålet med behandlingen gjør det nødvendig",
        ),
        "SA-04 e-mail marketing to prospects on legitimate interest": (
            "marketing-consent",
            "berettiget interesse for distribusjon av markedsføring",
        ),
        "SA-05 consent or legitimate interest for inquiries": (
            "basis-ambiguous",
            "generelle forespørsler",
        ),
        "SA-06 withdrawing consent may cost the service": ("consent-conditional", None),
        "SA-07 contract basis for users and contact persons": ("contract-non-party", None),
        "SA-08 dated before Schrems II, with transfers": ("notice-stale", None),
        "SA-09 personnummer with no need stated": ("national-id-need", None),
        "SA-10 credit-check source not named": ("not-stated", "kredittvurdering"),
        "SA-11 disclosure 'required by law' with no law": ("not-stated", None),
    },
    "proff-security": {
        "PS-01 GPS tracking on contract": ("presence-needs-consent", "GPS"),
        "PS-02 analytics and ad cookies without consent": ("cookie-consent", None),
        "PS-03 Google and Facebook in the USA, no safeguard": ("transfer-safeguard", "USA"),
        "PS-04 retention 'as long as necessary'": (
            "retention-criterion",
            "lengre enn det som er nødvendig",
        ),
        "PS-05 three bases for one purpose": ("basis-ambiguous", "enten være basert på samtykke"),
        "PS-06 marketing mostly LI, sometimes consent": (
            "basis-ambiguous",
            "I de fleste tilfeller",
        ),
        "PS-07 e-mail and SMS marketing to leads without consent": (
            "marketing-consent",
            "I de fleste tilfeller",
        ),
        "PS-08 contract basis for alarm contacts, users, people on site": (
            "contract-non-party",
            None,
        ),
        "PS-09 a named person as 'responsible'": ("controller-person", None),
        "PS-10 no DPO; the managing director as contact": ("dpo-contact", None),
        "PS-11 dated before Schrems II and the 2025 cookie rule": ("notice-stale", None),
        "PS-12 legitimate interest for marketing not written out": ("not-stated", None),
    },
    "alarmlink": {
        "AL-01 no e-mail, phone or address for the controller": ("controller-contact", None),
        "AL-02 no organisation number": ("controller-org-no", None),
        "AL-03 no DPO and no word on one": ("dpo-contact", None),
        "AL-04 inquiries tied to no basis": ("basis-not-stated", "samles inn direkte fra deg"),
        "AL-05 personalisation tied to no basis": ("basis-not-stated", "tilpasse kommunikasjon"),
        "AL-06 analytics cookies on legitimate interest": (
            "cookie-consent",
            "Vi analyserer brukerdata",
        ),
        "AL-07 no retention for most data": ("retention-missing", None),
        "AL-08 restriction missing from the rights": ("rights-missing", "Du har rett til"),
        "AL-09 nowhere to send a request": ("rights-contact", "Du har rett til"),
        "AL-10 silent on transfers, suppliers without country": ("transfers-stated", None),
    },
}

# Rules that report one defect once, however often the notice's sentence recurs in the pack.
ONCE = {"rights-missing", "notice-stale", "consent-conditional", "complaint-right"}


def findings_of(pack: str) -> list[Finding]:
    if pack not in pack_names():
        pytest.skip(f"the {pack} pack is not written yet (src/alarmvern/policy/packs/{pack}.yaml)")
    return lint(load(pack), TODAY)


CASES = [
    (pack, defect, rule, quote)
    for pack, wanted in DEFECTS.items()
    for defect, (rule, quote) in wanted.items()
]


@pytest.mark.parametrize(
    ("pack", "defect", "rule", "quote"), CASES, ids=[d.split()[0] for _, d, _, _ in CASES]
)
def test_a_seed_notices_defect_is_found_with_its_sentence(
    pack: str, defect: str, rule: str, quote: str | None
) -> None:
    mine = [f for f in findings_of(pack) if f.rule == rule]
    assert mine, f"{pack}: {defect}: no {rule} finding"
    assert all(f.severity in ("error", "warning") for f in mine)
    if quote is not None:
        quoted = [f.quote for f in mine]
        assert any(q is not None and quote in q for q in quoted), quoted
    assert all(f.line is not None and f.line >= 1 for f in mine)


@pytest.mark.parametrize("pack", sorted(DEFECTS))
def test_one_defect_is_one_finding(pack: str) -> None:
    found = findings_of(pack)
    for rule in ONCE:
        mine = [f for f in found if f.rule == rule]
        assert len(mine) <= 1, [str(f) for f in mine]
    keys = [(f.rule, f.message_en, f.quote) for f in found]
    assert len(keys) == len(set(keys))


def test_the_docs_list_every_seed_defect_with_its_rule() -> None:
    text = (Path(__file__).parents[1] / "docs" / "lint.md").read_text(encoding="utf-8")
    for wanted in DEFECTS.values():
        for defect, (rule, _) in wanted.items():
            ident = defect.split()[0]
            line = next((s for s in text.splitlines() if f"| {ident} |" in s), "")
            assert f"`{rule}`" in line, ident


def test_the_default_pack_lints_without_errors_or_warnings() -> None:
    found = [f for f in findings_of("default") if f.severity != "info"]
    assert found == [], "\n".join(str(f) for f in found)
