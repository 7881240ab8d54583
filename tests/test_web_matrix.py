"""Every API route × every role: allowed (2xx), 401, 403 or 404, as the table says.

The walk takes its routes from the app itself, so a route added without a line in ACCESS
fails here. Ids are real (a small world); a route that changes state gets fresh objects for
each call, so one role's call cannot decide another's answer.
"""

from __future__ import annotations

import itertools
from datetime import UTC, date, datetime, timedelta
from typing import Any

import fastapi.routing
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient
from sqlalchemy import Connection

from alarmvern.accountability import breaches, drafts
from alarmvern.customers import accounts, contracts
from alarmvern.customers import logins as login_links
from alarmvern.customers import sites as customer_sites
from alarmvern.customers.accounts import PersonIn
from alarmvern.intake import incidents as inc
from alarmvern.policy.model import Verification
from alarmvern.retention import holds
from alarmvern.rights import decisions, objection, requests
from alarmvern.rights.requests import Channel, Kind
from alarmvern.rights.restriction import Reason
from alarmvern.store import tables as t
from alarmvern.web.app import create_app
from alarmvern.web.security import Role, create_login
from tests import builders as b
from tests.web_support import PASSWORD, ROLES, Web, login, sqlite_web  # noqa: F401

OK = "2xx"
ANON, CUSTOMER, OPERATOR, SERVICE, DPO, ADMIN = ROLES
EVERYONE = set(ROLES)
LOGGED_IN = EVERYONE - {ANON}


def allow(*roles: str) -> dict[str, str | int]:
    """``roles`` allowed; the anonymous must log in (401), other roles are forbidden (403)."""
    return {r: OK if r in roles else (401 if r == ANON else 403) for r in ROLES}


RIGHTS_STAFF = allow(SERVICE, DPO, ADMIN)
PEOPLE = allow(CUSTOMER, SERVICE, DPO, ADMIN)  # operators see people only via an incident
DPO_ONLY = allow(DPO, ADMIN)
STEP = allow(OPERATOR)  # the assigned operator; an admin is not assigned (403)
DEVICES_ONLY = dict.fromkeys(ROLES, 401)  # a device token, never a session

