"""The suppression list (the people who objected to direct marketing, kept as codes so that
they are not contacted again): the rights code keeps it under every pack, so the notice of
every pack says so, and the linter asks a pack that markets to declare its category."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import Engine, func, select

from alarmvern.policy import Policy, load, loads, pack_names
from alarmvern.policy.lint import Finding, lint
from alarmvern.policy.lint.retention import SUPPRESSION_CATEGORY
from alarmvern.policy.notice import build_notice
from alarmvern.policy.notice.document import Para, Section
from alarmvern.policy.wording import PROSE
from alarmvern.rights import objection
from alarmvern.store import tables as t
from alarmvern.store.datamap import bindings
from alarmvern.vault import FolderBlobStore, MasterKey, Vault
from tests import builders as b
from tests.policies import BASE

PACKS = pack_names()
TODAY = date(2026, 6, 1)


def _marketing_paragraphs(policy: Policy, lang: str) -> list[str]:
    document = build_notice(policy, lang)  # type: ignore[arg-type]
    rights = next(
        s for s in document.sections if s.id == ("rettigheter" if lang == "nb" else "rights")
    )
    sub: Section = next(s for s in rights.subsections if s.id.endswith("-marketing"))
    return [block.text for block in sub.blocks if isinstance(block, Para)]


def _says_it_keeps_the_list(policy: Policy, lang: str) -> bool:
    nb, en = PROSE["marketing_suppression"]
    return (nb if lang == "nb" else en) in _marketing_paragraphs(policy, lang)


def _keeps_the_list(engine: Engine, vault: Vault, policy: Policy) -> bool:
    """Ask the rights code itself: does an objection to marketing put anyone on the list?"""
    with engine.begin() as conn:
        person = b.person(conn, vault, email="Kari@Example.test", phone="+47 912 34 567")
        objection.object_to_marketing(conn, vault, policy, person, actor="test")
        count = conn.execute(select(func.count()).select_from(t.marketing_suppressions))
        return int(count.scalar_one()) > 0


@pytest.mark.parametrize("name", PACKS)
def test_the_notice_says_the_list_is_kept_where_the_rights_code_keeps_it(
    name: str, sqlite_engine: Engine, tmp_path: Path
) -> None:
    policy = load(name).policy
    vault = Vault(MasterKey.generate(), FolderBlobStore(tmp_path / "blobs"))
    kept = _keeps_the_list(sqlite_engine, vault, policy)
    assert kept  # whatever the pack: an objection to marketing is remembered
    for lang in ("nb", "en"):
        assert _says_it_keeps_the_list(policy, lang) is kept, (name, lang)


def test_the_rule_reads_the_category_the_store_keeps_the_list_under() -> None:
    found = [
        binding for table, binding in bindings(t.metadata) if table.name == "marketing_suppressions"
    ]
    assert [binding.category for binding in found] == [SUPPRESSION_CATEGORY]


def _suppression_findings(name: str) -> list[Finding]:
    return [f for f in lint(load(name), TODAY) if f.rule == "suppression-list"]


@pytest.mark.parametrize("name", PACKS)
def test_a_pack_that_markets_declares_the_list_or_the_linter_says_so(name: str) -> None:
    policy = load(name).policy
    declared = bool(policy.activities_for(SUPPRESSION_CATEGORY)) and bool(
        policy.retention_for(SUPPRESSION_CATEGORY)
    )
    markets = any(a.marketing for a in policy.activities)
    found = _suppression_findings(name)
    assert len(found) == (1 if markets and not declared else 0), [str(f) for f in found]
    assert all(f.line is not None and f.severity == "warning" for f in found)


def test_some_pack_markets_without_declaring_the_list_and_the_default_declares_it() -> None:
    """The test above compares something: both cases occur among the packs."""
    assert _suppression_findings("default") == []
    assert any(_suppression_findings(name) for name in PACKS)


MARKETING = ("    legal_basis: consent\n", "    legal_basis: consent\n    direct_marketing: true\n")


def test_without_marketing_the_rule_is_silent_and_the_notice_still_says_it() -> None:
    policy = loads(BASE, name="test.yaml")
    assert [f for f in lint(policy, TODAY) if f.rule == "suppression-list"] == []
    assert _says_it_keeps_the_list(policy.policy, "nb")


def test_a_category_above_the_lists_covers_it() -> None:
    text = BASE.replace(*MARKETING, 1).replace(
        "  user.alarm.media:",
        "  user.privacy_preferences: {name: {nb: Reservasjoner, en: Objections}}\n"
        "  user.alarm.media:",
        1,
    )
    text = text.replace(
        "    categories: [user.contact]\n    retention:\n",
        "    categories: [user.contact, user.privacy_preferences]\n    retention:\n"
        "      user.privacy_preferences: {keep: 10y, from: captured}\n",
        1,
    )
    found = [f for f in lint(loads(text, name="test.yaml"), TODAY) if f.rule == "suppression-list"]
    assert found == []


def test_a_list_processed_but_kept_for_no_stated_time_is_reported() -> None:
    text = BASE.replace(*MARKETING, 1).replace(
        "  user.alarm.media:",
        "  user.privacy_preferences.objection: {name: {nb: Reservasjoner, en: Objections}}\n"
        "  user.alarm.media:",
        1,
    )
    text = text.replace(
        "    categories: [user.contact]\n",
        "    categories: [user.contact, user.privacy_preferences.objection]\n",
        1,
    )
    found = [f for f in lint(loads(text, name="test.yaml"), TODAY) if f.rule == "suppression-list"]
    assert [f.message_en.split(", but ")[1] for f in found] == [
        'no rule says how long the list ("user.privacy_preferences.objection") is kept. Give it '
        "a retention rule."
    ]
