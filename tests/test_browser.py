"""In a real browser, against the living demo: a customer downloads their data and withdraws
the location consent; an operator handles an alarm and is refused the site after closing;
the DPO answers an access request and places a hold. Screenshots go to test-artefacts/."""

from __future__ import annotations

import socket
import time
import zipfile
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest

from alarmvern.demo.logins import CUSTOMER_PASSWORD, STAFF
from alarmvern.sia.protocol import build_frame
from alarmvern.web.security import Role
from tests import browser_support
from tests.browser_support import ARTEFACTS, Live

playwright = pytest.importorskip("playwright.sync_api")

pytestmark = pytest.mark.slow
PASSWORDS = {login.role: (login.username, login.password) for login in STAFF}


@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Live]:
    executable = browser_support.chromium()
    assert executable.exists()
    yield from browser_support.start(tmp_path_factory.mktemp("browser") / "data")


@pytest.fixture(scope="module")
def browser(live: Live) -> Iterator[object]:
    with playwright.sync_playwright() as driver:
        launched = driver.chromium.launch(executable_path=str(browser_support.CHROMIUM))
        yield launched
        launched.close()


def page_for(browser: object, live: Live, username: str, password: str) -> object:
    context = browser.new_context(base_url=live.base, accept_downloads=True)  # type: ignore[attr-defined]
    page = context.new_page()
    page.on("dialog", lambda dialog: dialog.accept())
    page.goto("/login")
    page.get_by_label("Brukernavn").fill(username)
    page.get_by_label("Passord").fill(password)
    page.get_by_role("button", name="Logg inn").click()
    return page


def shot(page: object, name: str) -> None:
    ARTEFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTEFACTS / f"{name}.png"), full_page=True)  # type: ignore[attr-defined]


def staff(browser: object, live: Live, role: Role) -> object:
    username, password = PASSWORDS[role]
    return page_for(browser, live, username, password)


def test_a_customer_downloads_their_data_and_withdraws_the_location_consent(
    browser: object, live: Live, tmp_path: Path
) -> None:
    me = page_for(browser, live, live.customer, CUSTOMER_PASSWORD)
    me.goto("/mine-sider/mine-data")  # type: ignore[attr-defined]
    me.get_by_role("button", name="Lag pakken med mine data").click()  # type: ignore[attr-defined]
    shot(me, "customer-asked-for-data")
    # No staff: the server builds it, and the page shows the link when it is ready.
    link = me.get_by_role("link", name="Last ned pakken (ZIP)")  # type: ignore[attr-defined]
    link.wait_for(timeout=120_000)
    with me.expect_download() as download:  # type: ignore[attr-defined]
        link.click()
    saved = tmp_path / "mine-data.zip"
    download.value.save_as(saved)
    with zipfile.ZipFile(saved) as package:
        assert {"data.json", "rapport.html"} <= set(package.namelist())

    me.goto("/mine-sider/samtykker")  # type: ignore[attr-defined]
    location = me.locator("section", has_text="Hjemme/borte-status")  # type: ignore[attr-defined]
    if location.get_by_role("button", name="Gi samtykke").count():
        location.get_by_role("button", name="Gi samtykke").click()
        location = me.locator("section", has_text="Hjemme/borte-status")  # type: ignore[attr-defined]
    location.get_by_role("link", name="Trekk samtykket").click()
    shot(me, "customer-confirms-withdrawal")
    me.get_by_role("button", name="Ja, trekk samtykket").click()  # type: ignore[attr-defined]
    after = me.locator("section", has_text="Hjemme/borte-status")  # type: ignore[attr-defined]
    assert "Ikke gitt" in after.inner_text()
    shot(me, "customer-withdrew-location-consent")