ACCESS: dict[tuple[str, str], dict[str, str | int]] = {
    ("POST", "/api/v1/login"): allow(*EVERYONE),
    ("POST", "/api/v1/logout"): allow(*LOGGED_IN),
    ("POST", "/api/v1/password/forgotten"): allow(*EVERYONE),
    ("POST", "/api/v1/password"): allow(*EVERYONE),  # the link's token is the credential
    ("GET", "/api/v1/me"): allow(*LOGGED_IN),
    ("GET", "/api/v1/policy"): allow(*EVERYONE),
    ("GET", "/api/v1/policy/notice"): allow(*EVERYONE),
    ("GET", "/api/v1/policy/ropa"): allow(SERVICE, DPO, ADMIN),
    ("GET", "/api/v1/policy/lint"): DPO_ONLY,
    ("GET", "/api/v1/policy/versions"): DPO_ONLY,
    ("GET", "/api/v1/policy/versions/{version_id}/diff"): DPO_ONLY,
    ("GET", "/api/v1/people/{person_id}"): PEOPLE,
    ("GET", "/api/v1/customers"): allow(SERVICE, DPO, ADMIN),
    ("GET", "/api/v1/customers/{account_id}"): PEOPLE,
    ("GET", "/api/v1/sites/{site_id}/users"): PEOPLE,
    ("GET", "/api/v1/sites/{site_id}/contacts"): PEOPLE,
    ("POST", "/api/v1/sites/{site_id}/contacts"): allow(CUSTOMER, SERVICE, ADMIN),
    ("DELETE", "/api/v1/sites/{site_id}/contacts/{contact_id}"): allow(CUSTOMER, SERVICE, ADMIN),
    ("GET", "/api/v1/accounts/{account_id}/events"): PEOPLE,
    ("POST", "/api/v1/customers"): allow(SERVICE, DPO, ADMIN),
    ("POST", "/api/v1/customers/{account_id}/sites"): allow(SERVICE, DPO, ADMIN),
    ("POST", "/api/v1/customers/{account_id}/contracts"): allow(SERVICE, DPO, ADMIN),
    ("POST", "/api/v1/customers/{account_id}/end"): allow(SERVICE, DPO, ADMIN),
    ("POST", "/api/v1/contracts/{contract_id}/end"): allow(SERVICE, DPO, ADMIN),
    ("POST", "/api/v1/customers/{account_id}/invite"): allow(SERVICE, DPO, ADMIN),
    ("POST", "/api/v1/sites/{site_id}/panel-users"): allow(SERVICE, DPO, ADMIN),
    ("DELETE", "/api/v1/sites/{site_id}/panel-users/{panel_user_id}"): allow(SERVICE, DPO, ADMIN),
    ("POST", "/api/v1/leads"): allow(SERVICE, DPO, ADMIN),
    ("POST", "/api/v1/leads/{lead_id}/convert"): allow(SERVICE, DPO, ADMIN),
    ("GET", "/api/v1/informing/pending"): DPO_ONLY,
    ("GET", "/api/v1/media/{media_id}"): allow(CUSTOMER, OPERATOR),
    ("GET", "/api/v1/incidents"): allow(OPERATOR, ADMIN),
    ("GET", "/api/v1/incidents/{incident_id}"): allow(OPERATOR, DPO, ADMIN),
    ("POST", "/api/v1/incidents/{incident_id}/assign"): allow(OPERATOR, ADMIN),
    ("POST", "/api/v1/incidents/{incident_id}/contact-called"): STEP,
    ("POST", "/api/v1/incidents/{incident_id}/guard-dispatched"): STEP,
    ("POST", "/api/v1/incidents/{incident_id}/police-notified"): STEP,
    ("POST", "/api/v1/incidents/{incident_id}/close"): STEP,
    ("POST", "/api/v1/incidents/{incident_id}/plan-steps/{number}"): STEP,
    ("GET", "/api/v1/incidents/{incident_id}/views"): allow(OPERATOR, DPO, ADMIN),
    ("GET", "/api/v1/sites/{site_id}/plans"): allow(SERVICE, DPO, ADMIN),
    ("PUT", "/api/v1/sites/{site_id}/plans/{kind}"): allow(SERVICE, DPO, ADMIN),
    ("GET", "/api/v1/rights/requests"): RIGHTS_STAFF,
    ("POST", "/api/v1/rights/requests"): PEOPLE,
    ("GET", "/api/v1/rights/requests/{request_id}"): PEOPLE,
    ("GET", "/api/v1/rights/requests/{request_id}/package"): PEOPLE,
    **{
        ("POST", f"/api/v1/rights/requests/{{request_id}}/{action}"): RIGHTS_STAFF
        for action in (
            "confirm",
            "verify",
            "await-identity",
            "extend",
            "access",
            "review-done",
            "portability",
            "rectify",
            "erase",
            "restrict",
            "lift-notice",
            "lift",
            "object",
            "decide",
            "withdraw",
            "close",
            "step-done",
        )
    },
    ("GET", "/api/v1/me/consents"): allow(CUSTOMER),
    ("POST", "/api/v1/me/consents/{activity}"): allow(CUSTOMER),
    ("DELETE", "/api/v1/me/consents/{activity}"): allow(CUSTOMER),
    ("GET", "/api/v1/retention/forecast"): DPO_ONLY,
    ("GET", "/api/v1/holds"): DPO_ONLY,
    ("POST", "/api/v1/holds"): DPO_ONLY,
    ("POST", "/api/v1/holds/{hold_id}/release"): DPO_ONLY,
    ("GET", "/api/v1/audit/verify"): DPO_ONLY,
    ("GET", "/api/v1/breaches"): DPO_ONLY,
    ("POST", "/api/v1/breaches"): DPO_ONLY,
    ("GET", "/api/v1/breaches/{breach_id}"): DPO_ONLY,
    ("POST", "/api/v1/breaches/{breach_id}/affected"): DPO_ONLY,
    ("POST", "/api/v1/breaches/{breach_id}/decision"): DPO_ONLY,
    ("POST", "/api/v1/breaches/{breach_id}/drafts"): DPO_ONLY,
    ("POST", "/api/v1/breach-drafts/{draft_id}/sent"): DPO_ONLY,
    ("POST", "/api/v1/intake/media"): DEVICES_ONLY,
    ("POST", "/api/v1/intake/presence"): DEVICES_ONLY,
    ("POST", "/api/v1/intake/calls"): DEVICES_ONLY,
    ("GET", "/api/v1/panels/{panel_account}/rules"): allow(OPERATOR, SERVICE, DPO, ADMIN),
    ("PUT", "/api/v1/panels/{panel_account}/rules"): allow(OPERATOR, ADMIN),
}

