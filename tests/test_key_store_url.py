"""The key store given by URL: shared by several nodes, never the main database."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import SecretStr
from sqlalchemy import Engine

from alarmvern.errors import VaultError
from alarmvern.initialise import initialise
from alarmvern.settings import Settings
from alarmvern.system import open_system
from alarmvern.vault import MasterKey
from alarmvern.vault.keystore import refuse_main_database


def _url(engine: Engine) -> str:
    return engine.url.render_as_string(hide_password=False)


def test_two_nodes_sharing_the_main_and_key_databases_read_each_others_fields(
    pg_engine: Engine, pg_key_store_url: str, tmp_path: Path
) -> None:
    master = SecretStr(MasterKey.generate().encoded())
    common = {"database_url": _url(pg_engine), "key_store_url": pg_key_store_url}
    a = Settings(data_dir=tmp_path / "a", master_key=master, **common)  # type: ignore[arg-type]
    b = Settings(data_dir=tmp_path / "b", master_key=master, **common)  # type: ignore[arg-type]
    initialise(a)
    initialise(b)
    node_a, node_b = open_system(a), open_system(b)
    try:
        with node_a.engine.begin() as conn:
            token = node_a.vault.encrypt_field(conn, "person:1", "people", "nin", "01017012345")
        with node_b.engine.connect() as conn:
            assert node_b.vault.decrypt_field(conn, "person:1", "people", "nin", token) == (
                "01017012345"
            )
        assert not (tmp_path / "a" / "keys" / "subject-keys.db").exists()
    finally:
        node_a.close()
        node_b.close()


def test_a_key_store_in_the_main_database_is_refused_at_start_up(
    pg_engine: Engine, tmp_path: Path
) -> None:
    settings = Settings(
        data_dir=tmp_path / "data",
        master_key=SecretStr(MasterKey.generate().encoded()),
        database_url=_url(pg_engine),
        key_store_url=_url(pg_engine),
    )
    with pytest.raises(VaultError, match=r"ALARMVERN_KEY_STORE_URL.*main database"):
        initialise(settings)
    with pytest.raises(VaultError, match="main database"):
        open_system(settings)


@pytest.mark.parametrize(
    ("keys", "main", "same"),
    [
        ("postgresql://u@db1:5432,db2:5433/keys", "postgresql://u@db2:5433,db1/keys", True),
        ("postgresql://u@db1,db2/keys", "postgresql://u@db1,db2/alarmvern", False),
        (
            "postgresql://localhost/alarmvern",
            "postgresql+psycopg://x@localhost:5432/alarmvern",
            True,
        ),
        ("sqlite:///a/../k.db", "sqlite:///k.db", True),
        ("sqlite:///keys.db", "sqlite:///main.db", False),
    ],
)
def test_the_same_database_is_recognised_under_another_spelling(
    keys: str, main: str, same: bool
) -> None:
    if same:
        with pytest.raises(VaultError):
            refuse_main_database(keys, main)
    else:
        refuse_main_database(keys, main)
