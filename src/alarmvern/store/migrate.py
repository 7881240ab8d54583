"""Schema migrations (Alembic), run from code so the CLI and the tests use one path."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine

from alarmvern.errors import SchemaError

MIGRATIONS = Path(__file__).parent / "migrations"


def alembic_config() -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    return config


def head() -> str:
    revision = ScriptDirectory.from_config(alembic_config()).get_current_head()
    assert revision is not None, "the package ships no migrations"
    return revision


def current(engine: Engine) -> str | None:
    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def upgrade(engine: Engine) -> None:
    """Bring the schema to this code's head; refuse a schema newer than the code."""
    check_not_newer(engine)
    with engine.connect() as conn:
        sqlite = conn.dialect.name == "sqlite"
        if sqlite:
            # A SQLite table is rebuilt by copy, drop and rename; with foreign keys on, the
            # drop would break every row pointing at it. The setting only takes outside a
            # transaction, so it is made before the migration's transaction begins, and the
            # keys are checked once it has committed.
            conn.connection.dbapi_connection.execute("PRAGMA foreign_keys=OFF")  # type: ignore[union-attr]
        try:
            with conn.begin():
                config = alembic_config()
                config.attributes["connection"] = conn
                command.upgrade(config, "head")
            if sqlite:
                broken = conn.exec_driver_sql("PRAGMA foreign_key_check").first()
                conn.rollback()
                if broken is not None:
                    raise SchemaError(
                        f"det migrerte skjemaet har en rad i {broken[0]} som peker på en rad "
                        f"i {broken[2]} som mangler; legg tilbake databasen fra en "
                        "sikkerhetskopi",
                        f"the migrated schema has a row in {broken[0]} pointing at a missing "
                        f"row of {broken[2]}; restore the database from a backup",
                        code="schema_broken",
                    )
        finally:
            if sqlite:
                conn.connection.dbapi_connection.execute("PRAGMA foreign_keys=ON")  # type: ignore[union-attr]


def check_not_newer(engine: Engine) -> None:
    revision = current(engine)
    if revision is None:
        return
    known = {s.revision for s in ScriptDirectory.from_config(alembic_config()).walk_revisions()}
    if revision not in known:
        raise SchemaError(
            f"databaseskjemaet ({revision}) er nyere enn denne alarmvern; "
            "oppgrader alarmvern før du bruker databasen",
            f"the database schema ({revision}) is newer than this alarmvern; "
            "upgrade alarmvern before using this database",
            code="schema_ahead",
        )


def check_current(engine: Engine) -> None:
    """Refuse to run on a schema that is not exactly this code's."""
    check_not_newer(engine)
    revision = current(engine)
    if revision != head():
        raise SchemaError(
            f"databaseskjemaet er på {revision or 'ingenting'}, denne koden trenger {head()}; "
            "migrer databasen (sett opp installasjonen på nytt)",
            f"the database schema is at {revision or 'nothing'}, this code needs {head()}; "
            "migrate the database (set the installation up again)",
            code="not_initialised",
        )