_serial = itertools.count(1)


def _fresh_person(conn: Connection) -> int:
    n = next(_serial)
    return b.person(conn, name=f"Matrise {n}", email=f"matrise{n}@example.test", phone=None)


def _request(
    web: Web,
    kind: Kind,
    *,
    verified: bool = True,
    pending: str | None = None,
    restricted: str | None = None,
) -> int:
    """A request about a fresh person, confirmed and (by default) verified; ``restricted``:
    the restriction ``placed`` (or placed and the person ``told`` before lifting)."""
    with web.system.engine.begin() as conn:
        person = _fresh_person(conn)
        b.insert(conn, t.presence, account_id=None, person_id=person, state="home",
                 recorded_at=b.T0)  # fmt: skip
        b.insert(conn, t.consents, person_id=person, activity="presence", notice_version="1",
                 given_at=b.T0)  # fmt: skip
        made = requests.open_request(
            conn, kind=kind, channel=Channel.email, person_id=person, actor="test"
        )
        if verified:
            requests.verify_identity(
                conn, made.id, method=Verification.one_time_code, actor="test",
                allowed=(Verification.one_time_code,),
            )  # fmt: skip
        request = requests.get(conn, made.id)
        if pending == "decision":
            objection.object_to_activity(
                conn, web.system.policy.policy, request, "sales", actor="test"
            )
        elif pending:
            requests.add_step(conn, request, pending, "pending", actor="test")
        if restricted:
            decisions.restrict(conn, made.id, reason=Reason.accuracy, actor="test")
        if restricted == "told":
            decisions.tell_before_lifting(conn, made.id, actor="test")
    return made.id


def _incident_for_operator(web: Web) -> int:
    with web.system.engine.begin() as conn:
        incident = inc.open_incident(
            conn, account_id=web.world.account, site_id=web.world.site, kind="burglary",
            at=b.T0,
        )  # fmt: skip
        inc.assign(conn, incident, web.world.actor("operator"))
    return incident


def _hold(web: Web) -> int:
    with web.system.engine.begin() as conn:
        placed = holds.place(
            conn, web.system.policy.policy, target="person", target_id=web.world.person,
            reason="test", ends_on=date.today() + timedelta(days=3), placed_by="test",
        )  # fmt: skip
    return placed.id


def _contact(web: Web) -> int:
    with web.system.engine.begin() as conn:
        return b.insert(
            conn, t.alarm_contacts, account_id=web.world.account, site_id=web.world.site,
            person_id=_fresh_person(conn), priority=5,
        )  # fmt: skip


