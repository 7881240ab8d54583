"""Policy changes that can be staged (#17 item 4), on SQLite and PostgreSQL: a version dated
after today is stored and shown as coming while the one before is enforced; the customers to
tell as CSV and by e-mail once per version (against a real SMTP server); the "erklæringen er
endret" banner on Mine Sider until the person marks it read."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import Engine, select

from alarmvern import policy_staging, policy_telling
from alarmvern.outbox import FileOutbox, Outbox, OutboxSettings, SmtpMail
from alarmvern.policy import load
from alarmvern.policy.lint import lint
from alarmvern.store import tables as t
from alarmvern.system import open_system
from alarmvern.web.security import Role, create_login
from tests import builders as b
from tests.smtp_support import Inbox, smtp  # noqa: F401
from tests.test_rights_selfservice import csrf, page_client
from tests.web_support import PASSWORD, Web, web  # noqa: F401

LATER = 40  # days until the staged version applies


def staged_file(folder: Path, days: int = LATER) -> Path:
    """The default pack, dated ``days`` from today, keeping alarm images 14 days (material)."""
    text = load("default").text
    when = policy_staging.today() + timedelta(days=days)
    changed = (
        text.replace("date: 2026-05-01", f"date: {when.isoformat()}")
        .replace('version: "2026.1"', 'version: "2027.1"')
        .replace("user.alarm.media: {keep: 7d", "user.alarm.media: {keep: 14d")
    )
    assert changed.count("2027.1") == 1 and "keep: 14d" in changed
    path = folder / "policy-v2.yaml"
    path.write_text(changed)
    return path


@pytest.fixture
def staged(web: Web, tmp_path: Path) -> Iterator[Web]:  # noqa: F811
    """The same store restarted on a policy dated later (as `serve --policy new.yaml` does)."""
    settings = web.system.settings.model_copy(update={"policy": str(staged_file(tmp_path))})
    system = open_system(settings)
    system.outbox = Outbox(  # type: ignore[attr-defined]
        email=FileOutbox(tmp_path / "outbox"), sms=FileOutbox(tmp_path / "outbox")
    )
    yield Web(system, web.world)
    system.close()


def version_ids(w: Web) -> list[int]:
    with w.system.engine.connect() as conn:
        return list(
            conn.execute(select(t.policy_versions.c.id).order_by(t.policy_versions.c.id)).scalars()
        )


def test_a_later_dated_version_is_stored_and_the_one_before_enforced_until_then(
    web: Web,  # noqa: F811
    staged: Web,
) -> None:
    first, system = web.system.policy, staged.system
    assert system.staged is not None and system.staged.policy.version == "2027.1"
    # Today the version it ran on before is in force; from the staged date, the new one.
    assert system.policy.sha256 == first.sha256
    when = system.staged.policy.date
    assert system.timeline.in_force(when - timedelta(days=1)).sha256 == first.sha256
    assert system.timeline.in_force(when).sha256 == system.staged.sha256
    assert system.timeline.coming(when - timedelta(days=1)) is system.staged
    assert system.timeline.coming(when) is None
    assert len(version_ids(staged)) == 2
    with system.engine.connect() as conn:
        actions = conn.execute(select(t.audit_log.c.action)).scalars().all()
    assert "policy.staged" in actions
    assert any("is staged: it applies from" in w for w in system.warnings)
    # The linter says when it applies; a later date is no longer an error.
    findings = [f for f in lint(system.staged) if f.rule == "policy-date"]
    assert [f.severity for f in findings] == ["info"]
    # Restarted on the first file again, the store still knows both, and the first applies.
    again = open_system(web.system.settings)
    try:
        assert again.staged is None and again.policy.sha256 == first.sha256
    finally:
        again.close()


def test_a_later_dated_policy_with_nothing_before_it_applies_now_with_a_warning(
    engine: Engine, tmp_path: Path
) -> None:
    later = load(staged_file(tmp_path))
    today = policy_staging.today()
    with engine.begin() as conn:
        # A version this program cannot read is passed over, as if it were not there.
        conn.execute(
            t.policy_versions.insert().values(
                name="old", version="1", sha256="0" * 64, policy_date=date(2025, 1, 1),
                applied_at=datetime(2025, 1, 1, tzinfo=UTC), source="version: [",
            )
        )  # fmt: skip
        timeline, warning = policy_staging.timeline(conn, later, today)
        assert timeline.staged is None and timeline.current is later
        assert warning is not None and "applies now" in warning
        first = load("default")
        conn.execute(
            t.policy_versions.insert().values(
                name=first.name, version=first.policy.version, sha256=first.sha256,
                policy_date=first.policy.date, applied_at=datetime.now(UTC), source=first.text,
            )
        )  # fmt: skip
        timeline, warning = policy_staging.timeline(conn, later, today)
    assert warning is None and timeline.staged is later
    assert timeline.current.sha256 == first.sha256


def test_state_words_and_the_timeline_are_one_rule() -> None:
    day = policy_staging.today()
    later = day + timedelta(days=3)
    assert policy_staging.state(later, "b", "a", day) == "coming"
    assert policy_staging.state(day, "a", "a", day) == "in_force"
    assert policy_staging.state(day, "b", "a", day) == "earlier"
    nb, en = policy_staging.state_words("coming", later)
    assert nb == f"Kommer {later.strftime('%d.%m.%Y')}" and en.startswith("Coming")


def test_the_dpo_sees_it_coming_exports_and_tells_the_customers_once(staged: Web) -> None:
    w = staged.world
    dpo = page_client(staged, "dpo")
    page = dpo.get("/personvern/policy").text
    when = staged.system.staged.policy.date if staged.system.staged else None
    assert when is not None
    assert f"Kommer {when.strftime('%d.%m.%Y')}" in page and "Gjelder nå" in page
    new_id = version_ids(staged)[-1]
    listed = staged.client("dpo").get("/api/v1/policy/versions").json()["items"]
    assert [(v["state"], v["current"]) for v in listed] == [("in_force", True), ("coming", False)]
    # The CSV: every current customer, none told yet.
    answer = dpo.get(f"/personvern/policy/{new_id}/kunder.csv")
    assert answer.status_code == 200 and answer.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(answer.text)))
    assert sorted(r["kundenr"] for r in rows) == ["K100", "K200"]
    assert all(r["varslet"] == "" for r in rows)
    # Nothing to tell for the first version (no material change).
    first_id = version_ids(staged)[0]
    assert dpo.get(f"/personvern/policy/{first_id}/kunder.csv").status_code == 409
    # Tell them: each customer once.
    token = csrf(dpo, f"/personvern/policy/{new_id}/kunder")
    told = dpo.post(f"/personvern/policy/{new_id}/varsle", data={"csrf_token": token})
    assert told.status_code == 303
    sent = staged.system.outbox.email  # type: ignore[attr-defined]
    assert isinstance(sent, FileOutbox)
    lines = (sent.folder / "email.jsonl").read_text().splitlines()
    assert len(lines) == 2 and "Personvernerklæringen" in lines[0]
    again = dpo.post(f"/personvern/policy/{new_id}/varsle", data={"csrf_token": token})
    assert again.status_code == 303
    assert len((sent.folder / "email.jsonl").read_text().splitlines()) == 2, "sent once"
    with staged.system.engine.connect() as conn:
        notices = conn.execute(select(t.policy_notices)).all()
    told_people = {n.person_id for n in notices if n.version_id == new_id and n.told_at}
    assert told_people == {w.person, w.kari.neighbour}
    rows = list(
        csv.DictReader(io.StringIO(dpo.get(f"/personvern/policy/{new_id}/kunder.csv").text))
    )
    assert all(r["varslet"] for r in rows)
    # Customer service may look and export, not send.
    service = page_client(staged, "customer_service")
    assert service.get(f"/personvern/policy/{new_id}/kunder.csv").status_code == 200
    refused = service.post(f"/personvern/policy/{new_id}/varsle", data={"csrf_token": token})
    assert refused.status_code == 403
    # Each look at the customers is audited, where it is read (policy_telling).
    with staged.system.engine.connect() as conn:
        looks = conn.execute(
            select(t.audit_log.c.actor, t.audit_log.c.action)
            .where(t.audit_log.c.purpose == f"policy-change:{new_id}")
            .where(t.audit_log.c.action.in_(("staff.export", "staff.view")))
            .order_by(t.audit_log.c.seq)
        ).all()
    d, s = w.actor("dpo"), w.actor("customer_service")
    assert [tuple(look) for look in looks] == [
        (d, "staff.export"), (d, "staff.view"), (d, "staff.export"), (s, "staff.export")
    ]  # fmt: skip


BANNER = "Personvernerklæringen er endret"


def test_mine_sider_shows_the_change_until_the_person_marks_it_read(staged: Web) -> None:
    new_id = version_ids(staged)[-1]
    kari, ola = page_client(staged, "customer"), page_client(staged, "neighbour")
    # Not yet told of the coming version, and the version in force changed nothing.
    assert BANNER not in kari.get("/mine-sider").text
    with staged.system.engine.connect() as conn:
        version = policy_telling.material_version(conn, new_id)
    policy_telling.tell_by_email(
        staged.system.engine,
        staged.system.vault,
        staged.system.outbox,  # type: ignore[attr-defined]
        version.id,
        actor="dpo:1",
    )
    home = kari.get("/mine-sider").text
    assert BANNER in home and 'href="/mine-sider/erklaering-endret"' in home
    assert home.index(BANNER) < home.index("Siste hendelser")
    changes = kari.get("/mine-sider/erklaering-endret").text
    assert "14" in changes and "/mine-sider/personvern" in changes
    english = kari.get("/lang/en", params={"next": "/mine-sider"}, follow_redirects=True).text
    assert "The privacy notice has changed" in english
    kari.get("/lang/nb", params={"next": "/mine-sider"})
    token = csrf(kari, "/mine-sider/erklaering-endret")
    read = kari.post(f"/mine-sider/erklaering-endret/{new_id}/lest", data={"csrf_token": token})
    assert read.status_code == 303, read.text
    assert read.headers["location"] == "/mine-sider?ok=policy-read"
    after = kari.get(read.headers["location"]).text
    assert BANNER not in after and "Vi har registrert at du har lest endringene" in after
    # Per person: Ola has not read it.
    assert BANNER in ola.get("/mine-sider").text
    with staged.system.engine.connect() as conn:
        (row,) = conn.execute(
            select(t.policy_notices).where(
                t.policy_notices.c.person_id == staged.world.person,
                t.policy_notices.c.version_id == new_id,
            )
        ).all()
        audited = conn.execute(
            select(t.audit_log.c.action).where(t.audit_log.c.action == "policy.read")
        ).all()
    assert row.told_at is not None and row.read_at is not None and len(audited) == 1


def test_customers_are_told_by_real_smtp_once_per_version(
    staged: Web,
    smtp: Inbox,  # noqa: F811
) -> None:
    settings = OutboxSettings(
        smtp_host="127.0.0.1", smtp_port=smtp.port, smtp_tls="none", public_url="https://a.example"
    )
    box = Outbox(
        email=SmtpMail(settings),
        sms=FileOutbox(staged.system.settings.data_dir),
        public_url=settings.public_url,
    )
    new_id = version_ids(staged)[-1]
    system = staged.system
    told = policy_telling.tell_by_email(system.engine, system.vault, box, new_id, actor="dpo:1")
    assert (told.sent, told.already, told.failed) == (2, 0, 0)
    (mail,) = smtp.to("kari@example.test")
    assert mail["Subject"].startswith("Personvernerklæringen til")
    body = mail.get_content()
    assert body.index("endres fra") < body.index("changes from")
    assert "https://a.example/mine-sider/erklaering-endret" in body
    assert "https://a.example/lang/en?next=/mine-sider/erklaering-endret" in body
    again = policy_telling.tell_by_email(system.engine, system.vault, box, new_id, actor="dpo:1")
    assert (again.sent, again.already) == (0, 2) and len(smtp.messages) == 2
    with system.engine.connect() as conn:
        templates = conn.execute(select(t.outbox_messages.c.template)).scalars().all()
    assert templates.count(policy_telling.TEMPLATE) == 2


def test_a_customer_registered_after_a_change_applied_is_not_told_of_it(
    web: Web,  # noqa: F811
    tmp_path: Path,
) -> None:
    """The notice a newcomer was given is the changed one: no banner for them, while a
    customer from before the change sees it."""
    settings = web.system.settings.model_copy(update={"policy": str(staged_file(tmp_path, days=0))})
    system = open_system(settings)
    try:
        now = Web(system, web.world)
        assert BANNER in page_client(now, "customer").get("/mine-sider").text
        with system.engine.begin() as conn:
            newcomer = b.person(conn, name="Nina Ny", email="nina@example.test")
            b.account(conn, newcomer, "K-NY")
            create_login(
                conn, username="nina", password=PASSWORD, role=Role.customer, person_id=newcomer
            )
        assert BANNER not in page_client(now, "nina").get("/mine-sider").text
    finally:
        system.close()
