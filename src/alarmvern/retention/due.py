"""When data is due: pure date arithmetic over a retention rule and an anchor.

A rule keeps data for a duration after an anchor. Two views of the same rule are needed:
the *due moment* of one anchor value (for forecasts and for showing a person when their data
goes), and the *cutoff* for a given now: the latest anchor value that is due by then (for
the sweep's SQL, which compares a column with one value). They agree: ``due_at(a) <= now``
exactly when the cutoff selects ``a`` (tested on the calendar's awkward days).
"""

from __future__ import annotations

import calendar
from datetime import UTC, date, datetime, time, timedelta

from alarmvern.policy.durations import Duration, add_months
from alarmvern.policy.model import Anchor, RetentionRule


def fiscal_year_end(at: datetime) -> datetime:
    """The end of the fiscal year ``at`` falls in (Norway: the calendar year), as the first
    instant of the next year."""
    return datetime(at.year + 1, 1, 1, tzinfo=at.tzinfo or UTC)


def due_at(rule: RetentionRule, anchor_value: datetime | None) -> datetime | None:
    """The moment data anchored at ``anchor_value`` is due; None if it never is (yet).

    Hours, days and weeks count from the anchor's instant. Months and years count in dates,
    as the law does: data kept 12 months from 29 February 2024 is due on 28 February 2025,
    from the start of that day.
    """
    if anchor_value is None or rule.keep is None or rule.from_ is None:
        return None
    start = fiscal_year_end(anchor_value) if rule.from_ is Anchor.fiscal_year_end else anchor_value
    if rule.keep.unit in {"h", "d", "w"}:
        return rule.keep.after(start)
    due_day = add_months(start.date(), _months(rule.keep))
    return datetime.combine(due_day, time(0), tzinfo=start.tzinfo or UTC)


def _months(keep: Duration) -> int:
    return keep.amount if keep.unit == "mo" else 12 * keep.amount


def last_due_day(keep: Duration, today: date) -> date:
    """The latest date whose ``keep`` later is ``today`` or before (months and years)."""
    back = add_months(today, -_months(keep))
    if today.day == calendar.monthrange(today.year, today.month)[1]:
        # On a month's last day, the later days of a longer month land here too:
        # 29, 30 and 31 January + 1 month are all 28 February.
        back = back.replace(day=calendar.monthrange(back.year, back.month)[1])
    return back


def cutoff(rule: RetentionRule, now: datetime) -> tuple[datetime, bool] | None:
    """``(value, strict)``: anchors ``<= value`` (``< value`` when strict) are due at ``now``.

    None when the rule gives no period the system can compute (a criterion only).
    """
    if rule.keep is None or rule.from_ is None:
        return None
    zone = now.tzinfo or UTC
    if rule.keep.unit in {"h", "d", "w"}:
        start = now - (rule.keep.after(now) - now)
        if rule.from_ is Anchor.fiscal_year_end:
            # fiscal_year_end(a) <= start  ⟺  a < 1 January of start's year.
            return datetime(start.year, 1, 1, tzinfo=zone), True
        return start, False
    last = last_due_day(rule.keep, now.date())
    if rule.from_ is Anchor.fiscal_year_end:
        # 1 January of (a's year + 1) <= last  ⟺  a < 1 January of last's year.
        return datetime(last.year, 1, 1, tzinfo=zone), True
    return datetime.combine(last + timedelta(days=1), time(0), tzinfo=zone), True