def _lifecycle_ids(web: Web, path: str) -> dict[str, int]:
    """Fresh objects for the customer-service changes that can be made only once."""
    n = next(_serial)
    with web.system.engine.begin() as conn:
        if path.endswith("/invite"):
            made = accounts.register_customer(
                conn, actor="test", customer_no=f"I{n}",
                holder=PersonIn(name=f"Matrise {n}", email=f"invite{n}@example.no"),
            )  # fmt: skip
            return {"account_id": made.account_id}
        if path.endswith("/end") or "{contract_id}" in path:
            made = accounts.register_customer(
                conn, actor="test", customer_no=f"M{n}", holder=PersonIn(name=f"Matrise {n}")
            )
            contract = contracts.add_contract(
                conn, actor="test", account_id=made.account_id, product="Boligalarm"
            )
            return {"account_id": made.account_id, "contract_id": contract}
        if "{panel_user_id}" in path:
            user = customer_sites.add_panel_user(
                conn, actor="test", site_id=web.world.site, user_no=1000 + n,
                person=PersonIn(name=f"Matrise {n}"),
            )  # fmt: skip
            return {"panel_user_id": user}
        if "{lead_id}" in path:
            lead = accounts.register_lead(
                conn, actor="test", person=PersonIn(name=f"Lead {n}", phone="91234567")
            )
            return {"lead_id": lead}
    return {}


def _password_link(web: Web) -> dict[str, Any]:
    """A fresh login's reset link: the body that sets its password with it."""
    n = next(_serial)
    with web.system.engine.begin() as conn:
        person = _fresh_person(conn)
        create_login(conn, username=f"link{n}@example.test", password=PASSWORD,
                     role=Role.customer, person_id=person)  # fmt: skip
        link = login_links.forgotten(conn, username=f"link{n}@example.test")
    assert link is not None
    return {"token": link.token, "purpose": "reset", "password": PASSWORD}


LIFECYCLE_BODIES: dict[tuple[str, str], Any] = {
    ("POST", "/api/v1/customers"): lambda n: {"customer_no": f"N{n}", "name": f"Ny {n}"},
    ("POST", "/api/v1/customers/{account_id}/sites"): lambda n: {
        "street": f"Vei {n}", "postcode": "0155"},
    ("POST", "/api/v1/customers/{account_id}/contracts"): lambda n: {"product": "Boligalarm"},
    ("POST", "/api/v1/customers/{account_id}/end"): lambda n: {"ended_at": "2030-01-01T00:00:00Z"},
    ("POST", "/api/v1/contracts/{contract_id}/end"): lambda n: {"ended_at": "2030-01-01T00:00:00Z"},
    ("POST", "/api/v1/sites/{site_id}/panel-users"): lambda n: {
        "user_no": 2000 + n, "person": {"name": f"Bruker {n}"}},
    ("POST", "/api/v1/leads"): lambda n: {"name": f"Lead {n}", "email": f"l{n}@example.no"},
    ("POST", "/api/v1/leads/{lead_id}/convert"): lambda n: {"customer_no": f"L{n}"},
}  # fmt: skip


RIGHTS_PREP: dict[str, tuple[Kind, dict[str, Any]]] = {
    "confirm": (Kind.access, {}),
    "verify": (Kind.access, {"verified": False}),
    "await-identity": (Kind.access, {"verified": False}),
    "extend": (Kind.access, {}),
    "access": (Kind.access, {}),
    "review-done": (Kind.access, {"pending": "third_party_review"}),
    "portability": (Kind.portability, {}),
    "rectify": (Kind.rectification, {}),
    "erase": (Kind.erasure, {}),
    "restrict": (Kind.restriction, {}),
    "lift-notice": (Kind.restriction, {"restricted": "placed"}),
    "lift": (Kind.restriction, {"restricted": "told"}),
    "object": (Kind.objection, {}),
    "decide": (Kind.objection, {"pending": "decision"}),
    "withdraw": (Kind.withdrawal, {}),
    "close": (Kind.access, {}),
    "step-done": (Kind.access, {"pending": "recipients_notified"}),
}


