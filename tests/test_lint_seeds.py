"""The linter finds the real defects of the five real notices (../shared/seeds/), each with
the sentence it concerns; and the default pack, written to be right, lints clean."""

from __future__ import annotations

from datetime import date

import pytest

from alarmvern.policy import load, pack_names
from alarmvern.policy.lint import Finding, lint

TODAY = date(2026, 6, 1)

# pack → (rule, a fragment of the notice's sentence the finding quotes, or None)
DEFECTS: dict[str, list[tuple[str, str | None]]] = {
    "atlo": [
        ("placeholder", "ettersom Atlo ??"),
        ("unfinished-sentence", "markedsføringsleverandører?"),
        ("retention-criterion", "lenger enn det som er nødvendig"),
    ],
    "alltid24": [
        ("id-document-copy", "kopi av gyldig legitimasjon"),
        ("impossible-date", "30.02.2019"),
        ("retention-criterion", "lenger enn nødvendig"),
        ("transfer-safeguard", "land utenfor EU/EØS"),
    ],
    "sector-alarm": [
        ("privacy-shield", "Privacy Shield"),
        ("retention-criterion", "så lenge formålet med behandlingen gjør det nødvendig"),
    ],
    "proff-security": [
        ("presence-needs-consent", "GPS"),
        ("cookie-consent", None),
        ("transfer-safeguard", "USA"),
        ("retention-criterion", "lengre enn det som er nødvendig"),
    ],
    "alarmlink": [
        ("controller-contact", None),
        ("rights-contact", "Du har rett til"),
        ("retention-missing", None),
        ("cookie-consent", "Vi analyserer brukerdata"),
    ],
}


def findings_of(pack: str) -> list[Finding]:
    if pack not in pack_names():
        pytest.skip(f"the {pack} pack is not written yet (src/alarmvern/policy/packs/{pack}.yaml)")
    return lint(load(pack), TODAY)


CASES = [(pack, rule, quote) for pack, wanted in DEFECTS.items() for rule, quote in wanted]


@pytest.mark.parametrize(("pack", "rule", "quote"), CASES, ids=[f"{p}-{r}" for p, r, _ in CASES])
def test_a_seed_notices_defect_is_found_with_its_sentence(
    pack: str, rule: str, quote: str | None
) -> None:
    mine = [f for f in findings_of(pack) if f.rule == rule]
    assert mine, f"{pack}: no {rule} finding"
    assert all(f.severity in ("error", "warning") for f in mine)
    if quote is not None:
        quoted = [f.quote for f in mine]
        assert any(q is not None and quote in q for q in quoted), quoted
    assert all(f.line is not None and f.line > 1 for f in mine)


def test_the_default_pack_lints_without_errors_or_warnings() -> None:
    found = [f for f in findings_of("default") if f.severity != "info"]
    assert found == [], "\n".join(str(f) for f in found)
