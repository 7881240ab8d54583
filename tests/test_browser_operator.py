"""The operator's pages in a real browser at a phone's width (390 px), in bokmål and in
English: no table is wider than the screen or hides a column in a side scroll, and no label
shows an internal key ("burglary", "technical:battery", "operator:3", "site:21") or a word
of the other language.

The browser asks a made-up origin, and each request is answered by the app in process (a
TestClient with the operator's session), so no server is started; the change stream, which
never ends, is answered as closed (the page then says it is disconnected).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import timedelta
from urllib.parse import urlsplit

import pytest
from sqlalchemy import func, select

from alarmvern.intake import incidents as inc
from alarmvern.store import tables as t
from tests import browser_support, rights_world
from tests import builders as b
from tests.test_web_operator import KINDS, _csrf, _page_client
from tests.web_support import Web, web  # noqa: F401

playwright = pytest.importorskip("playwright.sync_api")

pytestmark = pytest.mark.slow
ORIGIN = "http://alarmvern.test"
PHONE = {"width": 390, "height": 844}
# Kinds the queue must name in words: every family, a technical fault of each sort, one that
# is only a signal class ("alarm"), and one no table of words knows.
MORE_KINDS = ("technical:supervision", "technical:trouble", "alarm", "holdup", "gas", "bogus")
# Stored keys and protocol English that must not show on a Norwegian page.
NOT_ON_NB = ("burglary", "technical", "operator:", "operator.", "site:", "media:", "intake",
             "bogus", "Burglary", "Opening report", "Fire alarm", "Received", "Nobody yet",
             "Technical fault", "Contact called", "answered", "Incident")  # fmt: skip
# And the Norwegian words that must not show on an English page.
NOT_ON_EN = ("Innbrudd", "Brann", "Teknisk feil", "Mottatt", "Tildelt", "Ingen ennå",
             "Hendelse", "operatør", "alarmmottaket", "anlegg", "svarte", "Kontakt ringt",
             "Annen hendelse", "Utløsende", "Hjemme/borte")  # fmt: skip


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    executable = browser_support.chromium()
    with playwright.sync_playwright() as driver:
        launched = driver.chromium.launch(executable_path=str(executable))
        yield launched
        launched.close()


def _world(w: Web) -> int:
    """Incidents of every kind, signals at the site, the operator's steps; the incident id."""
    world = w.world
    opened = rights_world.NOW - timedelta(minutes=30)
    with w.system.engine.begin() as conn:
        for n, kind in enumerate((*KINDS, *MORE_KINDS)):
            inc.open_incident(conn, account_id=world.account, site_id=world.site, kind=kind,
                              at=opened - timedelta(minutes=n))  # fmt: skip
        for minute, (code, zone) in enumerate((("BA", "046"), ("YT", "000"), ("BR", "046"))):
            b.insert(conn, t.alarm_events, account_id=world.account, site_id=world.site,
                     panel_account="K1", protocol="SIA-DCS", code=code, zone=zone, area="1",
                     occurred_at=opened + timedelta(minutes=minute),
                     received_at=opened + timedelta(minutes=minute))  # fmt: skip
    return world.incident


def _open(browser: object, w: Web, lang: str, stream: bytes | None = None) -> object:
    """A phone-sized page whose requests the app answers as the logged-in operator; the
    change stream answers ``stream`` (server-sent events) and ends, or is refused."""
    client = _page_client(w, "operator")
    client.cookies.set("lang", lang)
    context = browser.new_context(viewport=PHONE, base_url=ORIGIN)  # type: ignore[attr-defined]
    context.add_cookies([{"name": "lang", "value": lang, "url": ORIGIN}])

    def answer(route: object) -> None:
        request = route.request  # type: ignore[attr-defined]
        where = urlsplit(request.url)
        path = where.path + (f"?{where.query}" if where.query else "")
        if where.path == "/operator/strom":
            if stream is None:
                route.abort()  # type: ignore[attr-defined]
            else:
                headers = {"content-type": "text/event-stream", "cache-control": "no-store"}
                route.fulfill(status=200, headers=headers, body=stream)  # type: ignore[attr-defined]
            return
        kind = request.headers.get("content-type")
        found = client.request(request.method, path, content=request.post_data_buffer,
                               headers={"content-type": kind} if kind else {})  # fmt: skip
        keep = {"content-type", "location"}
        headers = {k: v for k, v in found.headers.items() if k.lower() in keep}
        route.fulfill(status=found.status_code, headers=headers, body=found.content)  # type: ignore[attr-defined]

    context.route(f"{ORIGIN}/**", answer)
    return context.new_page()


def _fits(page: object) -> None:
    """Nothing wider than the screen, and no table wider than its scroll region."""
    width = page.evaluate("document.documentElement.scrollWidth")  # type: ignore[attr-defined]
    wide = page.evaluate(  # type: ignore[attr-defined]
        f"""() => [...document.querySelectorAll('body *')]
              .filter(e => e.getBoundingClientRect().right > {PHONE["width"]})
              .slice(0, 5).map(e => e.tagName + '.' + e.className + '#' + e.id)"""
    )
    assert width <= PHONE["width"], f"the page is {width} px wide: {wide}"
    hidden = page.evaluate(  # type: ignore[attr-defined]
        """() => [...document.querySelectorAll('table')]
              .filter(t => t.scrollWidth > t.parentElement.clientWidth + 1)
              .map(t => (t.className || 'table') + ': ' + t.scrollWidth + ' px in '
                        + t.parentElement.clientWidth)"""
    )
    assert hidden == [], hidden