def test_a_fire_alarm_reaches_an_open_queue_live_and_the_operator_works_its_plan(
    browser: object, live: Live
) -> None:
    """The issue's "done when": a real DC-09 frame appears in an open operator's queue within
    2 s without a reload, at the top as a fire; the operator takes it, sees the address, the
    zone and the action plan, works the plan and closes it; and with more open incidents than
    a page holds, no unassigned alarm is missing."""
    with live.db() as db:
        site, street, panel = db.execute(
            "SELECT id, street, panel_account FROM sites ORDER BY id DESC LIMIT 1"
        ).fetchone()
        db.execute("UPDATE incidents SET closed_at = ?, status = 'closed' "
                   "WHERE closed_at IS NULL", (datetime.now(UTC).isoformat(" "),))  # fmt: skip
    op = staff(browser, live, Role.operator)
    op.goto("/operator")  # type: ignore[attr-defined]
    op.get_by_text("Oppdateres automatisk").wait_for(timeout=5000)  # type: ignore[attr-defined]
    fire = build_frame("SIA-DCS", "0043", "0", account=panel, data="Nri1/FA03",
                       timestamp=datetime.now(UTC))  # fmt: skip
    sent = time.monotonic()
    with socket.create_connection(("127.0.0.1", live.dc09_port), timeout=10) as panel_link:
        panel_link.sendall(fire)
        assert b"ACK" in panel_link.recv(1024)  # stored before this answer
    with live.db() as db:
        (incident,) = db.execute(
            "SELECT id FROM incidents WHERE site_id = ? AND closed_at IS NULL AND kind = 'fire'",
            (site,),
        ).fetchone()
    row = op.locator(f'tr[data-id="{incident}"]')  # type: ignore[attr-defined]
    row.wait_for(timeout=2000)  # no reload: the change stream brought it
    assert time.monotonic() - sent < 2.5
    first = op.locator("table.queue tbody tr").first  # type: ignore[attr-defined]
    assert first.get_attribute("data-id") == str(incident)
    assert "Ny alarm" in op.locator("#live-announce").inner_text()  # type: ignore[attr-defined]
    shot(op, "operator-queue-live-fire")

    row.get_by_role("link").click()
    assert op.get_by_text(street).count() == 0  # type: ignore[attr-defined]
    op.get_by_role("button", name="Ta hendelsen").click()  # type: ignore[attr-defined]
    page_text = op.content()  # type: ignore[attr-defined]
    assert street in page_text and "Sone 03" in page_text and "Brann: alarm" in page_text
    assert "Instruks" in page_text and "Varsle brannvesenet (110)" in page_text
    shot(op, "operator-incident-taken")
    done = op.get_by_role("button", name="Utført")  # type: ignore[attr-defined]
    for step in range(1, done.count() + 1):  # each click loads the page anew: wait for it
        done.first.click()
        op.wait_for_function(  # type: ignore[attr-defined]
            f"document.querySelectorAll('ol.plan li.done').length === {step}"
        )
    assert op.locator("ol.plan li.done").count() == 3  # type: ignore[attr-defined]
    # The open page stays put while alarms come in (it refreshes its parts in place): a
    # reload would cost the operator a half-written form and audit a look nobody took.
    op.evaluate("window.stays = true")  # type: ignore[attr-defined]
    op.wait_for_timeout(3000)  # type: ignore[attr-defined]
    assert op.evaluate("window.stays === true")  # type: ignore[attr-defined]
    op.get_by_label("Årsak").fill("Brannvesenet rykket ut, komfyr")  # type: ignore[attr-defined]

    def answer_late(route: object) -> None:
        # The close is stored and its change streamed before its answer arrives: the page,
        # told of the change, must not reload and so call the close's answer off.
        answer = route.fetch(max_redirects=0)  # type: ignore[attr-defined]
        time.sleep(2)
        route.fulfill(response=answer)  # type: ignore[attr-defined]

    op.route("**/lukk", answer_late)  # type: ignore[attr-defined]
    op.get_by_role("button", name="Lukk").click()  # type: ignore[attr-defined]
    # The click returns before the form's answer has loaded: wait for the new page.
    op.wait_for_url("**?ok=closed", timeout=20000)  # type: ignore[attr-defined]
    assert "Hendelsen er lukket" in op.content()  # type: ignore[attr-defined]
    shot(op, "operator-closed-incident")

    with live.db() as db:  # more open incidents than a page holds, half of them taken
        now = datetime.now(UTC)
        for n in range(260):
            db.execute("INSERT INTO incidents (account_id, site_id, kind, status, opened_at) "
                       "VALUES (NULL, ?, ?, 'received', ?)",
                       (site, "burglary" if n % 2 else "technical:battery",
                        (now - timedelta(minutes=n)).isoformat(" ")))  # fmt: skip
        db.commit()
        waiting = {
            str(i)
            for (i,) in db.execute(
                "SELECT id FROM incidents i WHERE closed_at IS NULL AND kind NOT LIKE 'technical%'"
                " AND NOT EXISTS (SELECT 1 FROM operator_assignments a WHERE a.incident_id = i.id"
                " AND a.released_at IS NULL)"
            )
        }
    op.goto("/operator")  # type: ignore[attr-defined]
    shown = set(op.locator("table.queue tbody tr").evaluate_all(  # type: ignore[attr-defined]
        "rows => rows.map(r => r.dataset.id)"))  # fmt: skip
    assert len(waiting) >= 130 and waiting <= shown
    shot(op, "operator-queue-many-open")


