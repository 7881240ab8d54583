"""The DPO carries requests through on the web, and the customer sees the outcome (issue 17,
items 1 and 2): a correction with the customer's own words, applied to the value and shown
back; a stale correction refused; an erasure of a current customer with the contract kept,
the refusal without the choice in Norwegian first and naming no CLI flag; the form keeps what
was typed after an error, and refuses an identical open request."""

from __future__ import annotations

import re
from datetime import timedelta

from sqlalchemy import select

from alarmvern.store import tables as t
from alarmvern.store.engine import reading
from alarmvern.store.tables import persons
from tests import builders as b
from tests.rights_world import NOW
from tests.test_rights_selfservice import csrf, page_client
from tests.web_support import Web, web  # noqa: F401 (fixture)

WORDS = "Telefonnummeret mitt er feil, det riktige er 911 12 222."


def _phone(opened: Web) -> str | None:
    with reading(opened.system.engine) as conn:
        return conn.execute(
            select(persons.c.phone).where(persons.c.id == opened.world.person)
        ).scalar()


def _ask(client, kind: str, text: str) -> int:  # type: ignore[no-untyped-def]
    token = csrf(client, "/mine-sider/foresporsler")
    form = {"csrf_token": token, "kind": kind, "text": text}
    answer = client.post("/mine-sider/foresporsler", data=form)
    return int(answer.status_code)


def test_a_correction_is_carried_out_on_the_web_and_the_customer_sees_it(web: Web) -> None:  # noqa: F811
    kari = page_client(web, "customer")
    # A correction needs words; the form comes back with the choice kept, nothing opened.
    refused = kari.post(
        "/mine-sider/foresporsler",
        data={"csrf_token": csrf(kari, "/mine-sider/foresporsler"), "kind": "rectification"},
    )
    assert refused.status_code == 422 and "skriv hva som er feil" in refused.text
    assert 'value="rectification" aria-describedby="hint-rectification" required checked' in (
        refused.text
    )
    assert _ask(kari, "rectification", WORDS) == 303
    again = kari.post(
        "/mine-sider/foresporsler",
        data={"csrf_token": csrf(kari, "/mine-sider/foresporsler"), "kind": "rectification",
              "text": WORDS},
    )  # fmt: skip
    assert again.status_code == 422 and "allerede en lik forespørsel" in again.text
    assert WORDS in again.text  # what was typed is kept

    dpo = page_client(web, "dpo")
    queue = dpo.get("/personvern/foresporsler").text
    assert WORDS in queue  # the DPO reads what the customer wrote
    target = re.search(r'name="target" value="(persons:\d+:phone\|[^"]*)"', queue)
    assert target, "the queue offers the phone number to correct"
    action = re.search(r'action="(/personvern/foresporsler/(\d+)/rett)"', queue)
    assert action
    before = _phone(web)
    token = csrf(dpo, "/personvern/foresporsler")
    stale = target.group(1).split("|")[0] + "|+4700000000"
    refused = dpo.post(action.group(1), data={"csrf_token": token, "target": stale,
                                              "value": "+4791112222"})  # fmt: skip
    assert refused.status_code == 409 and "endret siden" in refused.text
    assert _phone(web) == before  # nothing changed
    done = dpo.post(action.group(1), data={"csrf_token": token, "target": target.group(1),
                                           "value": "+4791112222"})  # fmt: skip
    assert done.status_code == 303, re.findall(r'role="alert"[^>]*>(.*?)<', done.text, re.S)
    assert _phone(web) == "+4791112222"
    close = f"/personvern/foresporsler/{action.group(2)}/lukk"
    outcome = "Telefonnummeret er rettet til 911 12 222."
    # Refused below the web, for the CLI and the API alike: no outcome, and an erasure
    # asked of a request of another kind (nothing is erased).
    blank = dpo.post(close, data={"csrf_token": token, "outcome": "   "})
    assert blank.status_code == 409 and "skriv utfallet" in blank.text
    erase = f"/personvern/foresporsler/{action.group(2)}/slett"
    wrong = dpo.post(erase, data={"csrf_token": token, "contract": "end"})
    assert wrong.status_code == 409 and "ikke sletting" in wrong.text
    assert _phone(web) == "+4791112222"
    assert dpo.post(close, data={"csrf_token": token, "outcome": outcome}).status_code == 303

    mine = kari.get("/mine-sider/foresporsler").text
    assert WORDS in mine and outcome in mine and "Telefonnummer (" in mine


