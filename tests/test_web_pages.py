"""The pages, through the whole app on a real data folder: logging in by form, each role's
home, a customer's own alarm log only, consents given and withdrawn by form (with the CSRF
field), the operator refused before assignment and shown the contacts after, the DPO's
forecast chart, the access package from request to download, and the English switch."""

from __future__ import annotations

import re
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from io import BytesIO

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from alarmvern.initialise import initialise
from alarmvern.intake import incidents as inc
from alarmvern.settings import Settings
from alarmvern.store import tables as t
from alarmvern.system import System, open_system
from alarmvern.web.app import create_app
from alarmvern.web.security import Role, create_login
from tests import builders as b

PASSWORD = "riktig-hest-batteri"
NOW = datetime.now(UTC).replace(microsecond=0)


@dataclass
class World:
    system: System
    kari: int  # customer A's person
    kari_account: int
    kari_image: int
    berit_image: int
    incident: int


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    settings = Settings(data_dir=tmp_path_factory.mktemp("web") / "data", policy="default")
    initialise(settings)
    system = open_system(settings)
    with system.engine.begin() as conn:
        kari = b.person(conn, name="Kari Nordmann", email="kari@example.test")
        berit = b.person(conn, name="Berit Annen", email="berit@example.test", phone="+4790000001")
        kari_account = b.account(conn, kari, "K1")
        berit_account = b.account(conn, berit, "K2")
        kari_site = b.site(conn, kari_account, municipality="Bærum")
        berit_site = b.site(conn, berit_account, street="Annengata 9", municipality="Asker")
        for account, site, name in (
            (kari_account, kari_site, "Kari Hjemme"),
            (berit_account, berit_site, "Berit Borte"),
        ):
            b.insert(
                conn,
                t.panel_users,
                account_id=account,
                site_id=site,
                user_no=1,
                display_name=name,
            )
            moments = [NOW - timedelta(hours=h) for h in range(1, 61)]
            b.events(conn, account, site, moments, user_no=1, method="code")
        contact = b.person(conn, name="Ola Kontakt", phone="+4798765432")
        b.insert(
            conn,
            t.alarm_contacts,
            account_id=kari_account,
            site_id=kari_site,
            person_id=contact,
            priority=1,
            has_keys=True,
        )
        at = NOW - timedelta(hours=1)
        b.insert(
            conn, t.presence, account_id=kari_account, person_id=kari, state="home", recorded_at=at
        )
        incident = inc.open_incident(
            conn, account_id=kari_account, site_id=kari_site, kind="burglary", at=NOW
        )
        kari_image, _ = b.image(conn, system.vault, kari_account, NOW, incident=incident)
        berit_image, _ = b.image(conn, system.vault, berit_account, NOW)
        for username, role, person in (
            ("kari", Role.customer, kari),
            ("berit", Role.customer, berit),
            ("operator", Role.operator, None),
            ("dpo", Role.dpo, None),
        ):
            create_login(conn, username=username, password=PASSWORD, role=role, person_id=person)
    yield World(system, kari, kari_account, kari_image, berit_image, incident)
    system.close()


def client_for(world: World, username: str | None) -> TestClient:
    client = TestClient(create_app(world.system), follow_redirects=False)
    if username is not None:
        answer = client.post("/login", data=login_form(client, username, PASSWORD))
        assert answer.status_code == 303, answer.text
    return client


def login_form(client: TestClient, username: str, password: str) -> dict[str, str]:
    """The login form as the login page gives it (with its CSRF token), filled in."""
    return {"username": username, "password": password, "csrf_token": csrf(client, "/login")}


def csrf(client: TestClient, page: str) -> str:
    html = client.get(page).text
    found = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert found, "the page has no form with the CSRF token"
    return found.group(1)


