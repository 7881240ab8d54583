"""What the notice offers per activity is what the rights code does, for every pack.

Three promises are properties of an activity on the model (``Activity.portable``,
``Activity.objectable``, ``Activity.marketing``). The notice prints them and the rights code
keeps them; these tests read the notice as the reader gets it (the built document) and ask
the rights code itself, so a copy of either rule that drifts shows up here.
"""

from __future__ import annotations

import re

import pytest

from alarmvern.policy import Policy, load, loads, pack_names
from alarmvern.policy.notice import build_notice
from alarmvern.policy.notice.document import Bullets, Para, Section
from alarmvern.rights import objection, portability
from alarmvern.rights.requests import RequestError
from tests.policies import BASE

PACKS = pack_names()


def _rights(policy: Policy) -> Section:
    document = build_notice(policy, "nb")
    return next(s for s in document.sections if s.id == "rettigheter")


def _names(text: str) -> list[str]:
    """The activity names a sentence lists after «Dette gjelder» (or one like it)."""
    return re.findall(r"«([^»]+)»", text)


def _listed_under(policy: Policy, right: str) -> list[str]:
    """The names the rights section lists under one right (its bold lead-in starts ``right``)."""
    section = _rights(policy)
    items = [i for b in section.blocks if isinstance(b, Bullets) for i in b.items]
    found = next(i for i in items if (i.label or "").startswith(right))
    _, _, which = found.text.partition("Dette gjelder ")
    return _names(which)


def _marketing_listed(policy: Policy) -> list[str]:
    section = _rights(policy)
    sub = next(s for s in section.subsections if s.id.endswith("-marketing"))
    texts = [b.text for b in sub.blocks if isinstance(b, Para)]
    return [n for t in texts if t.startswith("Vi sender direkte") for n in _names(t)]


def _accepts_objection(policy: Policy, activity: str) -> bool:
    try:
        objection.objectable_activity(policy, activity)
    except RequestError:
        return False
    return True


@pytest.mark.parametrize("name", PACKS)
def test_the_notice_offers_objection_to_exactly_what_the_rights_code_accepts(name: str) -> None:
    policy = load(name).policy
    listed = _listed_under(policy, "Protest (artikkel 21)")
    accepted = [a.name.nb for a in policy.activities if _accepts_objection(policy, a.id)]
    assert listed == accepted
    # And per activity, beside its legal basis: the hint to object where, and only where, one may.
    activities = next(s for s in build_notice(policy, "nb").sections if s.id == "behandlinger")
    for act, sub in zip(policy.activities, activities.subsections, strict=True):
        basis = next(
            b for b in sub.blocks if isinstance(b, Para) and b.label == "Rettslig grunnlag"
        )
        assert ("Du kan protestere mot behandlingen" in basis.text) is _accepts_objection(
            policy, act.id
        ), act.id


@pytest.mark.parametrize("name", PACKS)
def test_the_notice_offers_portability_for_what_the_package_carries(name: str) -> None:
    policy = load(name).policy
    listed = _listed_under(policy, "Dataportabilitet (artikkel 20)")
    offered = [a for a in policy.activities if a.name.nb in listed]
    assert [a.name.nb for a in offered] == listed  # every name is an activity's, in order
    # Each activity offered: all its data goes in the package.
    for act in offered:
        assert all(portability.is_portable(policy, c) for c in act.categories), act.id
    # And the package carries nothing the notice does not offer: each table in it belongs to
    # an activity the notice lists.
    for table in portability.portable_tables(policy):
        category = table.binding.category
        assert any(a in offered for a in policy.activities_for(category)), category


@pytest.mark.parametrize("name", PACKS)
def test_the_notice_names_the_marketing_a_marketing_objection_stops(name: str) -> None:
    policy = load(name).policy
    stopped = objection.stopped_by_marketing_objection(policy)
    assert _marketing_listed(policy) == [a.name.nb for a in stopped]


def test_every_pack_makes_each_promise_somewhere() -> None:
    """The tests above compare something: each promise is made by at least one pack."""
    policies = [load(name).policy for name in PACKS]
    assert any(a.portable for p in policies for a in p.activities)
    assert any(a.objectable for p in policies for a in p.activities)
    assert any(a.marketing for p in policies for a in p.activities)


# The cases where two copies of a rule disagreed, or could: each decided once, on the model.

PORTABLE_FOR_CUSTOMERS = """\
  - id: referrals
    name: {nb: Vervinger, en: Referrals}
    purpose: {nb: Registrere vervinger, en: Record referrals}
    legal_basis: legitimate_interest
    legitimate_interest: {nb: Belønne kunder som verver, en: Reward customers who refer}
    basis_for:
      customer: {legal_basis: contract}
    subjects: [customer]
    categories: [user.behavior.referral]
    provided_by_subject: true
"""


def _with(activity: str, category: str) -> Policy:
    text = BASE.replace(
        "categories:\n", f"categories:\n  {category}: {{name: {{nb: Verving, en: Referral}}}}\n", 1
    )
    return loads(text.replace("activities:\n", "activities:\n" + activity, 1)).policy


def test_data_given_under_a_contract_for_one_group_is_portable_in_the_notice_and_the_package() -> (
    None
):
    """Art. 20 is owed where the basis is contract or consent, for any subject group: the notice
    said so (any basis), the package did not (only the first basis). The notice was right."""
    policy = _with(PORTABLE_FOR_CUSTOMERS, "user.behavior.referral")
    assert "Vervinger" in _listed_under(policy, "Dataportabilitet (artikkel 20)")
    assert portability.is_portable(policy, "user.behavior.referral")


def test_an_activity_on_public_task_may_be_objected_to_in_the_notice_and_the_rights() -> None:
    public = PORTABLE_FOR_CUSTOMERS.replace(
        "legal_basis: legitimate_interest", "legal_basis: public_task"
    )
    public = public.replace("    basis_for:\n      customer: {legal_basis: contract}\n", "")
    policy = _with(public, "user.behavior.referral")
    assert "Vervinger" in _listed_under(policy, "Protest (artikkel 21)")
    assert objection.objectable_activity(policy, "referrals").id == "referrals"


def test_marketing_is_what_the_pack_declares_not_what_the_id_says() -> None:
    """An activity called ``newsletter`` that does not declare marketing is not stopped as
    marketing, and one that declares it is, whatever its id."""
    policy = loads(BASE).policy
    assert objection.stopped_by_marketing_objection(policy) == []
    assert _marketing_listed(policy) == []
    declared = loads(
        BASE.replace(
            "    legal_basis: consent\n",
            "    legal_basis: consent\n    direct_marketing: true\n",
            1,
        )
    ).policy
    assert [a.id for a in objection.stopped_by_marketing_objection(declared)] == ["newsletter"]
    assert _marketing_listed(declared) == ["Nyhetsbrev"]


def test_an_objection_refused_says_why_in_both_languages_and_names_no_cli_flag() -> None:
    policy = load("default").policy
    with pytest.raises(RequestError) as refused:
        objection.objectable_activity(policy, "bookkeeping")
    message = str(refused.value)
    assert "kan ikke protesteres mot" in message and "cannot be objected to" in message
    assert "--" not in message and "`" not in message