def _words(page: object) -> str:
    """What a reader sees: the visible text, and the texts a screen reader is given."""
    text = str(page.inner_text("body"))  # type: ignore[attr-defined]
    labels = page.evaluate(  # type: ignore[attr-defined]
        "[...document.querySelectorAll('[aria-label],[alt],[title]')].map(e => "
        "[e.getAttribute('aria-label'), e.getAttribute('alt'), e.getAttribute('title')]"
        ".join(' ')).join(' ')"
    )
    return f"{text} {labels}"


def _steps(w: Web, incident: int) -> None:
    """The operator takes the incident and records a call and a plan step, by the pages."""
    pages = _page_client(w, "operator")
    page = f"/operator/hendelse/{incident}"
    token = _csrf(pages, page)
    assert pages.post(f"{page}/tildel", data={"csrf_token": token}).status_code == 303
    call = {"csrf_token": token, "person": str(w.world.contact_person), "outcome": "answered"}
    assert pages.post(f"{page}/kontakt", data=call).status_code == 303
    assert pages.post(f"{page}/instruks/1", data={"csrf_token": token}).status_code == 303


def test_the_operator_pages_fit_a_phone_in_norwegian_first_and_in_complete_english(
    browser: object,
    web: Web,  # noqa: F811
) -> None:
    incident = _world(web)
    _steps(web, incident)
    for lang, banned in (("nb", NOT_ON_NB), ("en", NOT_ON_EN)):
        page = _open(browser, web, lang)
        for path in ("/operator", f"/operator/hendelse/{incident}"):
            page.goto(path)  # type: ignore[attr-defined]
            _fits(page)
            words = _words(page)
            shown = [w for w in banned if re.search(rf"(?<![\w-]){re.escape(w)}", words)]
            assert shown == [], f"{lang} {path}: {shown}"
        page.context.close()  # type: ignore[attr-defined]
    nb = _open(browser, web, "nb")
    nb.goto("/operator")  # type: ignore[attr-defined]
    queue = _words(nb)
    for words in ("Innbrudd", "Brann", "Teknisk feil: batteri", "Overfall", "Gass",
                  "Teknisk feil: manglende livstegn", "Annen hendelse", "deg"):  # fmt: skip
        assert words in queue, words
    nb.goto(f"/operator/hendelse/{incident}")  # type: ignore[attr-defined]
    seen = _words(nb)
    for words in ("Hendelse", "Innbrudd: alarm", "Batteri: feil", "Sone 046", "svarte",
                  "Instrukssteg utført", "alarmmottaket", "deg", "så", "anlegg"):  # fmt: skip
        assert words in seen, words
    en = _open(browser, web, "en")
    en.goto(f"/operator/hendelse/{incident}")  # type: ignore[attr-defined]
    english = _words(en)
    for words in ("Incident", "Burglary: alarm", "Battery: trouble", "Zone 046", "answered",
                  "Plan step done", "the alarm receiver", "you", "viewed", "site"):  # fmt: skip
        assert words in english, words
    for left in (nb, en):  # else their pages live on into the next test, asking a gone app
        left.context.close()  # type: ignore[attr-defined]


def _views(w: Web) -> int:
    with w.system.engine.connect() as conn:
        query = select(func.count()).select_from(t.audit_log)
        return int(conn.execute(query.where(t.audit_log.c.action == "operator.view")).scalar_one())


def test_an_open_incident_follows_its_changes_without_reloading_or_a_new_audited_look(
    browser: object,
    web: Web,  # noqa: F811
) -> None:
    """The change stream says the version moved; the page fetches only its changing parts,
    shows the step recorded meanwhile with the contact's name from its own list, and the
    operator's look stays the one audited when the page opened."""
    w = web.world
    incident = w.incident
    pages = _page_client(web, "operator")
    path = f"/operator/hendelse/{incident}"
    token = _csrf(pages, path)
    assert pages.post(f"{path}/tildel", data={"csrf_token": token}).status_code == 303
    # Two versions, then the stream ends; the browser reconnects after half a second and
    # hears them again, so the page keeps refreshing while the test waits.
    events = b"retry: 500\n\nevent: change\ndata: 1\n\nevent: change\ndata: 2\n\n"
    page = _open(browser, web, "nb", stream=events)
    try:
        page.goto(path)  # type: ignore[attr-defined]
        page.evaluate("window.notReloaded = true")  # type: ignore[attr-defined]
        looks = _views(web)
        call = {"csrf_token": token, "person": str(w.contact_person), "outcome": "answered"}
        assert pages.post(f"{path}/kontakt", data=call).status_code == 303
        page.wait_for_function(  # type: ignore[attr-defined]
            "() => document.querySelector('ol.timeline').textContent.includes('svarte')",
            timeout=60_000,
        )
        steps = str(page.inner_text("ol.timeline"))  # type: ignore[attr-defined]
        assert "Per Kontakt: svarte" in steps, steps
        assert page.evaluate("window.notReloaded === true")  # type: ignore[attr-defined]
        assert _views(web) == looks  # the refreshes are no new look
    finally:
        page.context.close()  # type: ignore[attr-defined]