def test_login_by_form_and_a_wrong_password(world: World) -> None:
    client = client_for(world, None)
    assert client.get("/").headers["location"] == "/login"
    form = client.get("/login")
    assert form.status_code == 200 and 'for="password"' in form.text
    forged = client_for(world, None).post("/login", data={"username": "kari", "password": PASSWORD})
    assert forged.status_code == 403 and "alarmvern_session" not in forged.headers.get(
        "set-cookie", ""
    )  # a cross-site form (login CSRF) has no token: no session
    wrong = client.post("/login", data=login_form(client, "kari", "feil-passord-x"))
    assert wrong.status_code == 401
    assert "feil brukernavn eller passord" in wrong.text and 'value="kari"' in wrong.text
    right = client.post("/login", data=login_form(client, "kari", PASSWORD))
    assert right.status_code == 303 and right.headers["location"] == "/mine-sider"
    assert client.get("/").headers["location"] == "/mine-sider"
    token = csrf(client, "/mine-sider")
    out = client.post("/logout", data={"csrf_token": token}, follow_redirects=True)
    assert out.url.path == "/login" and "Du er logget ut" in out.text
    assert client.get("/mine-sider").headers["location"] == "/login?next=/mine-sider"
    # Pages answer a stranger with the login page, not JSON.
    stranger = client_for(world, None).get("/personvern")
    assert stranger.status_code == 303 and stranger.headers["location"].startswith("/login")


def test_each_role_has_its_home(world: World) -> None:
    customer = client_for(world, "kari").get("/mine-sider")
    assert customer.status_code == 200
    assert "<h1>Mine Sider</h1>" in customer.text and "Kari Hjemme" in customer.text
    operator = client_for(world, "operator")
    queue = operator.get("/operator")
    assert queue.status_code == 200 and "burglary" in queue.text and "Bærum" in queue.text
    assert "Storgata" not in queue.text  # the queue shows no address
    dpo = client_for(world, "dpo")
    home = dpo.get("/personvern")
    assert home.status_code == 200 and "åpne forespørsler" in home.text
    for page in ("/protokoll", "/lint", "/foresporsler", "/sperrer", "/revisjon", "/policy"):
        assert dpo.get(f"/personvern{page}").status_code == 200, page
    assert "Kjeden er hel" in dpo.get("/personvern/revisjon").text
    # Roles stay in their lanes.
    assert client_for(world, "kari").get("/personvern").status_code == 403
    assert operator.get("/mine-sider").status_code == 403


def test_a_customer_sees_only_their_own_alarm_log_and_images(world: World) -> None:
    kari = client_for(world, "kari")
    page = kari.get("/mine-sider/alarmlogg")
    assert page.status_code == 200
    assert "Kari Hjemme" in page.text and "Berit Borte" not in page.text
    assert page.text.count("<tr class=") == 50 and 'rel="next"' in page.text
    last = kari.get("/mine-sider/alarmlogg?side=2")
    assert last.text.count("<tr class=") == 10 and 'rel="next"' not in last.text
    berit = client_for(world, "berit").get("/mine-sider/alarmlogg")
    assert "Berit Borte" in berit.text and "Kari Hjemme" not in berit.text
    assert kari.get(f"/mine-sider/bilder/{world.kari_image}").content.startswith(b"\x89PNG")
    assert kari.get(f"/mine-sider/bilder/{world.berit_image}").status_code == 404
    assert f"/mine-sider/bilder/{world.kari_image}" in kari.get("/mine-sider/bilder").text


def _consents(world: World) -> list[tuple[str, bool]]:
    with world.system.engine.connect() as conn:
        rows = conn.execute(
            select(t.consents.c.activity, t.consents.c.withdrawn_at).where(
                t.consents.c.person_id == world.kari
            )
        ).all()
    return [(r.activity, r.withdrawn_at is not None) for r in rows]


def _presence_rows(world: World) -> int:
    with world.system.engine.connect() as conn:
        query = select(func.count()).select_from(t.presence)
        return int(conn.execute(query.where(t.presence.c.person_id == world.kari)).scalar_one())


