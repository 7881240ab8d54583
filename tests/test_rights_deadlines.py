"""Art. 12(3) deadlines: one month, month ends, Norwegian holidays, extensions and pauses.

Every date asserted here was checked against a calendar and the ``holidays`` package.
"""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from dateutil.easter import easter

from alarmvern.rights.deadlines import (
    Deadline,
    add_months,
    due_date,
    extension_notice_due,
    is_working_day,
    next_working_day,
    paused_days,
)


def _norwegian_holidays(year: int) -> set[date]:
    sunday = easter(year)
    return {
        date(year, 1, 1),
        sunday - timedelta(days=3),
        sunday - timedelta(days=2),
        sunday + timedelta(days=1),
        date(year, 5, 1),
        date(year, 5, 17),
        sunday + timedelta(days=39),
        sunday + timedelta(days=50),
        date(year, 12, 25),
        date(year, 12, 26),
    }


@pytest.mark.parametrize("year", range(2024, 2031))
def test_working_days_are_weekdays_that_are_not_public_holidays(year: int) -> None:
    holidays = _norwegian_holidays(year)
    day = date(year, 1, 1)
    while day.year == year:
        assert is_working_day(day) == (day.weekday() < 5 and day not in holidays), day
        day += timedelta(days=1)


def test_easter_2026() -> None:
    assert [is_working_day(date(2026, 4, d)) for d in range(1, 8)] == [
        True,  # Wed 1
        False,  # Maundy Thursday
        False,  # Good Friday
        False,  # Saturday
        False,  # Easter Sunday
        False,  # Easter Monday
        True,  # Tue 7
    ]


def test_christmas_eve_and_new_years_eve_are_working_days() -> None:
    assert is_working_day(date(2026, 12, 24))
    assert is_working_day(date(2026, 12, 31))


def test_next_working_day() -> None:
    assert next_working_day(date(2026, 3, 4)) == date(2026, 3, 4)
    assert next_working_day(date(2026, 3, 7)) == date(2026, 3, 9)
    assert next_working_day(date(2026, 4, 2)) == date(2026, 4, 7)


@pytest.mark.parametrize(
    ("start", "months", "expected"),
    [
        (date(2026, 1, 15), 1, date(2026, 2, 15)),
        (date(2026, 1, 31), 1, date(2026, 2, 28)),
        (date(2024, 1, 31), 1, date(2024, 2, 29)),
        (date(2026, 3, 31), 1, date(2026, 4, 30)),
        (date(2026, 1, 31), 3, date(2026, 4, 30)),
        (date(2026, 11, 30), 3, date(2027, 2, 28)),
        (date(2026, 12, 31), 2, date(2027, 2, 28)),
        (date(2026, 3, 31), -1, date(2026, 2, 28)),
        (date(2026, 5, 20), 0, date(2026, 5, 20)),
    ],
)
def test_add_months(start: date, months: int, expected: date) -> None:
    assert add_months(start, months) == expected


@pytest.mark.parametrize(
    ("received", "due"),
    [
        (date(2023, 1, 31), date(2023, 2, 28)),  # Tue
        (date(2024, 1, 31), date(2024, 2, 29)),  # leap year, Thu
        (date(2025, 1, 31), date(2025, 2, 28)),  # Fri
        (date(2026, 1, 31), date(2026, 3, 2)),  # 28 Feb is a Saturday
        (date(2028, 1, 31), date(2028, 2, 29)),  # leap year, Tue
        (date(2026, 3, 31), date(2026, 4, 30)),  # Thu
        (date(2026, 2, 7), date(2026, 3, 9)),  # 7 Mar is a Saturday
        (date(2026, 3, 2), date(2026, 4, 7)),  # 2 Apr Maundy Thursday, over Easter
        (date(2026, 4, 1), date(2026, 5, 4)),  # 1 May a Friday, then the weekend
        (date(2026, 4, 14), date(2026, 5, 15)),  # 14 May Ascension Day
        (date(2026, 4, 17), date(2026, 5, 18)),  # 17 May a Sunday and Constitution Day
        (date(2026, 4, 25), date(2026, 5, 26)),  # 25 May Whit Monday
        (date(2026, 11, 25), date(2026, 12, 28)),  # 25 Dec Fri, 26 Sat, 27 Sun
        (date(2026, 12, 1), date(2027, 1, 4)),  # 1 Jan 2027 a Friday
    ],
)
def test_due_one_month_from_receipt_on_a_working_day(received: date, due: date) -> None:
    assert due_date(received) == due