def call(web: Web, client: TestClient, method: str, path: str) -> int:
    """Call the route with real ids and a valid body; the status code."""
    w = web.world
    ids: dict[str, Any] = {
        "person_id": w.person, "account_id": w.account, "site_id": w.site,
        "incident_id": w.incident, "media_id": w.image, "request_id": w.package_request,
        "version_id": 1, "activity": "presence", "hold_id": 0, "contact_id": 0,
        "number": 1, "kind": "fire",
        "panel_account": "5A0F31",
        "contract_id": 0, "panel_user_id": 0, "lead_id": 0,
    }  # fmt: skip
    body: dict[str, Any] | None = None
    action = path.rsplit("/", 1)[-1]
    if path.startswith("/api/v1/rights/requests/{request_id}/") and action in RIGHTS_PREP:
        kind, prep = RIGHTS_PREP[action]
        ids["request_id"] = _request(web, kind, **prep)
        body = _rights_body(web, action, ids["request_id"])
    elif path.startswith("/api/v1/incidents/{incident_id}/") and method == "POST":
        if action != "assign":
            ids["incident_id"] = _incident_for_operator(web)
        body = {
            "contact-called": {"person_id": w.contact_person, "outcome": "answered"},
            "guard-dispatched": {"company": "Vekter AS"},
            "police-notified": {"case_no": "2026-1"},
            "close": {"cause": "falsk alarm"},
        }.get(action)
    elif method == "DELETE" and "contact_id" in path:
        ids["contact_id"] = _contact(web)
    elif path.endswith("/release"):
        ids["hold_id"] = _hold(web)
    elif "{breach_id}" in path or "{draft_id}" in path:
        ids["breach_id"], ids["draft_id"] = _breach(web)
        body = {
            "affected": {"prefix": "lost/"},
            "decision": {"notify_authority": True, "notify_people": False, "reasons": "risiko"},
        }.get(action)
    elif path == "/api/v1/password":
        body = _password_link(web)
    elif (method, path) in LIFECYCLE_BODIES or "{panel_user_id}" in path or "invite" in path:
        ids |= _lifecycle_ids(web, path)
        make = LIFECYCLE_BODIES.get((method, path))
        body = make(next(_serial)) if make else None
    body = body or _body(method, path)
    query = {"q": "nordmann"} if path == "/api/v1/customers" else None
    answer = client.request(method, path.format(**ids), json=body, params=query)
    return answer.status_code


def _rights_body(web: Web, action: str, request_id: int) -> dict[str, Any] | None:
    with web.system.engine.connect() as conn:
        person = requests.get(conn, request_id).person_id
    return {
        "confirm": {"person_id": person},
        "verify": {"method": "one_time_code"},
        "await-identity": {"reason": "ukjent adresse"},
        "extend": {"months": 1, "reason": "mange saker"},
        "access": {"pdf": False},
        "rectify": {"table": "persons", "row_id": person, "column": "email",
                    "value": "ny@example.test"},
        "restrict": {"reason": "accuracy"},
        "object": {"marketing": True},
        "decide": {"uphold": True, "reason": "innsigelsen tas til følge"},
        "withdraw": {"activity": "presence"},
        "close": {"outcome": "besvart"},
        "step-done": {"step": "recipients_notified"},
    }.get(action)  # fmt: skip


def _breach(web: Web) -> tuple[int, int]:
    """A fresh breach, decided, with one unsent draft: (breach id, draft id)."""
    with web.system.engine.begin() as conn:
        breach_id = breaches.register(
            conn,
            web.system.policy.policy,
            title="Matrise",
            description="test",
            discovered_at=datetime.now(UTC),
            actor="t",
        )
        breaches.decide(
            conn, breach_id, notify_authority=True, notify_people=False, reasons="r", actor="t"
        )
        made = drafts.make(conn, breach_id, web.system.policy.policy, actor="t")
    return breach_id, made[0]


