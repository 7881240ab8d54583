import re
from pathlib import Path

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


def test_migrations_build_every_declared_column(engine: Engine) -> None:
    """A table's migration and its declaration agree column by column, so a column added to
    ``store/tables/`` without its migration (or the other way round) fails here."""
    inspector = inspect(engine)
    for table in metadata.sorted_tables:
        migrated = {c["name"]: c for c in inspector.get_columns(table.name)}
        assert set(migrated) == {c.name for c in table.columns}, table.name
        for column in table.columns:
            if column.primary_key:
                continue  # SQLite reports INTEGER PRIMARY KEY as nullable
            assert migrated[column.name]["nullable"] == column.nullable, (
                f"{table.name}.{column.name}"
            )


def _documented_categories() -> dict[str, str]:
    doc = Path(__file__).parents[1] / "docs" / "categories.md"
    rows = re.findall(r"^\| ([a-z_.]+) \| (.*?) \|", doc.read_text(encoding="utf-8"), re.M)
    return {category: tables for category, tables in rows if category != "category"}


def test_docs_categories_lists_exactly_the_data_maps_categories() -> None:
    """docs/categories.md is written by hand; this keeps it true to the data map: every
    category a table binds (as a whole or by column) is listed with that table, and nothing
    is listed that no table holds."""
    held: dict[str, set[str]] = {}
    for table, binding in bindings(metadata):
        for category in {binding.category, *binding.columns.values()}:
            held.setdefault(category, set()).add(table.name)
    documented = _documented_categories()
    assert set(documented) == set(held)
    for category, tables in held.items():
        named = set(re.findall(r"[a-z_]+", documented[category]))
        assert tables <= named, f"{category}: {sorted(tables - named)} missing in the doc"


def test_alarm_events_have_the_declared_indexes_and_no_duplicate(engine: Engine) -> None:
    """Every index of alarm_events costs the intake an entry per event stored: the migrated
    ones are the declared ones, and none is the leading column of another (0015 dropped
    ix_alarm_events_account_id, which ix_alarm_events_account_time answers for)."""
    table = metadata.tables["alarm_events"]
    migrated = {
        i["name"]: tuple(i["column_names"]) for i in inspect(engine).get_indexes(table.name)
    }
    declared = {str(i.name): tuple(c.name for c in i.columns) for i in table.indexes}
    assert migrated == declared
    for name, columns in migrated.items():
        longer = [other for other in migrated.values() if other != columns]
        assert not any(other[: len(columns)] == columns for other in longer), name