def test_due_date_is_the_first_working_day_from_the_nominal_date() -> None:
    received = date(2025, 1, 1)
    while received.year < 2028:
        nominal, due = add_months(received, 1), due_date(received)
        assert is_working_day(due)
        assert nominal <= due
        assert not any(
            is_working_day(nominal + timedelta(days=i)) for i in range((due - nominal).days)
        )
        received += timedelta(days=1)


@pytest.mark.parametrize(
    ("received", "months", "due"),
    [
        (date(2026, 1, 31), 1, date(2026, 3, 31)),
        (date(2026, 1, 31), 2, date(2026, 4, 30)),  # from receipt, not from 28 Feb
        (date(2026, 1, 15), 1, date(2026, 3, 16)),  # 15 Mar is a Sunday
        (date(2026, 1, 15), 2, date(2026, 4, 15)),
        (date(2026, 1, 2), 2, date(2026, 4, 7)),  # 2 Apr, over Easter
    ],
)
def test_extension_counts_from_receipt(received: date, months: int, due: date) -> None:
    assert due_date(received, extension_months=months) == due


def test_extension_notice_is_due_on_the_original_due_date() -> None:
    assert extension_notice_due(date(2026, 3, 2)) == date(2026, 4, 7)
    assert extension_notice_due(date(2026, 3, 2), paused_days=3) == date(2026, 4, 7)
    assert extension_notice_due(date(2026, 3, 2), paused_days=10) == date(2026, 4, 13)


def test_paused_days_move_the_date_before_the_working_day_rule() -> None:
    assert due_date(date(2026, 3, 10), paused_days=3) == date(2026, 4, 13)  # 10 Apr Fri + 3
    assert due_date(date(2026, 3, 2), paused_days=10) == date(2026, 4, 13)  # 12 Apr a Sunday
    # 31 Mar + 5 is Easter Sunday, then Easter Monday
    assert due_date(date(2026, 1, 31), paused_days=5, extension_months=1) == date(2026, 4, 7)


@pytest.mark.parametrize("months", [-1, 3])
def test_extension_beyond_two_months_is_refused(months: int) -> None:
    with pytest.raises(ValueError, match="extension_months must be 0, 1 or 2"):
        due_date(date(2026, 3, 2), extension_months=months)


def test_negative_pause_is_refused() -> None:
    with pytest.raises(ValueError, match="paused_days cannot be negative"):
        due_date(date(2026, 3, 2), paused_days=-1)


def test_paused_days() -> None:
    today = date(2026, 3, 20)
    assert paused_days([], today) == 0
    assert paused_days([(date(2026, 3, 3), date(2026, 3, 10))], today) == 7
    assert paused_days([(date(2026, 3, 3), date(2026, 3, 3))], today) == 0
    assert paused_days([(date(2026, 3, 15), None)], today) == 5
    closed_and_open = [(date(2026, 3, 1), date(2026, 3, 4)), (date(2026, 3, 18), None)]
    assert paused_days(closed_and_open, today) == 5


def test_overlapping_pauses_count_each_day_once() -> None:
    today = date(2026, 3, 20)
    overlapping = [(date(2026, 3, 5), date(2026, 3, 12)), (date(2026, 3, 1), date(2026, 3, 8))]
    assert paused_days(overlapping, today) == 11
    nested = [(date(2026, 3, 1), None), (date(2026, 3, 5), date(2026, 3, 6))]
    assert paused_days(nested, today) == 19


def test_pause_ending_before_it_starts_is_refused() -> None:
    with pytest.raises(ValueError, match="cannot end"):
        paused_days([(date(2026, 3, 10), date(2026, 3, 9))], date(2026, 3, 20))
    with pytest.raises(ValueError, match="cannot end"):
        paused_days([(date(2026, 3, 21), None)], date(2026, 3, 20))


def test_deadline_for_a_request() -> None:
    deadline = Deadline.for_request(
        date(2026, 3, 10), today=date(2026, 3, 20), pauses=[(date(2026, 3, 12), date(2026, 3, 15))]
    )
    assert deadline == Deadline(date(2026, 4, 13))
    assert deadline.days_left(date(2026, 4, 10)) == 3
    assert deadline.days_left(date(2026, 4, 13)) == 0
    assert not deadline.overdue(date(2026, 4, 13))
    assert deadline.overdue(date(2026, 4, 14))
    assert deadline.days_left(date(2026, 4, 14)) == -1


def test_deadline_with_extension_and_open_pause() -> None:
    deadline = Deadline.for_request(
        date(2026, 1, 15),
        today=date(2026, 1, 25),
        pauses=[(date(2026, 1, 20), None)],
        extension_months=2,
    )
    assert deadline.due == date(2026, 4, 20)  # 15 Apr + 5 days, a Monday