def _body(method: str, path: str) -> dict[str, Any] | None:
    if path == "/api/v1/login":
        return {"username": "customer", "password": PASSWORD}
    if path == "/api/v1/password/forgotten":
        return {"username": "nobody@example.test"}
    if path == "/api/v1/sites/{site_id}/contacts" and method == "POST":
        return {"name": "Nora Nabo", "phone": "+4790011222"}
    if path == "/api/v1/rights/requests" and method == "POST":
        return {"kind": "access"}
    if path == "/api/v1/sites/{site_id}/plans/{kind}":
        return {"steps": [{"action": "call_fire_service"}, {"action": "call_contacts"}]}
    if path == "/api/v1/breaches" and method == "POST":
        return {"title": "Brudd", "description": "test", "discovered_at": "2026-12-01T08:00:00Z"}
    if path == "/api/v1/panels/{panel_account}/rules" and method == "PUT":
        return {"encryption": "required", "clear_timestamps_checked": True}
    if path == "/api/v1/holds" and method == "POST":
        ends = (date.today() + timedelta(days=3)).isoformat()
        return {"target": "person", "target_id": 1, "reason": "test", "ends_on": ends}
    return None


def api_routes(web: Web) -> list[tuple[str, str]]:
    """Every (method, path) of the app's API routes, through included routers too."""
    app = create_app(web.system)
    # FastAPI ≥ 0.16x keeps included routers as they are; iter_route_contexts flattens them.
    flatten = getattr(fastapi.routing, "iter_route_contexts", None)
    found = []
    for context in flatten(app.routes) if flatten else app.routes:
        route = getattr(context, "original_route", context)
        path = str(getattr(context, "path", ""))
        if isinstance(route, APIRoute) and path.startswith("/api/v1"):
            found += [(m, path) for m in sorted(getattr(context, "methods", None) or ())]
    return found


def test_every_route_has_an_expectation(sqlite_web: Web) -> None:  # noqa: F811
    routes = api_routes(sqlite_web)
    missing = [r for r in routes if r not in ACCESS]
    assert not missing, f"routes without a line in ACCESS: {missing}"
    stale = [r for r in ACCESS if r not in routes]
    assert not stale, f"ACCESS names routes the app does not have: {stale}"


def test_the_matrix_of_roles_and_routes(sqlite_web: Web) -> None:  # noqa: F811
    web = sqlite_web
    _prepare(web)
    clients = {role: web.client(None if role == ANON else role) for role in ROLES}
    wrong = []
    for method, path in api_routes(web):
        for role, expected in ACCESS[(method, path)].items():
            client = clients[role]
            # Logging in or out would end the role's session: those get a session of their own.
            if path in ("/api/v1/logout", "/api/v1/login"):
                client = web.client(None if role == ANON else role)
            status = call(web, client, method, path)
            got: str | int = OK if 200 <= status < 300 else status
            if got != expected:
                wrong.append(f"{role:16} {method:6} {path}: {status}, expected {expected}")
    assert not wrong, "\n" + "\n".join(wrong)


def _prepare(web: Web) -> None:
    """The operator handles the open incident; Kari's access package is built and released."""
    w = web.world
    with web.system.engine.begin() as conn:
        inc.assign(conn, w.incident, w.actor("operator"))
        made = requests.open_request(
            conn, kind=Kind.access, channel=Channel.mine_sider, person_id=w.person, actor="test"
        )
        requests.verify_identity(
            conn, made.id, method=Verification.mine_sider, actor="test",
            allowed=(Verification.mine_sider,),
        )  # fmt: skip
    staff = web.client("customer_service")
    assert staff.post(f"/api/v1/rights/requests/{made.id}/access", json={"pdf": False}).is_success
    assert staff.post(f"/api/v1/rights/requests/{made.id}/review-done").is_success
    w.package_request = made.id
