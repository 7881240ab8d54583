"""The customer-service console: register a customer with a site, add a panel user and an
alarm contact (who gets the e-mail at a real SMTP server), then end the relationship."""

from __future__ import annotations

import re
import time
from pathlib import Path
from typing import Any

from sqlalchemy import select

from alarmvern.outbox import FileOutbox, Outbox, OutboxSettings, SmtpMail
from alarmvern.store import tables as t
from tests.smtp_support import Inbox, smtp  # noqa: F401
from tests.web_support import Web, sqlite_web, web  # noqa: F401


def test_register_add_people_inform_and_end_through_the_console(
    sqlite_web: Web,  # noqa: F811
    smtp: Inbox,  # noqa: F811
    tmp_path: object,
) -> None:
    web = sqlite_web  # noqa: F811
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


EXAMPLE = Path(__file__).parent.parent / "docs" / "import-example.csv"


def test_the_console_imports_a_csv_after_a_dry_run_that_names_every_bad_row(
    web: Web,  # noqa: F811
) -> None:
    staff = web.client("customer_service")

    def upload(content: bytes, mode: str) -> Any:
        return staff.post(
            "/kundeservice/import",
            data={"mode": mode},
            files={"file": ("kunder.csv", content, "text/csv")},
        )

    def stored() -> set[str]:
        with web.system.engine.connect() as conn:
            return set(conn.execute(select(t.customer_accounts.c.customer_no)).scalars())

    before = stored()
    assert staff.get("/kundeservice/import").status_code == 200
    bad = (
        b"customer_no,name,phone,street,postcode\n"
        b"K1,Kari,91234567,Storgata 1,0155\n"
        b"K2,Ola,12,Storgata 2,0155\n"
        b"K3,Siri,,,0155\n"
    )
    for mode in ("check", "import"):
        refused = upload(bad, mode)
        assert refused.status_code == 422
        rows = re.findall(r"<tr><td>(\d+)</td><td><code>(\w+)</code></td>", refused.text)
        assert rows == [("3", "phone"), ("4", "street")]
        assert "ingenting er endret" in refused.text
    assert stored() == before

    example = EXAMPLE.read_bytes()
    checked = upload(example, "check")
    assert checked.status_code == 200 and "Prøvekjøringen fant ingen feil" in checked.text
    assert stored() == before
    done = upload(example, "import")
    assert done.status_code == 200 and "Filen er importert" in done.text
    assert stored() == before | {"K200001", "K200002"}
    again = upload(example, "import")
    assert "2 fantes fra før" in again.text and stored() == before | {"K200001", "K200002"}

    latin = upload(
        "customer_no,name,street,postcode\nK9,Åse,Vei 1,0155\n".encode("latin-1"), "check"
    )
    assert latin.status_code == 422 and "UTF-8" in latin.text
    assert web.client("operator").get("/kundeservice/import").status_code == 403