def test_an_erasure_of_a_current_customer_keeps_the_contract_and_says_why(web: Web) -> None:  # noqa: F811
    with web.system.engine.begin() as conn:  # Kari is a customer still: her contract runs
        b.insert(conn, t.contracts, account_id=web.world.account, person_id=web.world.person,
                 product="Alarm Pluss", signed_at=NOW - timedelta(days=30))  # fmt: skip
    kari = page_client(web, "customer")
    assert _ask(kari, "erasure", "Slett meg.") == 303
    dpo = page_client(web, "dpo")
    queue = dpo.get("/personvern/foresporsler").text
    assert "Behold det den løpende avtalen trenger" in queue
    action = re.search(r'action="(/personvern/foresporsler/\d+/slett)"', queue)
    assert action
    token = csrf(dpo, "/personvern/foresporsler")
    refused = dpo.post(action.group(1), data={"csrf_token": token})
    assert refused.status_code == 409
    message = re.search(r'role="alert"[^>]*>(.*?)<', refused.text, re.S)
    text = message.group(1) if message else refused.text
    assert "personen har en avtale som fortsatt løper" in text and "--" not in text
    assert _phone(web) is not None  # nothing erased
    done = dpo.post(action.group(1), data={"csrf_token": token, "keep_contract": "true"})
    assert done.status_code == 303
    again = dpo.post(action.group(1), data={"csrf_token": token, "keep_contract": "true"})
    assert again.status_code == 409 and "allerede utført" in again.text  # once only

    kari = page_client(web, "customer")  # the erasure ended the sessions; the login is kept
    mine = kari.get("/mine-sider/foresporsler").text
    assert "Beholdt, og hvorfor" in mine
    assert "trengs for avtalen som fortsatt løper" in mine
    assert "bokføringsloven" in mine


def test_my_details_lead_to_a_correction_naming_the_value(web: Web) -> None:  # noqa: F811
    kari = page_client(web, "customer")
    page = kari.get("/mine-sider/opplysninger").text
    assert "Personopplysninger" in page and "Telefonnummer" in page
    link = re.search(r'href="(/mine-sider/foresporsler\?feil=persons%3A\d+%3Aphone)#text"', page)
    assert link, "each value has its 'this is wrong'"
    form = kari.get(link.group(1).replace("&amp;", "&")).text
    assert 'value="rectification" aria-describedby="hint-rectification" required checked' in form
    assert "Telefonnummer er feil (nå: " in form
    assert "password" not in page.lower() and "argon2" not in page  # no credential shown
    # Another person's value is not found: the form opens empty.
    other = kari.get("/mine-sider/foresporsler?feil=persons:999:phone").text
    assert "er feil (nå:" not in other


def test_the_dpo_registers_a_phoned_request_and_extends_it_with_a_reason(web: Web) -> None:  # noqa: F811
    dpo = page_client(web, "dpo")
    token = csrf(dpo, "/personvern/foresporsler")
    form = {"csrf_token": token, "kind": "access", "channel": "phone",
            "person": str(web.world.person), "text": "Ringte og ba om kopi av alt."}  # fmt: skip
    assert dpo.post("/personvern/foresporsler", data=form).status_code == 303
    bad = dpo.post("/personvern/foresporsler", data=form | {"channel": "mine_sider"})
    assert bad.status_code == 422 and "velg hvordan" in bad.text
    queue = dpo.get("/personvern/foresporsler").text
    assert "Ringte og ba om kopi av alt." in queue and "telefon" in queue
    card = queue[queue.index("Ringte og ba om kopi av alt.") :]  # its forms follow its text
    action = re.search(r'action="(/personvern/foresporsler/\d+/forleng)"', card)
    assert action
    answer = dpo.post(action.group(1), data={"csrf_token": token, "months": "2",
                                             "reason": "Mye materiale å gå gjennom."})  # fmt: skip
    assert answer.status_code == 303
    kari = page_client(web, "customer")
    mine = kari.get("/mine-sider/foresporsler").text
    assert "forlenget" in mine and "Mye materiale å gå gjennom." in mine
