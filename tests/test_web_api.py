"""The REST API's main flows over HTTP, on SQLite and PostgreSQL: what each role may see and
do, the rights from request to download, consents, the operator's purpose-bound view, the
DPO's tools, and CSRF."""

from __future__ import annotations

import io
import re
import zipfile
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy import func, select, update

from alarmvern.store import tables as t
from tests.web_support import PASSWORD, Web, login, web  # noqa: F401

API = "/api/v1"


def audit_rows(w: Web, **where: str) -> list[Any]:
    query = select(t.audit_log)
    for column, value in where.items():
        query = query.where(t.audit_log.c[column] == value)
    with w.system.engine.connect() as conn:
        return list(conn.execute(query.order_by(t.audit_log.c.seq)).all())


def test_a_customer_reads_their_own_log_and_nobody_elses(web: Web) -> None:  # noqa: F811
    w, me = web.world, web.client("customer")
    page = me.get(f"{API}/accounts/{w.account}/events", params={"limit": 2})
    assert page.status_code == 200
    first = page.json()["items"][0]
    assert first["code"] == "CL" and first["meaning"]["event_class"] == "arm"
    assert first["actor_name"] == "Kari Nordmann"
    # Walk the pages: every event once, newest first.
    seen, after = [], None
    while True:
        params: dict[str, Any] = {"limit": 1} | ({"after": after} if after else {})
        body = me.get(f"{API}/accounts/{w.account}/events", params=params).json()
        seen += [(e["occurred_at"], e["id"]) for e in body["items"]]
        after = body["next_after"]
        if after is None:
            break
    assert len(seen) == 3 and seen == sorted(seen, reverse=True)
    assert me.get(f"{API}/accounts/{w.account}/events", params={"after": "x"}).status_code == 422
    # Another's account, person, site, media: not found, exactly as if it did not exist.
    for path in (
        f"/accounts/{w.kari.neighbour_account}/events",
        f"/people/{w.kari.neighbour}",
        f"/customers/{w.kari.neighbour_account}",
        f"/sites/{w.kari.neighbour_site}/contacts",
        f"/media/{w.neighbour_image}",
        "/people/999999",
    ):
        answer = me.get(API + path)
        assert answer.status_code == 404, path
        assert set(answer.json()) == {"status", "code", "message", "field"}
    own = me.get(f"{API}/media/{w.on_demand}")
    assert own.status_code == 200 and own.headers["content-type"] == "image/png"


def test_staff_looks_are_audited_and_operators_see_no_people(web: Web) -> None:  # noqa: F811
    w = web.world
    service = web.client("customer_service")
    assert service.get(f"{API}/people/{w.person}").json()["name"] == "Kari Nordmann"
    looks = audit_rows(web, action="staff.view", subject=f"person:{w.person}")
    assert [r.actor for r in looks] == [w.actor("customer_service")]
    found = service.get(f"{API}/customers", params={"q": "nordmann"}).json()["items"]
    assert [c["account_id"] for c in found] == [w.account]
    assert set(found[0]) == {"account_id", "customer_no", "person_id", "name"}
    assert audit_rows(web, action="staff.search")
    operator = web.client("operator")
    assert operator.get(f"{API}/people/{w.person}").status_code == 403
    assert operator.get(f"{API}/customers/{w.account}").status_code == 403
    assert service.get(f"{API}/people/999999").status_code == 404


def test_a_customer_manages_their_alarm_contacts(web: Web) -> None:  # noqa: F811
    w, me = web.world, web.client("customer")
    added = me.post(
        f"{API}/sites/{w.site}/contacts", json={"name": "Nora Nabo", "phone": "+47 900 11 222"}
    )
    assert added.status_code == 201, added.text
    contact = added.json()
    assert contact["phone"] == "+4790011222"
    listed = me.get(f"{API}/sites/{w.site}/contacts").json()
    assert contact["id"] in [c["id"] for c in listed]
    assert audit_rows(web, action="contact.added", subject=f"person:{contact['person_id']}")
    elsewhere = me.post(
        f"{API}/sites/{w.kari.neighbour_site}/contacts", json={"name": "X", "phone": "+4790000000"}
    )
    assert elsewhere.status_code == 404
    bad = me.post(f"{API}/sites/{w.site}/contacts", json={"name": "", "phone": "abc"})
    assert bad.status_code == 422 and bad.json()["field"] in ("name", "phone")
    assert me.delete(f"{API}/sites/{w.site}/contacts/{contact['id']}").status_code == 204
    assert me.delete(f"{API}/sites/{w.site}/contacts/{contact['id']}").status_code == 404
    assert contact["id"] not in [c["id"] for c in me.get(f"{API}/sites/{w.site}/contacts").json()]


