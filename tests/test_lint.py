"""The linter: each rule fires on a policy that breaks it and stays silent on one that does not."""

from __future__ import annotations

from datetime import date

import pytest

from alarmvern.policy import loads
from alarmvern.policy.lint import Finding, lint, rule_ids
from tests.policies import BASE
from tests.test_lint_transparency import TRANSPARENCY_BROKEN

TODAY = date(2026, 6, 1)


def vary(*pairs: tuple[str, str], base: str = BASE) -> str:
    text = base
    for old, new in pairs:
        assert old in text, old
        text = text.replace(old, new, 1)
    return text


def findings(text: str, today: date = TODAY) -> list[Finding]:
    return lint(loads(text, name="test.yaml"), today)


def by_rule(text: str, rule: str) -> list[Finding]:
    return [f for f in findings(text) if f.rule == rule]


NEWSLETTER = "  - id: newsletter\n"
WEB = """\
  - id: web
    name: {nb: Nettsted, en: Website}
    purpose: {nb: Analyse av besøk på nettstedet, en: Analytics of website visits}
    legal_basis: LEGAL
    WITHDRAWAL
    subjects: [customer]
    categories: [user.contact]
    retention:
      user.contact: {keep: 13mo, from: captured}
"""


# The newsletter sends direct marketing; and the pack declares the suppression list for it.
MARKETS = ("    legal_basis: consent\n", "    legal_basis: consent\n    direct_marketing: true\n")
LIST_DECLARED = (
    (
        "  user.alarm.media:",
        "  user.privacy_preferences.objection: {name: {nb: Reservasjoner, en: Objections}}\n"
        "  user.alarm.media:",
    ),
    (
        "    categories: [user.contact]\n    retention:\n",
        "    categories: [user.contact, user.privacy_preferences.objection]\n    retention:\n"
        "      user.privacy_preferences.objection: {keep: 10y, from: captured}\n",
    ),
)


def web(basis: str) -> str:
    extra = "withdrawal: {nb: Endre samtykket, en: Change the consent}"
    if basis == "legitimate_interest":
        extra = "legitimate_interest: {nb: Bedre nettsted, en: A better website}"
    return vary((NEWSLETTER, WEB.replace("LEGAL", basis).replace("WITHDRAWAL", extra) + NEWSLETTER))


def test_the_base_policy_is_clean() -> None:
    assert findings(BASE) == []


def test_every_rule_has_an_id_once() -> None:
    ids = rule_ids()
    assert len(ids) == len(set(ids)) and "placeholder" in ids