def test_the_dpo_answers_an_access_request_and_places_a_hold(browser: object, live: Live) -> None:
    dpo = staff(browser, live, Role.dpo)
    with live.db() as db:
        (incident,) = db.execute("SELECT id FROM incidents ORDER BY id LIMIT 1").fetchone()
    dpo.goto("/personvern/sperrer")  # type: ignore[attr-defined]
    dpo.get_by_label("Hva").select_option("incident")  # type: ignore[attr-defined]
    dpo.get_by_label("Nummer", exact=True).fill(str(incident))  # type: ignore[attr-defined]
    dpo.get_by_label("Grunn (f.eks. politisaksnummer)").fill("Politisak 2026/777")  # type: ignore[attr-defined]
    dpo.get_by_label("Til og med").fill((date.today() + timedelta(days=20)).isoformat())  # type: ignore[attr-defined]
    dpo.get_by_role("button", name="Sett sperren").click()  # type: ignore[attr-defined]
    assert "Politisak 2026/777" in dpo.content()  # type: ignore[attr-defined]
    shot(dpo, "dpo-placed-hold")

    # A request that came by phone, registered and answered here: the test needs no other
    # test to have opened one (the suite runs its tests in any order, on several workers).
    dpo.goto("/personvern/foresporsler")  # type: ignore[attr-defined]
    dpo.get_by_text("Registrer en forespørsel mottatt").click()  # type: ignore[attr-defined]
    dpo.get_by_label("Hva gjelder det").select_option("access")  # type: ignore[attr-defined]
    dpo.get_by_label("Hvordan kom den").select_option("phone")  # type: ignore[attr-defined]
    dpo.get_by_label("Hva personen ba om, med egne ord").fill("Vil se hva dere har om meg")  # type: ignore[attr-defined]
    with dpo.expect_navigation():  # type: ignore[attr-defined]  # the answer, not the click
        dpo.get_by_role("button", name="Registrer", exact=True).click()  # type: ignore[attr-defined]
    with live.db() as db:
        (request,) = db.execute("SELECT max(id) FROM rights_requests").fetchone()
    dpo.goto("/personvern/foresporsler")  # type: ignore[attr-defined]
    close = dpo.locator(f'form[action="/personvern/foresporsler/{request}/lukk"]')  # type: ignore[attr-defined]
    close.get_by_label("Utfall", exact=True).fill("Innsyn gitt på telefon")
    with dpo.expect_navigation():  # type: ignore[attr-defined]
        close.get_by_role("button", name="Avslutt").click()
    shot(dpo, "dpo-answered-request")
    with live.db() as db:
        (status,) = db.execute(
            "SELECT status FROM rights_requests WHERE id = ?", (request,)
        ).fetchone()
    assert status == "done"
