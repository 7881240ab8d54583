"""The DPO exports the current audit search as CSV (issue 17, item 3): the same filters as
the page, readable columns (when, who, what, about whom, why), and the export audited."""

from __future__ import annotations

import csv
import io

from sqlalchemy import select

from alarmvern import audit
from alarmvern.store import tables as t
from alarmvern.store.engine import reading
from tests.test_rights_selfservice import page_client
from tests.web_support import Web, web  # noqa: F401 (fixture)


def test_the_audit_search_exports_as_readable_csv_and_is_audited(web: Web) -> None:  # noqa: F811
    operator = web.world.actor("operator")
    with web.system.engine.begin() as conn:
        audit.append(conn, actor=operator, action="operator.view",
                     subject=f"site:{web.world.site}", purpose="incident:1",
                     details={"media": 2})  # fmt: skip
        audit.append(conn, actor=operator, action="operator.view",
                     subject=f"person:{web.world.person}", purpose="incident:1",
                     details={})  # fmt: skip
        audit.append(conn, actor="intake", action="=cmd|' /C calc'!A0",
                     subject=f"person:{web.world.person}", purpose=None, details={})  # fmt: skip
        name = conn.execute(
            select(t.persons.c.name).where(t.persons.c.id == web.world.person)
        ).scalar()
    dpo = page_client(web, "dpo")
    page = dpo.get(f"/personvern/revisjon?person={web.world.person}&handling=operator.view")
    assert "/personvern/revisjon.csv?person=" in page.text  # the link carries the search

    got = dpo.get(f"/personvern/revisjon.csv?person={web.world.person}&handling=operator.view")
    assert got.status_code == 200 and got.headers["content-type"].startswith("text/csv")
    assert "attachment" in got.headers["content-disposition"]
    rows = list(csv.reader(io.StringIO(got.content.decode("utf-8-sig"))))
    assert rows[0] == ["nr", "når", "hvem", "hva", "om hvem", "hvorfor", "detaljer"]
    body = rows[1:]
    assert len(body) == 2  # the same filters as the page: only the two operator looks
    assert {r[3] for r in body} == {"Operatør så anlegget eller bildet"}  # no raw key
    assert any(r[4] == f"{name} (person:{web.world.person})" for r in body)
    assert any(r[4] == f"anlegg {web.world.site}" for r in body)
    assert all(r[5] == "incident:1" and "(operator:" in r[2] for r in body)

    every = dpo.get(f"/personvern/revisjon.csv?person={web.world.person}").content.decode()
    assert "'=cmd" in every  # a formula is written as text, never run by a spreadsheet
    with reading(web.system.engine) as conn:
        exports = conn.execute(
            select(t.audit_log.c.subject, t.audit_log.c.purpose).where(
                t.audit_log.c.action == "staff.export"
            )
        ).all()
    assert [tuple(e) for e in exports] == [(f"person:{web.world.person}", "audit-search")] * 2

    bad = dpo.get("/personvern/revisjon.csv?fra=igår")
    assert bad.status_code == 422 and "fra må være en dato" in bad.text
    assert page_client(web, "customer").get("/personvern/revisjon.csv").status_code == 403
