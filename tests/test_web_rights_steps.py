"""The rest of the DPO's steps on the web (issue 17, items 1 and 2): restrict, and lift only
after the art. 18(3) notice the customer then reads; an objection the customer files, which
the DPO records and refuses with a reason the customer sees; an erasure of a current customer
after ending the contract; data portability the customer makes and downloads themselves.
Refusals in Norwegian first, the form as it was typed, nothing changed."""

from __future__ import annotations

import io
import re
import zipfile
from datetime import timedelta

from fastapi.testclient import TestClient
from sqlalchemy import select

from alarmvern.rights import restriction
from alarmvern.store import tables as t
from alarmvern.store.engine import reading
from tests import builders as b
from tests.rights_world import NOW
from tests.test_rights_selfservice import csrf, page_client
from tests.web_support import Web, web  # noqa: F401 (fixture)


def _ask(client: TestClient, kind: str, text: str = "", target: str = "") -> int:
    token = csrf(client, "/mine-sider/foresporsler")
    form = {"csrf_token": token, "kind": kind, "text": text, "target": target}
    return int(client.post("/mine-sider/foresporsler", data=form).status_code)


def _card(page: str, request_id: str) -> str:
    start = page.index(f'id="r-{request_id}"')
    end = page.find("</section>", start)
    return page[start:end]


def _action(page: str, what: str) -> tuple[str, str]:
    found = re.search(rf'action="(/personvern/foresporsler/(\d+)/{what})"', page)
    assert found, f"no {what} form"
    return found.group(1), found.group(2)


def _alert(page: str) -> str:
    found = re.search(r'role="alert"[^>]*>(.*?)<', page, re.S)
    return found.group(1) if found else ""


def test_restrict_then_lift_only_after_telling_the_person(web: Web) -> None:  # noqa: F811
    kari = page_client(web, "customer")
    assert _ask(kari, "restriction", "Adressen er omstridt.") == 303
    dpo = page_client(web, "dpo")
    token = csrf(dpo, "/personvern/foresporsler")
    path, number = _action(dpo.get("/personvern/foresporsler").text, "begrens")
    refused = dpo.post(path, data={"csrf_token": token, "reason": ""})
    assert refused.status_code == 409 and "velg hvorfor" in _alert(refused.text)
    assert dpo.post(path, data={"csrf_token": token, "reason": "accuracy"}).status_code == 303
    with reading(web.system.engine) as conn:
        assert restriction.is_restricted(conn, web.world.person)

    card = _card(dpo.get("/personvern/foresporsler").text, number)
    assert "art. 18 nr. 3" in card and "/opphev" not in card  # only the notice is offered
    lift = f"/personvern/foresporsler/{number}/opphev"
    early = dpo.post(lift, data={"csrf_token": token})
    message = _alert(early.text)
    assert early.status_code == 409 and message.startswith("personen må få beskjed")
    with reading(web.system.engine) as conn:
        assert restriction.is_restricted(conn, web.world.person)  # nothing changed
    tell = f"/personvern/foresporsler/{number}/varsle-oppheving"
    assert dpo.post(tell, data={"csrf_token": token}).status_code == 303
    assert dpo.post(lift, data={"csrf_token": token}).status_code == 303
    with reading(web.system.engine) as conn:
        assert not restriction.is_restricted(conn, web.world.person)
        actions = list(
            conn.execute(
                select(t.audit_log.c.action)
                .where(t.audit_log.c.action.like("restriction.%"))
                .order_by(t.audit_log.c.seq)
            ).scalars()
        )
    assert actions == ["restriction.placed", "restriction.lifted"]
    mine = kari.get("/mine-sider/foresporsler").text
    assert "Vi opphever begrensningen" in mine and "Begrensningen opphevet" in mine


