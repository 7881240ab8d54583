"""The rules that read what a notice states, not what the template adds: not stated, bases
offered as a menu, rights and the complaint right omitted, consent as a condition, e-mail
marketing without consent, bases a private company cannot use, transfers and stale notices.
Each fires on a policy that breaks it and stays silent on one that keeps it."""

from __future__ import annotations

from datetime import date

import pytest

from alarmvern.policy import loads
from alarmvern.policy.lint import Finding, lint
from tests.policies import BASE

TODAY = date(2026, 6, 1)
AUTHORITY = "  supervisory_authority: {name: Datatilsynet, web: https://www.datatilsynet.no}\n"
SERVICE_BASIS = "    legal_basis: contract\n"
HOSTING = '    country: "NO"\n'
ID_NUMBER = "user.government_id.national_identification_number"


def vary(*pairs: tuple[str, str], base: str = BASE) -> str:
    text = base
    for old, new in pairs:
        assert old in text, old
        text = text.replace(old, new, 1)
    return text


def by_rule(text: str, rule: str, today: date = TODAY) -> list[Finding]:
    return [f for f in lint(loads(text, name="test.yaml"), today) if f.rule == rule]


def rights(extra: str) -> str:
    return vary(("activities:\n", f"rights: {{{extra}}}\nactivities:\n"))


def marketing(subject: str = "customer") -> str:
    return vary(
        (
            "    legal_basis: consent\n",
            "    legal_basis: legitimate_interest\n"
            "    legitimate_interest: {nb: Salg, en: Sales}\n"
            "    direct_marketing: true\n"
            "    channels: [email, post]\n",
        ),
        ("    subjects: [customer]\n    categories: [user.contact]\n    retention:\n      "
         "user.contact: {keep: 0d", f"    subjects: [{subject}]\n    categories: [user.contact]"
         "\n    retention:\n      user.contact: {keep: 0d"),
    )  # fmt: skip


def with_id_number(need: str = "") -> str:
    return vary(
        (
            "categories:\n",
            f"categories:\n  {ID_NUMBER}: {{name: {{nb: Fødselsnummer, en: ID number}}{need}}}\n",
        ),
        (
            "    categories: [user.contact, user.alarm.media]\n",
            f"    categories: [user.contact, user.alarm.media, {ID_NUMBER}]\n",
        ),
        (
            "      user.contact: {keep: 12mo, from: relationship_end}\n",
            "      user.contact: {keep: 12mo, from: relationship_end}\n"
            f"      {ID_NUMBER}: {{keep: 12mo, from: relationship_end}}\n",
        ),
    )


CUSTOMER_PARTY = (
    "  customer: {name: {nb: Kunde, en: Customer}}\n",
    "  customer: {name: {nb: Kunde, en: Customer}, party_to_contract: true}\n"
    "  lead: {name: {nb: Interessent, en: Prospect}}\n",
)
WITH_COOKIE = (
    "activities:\n",
    "cookies:\n  - {name: _ga, vendor: Google, purpose: {nb: Statistikk, en: Statistics}, "
    "lifetime: 13mo, consent_required: true}\nactivities:\n",
)

# (rule, severity, a fragment of the article, the policy text)
TRANSPARENCY_BROKEN = [
    (
        "presence-needs-consent",
        "error",
        "6(1)(a)",
        vary(("    required: contract\n", "    required: contract\n    sources: [device]\n")),
    ),
    (
        "not-stated",
        "error",
        "13(1)(c)",
        vary(
            (
                "    purpose: {nb: Levere alarmtjenesten, en: Deliver the alarm service}",
                "    purpose: not_stated",
            )
        ),
    ),
    ("not-stated", "warning", "12(1)", vary(("date: 2026-01-01", "date: not_stated"))),
    (
        "not-stated",
        "error",
        "13(1)(d)",
        vary(
            (
                SERVICE_BASIS,
                "    legal_basis: legitimate_interest\n    legitimate_interest: not_stated\n",
            )
        ),
    ),
    (
        "basis-not-stated",
        "error",
        "13(1)(c)",
        vary((SERVICE_BASIS, "    legal_basis: not_stated\n")),
    ),
    (
        "basis-ambiguous",
        "error",
        "13(1)(c)",
        vary((SERVICE_BASIS, SERVICE_BASIS + "    basis_alternatives: [consent, contract]\n")),
    ),
    (
        "rights-missing",
        "error",
        "13(2)(b)",
        rights("stated: [access, rectification, erasure, withdraw_consent, complaint]"),
    ),
    ("complaint-right", "error", "13(2)(d)", vary((AUTHORITY, ""))),
    (
        "complaint-right",
        "error",
        "13(2)(d)",
        rights("stated: [access, rectification, erasure, restriction, withdraw_consent]"),
    ),
    ("complaint-discouraged", "warning", "12(2)", rights("complaint_discouraged: true")),
    ("consent-conditional", "error", "7(4)", rights("withdrawal_ends_service: true")),
    ("marketing-consent", "error", "§ 15", marketing()),
    (
        "basis-private-company",
        "error",
        "6(1)(e)",
        vary((SERVICE_BASIS, "    legal_basis: public_task\n")),
    ),
    (
        "basis-private-company",
        "warning",
        "recital 46",
        vary((SERVICE_BASIS, "    legal_basis: vital_interest\n")),
    ),
    ("transfers-stated", "error", "13(1)(f)", vary((HOSTING, "    transfer: scc\n"))),
    (
        "transfers-stated",
        "error",
        "13(1)(f)",
        vary(
            (HOSTING, "    country: US\n    transfer: dpf\n"),
            ("activities:\n", "transfers: none\nactivities:\n"),
        ),
    ),
    ("transfers-stated", "warning", "13(1)(f)", vary((HOSTING, ""))),
    (
        "notice-stale",
        "warning",
        "12(1)",
        vary(
            ("date: 2026-01-01", "date: 2019-06-01"),
            (HOSTING, "    country: US\n    transfer: scc\n"),
        ),
    ),
    (
        "notice-stale",
        "warning",
        "12(1)",
        vary(("date: 2026-01-01", "date: 2024-06-01"), WITH_COOKIE),
    ),
    ("national-id-need", "warning", "§ 12", with_id_number()),
    (
        "controller-person",
        "warning",
        "4(7)",
        vary(
            (
                "  name: Test Alarm AS\n",
                "  name: Test Alarm AS\n  responsible_person: Ola Nordmann\n",
            )
        ),
    ),
]

