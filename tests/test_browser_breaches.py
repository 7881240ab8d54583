"""In a real browser, against the living demo: the DPO registers a breach, the people a login
read are listed from the audit log, the 72-hour clock counts, the notification and the
messages are drafted, and the record of processing downloads. Screenshots: test-artefacts/."""

from __future__ import annotations

import json
import time
from datetime import UTC, datetime, timedelta

import pytest

from alarmvern.web.security import Role
from tests.browser_support import Live
from tests.test_browser import browser, live, shot, staff  # noqa: F401  (module fixtures)

playwright = pytest.importorskip("playwright.sync_api")
pytestmark = pytest.mark.slow


def test_the_dpo_registers_a_breach_and_drafts_the_notices(
    browser: object,  # noqa: F811
    live: Live,  # noqa: F811
) -> None:
    dpo = staff(browser, live, Role.dpo)
    with live.db() as db:
        (person,) = db.execute("SELECT id FROM persons ORDER BY id LIMIT 1").fetchone()
    assert dpo.request.get(f"/api/v1/people/{person}").ok  # type: ignore[attr-defined]
    with live.db() as db:
        (actor,) = db.execute(
            "SELECT actor FROM audit_log WHERE subject = ? ORDER BY seq DESC LIMIT 1",
            (f"person:{person}",),
        ).fetchone()

    dpo.goto("/personvern/brudd")  # type: ignore[attr-defined]
    dpo.get_by_label("Tittel").fill("Misbruk av innlogging")  # type: ignore[attr-defined]
    dpo.get_by_label("Hva skjedde").fill("En innlogging ble brukt av en uvedkommende.")  # type: ignore[attr-defined]
    found = (datetime.now(UTC) - timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M")
    dpo.get_by_label("Oppdaget (UTC)").fill(found)  # type: ignore[attr-defined]
    dpo.get_by_label("Sannsynlige konsekvenser").fill("Kontaktopplysninger kan være sett.")  # type: ignore[attr-defined]
    dpo.get_by_label("Tiltak").fill("Innloggingen er sperret.")  # type: ignore[attr-defined]
    dpo.get_by_role("button", name="Registrer bruddet").click()  # type: ignore[attr-defined]
    assert "Bruddet er registrert" in dpo.content()  # type: ignore[attr-defined]

    clock = dpo.locator("#clock")  # type: ignore[attr-defined]
    first = clock.inner_text()
    time.sleep(1.5)
    assert clock.inner_text() != first and first.startswith("70 t")  # it counts down

    dpo.get_by_label("Innlogging").fill(actor)  # type: ignore[attr-defined]
    dpo.get_by_label("Fra (UTC)").fill(
        (datetime.now(UTC) - timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M")
    )  # type: ignore[attr-defined]
    dpo.get_by_label("Til (UTC)").fill(
        (datetime.now(UTC) + timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M")
    )  # type: ignore[attr-defined]
    dpo.get_by_role("button", name="Finn berørte").click()  # type: ignore[attr-defined]
    assert f"Person {person}" in dpo.content()  # type: ignore[attr-defined]
    shot(dpo, "dpo-breach-affected")

    dpo.get_by_label("Meld til Datatilsynet (art. 33(1))").check()  # type: ignore[attr-defined]
    dpo.get_by_label("Varsle de berørte (art. 34)").check()  # type: ignore[attr-defined]
    dpo.get_by_label("Begrunnelse").fill("Risiko for de berørte.")  # type: ignore[attr-defined]
    dpo.get_by_role("button", name="Lagre beslutningen").click()  # type: ignore[attr-defined]
    dpo.get_by_role("button", name="Lag utkastene").click()  # type: ignore[attr-defined]
    page = dpo.content()  # type: ignore[attr-defined]
    assert "a) Kategorier av opplysninger" in page and "Hei," in page
    # Once the drafts are stored the person's message goes out through the outbox (the
    # demo's file outbox: no SMTP server is set); the page says how, once it has gone.
    with live.db() as db:
        email, phone = db.execute(
            "SELECT email, phone FROM persons WHERE id = ?", (person,)
        ).fetchone()
    channel, address = ("email", email) if email else ("sms", phone)
    outbox = live.data / "outbox" / f"{channel}.jsonl"
    sent = dpo.locator(f"section.draft:has-text('(person {person})') p.sent")  # type: ignore[attr-defined]
    for _ in range(30):  # waiting for the background send, not timing it
        if sent.count():
            break
        time.sleep(1)
        dpo.reload()  # type: ignore[attr-defined]
    said = "Sendt på e-post" if channel == "email" else "Sendt på SMS"
    assert said in sent.inner_text()  # type: ignore[attr-defined]
    lines = [json.loads(line) for line in outbox.read_text(encoding="utf-8").splitlines()]
    mine = [m for m in lines if m["to"] == address and "sikkerhetsbrudd" in m["subject"]]
    assert len(mine) == 1 and "Hei," in mine[0]["body"] and "Hello," in mine[0]["body"]
    shot(dpo, "dpo-breach-drafted")

    dpo.goto("/personvern/protokoll")  # type: ignore[attr-defined]
    for link in ("CSV", "PDF"):
        with dpo.expect_download() as download:  # type: ignore[attr-defined]
            dpo.get_by_role("link", name=link).first.click()  # type: ignore[attr-defined]
        assert download.value.suggested_filename.endswith(link.lower())
