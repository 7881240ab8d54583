"""The breach API: bad input is refused naming the field; the flow from register to sent."""

from __future__ import annotations

import json

from sqlalchemy import select

from alarmvern import audit
from alarmvern.outbox import FileOutbox, Outbox, OutboxSettings, SmtpMail
from alarmvern.store import tables as t
from tests.smtp_support import Inbox, smtp  # noqa: F401
from tests.web_support import Web, sqlite_web, web  # noqa: F401


def test_the_breach_api_refuses_bad_input_by_field_and_drafts_from_the_audit_log(
    web: Web,  # noqa: F811
    smtp: Inbox,  # noqa: F811
) -> None:
    """On both databases: register, the people from the audit log, decide, draft; the
    person's message reaches the SMTP server once the drafts are stored."""
    settings = OutboxSettings(smtp_host="127.0.0.1", smtp_port=smtp.port, smtp_tls="none")
    web.system.outbox = Outbox(SmtpMail(settings), FileOutbox(web.system.settings.data_dir))  # type: ignore[attr-defined]
    with web.system.engine.connect() as conn:
        email = conn.execute(
            select(t.persons.c.email).where(t.persons.c.id == web.world.person)
        ).scalar_one()
    assert email
    dpo = web.client("dpo")
    unknown = dpo.post(
        "/api/v1/breaches",
        json={"title": "T", "description": "D", "discovered_at": "2026-12-01T06:00:00Z",
              "categories": ["user.no_such_thing"]},
    )  # fmt: skip
    assert unknown.status_code == 422 and unknown.json()["field"] == "categories"
    missing = dpo.post("/api/v1/breaches", json={"title": "T", "description": "D"})
    assert missing.status_code == 422 and missing.json()["field"] == "discovered_at"
    with web.system.engine.begin() as conn:
        audit.append(conn, actor="op-x", action="staff.view", subject=f"person:{web.world.person}")
    category = next(iter(web.system.policy.policy.categories))
    made = dpo.post(
        "/api/v1/breaches",
        json={"title": "Misbruk", "description": "En innlogging leste for mye.",
              "discovered_at": "2026-12-01T06:00:00Z", "categories": [category]},
    )  # fmt: skip
    assert made.status_code == 201, made.text
    breach = made.json()["id"]
    assert made.json()["deadline"].startswith("2026-12-04T06:00")
    found = dpo.post(
        f"/api/v1/breaches/{breach}/affected",
        json={"login": "op-x", "start": "2026-01-01T00:00:00Z", "end": "2099-01-01T00:00:00Z"},
    )
    assert found.json() == {"proposed": [web.world.person], "added": 1}
    unreasoned = dpo.post(
        f"/api/v1/breaches/{breach}/decision",
        json={"notify_authority": True, "notify_people": True, "reasons": ""},
    )
    assert unreasoned.status_code == 422 and unreasoned.json()["field"] == "reasons"
    dpo.post(
        f"/api/v1/breaches/{breach}/decision",
        json={"notify_authority": True, "notify_people": True, "reasons": "Høy risiko"},
    )
    made_drafts = dpo.post(f"/api/v1/breaches/{breach}/drafts").json()
    assert sorted(d["kind"] for d in made_drafts) == ["authority", "person"]
    # Once the drafts are stored, the person's message goes out through the outbox.
    (mail,) = smtp.to(email)
    assert "Hei," in mail.get_content() and "Hello," in mail.get_content()
    detail = dpo.get(f"/api/v1/breaches/{breach}").json()
    assert {"hours_left", "overdue", "deadline", "registered_by"} <= set(detail["breach"])
    state = {d["kind"]: (d["to_send_by"], d["sent_at"] is not None) for d in detail["drafts"]}
    assert state == {"authority": ("hand", False), "person": ("email", True)}
    person_draft = next(d["id"] for d in detail["drafts"] if d["kind"] == "person")
    already = dpo.post(f"/api/v1/breach-drafts/{person_draft}/sent")
    assert already.status_code == 422 and already.json()["field"] == "sent_at"
    first = next(d["id"] for d in detail["drafts"] if d["kind"] == "authority")
    assert dpo.post(f"/api/v1/breach-drafts/{first}/sent").status_code == 204
    twice = dpo.post(f"/api/v1/breach-drafts/{first}/sent")
    assert twice.status_code == 422 and twice.json()["field"] == "sent_at"


def test_the_dpo_console_registers_a_breach_and_shows_its_clock(
    sqlite_web: Web,  # noqa: F811
) -> None:
    dpo = sqlite_web.client("dpo")
    assert "Registrer et brudd" in dpo.get("/personvern/brudd").text
    missing = dpo.post("/personvern/brudd", data={"title": "T", "description": "D"})
    assert missing.status_code == 422 and "discovered_at" in missing.text
    made = dpo.post(
        "/personvern/brudd",
        data={"title": "Tapt bøtte", "description": "En lagringsbøtte ble åpen.",
              "discovered_at": "2026-12-01T06:00"},
    )  # fmt: skip
    assert made.status_code == 200 and "Bruddet er registrert" in made.text
    assert 'data-deadline="2026-12-04T06:00:00+00:00"' in made.text
    listed = dpo.get("/personvern/brudd").text
    assert "Tapt bøtte" in listed
    assert sqlite_web.client("operator").get("/personvern/brudd").status_code == 403


def test_the_record_of_processing_downloads_as_csv_html_and_pdf_for_both_parts(
    sqlite_web: Web,  # noqa: F811
) -> None:
    dpo = sqlite_web.client("dpo")
    csv_file = dpo.get("/personvern/protokoll/last-ned?format=csv")
    assert csv_file.status_code == 200 and csv_file.headers["content-type"].startswith("text/csv")
    assert "dpia" in csv_file.text.splitlines()[0]
    html = dpo.get("/personvern/protokoll/last-ned?format=html&del=processor")
    assert "art. 30(2)" in html.text and "attachment" in html.headers["content-disposition"]
    api = dpo.get("/api/v1/policy/ropa", params={"part": "processor", "format": "csv"})
    assert api.status_code == 200 and api.text.startswith("Databehandler,")
    pdf = dpo.get("/personvern/protokoll/last-ned?format=pdf")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    assert sqlite_web.client("operator").get("/personvern/protokoll/last-ned").status_code == 403
    # Every download is audited, the API's as the console's (one home: accountability.record).
    with sqlite_web.system.engine.connect() as conn:
        downloads = conn.execute(
            select(t.audit_log.c.actor, t.audit_log.c.details)
            .where(t.audit_log.c.action == "ropa.download")
            .order_by(t.audit_log.c.seq)
        ).all()
    dpo_actor = sqlite_web.world.actor("dpo")
    assert [(a, json.loads(d)) for a, d in downloads] == [
        (dpo_actor, {"format": "csv", "part": "controller"}),
        (dpo_actor, {"format": "html", "part": "processor"}),
        (dpo_actor, {"format": "csv", "part": "processor"}),
        (dpo_actor, {"format": "pdf", "part": "controller"}),
    ]
