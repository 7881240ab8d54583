"""The customer-service console: register a customer with a site, add a panel user and an
alarm contact (who gets the e-mail at a real SMTP server), then end the relationship."""

from __future__ import annotations

import time

from sqlalchemy import select

from alarmvern.outbox import FileOutbox, Outbox, OutboxSettings, SmtpMail
from alarmvern.store import tables as t
from tests.smtp_support import Inbox, smtp  # noqa: F401
from tests.web_support import Web, sqlite_web  # noqa: F401


def test_register_add_people_inform_and_end_through_the_console(
    sqlite_web: Web,  # noqa: F811
    smtp: Inbox,  # noqa: F811
    tmp_path: object,
) -> None:
    web = sqlite_web
    settings = OutboxSettings(smtp_host="127.0.0.1", smtp_port=smtp.port, smtp_tls="none")
    web.system.outbox = Outbox(SmtpMail(settings), FileOutbox(web.system.settings.data_dir))  # type: ignore[attr-defined]
    staff = web.client("customer_service")
    made = staff.post(
        "/kundeservice/ny",
        data={
            "customer_no": "K900",
            "name": "Åse Ny",
            "phone": "913 45 678",
            "street": "Nyveien 3",
            "postcode": "5003",
            "city": "Bergen",
            "panel_account": "C900",
        },
        follow_redirects=False,
    )
    assert made.status_code == 303, made.text
    page = made.headers["location"].split("?")[0]
    account = int(page.rsplit("/", 1)[1])
    with web.system.engine.connect() as conn:
        site = conn.execute(select(t.sites.c.id).where(t.sites.c.account_id == account)).scalar()
    assert staff.post(
        f"/kundeservice/anlegg/{site}/brukere",
        data={"user_no": "2", "name": "Bo Ny", "code": "2580"},
    ).is_success
    assert staff.post(
        f"/kundeservice/anlegg/{site}/kontakter",
        data={"name": "Kim Kontakt", "email": "kim@example.no", "has_keys": "true"},
    ).is_success
    for _ in range(50):
        if smtp.to("kim@example.no"):
            break
        time.sleep(0.1)
    assert (
        "Åse Ny har registrert deg som alarmkontakt" in smtp.to("kim@example.no")[0].get_content()
    )
    shown = staff.get(page).text
    assert "Kim Kontakt" in shown and "informert" in shown and "Bo Ny" in shown

    refused = staff.post(f"/kundeservice/anlegg/{site}/kontakter", data={"name": "Uten Vei"})
    assert refused.status_code == 422 and "phone:" in refused.text

    assert staff.post(
        f"/kundeservice/kunde/{account}/avslutt", data={"ended_at": "2027-01-31"}
    ).is_success
    with web.system.engine.connect() as conn:
        ended = conn.execute(
            select(t.customer_accounts.c.ended_at).where(t.customer_accounts.c.id == account)
        ).scalar()
    assert ended is not None and ended.year == 2027
    assert "K900" in staff.get("/kundeservice", params={"q": "nyveien"}).text
    assert web.client("operator").get("/kundeservice").status_code == 403
