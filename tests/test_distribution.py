"""Every personal table carries its distribution key (the customer account) or is a
reference table, and the account column really points at the account (docs/deploy.md)."""

from __future__ import annotations

import pytest
from sqlalchemy import Column, Integer, MetaData, Table

from alarmvern.store.datamap import Binding, bind, bindings
from alarmvern.store.distribution import REFERENCE, placements
from alarmvern.store.tables import metadata


def test_every_personal_table_has_its_account_or_is_a_reference_table() -> None:
    placed = {p.table: p for p in placements(metadata)}
    assert set(placed) == {table.name for table, _ in bindings(metadata)}
    distributed = [p for p in placed.values() if p.key is not None]
    # The tables that grow with the alarms are all distributed.
    for name in ("alarm_events", "incidents", "media", "call_recordings", "sites"):
        assert placed[name].key is not None, name
    assert len(distributed) > len(REFERENCE) / 2


def test_the_distribution_key_refers_to_the_customer_account() -> None:
    for table, binding in bindings(metadata):
        if binding.account is None or table.name == "customer_accounts":
            continue
        targets = {fk.target_fullname for fk in table.c[binding.account].foreign_keys}
        assert targets == {"customer_accounts.id"}, (table.name, targets)


def test_reference_tables_are_personal_tables_without_an_account() -> None:
    personal = {table.name: binding for table, binding in bindings(metadata)}
    for name in REFERENCE:
        assert name in personal, f"{name} is listed as a reference table but is not personal"
        assert personal[name].account is None, f"{name} has its account: distribute it"


def test_a_personal_table_with_neither_is_named() -> None:
    other = MetaData()
    bind(
        Table(
            "gadgets", other, Column("id", Integer, primary_key=True), Column("person_id", Integer)
        ),
        Binding(category="user.contact", subjects=("customer",), subject="person_id"),
    )
    with pytest.raises(ValueError, match="gadgets: a personal table without its account"):
        placements(other)