# (rule, severity, article fragment, policy that breaks it)
BROKEN = [
    (
        "contract-non-party",
        "error",
        "6(1)(b)",
        vary(
            (
                "  customer: {name: {nb: Kunde, en: Customer}}",
                "  customer: {name: {nb: Kunde, en: Customer}, party_to_contract: false}",
            )
        ),
    ),
    (
        "controller-contact",
        "error",
        "13(1)(a)",
        vary(("  email: post@test.example\n", "")),
    ),
    ("controller-org-no", "warning", "13(1)(a)", vary(('  org_no: "999999999"\n', ""))),
    (
        "controller-person",
        "error",
        "13(1)(a)",
        vary(('  org_no: "999999999"\n', ""), ("Test Alarm AS", "Kari Nordmann")),
    ),
    (
        "dpo-contact",
        "warning",
        "13(1)(b)",
        vary(("  dpo: {name: Ombud, email: personvern@test.example}\n", "")),
    ),
    (
        "supervisory-authority",
        "error",
        "13(2)(d)",
        vary(
            (
                "  supervisory_authority: {name: Datatilsynet, web: https://www.datatilsynet.no}\n",
                '  supervisory_authority: {name: "", web: ""}\n',
            )
        ),
    ),
    ("purpose", "error", "13(1)(c)", vary(("en: Send newsletters", "en: x"))),
    (
        "legal-basis-explained",
        "error",
        "13(1)(c)",
        web("legitimate_interest").replace("en: A better website", 'en: " "'),
    ),
    (
        "recipients",
        "warning",
        "13(1)(e)",
        vary(("    recipients: [hosting]\n", "")),
    ),
    (
        "rights-contact",
        "error",
        "13(2)(b)",
        vary(("  email: post@test.example\n", "")),
    ),
    (
        "source",
        "error",
        "14(2)(f)",
        vary(
            (
                "    legal_basis: contract\n",
                "    legal_basis: contract\n    sources: [third_party]\n",
            )
        ),
    ),
    (
        "required-consequence",
        "error",
        "13(2)(e)",
        vary(("    consequence: {nb: Uten", "    #")),
    ),
    (
        "automated-decision",
        "info",
        "13(2)(f)",
        vary(("Levere alarmtjenesten", "Levere alarmtjenesten etter kredittvurdering")),
    ),
    ("policy-date", "info", "13(3)", vary(("date: 2026-01-01", "date: 2026-07-01"))),
    ("policy-date", "warning", "13", vary(("date: 2026-01-01", "date: 2018-01-01"))),
    ("dpa-date", "warning", "28(3)", vary(("dpa_signed: 2025-03-01", "dpa_signed: 2026-02-01"))),
    ("dpa-date", "error", "28(3)", vary(("dpa_signed: 2025-03-01", "dpa_signed: 2026-12-01"))),
    (
        "privacy-shield",
        "error",
        "44",
        vary(('country: "NO"', "country: US\n    transfer: privacy_shield")),
    ),
    ("transfer-safeguard", "error", "13(1)(f)", vary(('country: "NO"', "country: US"))),
    (
        "transfer-safeguard",
        "warning",
        "13(1)(f)",
        vary(('country: "NO"', "transfer: unknown")),
    ),
    (
        "consent-withdrawal",
        "error",
        "7(3)",
        vary(("    withdrawal: {nb: Lenken i hvert brev, en: The link in every letter}\n", "")),
    ),
    (
        "consent-where-necessary",
        "error",
        "7(4)",
        vary(
            (
                "    legal_basis: contract\n",
                "    legal_basis: consent\n    withdrawal: {nb: a, en: b}\n",
            )
        ),
    ),
    (
        "presence-needs-consent",
        "error",
        "3-15",
        vary(
            (
                "  user.contact: {name",
                "  user.location.presence: {name: {nb: P, en: P}}\n  user.contact: {name",
            ),
            (
                "categories: [user.contact, user.alarm.media]",
                "categories: [user.contact, user.alarm.media, user.location.presence]",
            ),
            (
                "      user.contact: {keep: 12mo",
                "      user.location.presence: {keep: 1d, from: captured}\n"
                "      user.contact: {keep: 12mo",
            ),
        ),
    ),
    (
        "cookie-consent",
        "error",
        "3-15",
        BASE
        + "cookies:\n  - {name: _ga, vendor: Google, purpose: {nb: Statistikk, en: Statistics},"
        " lifetime: 2y, consent_required: false}\n",
    ),
    ("cookie-consent", "warning", "3-15", web("legitimate_interest")),
    (
        "category-unused",
        "warning",
        "5(1)(c)",
        vary(
            ("categories:\n", "categories:\n  user.financial: {name: {nb: Økonomi, en: Finance}}\n")
        ),
    ),
    (
        "retention-missing",
        "error",
        "13(2)(a)",
        vary(
            (
                "      user.alarm.media: {keep: 7d",
                "      # (no rule)",
            )
        ),
    ),
    (
        "retention-criterion",
        "error",
        "13(2)(a)",
        vary(
            (
                "{keep: 12mo, from: relationship_end}",
                "{criterion: {nb: Så lenge det er nødvendig, en: As long as necessary}}",
            )
        ),
    ),
    (
        "retention-criterion",
        "warning",
        "13(2)(a)",
        vary(
            (
                "{keep: 12mo, from: relationship_end}",
                "{criterion: {nb: Til kundeforholdet er over, en: Until the customer leaves}}",
            )
        ),
    ),
    ("placeholder", "error", "12(1)", vary(("en: Send newsletters", "en: Send newsletters TODO"))),
    ("placeholder", "error", "12(1)", vary(("nb: Sende nyhetsbrev", 'nb: "Sende [produkt]"'))),
    ("placeholder", "error", "12(1)", vary(("nb: Sende nyhetsbrev", "nb: Sende nyhetsbrev …"))),
    ("placeholder", "error", "12(1)", vary(('"Bilder lagres i 7 dager."', '"Bilder lagres ??"'))),
    (
        "unfinished-sentence",
        "warning",
        "12(1)",
        vary(('"Bilder lagres i 7 dager."', '"Samtaleopptak? I så fall 12 måneder."')),
    ),
    (
        "impossible-date",
        "error",
        "12(1)",
        vary(('"Bilder lagres i 7 dager."', '"Oppdatert 30.02.2019"')),
    ),
    (
        "id-document-copy",
        "error",
        "EDPB 01/2022",
        BASE + "rights: {verification: [mine_sider, id_document_copy]}\n",
    ),
    ("agreement-missing", "warning", "art. 28(3)", vary(("    dpa_signed: 2025-03-01\n", ""))),
    (
        "transfer-lapsed",
        "error",
        "art. 44",
        vary(
            (
                "accountability:\n",
                "accountability:\n  agreements:\n    - {recipient: hosting, signed: 2025-03-01,"
                " version: '1', mechanism: {kind: adequacy, expires: 2026-01-01}}\n",
            )
        ),
    ),
    (
        "dpia-missing",
        "error",
        "art. 35(1)",
        vary(("next_review: 2027-12-01", "next_review: 2026-05-01")),
    ),
    (
        "tia-missing",
        "warning",
        "art. 46(1)",
        vary(('    country: "NO"\n', "    country: US\n    transfer: scc\n")),
    ),
    (
        "transfer-mismatch",
        "warning",
        "art. 13(1)(f)",
        vary(
            ('    country: "NO"\n', "    country: US\n    transfer: dpf\n"),
            (
                "accountability:\n",
                "accountability:\n  agreements:\n    - {recipient: hosting, signed: 2025-03-01,"
                " version: '1', mechanism: {kind: scc}}\n",
            ),
        ),
    ),
    (
        "sub-processor-transfer",
        "warning",
        "art. 44",
        vary(
            (
                "accountability:\n",
                "accountability:\n  agreements:\n    - {recipient: hosting, signed: 2025-03-01,"
                " version: '1', sub_processors: [{name: Sky LLC, country: US}]}\n",
            )
        ),
    ),
    ("suppression-list", "warning", "art. 13(2)(a)", vary(MARKETS)),
]


