"""Reads that moved below the web (#13 items 1 and 2), on SQLite and PostgreSQL: the DPO's
look at an incident is read and audited in one place; the API's incidents in received order
and the alarm log's two kinds of page (by number on Mine Sider, by keyset in the API) are
one query each."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlalchemy import select

from alarmvern.intake import alarm_log, queue
from alarmvern.intake import incidents as inc
from alarmvern.store import tables as t
from tests import builders as b
from tests.rights_world import NOW
from tests.web_support import Web, web  # noqa: F401


def _looks(w: Web, action: str) -> list[Any]:
    with w.system.engine.connect() as conn:
        return list(
            conn.execute(
                select(t.audit_log.c.actor, t.audit_log.c.subject, t.audit_log.c.purpose)
                .where(t.audit_log.c.action == action)
                .order_by(t.audit_log.c.seq)
            ).all()
        )


def test_the_dpo_reads_an_incident_and_its_steps_and_each_look_is_audited(
    web: Web,  # noqa: F811
) -> None:
    w = web.world
    dpo = web.client("dpo")
    before = len(_looks(web, "staff.view"))
    body = dpo.get(f"/api/v1/incidents/{w.incident}").json()
    assert body["incident"]["id"] == w.incident and body["site"] is None
    assert [s["step"] for s in body["steps"]] == ["received"]
    looks = _looks(web, "staff.view")[before:]
    assert [tuple(r) for r in looks] == [(w.actor("dpo"), f"incident:{w.incident}", "supervision")]
    assert dpo.get("/api/v1/incidents/987654").status_code == 404


def test_the_incidents_come_in_received_order_a_keyset_page_at_a_time(
    web: Web,  # noqa: F811
) -> None:
    w = web.world
    with web.system.engine.begin() as conn:
        later = inc.open_incident(
            conn, account_id=w.kari.neighbour_account, site_id=w.kari.neighbour_site,
            kind="fire", at=NOW - timedelta(minutes=5),
        )  # fmt: skip
        closed = {"status": "closed", "closed_at": NOW}
        conn.execute(t.incidents.update().where(t.incidents.c.id == later).values(**closed))
    with web.system.engine.connect() as conn:
        every = [r.id for r in queue.in_received_order(conn, status="all")]
        still_open = [r.id for r in queue.in_received_order(conn)]
        closed = [r.id for r in queue.in_received_order(conn, status="closed")]
        after = [r.id for r in queue.in_received_order(conn, status="all", after=w.incident)]
    assert every == sorted(every) and every[-1] == later and w.incident in every
    assert later in closed and later not in still_open and w.incident in still_open
    assert after == [i for i in every if i > w.incident]
    operator = web.client("operator")
    walked: list[int] = []
    params: dict[str, Any] = {"status": "all", "limit": 1}
    while True:
        page = operator.get("/api/v1/incidents", params=params).json()
        walked += [i["id"] for i in page["items"]]
        if page["next_after"] is None:
            break
        params["after"] = page["next_after"]
    assert walked == every


def test_the_log_pages_by_number_and_by_keyset_through_the_same_events(
    web: Web,  # noqa: F811
) -> None:
    w = web.world
    times = [NOW - timedelta(minutes=m) for m in (1, 2, 2, 3, 4, 5, 6)]  # a tie at 2 minutes
    with web.system.engine.begin() as conn:
        b.events(conn, w.account, w.site, times, user_no=1, method="code")
    with web.system.engine.connect() as conn:
        by_number: list[int] = []
        page, more = 1, True
        while more:
            entries, more = alarm_log.alarm_log(conn, [w.account], page=page, lang="nb", size=3)
            by_number += [e.id for e in entries]
            page += 1
        by_keyset: list[int] = []
        before = None
        while True:
            rows = alarm_log.newest(conn, [w.account], limit=3, before=before)
            by_keyset += [r.id for r in rows]
            if len(rows) < 3:
                break
            before = (rows[-1].occurred_at, rows[-1].id)
        assert alarm_log.newest(conn, [], limit=3) == []
    assert by_number == by_keyset and len(by_keyset) == len(set(by_keyset)) >= len(times)
