"""Issue 17's "done when", in a real browser against the living demo:
(a) a customer makes and downloads their own access package, with no staff: no argon2 hash
in the ZIP, Norwegian labels from the data map;
(b) a customer's correction request carried out by the DPO on the web, the value changed,
and the customer seeing the outcome;
(c) an erasure of a current customer carried out on the web with the contract kept, and the
customer seeing what was kept and why;
(d) the DPO finding who has seen a given customer's images."""

from __future__ import annotations

import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from alarmvern.demo.logins import CUSTOMER_PASSWORD
from alarmvern.web.security import Role
from tests import axe_support, browser_support
from tests.browser_support import Live
from tests.test_browser import PASSWORDS, page_for, shot, staff

playwright = pytest.importorskip("playwright.sync_api")
pytestmark = pytest.mark.slow
WORDS = "Telefonnummeret mitt er feil, det riktige er 911 12 222."


@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Live]:
    assert browser_support.chromium().exists()
    yield from browser_support.start(tmp_path_factory.mktemp("browser-rights") / "data")


@pytest.fixture(scope="module")
def browser(live: Live) -> Iterator[object]:
    with playwright.sync_playwright() as driver:
        launched = driver.chromium.launch(executable_path=str(browser_support.CHROMIUM))
        yield launched
        launched.close()


def _customer(browser: object, live: Live) -> object:
    return page_for(browser, live, live.customer, CUSTOMER_PASSWORD)


def _person(live: Live) -> int:
    with live.db() as db:
        (person,) = db.execute(
            "SELECT person_id FROM logins WHERE username = ?", (live.customer,)
        ).fetchone()
    return int(person)


def test_a_a_customer_downloads_their_own_package_without_staff(
    browser: object, live: Live, tmp_path: Path
) -> None:
    me = _customer(browser, live)
    me.goto("/mine-sider/mine-data")  # type: ignore[attr-defined]
    me.get_by_role("button", name="Lag pakken med mine data").click()  # type: ignore[attr-defined]
    assert me.get_by_role("status").count()  # type: ignore[attr-defined]
    shot(me, "rights-package-progress")
    link = me.get_by_role("link", name="Last ned pakken (ZIP)")  # type: ignore[attr-defined]
    link.wait_for(timeout=120_000)  # the page looks again by itself until it is there
    shot(me, "rights-package-ready")
    with me.expect_download() as download:  # type: ignore[attr-defined]
        link.click()
    saved = tmp_path / "mine-data.zip"
    download.value.save_as(saved)
    with zipfile.ZipFile(saved) as package:
        names = package.namelist()
        everything = b"".join(package.read(n) for n in names)
        report = package.read("rapport.html").decode()
    assert b"argon2" not in everything
    assert "Personopplysninger" in report and "Innlogginger" in report and "Fødselsdato" in report
    assert "password_hash" not in report and "birth_date" not in report
    with live.db() as db:  # built by the system, not by a member of staff
        (steps,) = db.execute(
            "SELECT steps FROM rights_requests WHERE person_id = ? AND kind = 'access' "
            "ORDER BY id DESC LIMIT 1",
            (_person(live),),
        ).fetchone()
    assert '"by": "system:self-service"' in steps