@pytest.mark.parametrize(
    ("rule", "severity", "article", "text"),
    BROKEN,
    ids=[f"{r}-{s}-{i}" for i, (r, s, _, _) in enumerate(BROKEN)],
)
def test_a_rule_fires_on_a_policy_that_breaks_it(
    rule: str, severity: str, article: str, text: str
) -> None:
    mine = by_rule(text, rule)
    assert mine, f"{rule} did not fire"
    assert any(f.severity == severity for f in mine), mine
    assert all(article in f.article for f in mine if f.severity == severity)
    assert all(f.message_nb and f.message_en and f.message_nb != f.message_en for f in mine)


def test_every_rule_is_exercised() -> None:
    assert {r for r, *_ in BROKEN + TRANSPARENCY_BROKEN} == set(rule_ids())


# Policies close to the broken ones that are fine: each rule stays silent.
FINE = [
    (
        "contract-non-party",
        vary(
            (
                "  customer: {name: {nb: Kunde, en: Customer}}",
                "  customer: {name: {nb: Kunde, en: Customer}, party_to_contract: true}",
            )
        ),
    ),
    ("controller-contact", vary(("  email: post@test.example\n", '  phone: "22 22 22 22"\n'))),
    (
        "controller-person",
        vary(('  org_no: "999999999"\n', ""), ("Test Alarm AS", "Test Alarm Ltd")),
    ),
    ("dpo-contact", BASE),
    ("recipients", BASE),
    (
        "source",
        vary(
            (
                "    legal_basis: contract\n",
                "    legal_basis: contract\n    sources: [third_party]\n"
                "    source_detail: {nb: Kredittopplysningsbyrå, en: A credit agency}\n",
            )
        ),
    ),
    (
        "required-consequence",
        vary(
            ("    required: contract\n", "    sources: [system]\n    required: contract\n"),
            ("    consequence: {nb: Uten", "    #"),
        ),
    ),
    ("policy-date", vary(("date: 2026-01-01", "date: 2026-06-01"))),
    ("dpa-date", vary(("dpa_signed: 2025-03-01", "dpa_signed: 2026-01-01"))),
    ("privacy-shield", vary(('country: "NO"', "country: US\n    transfer: dpf"))),
    ("transfer-safeguard", vary(('country: "NO"', "country: GB\n    transfer: adequacy"))),
    (
        "transfer-mismatch",
        vary(
            ('    country: "NO"\n', "    country: US\n    transfer: dpf\n"),
            (
                "accountability:\n",
                "accountability:\n  agreements:\n    - {recipient: hosting, signed: 2025-03-01,"
                " version: '1', mechanism: {kind: dpf}}\n",
            ),
        ),
    ),
    (
        "sub-processor-transfer",
        vary(
            (
                "accountability:\n",
                "accountability:\n  agreements:\n    - {recipient: hosting, signed: 2025-03-01,"
                " version: '1', sub_processors: [{name: Sky AB, country: SE}]}\n",
            )
        ),
    ),
    ("consent-where-necessary", BASE),
    (
        "cookie-consent",
        web("consent")
        + "cookies:\n  - {name: session, vendor: Test Alarm AS, purpose: {nb: Innlogging,"
        " en: Login}, lifetime: session, consent_required: false}\n",
    ),
    (
        "category-unused",
        vary(("categories:\n", "categories:\n  user: {name: {nb: Alt, en: All}}\n")),
    ),
    ("retention-missing", BASE),
    ("retention-criterion", BASE),
    ("placeholder", vary(('"Bilder lagres i 7 dager."', '"Bilder […] lagres i 7 dager …"'))),
    (
        "unfinished-sentence",
        vary(('"Bilder lagres i 7 dager."', '"Hvor lenge lagrer vi? I 7 dager."')),
    ),
    ("impossible-date", vary(('"Bilder lagres i 7 dager."', '"Oppdatert 28.02.2019"'))),
    ("id-document-copy", BASE + "rights: {verification: [mine_sider, id_document_checked]}\n"),
    ("suppression-list", vary(MARKETS, *LIST_DECLARED)),
]  # fmt: skip