def test_access_request_from_mine_sider_to_download(web: Web) -> None:  # noqa: F811
    w, me, staff = web.world, web.client("customer"), web.client("customer_service")
    assert (
        me.post(f"{API}/rights/requests", json={"kind": "access", "person_id": 2}).status_code
        == 422
    )
    opened = me.post(f"{API}/rights/requests", json={"kind": "access"})
    assert opened.status_code == 201, opened.text
    request = opened.json()
    number = request["id"]
    assert request["person_id"] == w.person and request["channel"] == "mine_sider"
    assert request["verification"] == "mine_sider" and request["verified_at"]
    assert web.client("neighbour").get(f"{API}/rights/requests/{number}").status_code == 404
    assert me.get(f"{API}/rights/requests/{number}/package").status_code == 404  # not built
    queue = staff.get(f"{API}/rights/requests").json()["items"]
    assert [r["id"] for r in queue] == [number]
    built = staff.post(f"{API}/rights/requests/{number}/access", json={"pdf": False})
    assert built.status_code == 200, built.text
    assert built.json()["result"]["needs_review"]
    assert built.json()["request"]["pending"] == ["third_party_review"]
    # Not to the person until staff have checked the material for other people (art. 15(4)).
    assert me.get(f"{API}/rights/requests/{number}/package").status_code == 409
    assert staff.get(f"{API}/rights/requests/{number}/package").status_code == 200
    assert audit_rows(web, action="staff.download", subject=f"person:{w.person}")
    closing = staff.post(f"{API}/rights/requests/{number}/close", json={"outcome": "sent"})
    assert closing.status_code == 409 and "Review for others' data" in closing.json()["message"]
    reviewed = staff.post(f"{API}/rights/requests/{number}/review-done")
    assert reviewed.status_code == 200 and reviewed.json()["request"]["pending"] == []
    package = me.get(f"{API}/rights/requests/{number}/package")
    assert package.status_code == 200 and package.headers["content-type"] == "application/zip"
    assert zipfile.ZipFile(io.BytesIO(package.content)).testzip() is None
    assert (
        me.post(f"{API}/rights/requests/{number}/close", json={"outcome": "x"}).status_code == 403
    )


def test_staff_take_a_request_through_its_steps(web: Web) -> None:  # noqa: F811
    w, dpo = web.world, web.client("dpo")
    opened = dpo.post(f"{API}/rights/requests", json={"kind": "restriction", "channel": "letter"})
    number = opened.json()["id"]
    assert opened.json()["person_id"] is None
    # The domain refuses what is not ready: 409 with its reason.
    early = dpo.post(f"{API}/rights/requests/{number}/restrict", json={"reason": "accuracy"})
    assert early.status_code == 409 and "concerns nobody" in early.json()["message"]
    base = f"{API}/rights/requests/{number}"
    assert dpo.post(f"{base}/confirm", json={"person_id": w.person}).status_code == 200
    copy = dpo.post(f"{base}/verify", json={"method": "id_document_copy"})
    assert copy.status_code == 409
    assert dpo.post(f"{base}/verify", json={"method": "one_time_code"}).status_code == 200
    restricted = dpo.post(f"{base}/restrict", json={"reason": "accuracy"})
    assert restricted.status_code == 200
    assert "restricted" in [s["step"] for s in restricted.json()["request"]["steps"]]
    assert dpo.post(f"{base}/close", json={"outcome": "begrenset"}).json()["request"]["status"] == (
        "done"
    )
    assert dpo.post(f"{API}/rights/requests/999999/close", json={"outcome": "x"}).status_code == 404
    assert dpo.post(f"{base}/object", json={"marketing": True, "activity": "x"}).status_code == 422