def test_giving_and_withdrawing_the_location_consent(world: World) -> None:
    kari = client_for(world, "kari")
    token = csrf(kari, "/mine-sider/samtykker")
    refused = kari.post("/mine-sider/samtykker/presence/gi", data={})
    assert refused.status_code == 403 and _consents(world) == []
    given = kari.post("/mine-sider/samtykker/presence/gi", data={"csrf_token": token})
    assert given.status_code == 303 and _consents(world) == [("presence", False)]
    page = kari.get(given.headers["location"]).text
    version = world.system.policy.policy.version
    assert "Samtykket er registrert" in page and f"versjon {version}" in page
    confirm = kari.get("/mine-sider/samtykker/presence/trekk")
    assert confirm.status_code == 200 and "Hjemme/borte-status" in confirm.text
    assert "Hjemme/borte-status fra appen" in confirm.text  # what withdrawing erases
    assert _presence_rows(world) == 1
    assert kari.post("/mine-sider/samtykker/presence/trekk").status_code == 403
    withdrawn = kari.post("/mine-sider/samtykker/presence/trekk", data={"csrf_token": token})
    assert withdrawn.status_code == 303
    assert _consents(world) == [("presence", True)] and _presence_rows(world) == 0


def test_the_operator_looks_before_taking_without_a_refusal_and_sees_the_site_after(
    world: World,
) -> None:
    operator = client_for(world, "operator")
    page = f"/operator/hendelse/{world.incident}"
    before = operator.get(page)
    assert before.status_code == 200
    assert "Ta hendelsen" in before.text and "Innbrudd" in before.text
    assert "Ingen tilgang" not in before.text and 'role="alert"' not in before.text
    assert "Ola Kontakt" not in before.text and "Storgata 1" not in before.text
    token = csrf(operator, page)
    assert operator.post(f"{page}/tildel", data={"csrf_token": token}).status_code == 303
    after = operator.get(page)
    assert "Ola Kontakt" in after.text and "+4798765432" in after.text
    assert "Storgata 1" in after.text and "Kari Nordmann" in after.text  # address, customer
    assert "Instruks" in after.text and "Ring alarmkontaktene i rekkefølge" in after.text
    assert f"/operator/media/{world.kari_image}" in after.text
    # The record of who saw what is read in the page's one snapshot: the looks before this.
    assert "<td>så</td>" not in after.text
    operator.get(page)
    again = operator.get(page).text  # reloads are counted on one line, not repeated
    assert again.count("<td>så</td>") == 1  # in words: who, did what, to what
    assert re.search(r"<td>deg</td><td>så</td><td>anlegg \d+</td><td>2</td>", again)
    assert "operator.view" not in again and "site:" not in again
    assert operator.get(f"/operator/media/{world.kari_image}").content.startswith(b"\x89PNG")
    with world.system.engine.connect() as conn:
        actions = list(conn.execute(select(t.audit_log.c.action)).scalars())
    assert "operator.refused" not in actions and "operator.view" in actions  # looking is no refusal


def test_the_dpo_forecast_is_an_svg_chart(world: World) -> None:
    dpo = client_for(world, "dpo")
    for days in (14, 120):
        page = dpo.get(f"/personvern/prognose?dager={days}")
        assert page.status_code == 200 and "<svg" in page.text and "<rect" in page.text


