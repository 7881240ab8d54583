"""The diff between two policy versions, and which changes are material to data subjects."""

from __future__ import annotations

from string import Formatter

import pytest

from alarmvern.policy import Policy, loads
from alarmvern.policy.change_kinds import KINDS
from alarmvern.policy.diff import Change, diff
from tests.policies import BASE

NEW_ACTIVITY = """\
  - id: credit
    name: {nb: Kredittvurdering, en: Credit check}
    purpose: {nb: Vurdere kredittverdighet, en: Assess creditworthiness}
    legal_basis: legitimate_interest
    legitimate_interest: {nb: Unngå tap, en: Avoid losses}
    subjects: [customer]
    categories: [user.contact]
    retention:
      user.contact: {keep: 3mo, from: captured}
"""
US_RECIPIENT = """\
  - id: cloud
    name: {nb: Skyleverandør, en: Cloud provider}
    role: processor
    country: US
    transfer: dpf
"""


def policy(*pairs: tuple[str, str], append: str = "") -> Policy:
    text = BASE
    for old, new in pairs:
        assert old in text, old
        text = text.replace(old, new, 1)
    return loads(text + append).policy


def changes(*pairs: tuple[str, str], append: str = "") -> list[Change]:
    return list(diff(policy(), policy(*pairs, append=append)).changes)


def kinds(found: list[Change]) -> dict[str, bool]:
    return {c.kind: c.material for c in found}


def test_the_same_policy_has_no_changes() -> None:
    result = diff(policy(), policy())
    assert result.changes == () and not result.material and not result


# (what is changed, the change kind expected, whether it is material, old text, new text)
KEEP12 = "{keep: 12mo, from: relationship_end}"
KEEP7 = "{keep: 7d, from: captured,"
CASES = [
    ("new activity", "activity_added", True, "activities:\n", "activities:\n" + NEW_ACTIVITY),
    ("new recipient", "recipient_added", True, "recipients:\n", "recipients:\n" + US_RECIPIENT),
    ("new transfer", "transfer_added", True, "recipients:\n", "recipients:\n" + US_RECIPIENT),
    ("moves abroad", "transfer_added", True, 'country: "NO"', "country: US\n    transfer: scc"),
    ("role", "recipient_role", True, "role: processor", "role: independent_controller"),
    (
        "new category",
        "category_added",
        True,
        "categories:\n",
        "categories:\n  user.financial: {name: {nb: Økonomi, en: Finance}}\n",
    ),
    (
        "activity takes a category",
        "activity_category_added",
        True,
        "categories: [user.contact]\n",
        "categories: [user.contact, user.alarm.media]\n",
    ),
    ("longer", "retention_longer", True, KEEP7, "{keep: 30d, from: captured,"),
    ("longer hold", "retention_longer", True, KEEP7, "{keep: 7d, hold_max: 30d, from: captured,"),
    ("shorter", "retention_shorter", False, KEEP12, "{keep: 6mo, from: relationship_end}"),
    ("shorter in days", "retention_shorter", False, KEEP12, "{keep: 300d, from: relationship_end}"),
    ("longer in years", "retention_longer", True, KEEP12, "{keep: 2y, from: relationship_end}"),
    ("other anchor", "retention_changed", True, KEEP12, "{keep: 12mo, from: last_contact}"),
    (
        "to a vague criterion",
        "retention_changed",
        True,
        KEEP12,
        "{criterion: {nb: Så lenge nødvendig, en: As long as necessary}}",
    ),
    ("new exception", "retention_reworded", True, KEEP7, KEEP7 + " unless: [open_incident],"),
    (
        "quote reworded",
        "retention_reworded",
        False,
        '"Bilder lagres i 7 dager."',
        '"Bilder slettes etter 7 dager."',
    ),
    (
        "legal basis",
        "legal_basis_changed",
        True,
        "    legal_basis: contract\n",
        "    legal_basis: vital_interest\n",
    ),
    ("purpose reworded", "wording", False, "nb: Sende nyhetsbrev", "nb: Sende nyhetsbrev nå"),
    ("unshared", "activity_recipient_removed", False, "    recipients: [hosting]\n", ""),
    (
        "new sharing",
        "activity_recipient_added",
        True,
        "categories: [user.contact]\n",
        "categories: [user.contact]\n    recipients: [hosting]\n",
    ),
    (
        "new source",
        "activity_source_added",
        True,
        "    legal_basis: consent\n",
        "    legal_basis: consent\n    sources: [subject, public]\n"
        "    source_detail: {nb: Registre, en: Registers}\n",
    ),
    ("controller", "controller_changed", True, "name: Test Alarm AS", "name: Annen Alarm AS"),
    ("contact", "contact_changed", False, "post@test.example", "ny@test.example"),
]