def test_an_objection_is_refused_with_a_reason_the_customer_sees(web: Web) -> None:  # noqa: F811
    activity = next(a for a in web.system.policy.policy.activities if a.objectable)
    kari = page_client(web, "customer")
    page = kari.get("/mine-sider/foresporsler").text
    assert "Du kan protestere" in page and "maskinlesbart format" in page  # one sentence each
    assert _ask(kari, "objection", "Jeg vil ikke.", target="no-such-thing") == 422
    assert _ask(kari, "objection", "Jeg vil ikke.", target=activity.id) == 303
    again = kari.post(
        "/mine-sider/foresporsler",
        data={"csrf_token": csrf(kari, "/mine-sider/foresporsler"), "kind": "objection",
              "text": "Jeg vil ikke.", "target": activity.id},
    )  # fmt: skip
    assert again.status_code == 422 and "allerede en lik forespørsel" in again.text
    assert f'value="{activity.id}" selected' in again.text  # the choice is kept

    dpo = page_client(web, "dpo")
    token = csrf(dpo, "/personvern/foresporsler")
    queue = dpo.get("/personvern/foresporsler").text
    path, number = _action(queue, "protest")
    assert f'value="{activity.id}" selected' in _card(queue, number)  # as the customer chose
    assert dpo.post(path, data={"csrf_token": token, "target": activity.id}).status_code == 303
    decide = f"/personvern/foresporsler/{number}/avgjor"
    typed = "Vi trenger loggen for å dokumentere"
    refused = dpo.post(decide, data={"csrf_token": token, "decision": "refused", "reason": ""})
    assert refused.status_code == 409 and _alert(refused.text).startswith("skriv grunnen")
    refused = dpo.post(decide, data={"csrf_token": token, "reason": typed})
    assert refused.status_code == 409 and typed in _card(refused.text, number)  # kept
    reason = "Vi trenger loggen for å kunne vise hvordan alarmen ble håndtert."
    answer = dpo.post(decide, data={"csrf_token": token, "decision": "refused", "reason": reason})
    assert answer.status_code == 303
    close = f"/personvern/foresporsler/{number}/lukk"
    assert dpo.post(close, data={"csrf_token": token, "outcome": "Avslått."}).status_code == 303
    mine = kari.get("/mine-sider/foresporsler").text
    assert "Protesten er avslått" in mine and reason in mine and "Du kan klage på avslaget" in mine


def test_an_erasure_can_end_the_running_contract_first(web: Web) -> None:  # noqa: F811
    with web.system.engine.begin() as conn:
        contract = b.insert(conn, t.contracts, account_id=web.world.account,
                            person_id=web.world.person, product="Alarm Pluss",
                            signed_at=NOW - timedelta(days=30))  # fmt: skip
    kari = page_client(web, "customer")
    assert _ask(kari, "erasure", "Slett alt.") == 303
    dpo = page_client(web, "dpo")
    queue = dpo.get("/personvern/foresporsler").text
    assert "Avslutt avtalen i dag først, og slett så" in queue
    path, _number = _action(queue, "slett")
    token = csrf(dpo, "/personvern/foresporsler")
    assert dpo.post(path, data={"csrf_token": token, "contract": "end"}).status_code == 303
    with reading(web.system.engine) as conn:
        ended = conn.execute(
            select(t.contracts.c.ended_at).where(t.contracts.c.id == contract)
        ).scalar()
        how = conn.execute(
            select(t.audit_log.c.actor).where(t.audit_log.c.action == "contract.ended")
        ).scalar()
    assert ended is not None and how == web.world.actor("dpo")


def test_a_customer_makes_and_downloads_their_portability_package(web: Web) -> None:  # noqa: F811
    kari = page_client(web, "customer")
    assert _ask(kari, "portability") == 303
    page = kari.get("/mine-sider/foresporsler").text
    link = re.search(r'href="(/mine-sider/foresporsler/(\d+)/portabilitet\.zip)"', page)
    assert link, "the package is offered at once"
    got = kari.get(link.group(1))
    assert got.status_code == 200
    package = zipfile.ZipFile(io.BytesIO(got.content))
    assert "schema.json" in package.namelist()
    assert not any(b"argon2" in package.read(n) for n in package.namelist())  # no secret
    assert _ask(kari, "portability") == 303  # the first is answered: a new one may be made
    other = page_client(web, "dpo").get(link.group(1))
    assert other.status_code in (303, 403, 404)  # not a customer's own: not served
    assert b"schema.json" not in other.content


def test_a_phoned_request_for_an_unknown_person_keeps_the_form(web: Web) -> None:  # noqa: F811
    with reading(web.system.engine) as conn:
        before = conn.execute(select(t.rights_requests.c.id)).all()
    dpo = page_client(web, "dpo")
    token = csrf(dpo, "/personvern/foresporsler")
    words = "Ringte og ville vite hva vi har."
    form = {"csrf_token": token, "kind": "access", "channel": "phone", "person": "999999",
            "text": words}  # fmt: skip
    refused = dpo.post("/personvern/foresporsler", data=form)
    assert refused.status_code == 422
    assert _alert(refused.text).startswith("fant ingen person 999999")
    assert "`" not in _alert(refused.text)  # no command named on the web
    assert f">{words}</textarea>" in refused.text and 'value="999999"' in refused.text
    assert '<option value="phone" selected>' in refused.text
    with reading(web.system.engine) as conn:
        assert conn.execute(select(t.rights_requests.c.id)).all() == before  # none opened
