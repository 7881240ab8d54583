"""One rendering of an error (#13): a refusal below the web reads the same in the API's JSON
shape and on a page, bokmål first, with its code and field, and names no CLI command."""

from __future__ import annotations

import html
import re

from alarmvern.rights import requests
from alarmvern.rights.requests import Channel, Kind
from tests.test_rights_selfservice import csrf, page_client
from tests.web_support import Web, web  # noqa: F401 (fixture)

NB = "personens identitet er ikke bekreftet"
EN = "the person's identity is not verified"


def _unverified(opened: Web) -> int:
    with opened.system.engine.begin() as conn:
        made = requests.open_request(
            conn, kind=Kind.access, channel=Channel.email, person_id=opened.world.person, actor="t"
        )
    return made.id


def test_the_api_answers_a_refusal_in_the_one_shape(web: Web) -> None:  # noqa: F811
    request_id = _unverified(web)
    answer = web.client("dpo").post(f"/api/v1/rights/requests/{request_id}/access", json={})
    assert answer.status_code == 409
    shape = answer.json()
    assert set(shape) == {"status", "code", "message", "field"}
    assert (shape["status"], shape["code"], shape["field"]) == (
        409,
        "identity_unverified",
        "verification",
    )
    nb, _, en = shape["message"].partition(" / ")
    assert NB in nb and EN in en  # bokmål first
    assert "--" not in shape["message"] and "alarmvern rights" not in shape["message"]


def test_a_page_shows_the_same_refusal_bokmal_first_each_marked_with_its_language(
    web: Web,  # noqa: F811
) -> None:
    request_id = _unverified(web)
    dpo = page_client(web, "dpo")
    token = csrf(dpo, "/personvern/foresporsler")
    answer = dpo.post(
        f"/personvern/foresporsler/{request_id}/innsyn",
        data={"csrf_token": token},
        headers={"accept": "text/html"},
    )
    assert answer.status_code == 409 and answer.headers["content-type"].startswith("text/html")
    alert = re.search(r'<p class="error" role="alert" lang="nb">(.*?)</p>', answer.text, re.S)
    assert alert, answer.text
    nb, _, rest = alert.group(1).partition(" / ")
    assert NB in nb
    assert rest.startswith('<span lang="en">') and rest.endswith("</span>")
    assert html.unescape(EN) in html.unescape(rest)
    assert "--" not in alert.group(1)
