"""Who armed or disarmed is named by one rule on Mine Sider and in the API (#13 item 1):
the panel user's display name by the user number the panel sent, else the person intake knew
(an app user who is no panel user), else only the number. The two disagreed: the API named
only the person, Mine Sider only the panel user."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from pathlib import Path

from fastapi.testclient import TestClient

from alarmvern.initialise import initialise
from alarmvern.settings import Settings
from alarmvern.store import tables as t
from alarmvern.system import open_system
from alarmvern.web.app import create_app
from alarmvern.web.security import Role, create_login
from tests import builders as b

PASSWORD = "et langt passord for testen"
NOW = datetime.now(UTC).replace(microsecond=0)


def test_the_api_and_mine_sider_name_the_same_person_for_each_event(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path / "data", policy="default")
    initialise(settings)
    system = open_system(settings)
    try:
        with system.engine.begin() as conn:
            kari = b.person(conn, name="Kari Nordmann", email="kari@example.test")
            per = b.person(conn, name="Per Hansen", email="per@example.test")
            account = b.account(conn, kari, "K1")
            site = b.site(conn, account)
            b.insert(
                conn, t.panel_users, account_id=account, site_id=site, user_no=1,
                display_name="Kari Hjemme",
            )  # fmt: skip
            b.events(conn, account, site, [NOW - timedelta(hours=1)], user_no=1, method="code")
            b.events(
                conn, account, site, [NOW - timedelta(hours=2)], actor_person_id=per,
                method="remote", code="OP",
            )  # fmt: skip
            b.events(conn, account, site, [NOW - timedelta(hours=3)], user_no=7, method="code")
            create_login(
                conn, username="kari", password=PASSWORD, role=Role.customer, person_id=kari
            )
        client = TestClient(create_app(system), follow_redirects=False)
        answer = client.post("/api/v1/login", json={"username": "kari", "password": PASSWORD})
        assert answer.status_code == 200, answer.text
        events = client.get(f"/api/v1/accounts/{account}/events").json()["items"]
        assert [e["actor_name"] for e in events] == ["Kari Hjemme", "Per Hansen", None]
        page = client.get("/mine-sider/alarmlogg").text
        rows = re.findall(r"<tr class=.*?</tr>", page, flags=re.S)
        assert len(rows) == 3
        assert "Kari Hjemme" in rows[0] and "Per Hansen" in rows[1] and "bruker 7" in rows[2]
    finally:
        system.close()