@pytest.mark.parametrize(("rule", "text"), FINE, ids=[f"{r}-{i}" for i, (r, _) in enumerate(FINE)])
def test_a_rule_is_silent_on_a_policy_that_keeps_it(rule: str, text: str) -> None:
    assert by_rule(text, rule) == []


def test_direct_marketing_to_customers_may_rest_on_legitimate_interest() -> None:
    text = vary(
        ("    legal_basis: consent\n", "    legal_basis: legitimate_interest\n"),
        (
            "    withdrawal: {nb: Lenken i hvert brev, en: The link in every letter}\n",
            "    legitimate_interest: {nb: Markedsføring til egne kunder, en: Marketing to our"
            " own customers}\n",
        ),
    )
    assert findings(text) == []


def test_a_finding_carries_line_path_and_the_nearest_quote() -> None:
    text = vary(("{keep: 7d, from: captured,", "{criterion: {nb: Så lenge nødvendig, en: x},"))
    [finding] = by_rule(text, "retention-criterion")
    line = next(i for i, s in enumerate(text.splitlines(), 1) if "Så lenge nødvendig" in s)
    assert finding.severity == "error"
    assert finding.path == "activities[0].retention.user.alarm.media"
    assert finding.line == line
    assert finding.quote == "Bilder lagres i 7 dager."


def test_a_finding_without_its_own_quote_takes_its_activitys() -> None:
    [finding] = by_rule(vary(("    consequence: {nb: Uten", "    #")), "required-consequence")
    assert finding.quote == "Vi behandler opplysninger for å levere tjenesten."
    assert finding.path == "activities[0].required"


def test_findings_are_sorted_by_severity_then_line() -> None:
    text = vary(
        ("  email: post@test.example\n", ""),
        ('  org_no: "999999999"\n', ""),
        ("dpa_signed: 2025-03-01", "dpa_signed: 2026-02-01"),
        ("en: Send newsletters", "en: x"),
    )
    found = findings(text)
    order = {"error": 0, "warning": 1, "info": 2}
    keys = [(order[f.severity], f.line or 0) for f in found]
    assert keys == sorted(keys)
    assert found[0].severity == "error" and found[-1].severity == "warning"


def test_today_decides_whether_a_date_is_in_the_future() -> None:
    text = vary(("date: 2026-01-01", "date: 2026-07-01"))
    assert by_rule(text, "policy-date")
    assert lint(loads(text), date(2026, 8, 1)) == []


def test_a_text_defect_outside_any_quote_quotes_the_text_itself() -> None:
    [finding] = by_rule(
        vary(('version: "1"', 'version: "oppdatert 30.02.2019"')), "impossible-date"
    )
    assert (finding.path, finding.line, finding.quote) == ("version", 1, "oppdatert 30.02.2019")


def test_contract_for_a_group_that_is_no_party_is_an_error() -> None:
    # N-01: alarm contacts are not party to the customer's contract.
    from pathlib import Path

    from alarmvern.policy import loads as _loads
    from alarmvern.policy.lint import lint as _lint

    packs = Path(__file__).parent.parent / "src" / "alarmvern" / "policy" / "packs"
    text = (packs / "default.yaml").read_text(encoding="utf-8")
    clean = _loads(text, "default.yaml")
    assert [f for f in _lint(clean) if f.rule == "contract-non-party"] == []
    broken = text.replace(
        "      alarm_contact: {legal_basis: legitimate_interest,", "      x_removed: {legal_basis:"
    )
    broken = "\n".join(
        line for line in broken.splitlines() if not line.startswith("      x_removed:")
    )
    found = [f for f in _lint(_loads(broken, "default.yaml")) if f.rule == "contract-non-party"]
    assert len(found) == 1  # one finding per activity, not one per group or sentence
    assert "alarm_contact" in found[0].message_en and found[0].severity == "error"
