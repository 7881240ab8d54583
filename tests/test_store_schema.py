import re

from sqlalchemy import Engine, inspect

from alarmvern.store import migrate
from alarmvern.store.datamap import Binding, bindings, unbound_tables
from alarmvern.store.tables import metadata


def test_every_table_declares_its_binding_or_why_it_has_none() -> None:
    assert unbound_tables(metadata) == []


def test_personal_tables_cover_the_kinds_of_data_in_the_notices() -> None:
    bound = {t.name for t, _ in bindings(metadata)}
    for name in ["persons", "alarm_events", "media", "presence", "call_recordings", "leads"]:
        assert name in bound


def test_binding_refuses_a_column_the_table_lacks() -> None:
    from sqlalchemy import Column, Integer, MetaData, Table

    from alarmvern.store.datamap import bind

    table = Table("t", MetaData(), Column("id", Integer, primary_key=True))
    try:
        bind(table, Binding(category="user.name", subjects=("customer",), subject="person_id"))
    except ValueError as exc:
        assert "person_id" in str(exc)
    else:
        raise AssertionError("a binding naming a missing column was accepted")


def test_migrations_build_exactly_the_declared_tables(engine: Engine) -> None:
    assert migrate.current(engine) == migrate.head()
    names = set(inspect(engine).get_table_names()) - {"alembic_version"}
    partitions = {n for n in names if re.search(r"_(default|p\d{6})$", n)}
    assert names - partitions == set(metadata.tables)
    if engine.dialect.name == "postgresql":
        assert partitions == {"alarm_events_default", "media_default"}
