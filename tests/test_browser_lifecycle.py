"""In a real browser, against the living demo: customer service registers a customer with a
site, a panel user and an alarm contact; the contact gets the e-mail at a real SMTP server
and informed_at is set; an alarm from the new panel reaches the operator queue; customer
service ends the relationship, and a sweep as of three years later removes the alarm data
the policy says and keeps the invoices the law keeps."""

from __future__ import annotations

import re
import socket
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from aiosmtpd.controller import Controller

from alarmvern.retention.sweep import sweep
from alarmvern.settings import Settings
from alarmvern.sia.protocol import build_frame
from alarmvern.system import open_system
from alarmvern.web.security import Role
from tests import browser_support
from tests.browser_support import Live
from tests.smtp_support import Inbox, free_port
from tests.test_browser import shot, staff

playwright = pytest.importorskip("playwright.sync_api")
pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def inbox() -> Iterator[Inbox]:
    box = Inbox(free_port())
    server = Controller(box, hostname="127.0.0.1", port=box.port)
    server.start()
    yield box
    server.stop()


@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory, inbox: Inbox) -> Iterator[Live]:
    assert browser_support.chromium().exists()
    with pytest.MonkeyPatch.context() as env:
        env.setenv("ALARMVERN_SMTP_HOST", "127.0.0.1")
        env.setenv("ALARMVERN_SMTP_PORT", str(inbox.port))
        env.setenv("ALARMVERN_SMTP_TLS", "none")
        yield from browser_support.start(tmp_path_factory.mktemp("lifecycle") / "data")


@pytest.fixture(scope="module")
def browser(live: Live) -> Iterator[object]:
    with playwright.sync_playwright() as driver:
        launched = driver.chromium.launch(executable_path=str(browser_support.CHROMIUM))
        yield launched
        launched.close()


def test_customer_service_registers_informs_and_ends_a_customer(
    browser: object, live: Live, inbox: Inbox
) -> None:
    cs = staff(browser, live, Role.customer_service)
    cs.goto("/kundeservice/ny")  # type: ignore[attr-defined]
    for label, value in [
        ("Kundenummer", "K777001"),
        ("Navn", "Åse Ny"),
        ("Telefon", "913 45 678"),
        ("Adresse", "Nyveien 3"),
        ("Postnummer", "5003"),
        ("Sted", "Bergen"),
        ("Panelkonto (SIA)", "C777001"),
    ]:
        cs.get_by_label(label, exact=True).fill(value)  # type: ignore[attr-defined]
    cs.get_by_role("button", name="Registrer kunden").click()  # type: ignore[attr-defined]
    cs.get_by_label("Brukernummer").fill("2")  # type: ignore[attr-defined]
    cs.get_by_label("Brukerens navn").fill("Bo Ny")  # type: ignore[attr-defined]
    cs.get_by_label("Kode (lagres bare som hash)").fill("2580")  # type: ignore[attr-defined]
    cs.get_by_role("button", name="Legg til brukeren").click()  # type: ignore[attr-defined]
    cs.get_by_label("Kontaktens navn").fill("Kim Kontakt")  # type: ignore[attr-defined]
    cs.get_by_label("Kontaktens e-post").fill("kim@example.no")  # type: ignore[attr-defined]
    cs.get_by_role("button", name="Legg til kontakten").click()  # type: ignore[attr-defined]
    informed = None
    for _ in range(300):  # the message goes after the change commits, in the background
        with live.db() as db:
            site, account = db.execute(
                "SELECT id, account_id FROM sites WHERE panel_account = 'C777001'"
            ).fetchone()
            (informed,) = db.execute(
                "SELECT informed_at FROM alarm_contacts WHERE site_id = ?", (site,)
            ).fetchone()
        if informed is not None:
            break
        time.sleep(0.1)
    assert informed is not None
    (mail,) = inbox.to("kim@example.no")
    assert "Åse Ny har registrert deg som alarmkontakt" in mail.get_content()  # type: ignore[attr-defined]
    cs.reload()  # type: ignore[attr-defined]
    shot(cs, "customer-service-registered-customer")

    burglary = build_frame(
        "SIA-DCS", "0001", "0", account="C777001", data="Nri1/BA01", timestamp=datetime.now(UTC)
    )
    with socket.create_connection(("127.0.0.1", live.dc09_port), timeout=10) as panel:
        panel.sendall(burglary)
        assert b"ACK" in panel.recv(1024)
    with live.db() as db:
        opened = db.execute(
            "SELECT count(*) FROM incidents WHERE site_id = ? AND closed_at IS NULL", (site,)
        ).fetchone()[0]
        db.execute(
            "UPDATE incidents SET closed_at = ?, status = 'closed' WHERE site_id = ?",
            (datetime.now(UTC).isoformat(" "), site),
        )
        db.execute(
            "INSERT INTO invoices (account_id, invoice_no, issued_at, amount) "
            "VALUES (?, 'F777001', ?, 399)",
            (account, datetime.now(UTC).isoformat(" ")),
        )
    assert opened == 1  # the alarm from the new panel is in the operator's queue

    cs.get_by_label("Sluttdato").fill(datetime.now(UTC).date().isoformat())  # type: ignore[attr-defined]
    cs.get_by_role("button", name="Avslutt kundeforholdet").click()  # type: ignore[attr-defined]
    assert "Kundeforholdet er avsluttet" in cs.content()  # type: ignore[attr-defined]
    shot(cs, "customer-service-ended-relationship")

    system = open_system(Settings(data_dir=live.data))
    try:
        sweep(
            system.engine,
            system.policy.policy,
            system.vault,
            now=datetime.now(UTC) + timedelta(days=3 * 366 + 1),
        )
    finally:
        system.close()
    with live.db() as db:
        left = {
            table: db.execute(
                f"SELECT count(*) FROM {table} WHERE account_id = ?", (account,)
            ).fetchone()[0]
            for table in ("panel_users", "alarm_contacts", "invoices")
        }
    assert left == {"panel_users": 0, "alarm_contacts": 0, "invoices": 1}


