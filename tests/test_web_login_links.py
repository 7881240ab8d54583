"""A customer's first login by an activation link, and "glemt passord", end to end: the link
is read from the mail a real SMTP server received, works once, is refused the second time
and after it expired; a new password ends every session; the store keeps only the token's
hash; asking for a reset answers the same whether or not the account exists."""

from __future__ import annotations

import re
import time
from datetime import UTC, datetime, timedelta
from email.message import Message
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import select, update

from alarmvern.customers import logins as links
from alarmvern.outbox import FileOutbox, Outbox, OutboxSettings, SmtpMail
from alarmvern.rights import erasure
from alarmvern.rights.scope import scope_of
from alarmvern.store import tables as t
from tests.smtp_support import Inbox, smtp  # noqa: F401
from tests.web_support import PASSWORD, Web, web  # noqa: F401

API = "/api/v1"
NEW = "nytt-og-langt-passord"
LINK = re.compile(r"http://[^\s]+/(aktiver|nytt-passord)\?token=([\w-]+)")
FORM_TOKEN = re.compile(r'name="csrf_token" value="([^"]+)"')


def use_smtp(opened: Web, inbox: Inbox) -> None:
    settings = OutboxSettings(smtp_host="127.0.0.1", smtp_port=inbox.port, smtp_tls="none")
    opened.system.outbox = Outbox(  # type: ignore[attr-defined]
        SmtpMail(settings), FileOutbox(opened.system.settings.data_dir / "outbox")
    )


def mail_to(inbox: Inbox, address: str, count: int = 1) -> list[Message]:
    for _ in range(100):  # sent after the answer, in the background
        if len(inbox.to(address)) >= count:
            break
        time.sleep(0.05)
    return inbox.to(address)


def link_in(mail: Message) -> tuple[str, str]:
    found = LINK.search(mail.get_content())  # type: ignore[attr-defined]
    assert found, "no link in the mail"
    return found.group(1), found.group(2)


def choose(client: TestClient, page: str, token: str, password: str, again: str) -> Any:
    """Open the link's page and post its form, as a browser would."""
    shown = client.get(f"/{page}", params={"token": token})
    form = FORM_TOKEN.search(shown.text)
    fields = {"token": token, "password": password, "again": again}
    fields["csrf_token"] = form.group(1) if form else ""
    return shown, client.post(f"/{page}", data=fields, follow_redirects=False)


def test_the_first_login_by_an_activation_link_works_once(
    web: Web,  # noqa: F811
    smtp: Inbox,  # noqa: F811
) -> None:
    use_smtp(web, smtp)
    staff = web.client("customer_service")
    made = staff.post(
        f"{API}/customers",
        json={"customer_no": "K500", "name": "Ada Aktiv", "email": "ada@example.no"},
    )
    assert made.status_code == 201, made.text
    account = made.json()["account_id"]
    invited = staff.post(f"{API}/customers/{account}/invite")
    assert invited.status_code == 202, invited.text
    (mail,) = mail_to(smtp, "ada@example.no")
    assert "Din innlogging hos" in str(mail["Subject"])
    page, token = link_in(mail)
    assert page == "aktiver"
    assert staff.post(f"{API}/customers/{account}/invite").status_code == 202  # not yet active

    with web.system.engine.connect() as conn:
        stored = conn.execute(select(t.login_tokens.c.token_hash)).scalars().all()
        login = conn.execute(select(t.logins).where(t.logins.c.username == "ada@example.no")).one()
    assert token not in stored and links.digest(token) in stored  # only its hash
    assert login.role == "customer" and login.person_id == made.json()["person_id"]
    anyone = TestClient(web.client().app)
    refused = anyone.post(f"{API}/login", json={"username": "ada@example.no", "password": NEW})
    assert refused.status_code == 401  # no password yet: nothing logs in

    browser = web.client()
    shown, mismatched = choose(browser, "aktiver", token, NEW, NEW + "x")
    assert shown.status_code == 200 and "Velg passord" in shown.text
    assert mismatched.status_code == 422 and "Passordene er ulike" in mismatched.text
    _, short = choose(browser, "aktiver", token, "kort", "kort")
    assert short.status_code == 422 and "minst 12 tegn" in short.text  # web.passwords
    _, chosen = choose(browser, "aktiver", token, NEW, NEW)
    assert chosen.status_code == 303 and chosen.headers["location"] == "/login?ok=password-set"
    ok = anyone.post(f"{API}/login", json={"username": "ada@example.no", "password": NEW})
    assert ok.status_code == 200 and ok.json()["role"] == "customer"

    again = web.client().get("/aktiver", params={"token": token})
    assert again.status_code == 404 and "allerede brukt" in again.text
    twice = browser.post(  # the form the browser still has, posted again
        "/aktiver",
        data={"token": token, "password": NEW + "2", "again": NEW + "2",
              "csrf_token": browser.cookies["alarmvern_form"]},
    )  # fmt: skip
    assert twice.status_code == 404 and "allerede brukt" in twice.text
    assert staff.post(f"{API}/customers/{account}/invite").status_code == 409  # now active
    with web.system.engine.connect() as conn:
        assert conn.execute(select(t.login_tokens)).all() == []
        actions = set(conn.execute(select(t.audit_log.c.action)).scalars())
        sent = conn.execute(select(t.outbox_messages.c.template)).scalars().all()
    assert {"login.invited", "login.password_set"} <= actions
    assert sent.count("login.activate") == 2


