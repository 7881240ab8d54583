"""The erasure journal (security review H5): replay hits only what was erased.

(a) ids are never reused, so a replay cannot delete a new, unrelated person who got an
erased person's id; (b) an erasure that never committed (killed between its journal intent
and its commit) is never replayed, nor one whose request ended otherwise.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from alembic import command
from sqlalchemy import Engine, func, select

from alarmvern.initialise import initialise
from alarmvern.rights import journal, requests, service
from alarmvern.rights.requests import Channel, Kind
from alarmvern.settings import Settings
from alarmvern.store import migrate
from alarmvern.store import tables as t
from alarmvern.store.engine import create_store_engine
from alarmvern.system import System, open_system
from tests import builders as b
from tests import rights_world


class Killed(BaseException):
    """What a SIGKILL leaves: nothing after this point runs, the transaction never commits."""


@pytest.fixture
def system(engine: Engine, tmp_path: Path) -> Iterator[System]:
    url = engine.url.render_as_string(hide_password=False)
    settings = Settings(data_dir=tmp_path / "data", database_url=url)
    initialise(settings)
    opened = open_system(settings)
    yield opened
    opened.close()


def _erasure_request(system: System, person: int) -> int:
    with system.engine.begin() as conn:
        request = requests.open_request(
            conn, kind=Kind.erasure, channel=Channel.email, person_id=person, actor="test"
        )
        allowed = system.policy.policy.rights.verification
        requests.verify_identity(conn, request.id, method=allowed[0], actor="test", allowed=allowed)
    return request.id


def _persons(system: System, *ids: int) -> int:
    with system.engine.connect() as conn:
        query = select(func.count()).select_from(t.persons).where(t.persons.c.id.in_(ids))
        return int(conn.execute(query).scalar_one())


def test_replay_cannot_hit_a_new_person_who_got_an_erased_id(system: System) -> None:
    """Review F3d: erase the person with the highest id, add a new one, replay."""
    with system.engine.begin() as conn:
        b.person(conn, name="Eldre Person", email="a@example.test")
        erased = b.person(conn, name="Siste Person", email="b@example.test")
    request = _erasure_request(system, erased)
    service.erase(system, request, actor="test")
    with system.engine.begin() as conn:
        newcomer = b.person(conn, name="Ny Person", email="c@example.test")
    assert newcomer > erased  # never the erased id again
    assert service.replay(system, "2020-01-01", actor="test") == 1
    assert service.replay(system, "2020-01-01", actor="test") == 1  # twice: nothing more
    assert _persons(system, newcomer) == 1 and _persons(system, erased) == 0


def test_an_erasure_killed_before_its_commit_is_never_replayed(
    system: System, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Review F3c: killed the moment the journal line is written; the request is then
    refused; a replay must leave the person alone."""
    with system.engine.begin() as conn:
        world = rights_world.build(conn, system.vault)
    request = _erasure_request(system, world.person)
    written = journal.Journal.append

    def append_then_die(self: journal.Journal, entry: journal.Entry) -> None:
        written(self, entry)
        raise Killed

    monkeypatch.setattr(journal.Journal, "append", append_then_die)
    with pytest.raises(Killed):
        service.erase(system, request, actor="test")
    monkeypatch.undo()
    log = service.erasure_journal(system)
    (intent,) = log.entries()
    assert not intent.committed and _persons(system, world.person) == 1
    with system.engine.begin() as conn:
        requests.close(conn, request, outcome="refused", actor="test", refused=True)
    assert journal.settle(system.engine, log) == 0  # it never committed: nothing to settle
    assert service.replay(system, "2020-01-01", actor="test") == 0
    assert _persons(system, world.person) == 1
    with system.engine.connect() as conn:
        token = conn.execute(
            select(t.persons.c.nin_enc).where(t.persons.c.id == world.person)
        ).scalar_one()
        subject = f"person:{world.person}"
        assert system.vault.decrypt_field(conn, subject, "persons", "nin_enc", token)


def test_a_commit_whose_marker_was_lost_is_settled_and_replayed(
    system: System, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Killed after the commit, before the marker: the next erasure settles it."""
    with system.engine.begin() as conn:
        first = b.person(conn, name="Første", email="a@example.test")
        second = b.person(conn, name="Andre", email="b@example.test")
    request = _erasure_request(system, first)

    def die(self: journal.Journal, entry_id: str) -> None:
        raise Killed

    monkeypatch.setattr(journal.Journal, "committed", die)
    with pytest.raises(Killed):
        service.erase(system, request, actor="test")
    monkeypatch.undo()
    log = service.erasure_journal(system)
    assert [e.committed for e in log.entries()] == [False]
    service.erase(system, _erasure_request(system, second), actor="test")  # settles first
    assert [e.committed for e in log.entries()] == [True, True]
    assert service.replay(system, "2020-01-01", actor="test") == 2


def test_migration_0013_stops_sqlite_reusing_ids_in_an_existing_database(tmp_path: Path) -> None:
    engine = create_store_engine(f"sqlite:///{tmp_path / 'old.db'}")
    with engine.begin() as conn:
        config = migrate.alembic_config()
        config.attributes["connection"] = conn
        command.upgrade(config, "0006")
    with engine.begin() as conn:
        kept = b.person(conn, name="A", email="a@example.test")
        account = b.account(conn, kept)
        top = b.person(conn, name="B", email="b@example.test")
    migrate.upgrade(engine)
    with engine.begin() as conn:
        assert conn.execute(select(t.customer_accounts.c.holder_person_id)).scalar_one() == kept
        conn.execute(t.persons.delete().where(t.persons.c.id == top))
    with engine.begin() as conn:
        assert b.person(conn, name="C", email="c@example.test") > top
    assert account
    engine.dispose()
