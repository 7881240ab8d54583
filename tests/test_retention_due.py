"""Due dates and the sweep's cutoffs agree, on every day of the calendar."""

from __future__ import annotations

from datetime import UTC, datetime

from hypothesis import example, given
from hypothesis import strategies as st

from alarmvern.policy.model import Anchor, RetentionRule
from alarmvern.retention.due import cutoff, due_at, fiscal_year_end

moments = st.datetimes(
    min_value=datetime(2000, 1, 1), max_value=datetime(2040, 12, 31), timezones=st.just(UTC)
)
rules = st.builds(
    lambda amount, unit, anchor: RetentionRule.model_validate(
        {"keep": f"{amount}{unit}", "from": anchor}
    ),
    st.integers(min_value=0, max_value=40),
    st.sampled_from(["h", "d", "w", "mo", "y"]),
    st.sampled_from([Anchor.captured, Anchor.fiscal_year_end, Anchor.relationship_end]),
)


def month_rule(amount: int) -> RetentionRule:
    return RetentionRule.model_validate({"keep": f"{amount}mo", "from": "captured"})


@given(rule=rules, anchor=moments, now=moments)
@example(
    month_rule(1), datetime(2026, 1, 30, 23, tzinfo=UTC), datetime(2026, 2, 28, 10, tzinfo=UTC)
)
@example(month_rule(1), datetime(2026, 2, 28, 23, tzinfo=UTC), datetime(2026, 3, 29, tzinfo=UTC))
@example(
    month_rule(1), datetime(2026, 1, 31, 12, tzinfo=UTC), datetime(2026, 2, 28, 12, tzinfo=UTC)
)
@example(month_rule(12), datetime(2024, 2, 29, 9, tzinfo=UTC), datetime(2025, 2, 28, 9, tzinfo=UTC))
def test_the_cutoff_selects_exactly_what_is_due(
    rule: RetentionRule, anchor: datetime, now: datetime
) -> None:
    limit = cutoff(rule, now)
    assert limit is not None
    value, strict = limit
    selected = anchor < value if strict else anchor <= value
    due = due_at(rule, anchor)
    assert due is not None
    assert selected == (due <= now)


def test_invoices_are_due_five_years_after_their_fiscal_year_ends() -> None:
    rule = RetentionRule.model_validate({"keep": "5y", "from": "fiscal_year_end"})
    issued = datetime(2024, 3, 15, tzinfo=UTC)
    assert fiscal_year_end(issued) == datetime(2025, 1, 1, tzinfo=UTC)
    assert due_at(rule, issued) == datetime(2030, 1, 1, tzinfo=UTC)


def test_one_month_after_31_january_is_the_end_of_february() -> None:
    rule = RetentionRule.model_validate({"keep": "1mo", "from": "captured"})
    assert due_at(rule, datetime(2026, 1, 31, tzinfo=UTC)) == datetime(2026, 2, 28, tzinfo=UTC)
    assert due_at(rule, datetime(2028, 1, 31, tzinfo=UTC)) == datetime(2028, 2, 29, tzinfo=UTC)
    # On the last day of February the last days of January are due too, from midnight.
    assert cutoff(rule, datetime(2026, 2, 28, 0, tzinfo=UTC)) == (
        datetime(2026, 2, 1, tzinfo=UTC),
        True,
    )


def test_a_criterion_gives_no_due_date() -> None:
    rule = RetentionRule.model_validate({"criterion": {"nb": "så lenge", "en": "as long"}})
    assert due_at(rule, datetime(2026, 1, 1, tzinfo=UTC)) is None
    assert cutoff(rule, datetime(2026, 1, 1, tzinfo=UTC)) is None
