"""When a data subject's request must be answered: GDPR art. 12(3), on Norwegian working days.

One month from receipt, counted as the same date in the next month or that month's last day
where there is none; up to two further months with a reason (the person told within the
first month); the clock paused while a justified identity check waits; and the result moved
to the next working day over weekends and Norwegian public holidays.
"""

from __future__ import annotations

import calendar
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from functools import cache

import holidays

MAX_EXTENSION_MONTHS = 2
ONE_DAY = timedelta(days=1)

Pause = tuple[date, date | None]


@cache
def _public_holidays(year: int) -> frozenset[date]:
    # Norway's list here leaves out ordinary Sundays; weekends are checked separately.
    return frozenset(holidays.country_holidays("NO", years=year))


def is_working_day(d: date) -> bool:
    """Monday to Friday, and not a Norwegian public holiday."""
    return d.weekday() < 5 and d not in _public_holidays(d.year)


def next_working_day(d: date) -> date:
    """``d`` itself if it is a working day, else the first working day after it."""
    while not is_working_day(d):
        d += ONE_DAY
    return d


def add_months(d: date, n: int) -> date:
    """The same date ``n`` months later, or that month's last day where there is none."""
    year, month_index = divmod(d.month - 1 + n, 12)
    year += d.year
    month = month_index + 1
    return date(year, month, min(d.day, calendar.monthrange(year, month)[1]))


def due_date(received: date, *, paused_days: int = 0, extension_months: int = 0) -> date:
    """The last day to answer a request received on ``received``.

    The extension counts from receipt (received + 1 + ``extension_months`` months); the
    calendar days the clock was paused are added before moving to a working day.
    """
    if not 0 <= extension_months <= MAX_EXTENSION_MONTHS:
        raise ValueError(
            f"extension_months must be 0, 1 or 2 (art. 12(3) allows at most "
            f"{MAX_EXTENSION_MONTHS} further months), not {extension_months}"
        )
    if paused_days < 0:
        raise ValueError(f"paused_days cannot be negative, got {paused_days}")
    nominal = add_months(received, 1 + extension_months)
    return next_working_day(nominal + timedelta(days=paused_days))


def extension_notice_due(received: date, *, paused_days: int = 0) -> date:
    """The last day to tell the person of an extension: the original (unextended) due date."""
    return due_date(received, paused_days=paused_days)


def paused_days(pauses: Sequence[Pause], today: date) -> int:
    """Calendar days the clock stood still; a pause not yet ended runs until ``today``.

    A pause from ``start`` to ``end`` counts ``end - start`` days; overlapping pauses count
    their days once.
    """
    total = 0
    covered_until = date.min
    for start, end in sorted(_closed(pause, today) for pause in pauses):
        start = max(start, covered_until)
        if end > start:
            total += (end - start).days
        covered_until = max(covered_until, end)
    return total


def _closed(pause: Pause, today: date) -> tuple[date, date]:
    start, end = pause
    stop = today if end is None else end
    if stop < start:
        raise ValueError(f"a pause cannot end ({stop}) before it starts ({start})")
    return start, stop


@dataclass(frozen=True)
class Deadline:
    """A request's due date, and how it stands on a given day."""

    due: date

    @classmethod
    def for_request(
        cls,
        received: date,
        *,
        today: date,
        pauses: Sequence[Pause] = (),
        extension_months: int = 0,
    ) -> Deadline:
        paused = paused_days(pauses, today)
        return cls(due_date(received, paused_days=paused, extension_months=extension_months))

    def overdue(self, today: date) -> bool:
        return today > self.due

    def days_left(self, today: date) -> int:
        """Calendar days until the due date: 0 on the day itself, negative once overdue."""
        return (self.due - today).days
