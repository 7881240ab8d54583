"""Who saw what on an incident's page: the sums kept between views are the sums of the whole
log as of each view's snapshot, and a view adds only the looks since the last one instead
of summing every look at the incident again (#15 item 5)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import Engine, event, func, select

from alarmvern.audit.log import Entry, append_many
from alarmvern.intake import incident_view
from alarmvern.store import tables as t
from alarmvern.store.engine import reading

T0 = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)


def _looks(engine: Engine, incident: int, who: str, n: int, start: datetime) -> None:
    entries = [
        Entry(actor=who, action="operator.view", subject="site:7", purpose=f"incident:{incident}",
              details={"contacts": 1}, at=start + timedelta(seconds=i))
        for i in range(n)
    ]  # fmt: skip
    with engine.begin() as conn:
        append_many(conn, entries)


def _whole(engine: Engine, incident: int) -> list[tuple[Any, ...]]:
    """The record summed from the whole log, as the page first did."""
    log = t.audit_log.c
    with engine.connect() as conn:
        rows = conn.execute(
            select(log.actor, log.action, log.subject, func.count(), func.min(log.at),
                   func.max(log.at))
            .where(log.purpose == f"incident:{incident}")
            .group_by(log.actor, log.action, log.subject)
            .order_by(func.max(log.seq).desc())
        ).all()  # fmt: skip
    return [(a, b, c, int(n), _utc(first), _utc(last)) for a, b, c, n, first, last in rows]


def _utc(at: datetime) -> datetime:
    return at if at.tzinfo else at.replace(tzinfo=UTC)


def _shown(engine: Engine, incident: int) -> list[tuple[Any, ...]]:
    with reading(engine) as conn:
        looks = incident_view.who_saw_what(conn, incident)
    return [(x.actor, x.action, x.subject, x.times, x.first_at, x.last_at) for x in looks]


def test_the_kept_sums_match_the_whole_log_after_more_looks(engine: Engine) -> None:
    assert _shown(engine, 1) == []
    _looks(engine, 1, "operator:1", 3, T0)
    _looks(engine, 2, "operator:1", 4, T0)  # another incident's looks are not this one's
    assert _shown(engine, 1) == _whole(engine, 1)
    _looks(engine, 1, "operator:2", 2, T0 + timedelta(minutes=5))
    _looks(engine, 1, "operator:1", 1, T0 + timedelta(minutes=9))
    shown = _shown(engine, 1)
    assert shown == _whole(engine, 1)
    assert [(who, n) for who, _a, _s, n, _f, _l in shown] == [("operator:1", 4), ("operator:2", 2)]
    assert shown[0][4] == T0 and shown[0][5] == T0 + timedelta(minutes=9)
    assert _shown(engine, 2) == _whole(engine, 2)


def test_an_older_snapshot_shows_its_own_sums_and_leaves_the_newer_ones(engine: Engine) -> None:
    _looks(engine, 1, "operator:1", 2, T0)
    with reading(engine) as old:
        old.execute(select(func.count()).select_from(t.audit_log)).scalar()  # snapshot begun
        _looks(engine, 1, "operator:1", 3, T0 + timedelta(minutes=1))
        assert _shown(engine, 1)[0][3] == 5  # a newer view, in its own snapshot, keeps 5
        assert incident_view.who_saw_what(old, 1)[0].times == 2  # as the old snapshot saw
    assert _shown(engine, 1) == _whole(engine, 1)


def test_a_view_reads_only_the_looks_since_the_last_view(engine: Engine) -> None:
    """The second view does not sum the incident's looks by its purpose again."""
    _looks(engine, 1, "operator:1", 50, T0)
    _shown(engine, 1)
    _looks(engine, 1, "operator:1", 1, T0 + timedelta(hours=1))
    statements: list[str] = []

    def seen(_c: Any, _cur: Any, statement: str, *_rest: Any) -> None:
        statements.append(statement)

    event.listen(engine, "before_cursor_execute", seen)
    try:
        assert _shown(engine, 1)[0][3] == 51
    finally:
        event.remove(engine, "before_cursor_execute", seen)
    summed = [s for s in statements if "count(*)" in s]
    assert len(summed) == 1 and "audit_log.seq >" in summed[0], summed


def test_a_view_far_behind_sums_the_incident_anew(engine: Engine, monkeypatch: Any) -> None:
    """More entries since the kept sums than a catch-up reads: summed by purpose instead,
    and still the whole log's sums."""
    monkeypatch.setattr(incident_view, "RECORD_CATCH_UP", 5)
    _looks(engine, 1, "operator:1", 2, T0)
    assert _shown(engine, 1) == _whole(engine, 1)
    _looks(engine, 2, "operator:2", 4, T0)  # other incidents' entries count towards the gap
    _looks(engine, 1, "operator:1", 3, T0 + timedelta(minutes=1))
    assert _shown(engine, 1) == _whole(engine, 1)
    assert _shown(engine, 1)[0][3] == 5
