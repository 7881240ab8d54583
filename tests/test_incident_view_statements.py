"""The operator's incident view sends each statement once: one snapshot for the page, then
the audit entry (issue #15 item 5: no query repeated, the justification checked once). The
count is pinned, so that a statement added to the page is a decision, not an accident."""

from __future__ import annotations

from alarmvern.intake import incident_view
from alarmvern.intake import incidents as inc
from tests.sql_trace import statements
from tests.web_support import Web, web  # noqa: F401

# The page's reads (the incident, who holds it, the justification, the steps, the signals,
# the plan, the contacts, the images, presence, and the looks since with the log's head), then
# the audit entry's head and insert, after SQLite's BEGIN IMMEDIATE (sent as a statement)
# or PostgreSQL's chain lock.
READS = 10
AUDIT = 3


def test_an_audited_incident_view_sends_each_statement_once(web: Web) -> None:  # noqa: F811
    engine, w = web.system.engine, web.world
    operator = w.actor("operator")
    with engine.begin() as conn:
        inc.assign(conn, w.incident, operator)
    policy = web.system.policy.policy
    incident_view.read(engine, policy, operator, w.incident, record=True)  # the sums kept
    with statements(engine, one_line=True) as sent:
        view = incident_view.read(engine, policy, operator, w.incident, record=True)
    assert view.sees and view.site is not None
    assert len(sent) == len(set(sent)), "a statement was sent twice"
    justifying = [s for s in sent if "operator_assignments.assigned_at <=" in s]
    assert len(justifying) == 1
    assert len(sent) == READS + AUDIT