def test_b_a_correction_is_carried_out_by_the_dpo_and_the_customer_sees_it(
    browser: object, live: Live
) -> None:
    me = _customer(browser, live)
    me.goto("/mine-sider/foresporsler")  # type: ignore[attr-defined]
    me.get_by_role("radio", name="Retting").check()  # type: ignore[attr-defined]
    me.get_by_label("Beskriv hva det gjelder").fill(WORDS)  # type: ignore[attr-defined]
    me.get_by_role("button", name="Send forespørselen").click()  # type: ignore[attr-defined]
    assert "Forespørselen er registrert" in me.content()  # type: ignore[attr-defined]

    dpo = staff(browser, live, Role.dpo)
    dpo.goto("/personvern/foresporsler")  # type: ignore[attr-defined]
    card = dpo.locator("section.request", has_text=WORDS)  # type: ignore[attr-defined]
    assert card.count() == 1  # the DPO reads what the customer wrote
    card.get_by_label("Telefonnummer:").first.check()
    card.get_by_label("Ny verdi").fill("+4791112222")
    card.get_by_role("button", name="Rett", exact=True).click()
    dpo.wait_for_url("**ok=rectified", timeout=20_000)  # type: ignore[attr-defined]
    shot(dpo, "rights-dpo-corrected")
    with live.db() as db:
        (phone,) = db.execute("SELECT phone FROM persons WHERE id = ?", (_person(live),)).fetchone()
    assert phone == "+4791112222"
    card = dpo.locator("section.request", has_text=WORDS)  # type: ignore[attr-defined]
    card.get_by_label("Utfall", exact=True).fill("Telefonnummeret er rettet til 911 12 222.")
    card.get_by_role("button", name="Avslutt").click()
    dpo.wait_for_url("**ok=request-closed", timeout=20_000)  # type: ignore[attr-defined]

    me.goto("/mine-sider/foresporsler")  # type: ignore[attr-defined]
    mine = me.locator("li.request", has_text=WORDS)  # type: ignore[attr-defined]
    text = mine.inner_text()
    assert "Telefonnummeret er rettet til 911 12 222." in text
    assert "Rettet" in text and "Telefonnummer" in text and "Fullført" in text
    shot(me, "rights-customer-sees-correction")


def test_c_an_erasure_keeps_the_contract_and_the_customer_sees_why(
    browser: object, live: Live
) -> None:
    me = _customer(browser, live)
    me.goto("/mine-sider/foresporsler")  # type: ignore[attr-defined]
    me.get_by_role("radio", name="Sletting").check()  # type: ignore[attr-defined]
    me.get_by_label("Beskriv hva det gjelder").fill("Slett det dere kan.")  # type: ignore[attr-defined]
    me.get_by_role("button", name="Send forespørselen").click()  # type: ignore[attr-defined]

    dpo = staff(browser, live, Role.dpo)
    dpo.goto("/personvern/foresporsler")  # type: ignore[attr-defined]
    card = dpo.locator("section.request", has_text="Slett det dere kan.")  # type: ignore[attr-defined]
    card.get_by_role("button", name="Utfør slettingen").click()  # without the choice: refused
    error = dpo.get_by_role("alert").inner_text()  # type: ignore[attr-defined]
    assert error.startswith("personen har en avtale som fortsatt løper") and "--" not in error
    shot(dpo, "rights-erasure-refused")
    dpo.goto("/personvern/foresporsler")  # type: ignore[attr-defined]
    card = dpo.locator("section.request", has_text="Slett det dere kan.")  # type: ignore[attr-defined]
    card.get_by_label("Behold det den løpende avtalen trenger").check()
    card.get_by_role("button", name="Utfør slettingen").click()
    dpo.wait_for_url("**ok=erased", timeout=60_000)  # type: ignore[attr-defined]
    shot(dpo, "rights-erasure-done")

    me = _customer(browser, live)  # the erasure ended the session; the login is kept
    me.goto("/mine-sider/foresporsler")  # type: ignore[attr-defined]
    mine = me.locator("li.request", has_text="Slett det dere kan.")  # type: ignore[attr-defined]
    text = mine.inner_text()
    assert "Beholdt, og hvorfor" in text
    assert "trengs for avtalen som fortsatt løper" in text and "bokføringsloven" in text
    shot(me, "rights-customer-sees-what-was-kept")