def test_forgot_password_tells_nothing_and_its_link_ends_every_session(
    web: Web,  # noqa: F811
    smtp: Inbox,  # noqa: F811
) -> None:
    use_smtp(web, smtp)
    with web.system.engine.begin() as conn:  # Kari's login is named by her e-mail address
        conn.execute(
            update(t.logins)
            .where(t.logins.c.id == web.world.logins["customer"])
            .values(username="kari@example.no")
        )
        email = conn.execute(
            select(t.persons.c.email).where(t.persons.c.id == web.world.person)
        ).scalar_one()
    kari = web.client()
    logged_in = kari.post(
        f"{API}/login", json={"username": "kari@example.no", "password": PASSWORD}
    )
    assert logged_in.status_code == 200
    kari.headers["X-CSRF-Token"] = logged_in.json()["csrf_token"]

    def ask(username: str) -> tuple[int, str, str]:
        browser = web.client()
        form = FORM_TOKEN.search(browser.get("/glemt-passord").text)
        assert form
        answer = browser.post(
            "/glemt-passord",
            data={"username": username, "csrf_token": form.group(1)},
            follow_redirects=False,
        )
        shown = browser.get(answer.headers["location"]).text
        # (each browser's form has a token of its own; the rest must be the same)
        return answer.status_code, answer.headers["location"], FORM_TOKEN.sub("", shown)

    real, unknown = ask("KARI@example.no"), ask("ingen@example.no")
    assert real == unknown  # the same answer whether or not the login exists
    assert real[0] == 303 and "Hvis vi har en innlogging som passer" in real[2]
    api = web.client()
    answers = [
        api.post(f"{API}/password/forgotten", json={"username": name})
        for name in ("ingen@example.no", "operator")  # no such login; staff without e-mail
    ]
    assert [a.status_code for a in answers] == [202, 202]
    assert answers[0].json() == answers[1].json()
    (mail,) = mail_to(smtp, email)
    assert len(smtp.messages) == 1  # nothing went anywhere else
    page, token = link_in(mail)
    assert page == "nytt-passord"
    wrong = api.post(f"{API}/password", json={"token": token, "purpose": "activate",
                                              "password": NEW})  # fmt: skip
    assert wrong.status_code == 404  # a reset link does not activate

    assert kari.get(f"{API}/me").status_code == 200
    changed = api.post(f"{API}/password", json={"token": token, "purpose": "reset",
                                                "password": NEW})  # fmt: skip
    assert changed.status_code == 204, changed.text
    assert kari.get(f"{API}/me").status_code == 401  # her session ended with the change
    old = api.post(f"{API}/login", json={"username": "kari@example.no", "password": PASSWORD})
    assert old.status_code == 401
    new = api.post(f"{API}/login", json={"username": "kari@example.no", "password": NEW})
    assert new.status_code == 200
    twice = api.post(f"{API}/password", json={"token": token, "purpose": "reset",
                                              "password": NEW + "2"})  # fmt: skip
    assert twice.status_code == 404 and twice.json()["field"] == "token"


def test_a_link_is_refused_after_it_expired(web: Web) -> None:  # noqa: F811
    with web.system.engine.begin() as conn:
        link = links.forgotten(conn, username="customer")  # no e-mail: the person's is used
        assert link is not None
        links.check(conn, link.token, links.RESET)
        conn.execute(
            update(t.login_tokens).values(expires_at=datetime.now(UTC) - timedelta(seconds=1))
        )
    answer = web.client().post(
        f"{API}/password", json={"token": link.token, "purpose": "reset", "password": NEW}
    )
    assert answer.status_code == 404
    page = web.client().get("/nytt-passord", params={"token": link.token})
    assert page.status_code == 404 and "utløpt" in page.text and "/glemt-passord" in page.text
    login = web.client().post(f"{API}/login", json={"username": "customer", "password": PASSWORD})
    assert login.status_code == 200  # the old password still works: nothing changed


def test_reset_links_are_bounded_and_staff_without_e_mail_get_none(web: Web) -> None:  # noqa: F811
    with web.system.engine.begin() as conn:
        made = [links.forgotten(conn, username="customer") for _ in range(links.LIVE_RESETS + 2)]
        assert links.forgotten(conn, username="operator") is None
        assert links.forgotten(conn, username="nobody@example.no") is None
    assert sum(m is not None for m in made) == links.LIVE_RESETS


def test_an_erasure_takes_the_person_s_unused_links_with_their_login(web: Web) -> None:  # noqa: F811
    vault, policy = web.system.vault, web.system.policy.policy
    with web.system.engine.begin() as conn:
        assert links.forgotten(conn, username="customer") is not None
        scope = scope_of(conn, vault, web.world.person)
        erasure.erase(conn, vault, policy, scope, actor="test", keep_contract=True)
    with web.system.engine.connect() as conn:
        assert conn.execute(select(t.login_tokens)).all() == []
        left = conn.execute(
            select(t.logins.c.id).where(t.logins.c.id == web.world.logins["customer"])
        ).all()
    assert left == []


def test_a_new_password_through_a_link_may_not_contain_the_username(web: Web) -> None:  # noqa: F811
    with web.system.engine.begin() as conn:
        link = links.forgotten(conn, username="customer")
        assert link is not None
    answer = web.client().post(
        f"{API}/password",
        json={"token": link.token, "purpose": "reset", "password": "MinCustomerSommer-84"},
    )
    assert answer.status_code == 422 and answer.json()["field"] == "password", answer.text
    login = web.client().post(f"{API}/login", json={"username": "customer", "password": PASSWORD})
    assert login.status_code == 200  # nothing changed, and the link is still there to use
    again = web.client().post(
        f"{API}/password", json={"token": link.token, "purpose": "reset", "password": NEW}
    )
    assert again.status_code == 204, again.text