def test_withdrawing_the_location_consent_erases_presence(web: Web) -> None:  # noqa: F811
    w, me = web.world, web.client("customer")
    mine = me.get(f"{API}/me/consents").json()
    presence = next(a for a in mine["activities"] if a["id"] == "presence")
    assert presence["given"] and mine["items"][0]["notice_version"] == "2026-01"
    withdrawn = me.delete(f"{API}/me/consents/presence")
    assert withdrawn.status_code == 200 and withdrawn.json()["erased"] == {"presence": 1}
    with web.system.engine.connect() as conn:
        left = conn.execute(
            select(func.count()).select_from(t.presence).where(t.presence.c.person_id == w.person)
        ).scalar_one()
    assert left == 0
    assert audit_rows(web, action="consent.withdrawn", subject=f"person:{w.person}")
    again = me.post(f"{API}/me/consents/presence").json()
    given = [c for c in again["items"] if c["activity"] == "presence" and not c["withdrawn_at"]]
    assert [c["notice_version"] for c in given] == [web.system.policy.policy.version]
    assert me.post(f"{API}/me/consents/alarm-monitoring").status_code == 404  # not by consent
    # Mine Sider offers exactly the consents the API offers (one home: rights.consent.offered).
    page = me.get("/mine-sider/samtykker").text
    assert set(re.findall(r'id="c-([a-z0-9-]+)"', page)) == {a["id"] for a in mine["activities"]}


def test_an_operator_sees_a_site_only_through_their_incident(web: Web) -> None:  # noqa: F811
    w, op = web.world, web.client("operator")
    incident = f"{API}/incidents/{w.incident}"
    assert op.get(incident).status_code == 403
    refused = audit_rows(web, action="operator.refused", subject=f"incident:{w.incident}")
    assert [r.actor for r in refused] == [w.actor("operator")]
    assert op.get(f"{API}/media/{w.image}").status_code == 403
    queued = {i["id"]: i for i in op.get(f"{API}/incidents").json()["items"]}
    # In the queue, before assignment: what it is, not whose or where.
    assert queued[w.incident]["site_id"] is None and queued[w.incident]["account_id"] is None
    assert op.post(f"{incident}/close", json={"cause": "x"}).status_code == 403  # not assigned
    assert op.post(f"{incident}/assign").json()["operators"] == [w.actor("operator")]
    queued = {i["id"]: i for i in op.get(f"{API}/incidents").json()["items"]}
    assert queued[w.incident]["site_id"] is not None
    view = op.get(incident)
    assert view.status_code == 200
    site = view.json()["site"]
    assert [c["person_id"] for c in site["contacts"]] == [w.contact_person]
    assert w.image in [m["id"] for m in site["media"]]
    assert w.on_demand not in [m["id"] for m in site["media"]]
    assert op.get(f"{API}/media/{w.image}").status_code == 200
    assert op.get(f"{API}/media/{w.on_demand}").status_code == 403  # the customer's alone
    called = op.post(
        f"{incident}/contact-called", json={"person_id": w.contact_person, "outcome": "answered"}
    )
    assert called.status_code == 200 and called.json()["status"] == "contact_called"
    stranger = op.post(
        f"{incident}/contact-called", json={"person_id": w.kari.neighbour, "outcome": "busy"}
    )
    assert stranger.status_code == 422
    assert op.post(f"{incident}/close", json={"cause": "falsk alarm"}).status_code == 200
    assert op.get(incident).status_code == 200  # the grace period, to finish the report
    assert op.post(f"{incident}/close", json={"cause": "igjen"}).status_code == 409
    # Three hours on, past the policy's two-hour grace: refused, and the refusal logged.
    past = datetime.now(UTC) - timedelta(hours=3)
    with web.system.engine.begin() as conn:
        conn.execute(
            update(t.incidents).where(t.incidents.c.id == w.incident).values(closed_at=past)
        )
    assert op.get(incident).status_code == 403
    assert op.get(f"{incident}/views").status_code == 403
    assert op.get(f"{API}/media/{w.image}").status_code == 403
    log = web.client("dpo").get(f"{incident}/views")
    actions = [e["action"] for e in log.json()["items"]]
    assert actions.count("operator.refused") >= 3 and "operator.view" in actions
    assert "incident.closed" in actions