def test_d_the_dpo_finds_who_has_seen_a_customers_images(browser: object, live: Live) -> None:
    with live.db() as db:  # a customer whose alarm had an image; the alarm is open again
        incident, person = db.execute(
            "SELECT i.id, a.holder_person_id FROM incidents i JOIN media m ON m.incident_id = i.id"
            " JOIN customer_accounts a ON a.id = i.account_id ORDER BY i.id DESC LIMIT 1"
        ).fetchone()
        db.execute("UPDATE incidents SET status = 'received', closed_at = NULL WHERE id = ?",
                   (incident,))  # fmt: skip
        db.commit()
    op = staff(browser, live, Role.operator)
    op.goto(f"/operator/hendelse/{incident}")  # type: ignore[attr-defined]
    op.get_by_role("button", name="Ta hendelsen").click()  # type: ignore[attr-defined]
    op.get_by_role("img", name="Verifikasjonsbilde").first.wait_for(timeout=20_000)  # type: ignore[attr-defined]

    dpo = staff(browser, live, Role.dpo)
    dpo.goto("/personvern/revisjon")  # type: ignore[attr-defined]
    dpo.get_by_label("Person (nummer)").fill(str(person))  # type: ignore[attr-defined]
    dpo.get_by_label("Bare hvem som har sett personens bilder").check()  # type: ignore[attr-defined]
    dpo.get_by_role("button", name="Søk").click()  # type: ignore[attr-defined]
    table = dpo.locator("table.audit")  # type: ignore[attr-defined]
    text = table.inner_text()
    assert "operator:" in text and "Operatør så anlegget eller bildet" in text
    assert "media:" in text or "site:" in text
    assert "Hvem har sett bildene til" in dpo.content()  # type: ignore[attr-defined]
    shot(dpo, "rights-who-saw-the-images")
    with dpo.expect_download() as got:  # type: ignore[attr-defined]
        dpo.get_by_role("link", name="Last ned søket som CSV").click()  # type: ignore[attr-defined]
    exported = Path(got.value.path()).read_text(encoding="utf-8-sig")
    assert "Operatør så anlegget eller bildet" in exported and "når" in exported.splitlines()[0]


PAGES = {
    None: ["/login", "/personvernerklaering"],
    Role.customer: [
        "/mine-sider", "/mine-sider/alarmlogg", "/mine-sider/bilder", "/mine-sider/samtykker",
        "/mine-sider/mine-data", "/mine-sider/foresporsler", "/mine-sider/personvern",
        "/mine-sider/opplysninger",
    ],
    Role.operator: ["/operator"],
    Role.customer_service: ["/kundeservice"],
    Role.dpo: [
        "/personvern", "/personvern/protokoll", "/personvern/lint", "/personvern/foresporsler",
        "/personvern/foresporsler?alle=true", "/personvern/prognose", "/personvern/sperrer",
        "/personvern/revisjon", "/personvern/revisjon?person=1&bilder=true",
        "/personvern/policy",
    ],
}  # fmt: skip


def _login(browser: object, live: Live, role: Role | None, width: int) -> object:
    context = browser.new_context(  # type: ignore[attr-defined]
        base_url=live.base, bypass_csp=True, viewport={"width": width, "height": 900}
    )
    page = context.new_page()
    if role is None:
        return page
    username, password = (
        (live.customer, CUSTOMER_PASSWORD) if role is Role.customer else PASSWORDS[role]
    )
    page.goto("/login")
    page.get_by_label("Brukernavn").fill(username)
    page.get_by_label("Passord").fill(password)
    page.get_by_role("button", name="Logg inn").click()
    page.wait_for_load_state()
    return page


@pytest.mark.parametrize("width", [1280, 390])
def test_e_axe_finds_no_serious_or_critical_violation(
    browser: object, live: Live, width: int
) -> None:
    found: dict[str, list[dict[str, object]]] = {}
    for role, paths in PAGES.items():
        page = _login(browser, live, role, width)
        for path in paths:
            answer = page.goto(path)  # type: ignore[attr-defined]
            assert answer is not None and answer.status < 400, path
            bad = axe_support.violations(page)
            if bad:
                found[f"{role.value if role else 'public'} {path}"] = bad
    assert found == {}
