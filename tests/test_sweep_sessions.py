"""Expired sessions and login link tokens are deleted by the retention sweep, and a login's
sessions and tokens go with it instead of keeping it from being deleted."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import Connection, Engine, delete, func, select

from alarmvern.policy import load
from alarmvern.retention import predicates
from alarmvern.retention.sweep import sweep
from alarmvern.store import removal
from alarmvern.store import tables as t
from alarmvern.vault import FolderBlobStore, MasterKey, Vault

POLICY = Path(__file__).parent / "data" / "retention.yaml"
NOW = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)


def login_with_sessions(conn: Connection, name: str) -> int:
    login = conn.execute(
        t.logins.insert()
        .values(username=name, password_hash="x", role="operator", created_at=NOW)
        .returning(t.logins.c.id)
    ).scalar_one()
    for token, expires in (
        (f"{name}-old", NOW - timedelta(hours=1)),
        (f"{name}-live", NOW + timedelta(hours=1)),
    ):
        conn.execute(
            t.sessions.insert().values(
                token_hash=token,
                login_id=login,
                csrf_token="c",
                created_at=NOW - timedelta(days=1),
                expires_at=expires,
            )
        )
        conn.execute(
            t.login_tokens.insert().values(
                token_hash=token,
                login_id=login,
                purpose="reset",
                created_at=NOW - timedelta(days=1),
                expires_at=expires,
            )
        )
    return int(login)


def tokens(engine: Engine) -> tuple[list[str], list[str]]:
    with engine.connect() as conn:
        return (
            sorted(conn.execute(select(t.sessions.c.token_hash)).scalars()),
            sorted(conn.execute(select(t.login_tokens.c.token_hash)).scalars()),
        )


def test_the_sweep_deletes_expired_sessions_and_link_tokens(engine: Engine, tmp_path: Path) -> None:
    with engine.begin() as conn:
        login_with_sessions(conn, "ola")
    vault = Vault(MasterKey.generate(), FolderBlobStore(tmp_path / "blobs"))
    report = sweep(engine, load(POLICY).policy, vault, now=NOW)
    assert report.sessions_deleted == 2
    assert tokens(engine) == (["ola-live"], ["ola-live"])


def test_a_logins_sessions_do_not_block_its_deletion_and_go_with_it(engine: Engine) -> None:
    with engine.begin() as conn:
        gone, kept = login_with_sessions(conn, "ola"), login_with_sessions(conn, "kari")
    blocked = select(func.count()).select_from(t.logins).where(predicates.blocked(t.logins))
    with engine.begin() as conn:
        assert conn.execute(blocked).scalar_one() == 0
        removal.release(conn, t.logins, [gone])
        conn.execute(delete(t.logins).where(t.logins.c.id == gone))  # no foreign-key error
    assert tokens(engine) == (["kari-live", "kari-old"], ["kari-live", "kari-old"])
    with engine.connect() as conn:
        assert list(conn.execute(select(t.logins.c.id)).scalars()) == [kept]