def test_a_new_customer_activates_their_login_from_the_e_mail(
    browser: object, live: Live, inbox: Inbox
) -> None:
    """Customer service registers a customer and sends the activation link; the customer
    opens it from the mail, chooses a password and logs in; the link then works no more."""
    cs = staff(browser, live, Role.customer_service)
    cs.goto("/kundeservice/ny")  # type: ignore[attr-defined]
    for label, value in [
        ("Kundenummer", "K777002"),
        ("Navn", "Ada Aktiv"),
        ("E-post", "ada.aktiv@example.no"),
        ("Adresse", "Aktivveien 2"),
        ("Postnummer", "0155"),
    ]:
        cs.get_by_label(label, exact=True).fill(value)  # type: ignore[attr-defined]
    cs.get_by_role("button", name="Registrer kunden").click()  # type: ignore[attr-defined]
    cs.get_by_role("button", name="Send aktiveringslenke på e-post").click()  # type: ignore[attr-defined]
    assert "Aktiveringslenken er sendt" in cs.content()  # type: ignore[attr-defined]
    for _ in range(300):
        if inbox.to("ada.aktiv@example.no"):
            break
        time.sleep(0.1)
    (mail,) = inbox.to("ada.aktiv@example.no")
    found = re.search(r"http://\S+(/aktiver\?token=[\w-]+)", mail.get_content())  # type: ignore[attr-defined]
    assert found
    link = found.group(1)  # the live server's port is not the public URL's default

    context = browser.new_context(base_url=live.base)  # type: ignore[attr-defined]
    ada = context.new_page()
    ada.goto(link)
    assert ada.get_by_role("heading", name="Velg passord for Mine Sider").is_visible()
    ada.get_by_label("Nytt passord").fill("ada-sitt-lange-passord")
    ada.get_by_label("Gjenta passordet").fill("ada-sitt-lange-passord")
    ada.get_by_role("button", name="Lagre passordet").click()
    assert "Passordet er lagret" in ada.content()
    shot(ada, "customer-activated-login")
    ada.get_by_label("Brukernavn").fill("ada.aktiv@example.no")
    ada.get_by_label("Passord").fill("ada-sitt-lange-passord")
    ada.get_by_role("button", name="Logg inn").click()
    ada.wait_for_url("**/mine-sider")
    cs.reload()  # type: ignore[attr-defined]
    assert "Aktiv." in cs.locator("#login-state").inner_text()  # type: ignore[attr-defined]

    again = context.new_page()
    again.goto(link)
    assert "allerede brukt" in again.content()
    context.close()
