"""`alarmvern breach`: register, list, decide, draft and mark sent from the command line."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import Engine, select

from alarmvern import audit
from alarmvern.store import tables as t
from tests import builders as b
from tests.smtp_support import Inbox, smtp  # noqa: F401
from tests.test_cli import run
from tests.web_support import database_url


def test_a_breach_goes_from_register_to_a_sent_notification(tmp_path: Path) -> None:
    assert run(tmp_path, "init").returncode == 0
    missing = run(tmp_path, "breach", "register", "--title", "T", "--description", "D")
    assert missing.returncode == 2 and "discovered_at" in missing.stderr
    made = run(
        tmp_path, "breach", "register", "--title", "Lost laptop", "--description", "Stolen",
        "--discovered", "2026-11-30T08:00", "--category", "user.contact",
    )  # fmt: skip
    assert made.returncode == 0, made.stderr
    assert "2026-12-03T08:00" in made.stdout  # 72 hours on
    listed = run(tmp_path, "breach", "list", "--json")
    assert '"title": "Lost laptop"' in listed.stdout
    unreasoned = run(tmp_path, "breach", "decide", "1", "--authority", "--no-people")
    assert unreasoned.returncode == 2 and "reasons" in unreasoned.stderr
    decided = run(
        tmp_path, "breach", "decide", "1", "--authority", "--no-people", "--reasons", "Risk"
    )
    assert decided.returncode == 0, decided.stderr
    drafted = run(tmp_path, "breach", "draft", "1", "--lang", "en")
    assert "(a) Categories of data" in drafted.stdout
    assert run(tmp_path, "breach", "sent", "1").returncode == 0
    again = run(tmp_path, "breach", "sent", "1")
    assert again.returncode == 2 and "sent_at" in again.stderr


def test_the_cli_sends_each_persons_message_by_smtp_and_refuses_an_unknown_category(
    tmp_path: Path,
    engine: Engine,
    smtp: Inbox,  # noqa: F811
) -> None:
    """On both databases: the people a login read are added from the audit log, and after
    the drafts are stored each one with an address gets the message at the SMTP server."""
    data, url = tmp_path / "data", database_url(engine)
    env = {"ALARMVERN_SMTP_HOST": "127.0.0.1", "ALARMVERN_SMTP_PORT": str(smtp.port)}
    env |= {"ALARMVERN_SMTP_TLS": "none", "ALARMVERN_DATABASE_URL": url}
    assert run(data, "init", env=env).returncode == 0
    with engine.begin() as conn:
        mailed = b.person(conn, email="lest@example.test")
        silent = b.person(conn, email=None, phone=None)
        for person in (mailed, silent):
            audit.append(conn, actor="op-x", action="staff.view", subject=f"person:{person}")
    unknown = run(
        data, "breach", "register", "--title", "T", "--description", "D",
        "--discovered", "2026-11-30T08:00", "--category", "user.nonsense", env=env,
    )  # fmt: skip
    assert unknown.returncode == 2 and "categories" in unknown.stderr
    assert "user.nonsense" in unknown.stderr
    made = run(
        data, "breach", "register", "--title", "Misbruk", "--description", "For mye lest",
        "--discovered", "2026-11-30T08:00", "--category", "user.contact", env=env,
    )  # fmt: skip
    assert made.returncode == 0, made.stderr
    window = ("--from", "2000-01-01T00:00", "--to", "2100-01-01T00:00")
    found = run(data, "breach", "affected", "1", "--login", "op-x", *window, "--add", env=env)
    assert found.returncode == 0, found.stderr
    assert "lagt til / added: 2" in found.stdout
    no_window = run(data, "breach", "affected", "1", "--login", "op-x", env=env)
    assert no_window.returncode == 2 and "start" in no_window.stderr
    decided = run(
        data, "breach", "decide", "1", "--no-authority", "--people", "--reasons", "Høy risiko",
        env=env,
    )  # fmt: skip
    assert decided.returncode == 0, decided.stderr
    drafted = run(data, "breach", "draft", "1", env=env)
    assert drafted.returncode == 0, drafted.stderr
    assert "sendt / sent: 1, feilet / failed: 0, for hånd / by hand: 1" in drafted.stdout
    (mail,) = smtp.to("lest@example.test")
    assert "Hei," in mail.get_content()
    with engine.connect() as conn:
        rows = conn.execute(select(t.breach_drafts.c.person_id, t.breach_drafts.c.to_send_by)).all()
    assert sorted(rows) == sorted([(mailed, "email"), (silent, "hand")])
