"""Durations as the policy writes them (``7d``, ``12mo``, ``5y``) and calendar arithmetic.

Months and years follow the calendar, not a fixed number of days: 31 January plus one
month is the last day of February, which is what a lawyer reading "one month" expects.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Literal, TypeVar

Unit = Literal["h", "d", "w", "mo", "y"]

_PATTERN = re.compile(r"^\s*(\d+)\s*(h|d|w|mo|y)\s*$")
_UNIT_WORDS: dict[Unit, tuple[str, str, str, str]] = {
    # unit: (nb singular, nb plural, en singular, en plural)
    "h": ("time", "timer", "hour", "hours"),
    "d": ("dag", "dager", "day", "days"),
    "w": ("uke", "uker", "week", "weeks"),
    "mo": ("måned", "måneder", "month", "months"),
    "y": ("år", "år", "year", "years"),
}

D = TypeVar("D", date, datetime)


class DurationError(ValueError):
    """A text that is not a duration."""


@dataclass(frozen=True, order=True)
class Duration:
    """A count of a calendar unit: hours, days, weeks, months or years."""

    amount: int
    unit: Unit

    @classmethod
    def parse(cls, text: str) -> Duration:
        match = _PATTERN.match(text)
        if match is None:
            raise DurationError(f'"{text}" is not a duration; write 7d, 12mo or 5y')
        unit: Unit = match.group(2)  # type: ignore[assignment]  # the regex admits only units
        return cls(int(match.group(1)), unit)

    def __str__(self) -> str:
        return f"{self.amount}{self.unit}"

    def approx_days(self) -> float:
        """Length in days, for comparing durations of different units (never for due dates)."""
        per_unit = {"h": 1 / 24, "d": 1.0, "w": 7.0, "mo": 30.44, "y": 365.25}
        return self.amount * per_unit[self.unit]

    def after(self, start: D) -> D:
        """The moment this duration after ``start``, with calendar months and years."""
        if self.unit == "h":
            return start + timedelta(hours=self.amount)
        if self.unit == "d":
            return start + timedelta(days=self.amount)
        if self.unit == "w":
            return start + timedelta(weeks=self.amount)
        months = self.amount if self.unit == "mo" else 12 * self.amount
        return add_months(start, months)

    def words(self, lang: str) -> str:
        """``12 måneder`` / ``12 months``."""
        nb_one, nb_many, en_one, en_many = _UNIT_WORDS[self.unit]
        if lang == "nb":
            if self.amount == 1:  # «én måned», «ett år»: a Norwegian reader expects the word
                return f"{'ett' if nb_one in ('år', 'døgn') else 'én'} {nb_one}"
            return f"{self.amount} {nb_many}"
        if self.amount == 1:
            return f"one {en_one}"
        return f"{self.amount} {en_many}"


def add_months(start: D, months: int) -> D:
    """Same day ``months`` later, or that month's last day where there is none."""
    index = start.month - 1 + months
    year, month = start.year + index // 12, index % 12 + 1
    day = min(start.day, calendar.monthrange(year, month)[1])
    return start.replace(year=year, month=month, day=day)