@pytest.mark.parametrize(
    ("case", "kind", "material", "old", "new"), CASES, ids=[c[0] for c in CASES]
)
def test_each_change_is_found_and_judged(
    case: str, kind: str, material: bool, old: str, new: str
) -> None:
    found = kinds(changes((old, new)))
    assert kind in found, found
    assert found[kind] is material
    assert diff(policy(), policy((old, new))).material is any(found.values())


def test_a_removed_activity_is_not_material() -> None:
    with_credit = policy(("activities:\n", "activities:\n" + NEW_ACTIVITY))
    result = diff(with_credit, policy())
    assert kinds(list(result.changes)) == {"activity_removed": False}
    assert not result.material


def test_a_weaker_safeguard_is_material_and_a_stronger_one_not() -> None:
    scc = policy(('country: "NO"', "country: US\n    transfer: scc"))
    dpf = policy(('country: "NO"', "country: US\n    transfer: dpf"))
    weaker = diff(dpf, scc)
    assert kinds(list(weaker.changes)) == {"transfer_weaker": True} and weaker.material
    stronger = diff(scc, dpf)
    assert kinds(list(stronger.changes)) == {"transfer_changed": False}
    assert not stronger.material


def test_a_removed_recipient_is_not_material() -> None:
    found = kinds(
        list(diff(policy(append=""), policy(("    recipients: [hosting]\n", ""))).changes)
    )
    assert found == {"activity_recipient_removed": False}


def test_material_changes_come_first_with_both_languages() -> None:
    result = diff(
        policy(),
        policy(
            ("nb: Sende nyhetsbrev", "nb: Sende nyhetsbrev på e-post"),
            ("activities:\n", "activities:\n" + NEW_ACTIVITY),
        ),
    )
    assert result.material
    assert [c.material for c in result.changes] == [True, False]
    first = result.changes[0]
    assert first.path == "activities[credit]"
    assert first.new == "Vurdere kredittverdighet"
    assert "Nytt formål" in first.message_nb and "A new purpose" in first.message_en
    assert result.material_changes == (first,)


def test_a_wording_change_shows_old_and_new_text() -> None:
    [change] = changes(("nb: Sende nyhetsbrev", "nb: Sende nyhetsbrev på e-post"))
    assert change.path == "activities[newsletter].purpose"
    assert (change.old, change.new) == ("Sende nyhetsbrev", "Sende nyhetsbrev på e-post")


def test_a_new_cookie_is_material_and_a_lost_consent_requirement_too() -> None:
    cookie = (
        "cookies:\n  - {name: _ga, vendor: Google, purpose: {nb: Statistikk, en: Statistics},"
        " lifetime: 2y, consent_required: CONSENT}\n"
    )
    asking = policy(append=cookie.replace("CONSENT", "true"))
    assert kinds(list(diff(policy(), asking).changes)) == {"cookie_added": True}
    silent = policy(append=cookie.replace("CONSENT", "false"))
    assert kinds(list(diff(asking, silent).changes)) == {"cookie_changed": True}
    assert kinds(list(diff(silent, asking).changes)) == {"cookie_changed": False}


def test_a_longer_answer_deadline_is_material() -> None:
    slow = policy(append="rights: {deadline: 3mo}\n")
    assert kinds(list(diff(policy(), slow).changes)) == {"rights_deadline": True}
    assert kinds(list(diff(slow, policy()).changes)) == {"rights_deadline": False}


def test_every_kind_of_change_is_worded_in_both_languages_with_the_same_blanks() -> None:
    """The table of change kinds is the one place a kind is judged and worded: each row says
    it in bokmål and English, and both fill the same blanks."""

    def blanks(template: str) -> set[str]:
        return {name for _, name, _, _ in Formatter().parse(template) if name}

    for kind, row in KINDS.items():
        nb, en = row.words
        assert nb != en and blanks(nb) == blanks(en), kind