def test_download_my_data_from_request_to_package(world: World) -> None:
    kari = client_for(world, "kari")
    token = csrf(kari, "/mine-sider/mine-data")
    assert kari.post("/mine-sider/mine-data", data={"csrf_token": token}).status_code == 303
    page = kari.get("/mine-sider/mine-data").text
    assert "Under behandling" in page and "pakke.zip" not in page
    dpo = client_for(world, "dpo")
    queue = dpo.get("/personvern/foresporsler").text
    number = re.search(r"/personvern/foresporsler/(\d+)/innsyn", queue)
    assert number, "the queue offers to build the package"
    dpo_token = csrf(dpo, "/personvern/foresporsler")
    built = dpo.post(number.group(0), data={"csrf_token": dpo_token, "pdf": "false"})
    assert built.status_code == 303
    page = kari.get("/mine-sider/mine-data").text
    link = re.search(r'href="(/mine-sider/mine-data/\d+/pakke\.zip)"', page)
    if link is None:  # a third-party review was left pending: staff finish it first
        queue = dpo.get("/personvern/foresporsler").text
        step = re.search(r'action="(/personvern/foresporsler/\d+/steg/[a-z_]+/ferdig)"', queue)
        assert step
        assert dpo.post(step.group(1), data={"csrf_token": dpo_token}).status_code == 303
        page = kari.get("/mine-sider/mine-data").text
        link = re.search(r'href="(/mine-sider/mine-data/\d+/pakke\.zip)"', page)
    assert link
    package = kari.get(link.group(1))
    assert package.status_code == 200
    assert zipfile.ZipFile(BytesIO(package.content)).namelist()
    assert client_for(world, "berit").get(link.group(1)).status_code == 404


def test_the_english_switch(world: World) -> None:
    kari = client_for(world, "kari")
    assert "<h1>Alarmlogg</h1>" in kari.get("/mine-sider/alarmlogg").text
    switched = kari.get("/lang/en", params={"next": "/mine-sider/alarmlogg"})
    assert switched.status_code == 303 and switched.headers["location"] == "/mine-sider/alarmlogg"
    page = kari.get("/mine-sider/alarmlogg").text
    assert "<h1>Alarm log</h1>" in page and '<html lang="en">' in page
    assert kari.get("/lang/en", params={"next": "//evil.example"}).headers["location"] == "/"


def test_an_unknown_address_is_a_page_for_a_browser_and_json_for_the_api(world: World) -> None:
    client = client_for(world, "kari")
    page = client.get("/finnes-ikke", headers={"Accept": "text/html,*/*;q=0.8"})
    assert page.status_code == 404 and page.headers["content-type"].startswith("text/html")
    assert "Vi fant ingen side" in page.text and '<a href="/">' in page.text
    assert client.get("/", follow_redirects=False).headers["location"] == "/mine-sider"
    api = client.get("/api/v1/finnes-ikke", headers={"Accept": "text/html"})
    assert api.status_code == 404 and api.json()["code"] == "not_found"
    machine = client.get("/finnes-ikke", headers={"Accept": "application/json"})
    assert machine.status_code == 404 and machine.json()["code"] == "not_found"


def test_the_favicon_is_served_and_linked_from_every_page(world: World) -> None:
    client = client_for(world, None)
    icon = client.get("/favicon.ico")
    assert icon.status_code == 200 and icon.headers["content-type"].startswith("image/svg+xml")
    assert client.get("/static/favicon.svg").status_code == 200
    assert 'rel="icon" href="/static/favicon.svg"' in client.get("/login").text


def test_the_api_docs_load_from_this_server_alone_and_name_the_ways_to_log_in(
    world: World,
) -> None:
    client = client_for(world, None)
    page = client.get("/api/docs")
    assert page.status_code == 200
    sources = re.findall(r'(?:src|href)="([^"]+)"', page.text)
    assert sources and all(s.startswith("/") for s in sources), sources  # no other host
    assert "cdn" not in page.text.lower()
    for source in sources:
        assert client.get(source).status_code == 200, source
    schemes = client.get("/api/v1/openapi.json").json()["components"]["securitySchemes"]
    assert schemes["session"] == schemes["session"] | {"in": "cookie", "name": "alarmvern_session"}
    assert schemes["csrf"] == schemes["csrf"] | {"in": "header", "name": "X-CSRF-Token"}
