"""The access package a customer makes themselves on Mine Sider (issue 17, item 1 and 5):
asked for, queued, built by the builder the server runs (no staff), downloaded; no secret in
it (decided by the data map), tables and columns named in Norwegian; what may show others
waits for staff's review and then joins the package."""

from __future__ import annotations

import json
import re
import zipfile
from io import BytesIO

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Column, MetaData, String, Table, select

from alarmvern.rights import requests, selfservice
from alarmvern.rights.requests import Kind
from alarmvern.store.datamap import COMMON_LABELS, Binding, Stored, bind
from alarmvern.store.engine import reading
from alarmvern.store.tables import audit_log, logins
from alarmvern.web.app import create_app
from tests.rights_world import NOW
from tests.web_support import PASSWORD, Web, web  # noqa: F401 (fixture)


def page_client(opened: Web, user: str) -> TestClient:
    client = TestClient(create_app(opened.system), follow_redirects=False)
    token = csrf(client, "/login")
    form = {"username": user, "password": PASSWORD, "csrf_token": token}
    assert client.post("/login", data=form).status_code == 303
    return client


def csrf(client: TestClient, page: str) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', client.get(page).text)
    assert found, f"{page} has no form"
    return found.group(1)


def _ask(kari: TestClient) -> None:
    token = csrf(kari, "/mine-sider/mine-data")
    assert kari.post("/mine-sider/mine-data", data={"csrf_token": token}).status_code == 303


def test_a_customer_makes_and_downloads_the_package_without_staff(web: Web) -> None:  # noqa: F811
    kari = page_client(web, "customer")
    _ask(kari)
    page = kari.get("/mine-sider/mine-data").text
    assert "Pakken står i kø" in page and "data-reload-after" in page and "pakke.zip" not in page
    _ask(kari)  # asking again opens no second request
    with reading(web.system.engine) as conn:
        found = requests.for_person(conn, web.world.person)
    mine = [r for r in found if r.kind is Kind.access and r.is_open]
    assert len(mine) == 1 and mine[0].verified_at is not None

    assert selfservice.build_waiting(web.system) == 1
    assert selfservice.waiting(web.system) == []
    page = kari.get("/mine-sider/mine-data").text
    assert "data-reload-after" not in page
    link = re.search(r'href="(/mine-sider/mine-data/\d+/pakke\.zip)"', page)
    assert link, "the package is ready without anyone on the staff"
    # Images and recordings may show other people: they wait for review, and the page says so.
    assert "Bilder og opptak" in page and "art. 15 nr. 4" in page
    answer = kari.get(link.group(1))
    assert answer.status_code == 200
    package = zipfile.ZipFile(BytesIO(answer.content))
    everything = b"".join(package.read(n) for n in package.namelist())
    assert b"argon2" not in everything  # the customer's password hash is never handed out
    data = json.loads(package.read("data.json"))
    tables = {n: rows for c in data["categories"].values() for n, rows in c["tables"].items()}
    assert tables["logins"] and tables["logins"][0]["password_hash"].startswith("[lagret bare")
    assert tables["media"] == [] and tables["call_recordings"] == []
    names = package.namelist()
    assert not any(n.startswith(("media/media-", "media/call_recordings-")) for n in names)
    assert any(n.startswith("media/job_applicants-") for n in names)  # their own CV goes now
    report = package.read("rapport.html").decode()
    assert "Personopplysninger" in report and "Fødselsnummer" in report  # the data map's labels
    assert re.search(r"Personopplysninger: 1 oppføring\b(?!er)", report)  # singular
    assert " 1 oppføringer" not in report
    assert "birth_date" not in report and "(persons)" not in report
    assert "Ikke med ennå" in package.read("LESMEG.txt").decode()
    # Somebody else's link is not theirs.
    assert page_client(web, "neighbour").get(link.group(1)).status_code == 404

    # Staff review what may show others; the package is made again, whole.
    dpo = page_client(web, "dpo")
    queue = dpo.get("/personvern/foresporsler").text
    step = re.search(
        r'action="(/personvern/foresporsler/\d+/steg/third_party_review/ferdig)"', queue
    )
    assert step
    assert dpo.post(step.group(1), data={"csrf_token": csrf(dpo, "/personvern")}).status_code == 303
    whole = zipfile.ZipFile(BytesIO(kari.get(link.group(1)).content))
    assert any(n.startswith("media/media-") for n in whole.namelist())
    assert b"argon2" not in b"".join(whole.read(n) for n in whole.namelist())


def test_a_credential_column_must_say_so_in_the_data_map() -> None:
    table = Table("t", MetaData(), Column("id", String), Column("pin_hash", String))
    with pytest.raises(ValueError, match="credentials"):
        bind(table, Binding(category="user.x", subjects=("customer",),
                            columns={"pin_hash": "user.authorization.credentials"}))  # fmt: skip
    bound = bind(table, Binding(category="user.x", subjects=("customer",),
                                columns={"pin_hash": "user.authorization.credentials"},
                                stored={"pin_hash": Stored.credential}))  # fmt: skip
    assert bound.info["datamap"].stored_as("pin_hash") is Stored.credential


def test_every_personal_table_and_column_has_a_name_for_people() -> None:
    from alarmvern.rights.scope import personal_tables

    missing = [t.name for t, b in personal_tables() if b.label is None]
    assert missing == []
    unnamed = [
        f"{t.name}.{c.name}"
        for t, b in personal_tables()
        for c in t.c
        if b.column_label(c.name) is None
    ]
    assert unnamed == []
    assert logins.info["datamap"].stored_as("password_hash") is Stored.credential
    assert "id" in COMMON_LABELS and NOW


def test_only_the_owner_downloads_a_package_and_each_download_is_audited(web: Web) -> None:  # noqa: F811
    kari = page_client(web, "customer")
    _ask(kari)
    assert selfservice.build_waiting(web.system) == 1
    link = re.search(
        r'href="(/mine-sider/mine-data/(\d+)/pakke\.zip)"', kari.get("/mine-sider/mine-data").text
    )
    assert link
    request_id = int(link.group(2))

    def downloads() -> int:
        with reading(web.system.engine) as conn:
            rows = conn.execute(
                select(audit_log.c.seq).where(
                    audit_log.c.action == "rights.package_downloaded",
                    audit_log.c.purpose == f"rights-request:{request_id}",
                )
            ).all()
        return len(rows)

    neighbour = page_client(web, "neighbour")
    for path in (link.group(1), f"/mine-sider/foresporsler/{request_id}/portabilitet.zip"):
        answer = neighbour.get(path)
        assert answer.status_code == 404, path  # not told apart from an id that does not exist
        assert "Kari" not in answer.text
    assert neighbour.get("/mine-sider/mine-data/999999/pakke.zip").status_code == 404
    assert downloads() == 0
    assert kari.get(link.group(1)).status_code == 200
    assert downloads() == 1