TRANSPARENCY_FINE = [
    ("marketing-consent", vary(CUSTOMER_PARTY, base=marketing())),  # existing customers, § 15(3)
    ("marketing-consent", BASE),
    (
        "basis-ambiguous",
        vary((SERVICE_BASIS, SERVICE_BASIS + "    basis_alternatives: [contract]\n")),
    ),
    (
        "rights-missing",
        rights(
            "stated: [access, rectification, erasure, restriction, withdraw_consent, complaint]"
        ),
    ),
    ("notice-stale", vary(("date: 2026-01-01", "date: 2025-06-01"), WITH_COOKIE)),
    ("national-id-need", with_id_number(", need: {nb: Kredittvurdering, en: Credit check}")),
    ("transfers-stated", vary((HOSTING, ""), ("activities:\n", "transfers: none\nactivities:\n"))),
    ("complaint-right", BASE),
]


@pytest.mark.parametrize(
    ("rule", "severity", "article", "text"),
    TRANSPARENCY_BROKEN,
    ids=[f"{r}-{s}-{i}" for i, (r, s, _, _) in enumerate(TRANSPARENCY_BROKEN)],
)
def test_a_rule_fires_on_a_policy_that_breaks_it(
    rule: str, severity: str, article: str, text: str
) -> None:
    mine = by_rule(text, rule)
    assert mine, f"{rule} did not fire"
    assert any(f.severity == severity and article in f.article for f in mine), mine
    assert all(f.message_nb and f.message_en and f.message_nb != f.message_en for f in mine)


@pytest.mark.parametrize(
    ("rule", "text"),
    TRANSPARENCY_FINE,
    ids=[f"{r}-{i}" for i, (r, _) in enumerate(TRANSPARENCY_FINE)],
)
def test_a_rule_is_silent_on_a_policy_that_keeps_it(rule: str, text: str) -> None:
    assert by_rule(text, rule) == []


def test_a_swedish_notice_is_judged_by_swedish_dates_and_law() -> None:
    # Dated 2024 with cookies: stale in Norway (ekomloven § 3-15 from 2025), not in Sweden
    # (LEK 9 kap. 28 § from 22 August 2022).
    norwegian = vary(("date: 2026-01-01", "date: 2024-06-01"), WITH_COOKIE, (AUTHORITY, ""))
    swedish = norwegian.replace(
        '  org_no: "999999999"\n', '  org_no: "556677-8899"\n  country: SE\n'
    )
    assert by_rule(norwegian, "notice-stale")
    assert by_rule(swedish, "notice-stale") == []
    [complaint] = by_rule(swedish, "complaint-right")
    assert "Integritetsskyddsmyndigheten" in complaint.message_en
    [mkt] = by_rule(vary(('  org_no: "999999999"\n', "  country: SE\n"), base=marketing()),
                    "marketing-consent")  # fmt: skip
    assert "marknadsföringslagen" in mkt.article


def test_a_rule_reads_no_ids() -> None:
    # An activity called "cookie-analytics-credit-scoring" with a plain purpose is not taken for
    # analytics or credit scoring.
    text = vary(("  - id: newsletter\n", "  - id: cookie-analytics-credit-scoring\n"))
    found = lint(loads(text, name="test.yaml"), TODAY)
    assert [f.rule for f in found if f.rule in ("cookie-consent", "automated-decision")] == []