def test_the_dpo_forecasts_holds_and_verifies_the_audit_log(web: Web) -> None:  # noqa: F811
    w, dpo = web.world, web.client("dpo")
    forecast = dpo.get(f"{API}/retention/forecast", params={"days": 30})
    assert forecast.status_code == 200
    assert any(u["unit"].startswith("media") for u in forecast.json()["units"])
    ends = (date.today() + timedelta(days=7)).isoformat()
    placed = dpo.post(
        f"{API}/holds",
        json={
            "target": "incident",
            "target_id": w.incident,
            "reason": "Politisak 1",
            "ends_on": ends,
        },
    )
    assert placed.status_code == 201, placed.text
    hold = placed.json()
    assert hold["active"] and hold["placed_by"] == w.actor("dpo")
    assert [h["id"] for h in dpo.get(f"{API}/holds").json()["items"]] == [hold["id"]]
    held = dpo.get(f"{API}/retention/forecast", params={"days": 30}).json()["holds"]
    assert [h["hold"] for h in held] == [hold["id"]]
    missing = dpo.post(
        f"{API}/holds",
        json={"target": "person", "target_id": 999999, "reason": "x", "ends_on": ends},
    )
    assert missing.status_code == 409
    released = dpo.post(f"{API}/holds/{hold['id']}/release")
    assert released.status_code == 200 and not released.json()["active"]
    assert dpo.post(f"{API}/holds/{hold['id']}/release").status_code == 409
    assert dpo.post(f"{API}/holds/999999/release").status_code == 404
    verified = dpo.get(f"{API}/audit/verify").json()
    assert verified["intact"] and verified["entries"] > 5
    with web.system.engine.begin() as conn:
        conn.execute(update(t.audit_log).where(t.audit_log.c.seq == 3).values(actor="someone else"))
    broken = dpo.get(f"{API}/audit/verify").json()
    assert not broken["intact"] and broken["first_break"]["seq"] == 3


def test_a_material_policy_change_names_the_customers_to_tell(web: Web) -> None:  # noqa: F811
    w, dpo = web.world, web.client("dpo")
    loaded = web.system.policy
    longer = loaded.text.replace("user.alarm.media: {keep: 7d", "user.alarm.media: {keep: 14d")
    assert longer != loaded.text
    with web.system.engine.begin() as conn:
        conn.execute(
            t.policy_versions.insert().values(
                name=loaded.name,
                version="2026.2",
                sha256="f" * 64,
                policy_date=date(2026, 6, 1),
                applied_at=datetime.now(UTC),
                source=longer,
            )
        )
    versions = dpo.get(f"{API}/policy/versions").json()["items"]
    assert [v["current"] for v in versions] == [True, False]
    changed = dpo.get(f"{API}/policy/versions/{versions[1]['id']}/diff").json()
    assert changed["material"] and changed["previous_id"] == versions[0]["id"]
    assert sorted(changed["notify_accounts"]) == sorted([w.account, w.kari.neighbour_account])
    assert any(c["material"] for c in changed["changes"])
    first = dpo.get(f"{API}/policy/versions/{versions[0]['id']}/diff").json()
    assert first["changes"] == [] and first["notify_accounts"] == []
    assert dpo.get(f"{API}/policy/versions/999999/diff").status_code == 404
    # The console counts the same customers as the API (one home: alarmvern.policy_history).
    page = dpo.get(f"/personvern/policy/{versions[1]['id']}/kunder")
    assert page.status_code == 200
    assert f"alle {len(changed['notify_accounts'])} nåværende kunder" in page.text


def test_public_policy_and_notice(web: Web) -> None:  # noqa: F811
    anyone = web.client()
    info = anyone.get(f"{API}/policy").json()
    assert info["controller"]["name"] and info["version"] == web.system.policy.policy.version
    html = anyone.get(f"{API}/policy/notice", params={"lang": "nb", "format": "html"})
    assert html.status_code == 200 and html.headers["content-type"].startswith("text/html")
    md = anyone.get(f"{API}/policy/notice", params={"lang": "en", "format": "md"})
    assert md.headers["content-type"].startswith("text/markdown") and md.text.strip()
    assert anyone.get(f"{API}/policy/ropa").status_code == 401
    assert anyone.get(f"{API}/policy/notice", params={"lang": "de"}).status_code == 422
    ropa = web.client("customer_service").get(f"{API}/policy/ropa", params={"format": "csv"})
    assert ropa.status_code == 200 and ropa.headers["content-type"].startswith("text/csv")


def test_an_unsafe_call_without_the_csrf_token_is_refused(web: Web) -> None:  # noqa: F811
    client = web.client()
    token = login(client, "customer")
    refused = client.post(f"{API}/me/consents/presence")
    assert refused.status_code == 403 and refused.json()["code"] == "csrf"
    wrong = client.post(f"{API}/me/consents/presence", headers={"X-CSRF-Token": "nope"})
    assert wrong.status_code == 403
    allowed = client.post(f"{API}/me/consents/presence", headers={"X-CSRF-Token": token})
    assert allowed.status_code == 200
    assert client.get(f"{API}/me/consents").status_code == 200  # reading needs no token
