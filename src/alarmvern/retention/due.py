"""When data is due: pure date arithmetic over a retention rule and an anchor.

A rule keeps data for a duration after an anchor. Two views of the same rule are needed:
the *due moment* of one anchor value (for forecasts and for showing a person when their data
goes), and the *cutoff* for a given now: the latest anchor value that is due by then (for
the sweep's SQL, which compares a column with one value). They agree: ``due_at(a) <= now``
exactly when ``a <= cutoff(now)`` (tested on the calendar's awkward days).
"""

from __future__ import annotations

import calendar
from datetime import UTC, datetime

from alarmvern.policy.durations import Duration, add_months
from alarmvern.policy.model import Anchor, RetentionRule


def fiscal_year_end(at: datetime) -> datetime:
    """The end of the fiscal year ``at`` falls in (Norway: the calendar year), as the first
    instant of the next year."""
    return datetime(at.year + 1, 1, 1, tzinfo=at.tzinfo or UTC)


def due_at(rule: RetentionRule, anchor_value: datetime | None) -> datetime | None:
    """The moment data anchored at ``anchor_value`` is due; None if it never is (yet)."""
    if anchor_value is None or rule.keep is None or rule.from_ is None:
        return None
    start = fiscal_year_end(anchor_value) if rule.from_ is Anchor.fiscal_year_end else anchor_value
    return rule.keep.after(start)


def latest_start(keep: Duration, now: datetime) -> datetime:
    """The latest start ``s`` with ``keep.after(s) <= now``."""
    if keep.unit in {"h", "d", "w"}:
        return now - (keep.after(now) - now)
    months = keep.amount if keep.unit == "mo" else 12 * keep.amount
    back = add_months(now, -months)
    if now.day == calendar.monthrange(now.year, now.month)[1]:
        # On a month's last day, every later day of the earlier month also lands on it:
        # 31 January + 1 month is 28 February, so on 28 February 31 January is due.
        back = back.replace(day=calendar.monthrange(back.year, back.month)[1])
    return back


def cutoff(rule: RetentionRule, now: datetime) -> tuple[datetime, bool] | None:
    """``(value, strict)``: anchors ``<= value`` (``< value`` when strict) are due at ``now``.

    None when the rule gives no period the system can compute (a criterion only).
    """
    if rule.keep is None or rule.from_ is None:
        return None
    start = latest_start(rule.keep, now)
    if rule.from_ is Anchor.fiscal_year_end:
        # fiscal_year_end(a) <= start  ⟺  a < 1 January of start's year.
        return datetime(start.year, 1, 1, tzinfo=start.tzinfo or UTC), True
    return start, False


def is_due(rule: RetentionRule, anchor_value: datetime | None, now: datetime) -> bool:
    due = due_at(rule, anchor_value)
    return due is not None and due <= now
