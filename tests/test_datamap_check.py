"""The data-map check names the table and category the policy leaves uncovered."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import Engine

from alarmvern.store import check
from alarmvern.store.tables import presence
from tests.policies import covering, covering_store


def test_a_policy_covering_every_category_has_no_gaps() -> None:
    assert check.gaps(covering_store().policy) == []


def test_an_uncovered_category_is_named_with_its_tables() -> None:
    gaps = check.gaps(covering_store(except_="user.location.presence").policy)
    assert [(g.table, g.category, g.missing) for g in gaps] == [
        ("presence", "user.location.presence", "activity")
    ]
    assert "presence" in str(gaps[0]) and "user.location.presence" in str(gaps[0])


def test_a_category_without_retention_is_a_gap() -> None:
    policy = covering(["user"], retention=False).policy
    assert {g.missing for g in check.gaps(policy)} == {"retention"}


def test_a_parent_key_covers_the_keys_below_it() -> None:
    assert check.gaps(covering(["user"]).policy) == []


def test_only_tables_holding_rows_are_errors(engine: Engine) -> None:
    policy = covering_store(except_="user.location.presence").policy
    with engine.begin() as conn:
        assert [g.severity for g in check.gaps(policy, check.populated_tables(conn))] == ["warning"]
        from alarmvern.store.tables import persons

        person = conn.execute(persons.insert().values(name="Test")).inserted_primary_key[0]
        conn.execute(
            presence.insert().values(person_id=person, state="home", recorded_at=datetime.now(UTC))
        )
        assert [g.severity for g in check.gaps(policy, check.populated_tables(conn))] == ["error"]
