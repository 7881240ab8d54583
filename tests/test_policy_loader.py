"""Loader errors name file, line, column and field, and a policy is accepted whole or not."""

from __future__ import annotations

from datetime import date

import pytest

from alarmvern.policy import PolicyError, loads
from alarmvern.policy.durations import Duration, add_months
from tests.policies import covering

GOOD = covering(["user.alarm.media"]).text


def problems(text: str) -> list[str]:
    with pytest.raises(PolicyError) as caught:
        loads(text, name="atlo.yaml")
    return [str(p) for p in caught.value.problems]


def test_the_test_policy_is_valid() -> None:
    assert covering(["user.alarm.media"]).policy.activities[0].id == "service"


def test_a_duration_in_words_is_refused_with_its_place() -> None:
    text = GOOD.replace("keep: 1y", 'keep: "7 dager"')
    line = next(i for i, s in enumerate(text.splitlines(), 1) if "7 dager" in s)
    [message] = problems(text)
    assert message.startswith(f"atlo.yaml:{line}:")
    assert "activities[0].retention.user.alarm.media.keep" in message
    assert '"7 dager" is not a duration; write 7d, 12mo or 5y' in message


def test_an_unknown_key_is_refused() -> None:
    [message] = problems(
        GOOD.replace("legal_basis: contract", "legal_basis: contract\n    purpos: x")
    )
    assert "activities[0].purpos" in message and "unknown key" in message


def test_a_dangling_category_is_refused() -> None:
    [message] = problems(
        GOOD.replace("categories: [user.alarm.media]", "categories: [user.alarm.media, user.nope]")
    )
    assert "activities[0].categories[1]" in message and "user.nope" in message


def test_a_dangling_recipient_is_refused() -> None:
    text = GOOD.replace(
        "    subjects: [customer]\n", "    subjects: [customer]\n    recipients: [police]\n"
    )
    [message] = problems(text)
    assert "activities[0].recipients[0]" in message and '"police"' in message


def test_a_duplicate_activity_id_is_refused() -> None:
    activity = GOOD[GOOD.index("  - id: service") :]
    messages = problems(GOOD + activity)
    assert any("duplicate activity id" in m and "activities[1].id" in m for m in messages)


def test_a_category_outside_the_fides_tree_is_refused() -> None:
    text = GOOD.replace("user.alarm.media", "alarm.media")
    assert any("not below any Fides taxonomy key" in m for m in problems(text))


def test_malformed_yaml_gets_the_parsers_location() -> None:
    [message] = problems(GOOD.replace('version: "test-1"', "version: [unclosed"))
    assert message.startswith("atlo.yaml:") and "not valid YAML" in message


def test_every_problem_is_reported_at_once() -> None:
    text = GOOD.replace("keep: 1y", "keep: 1 year").replace(
        "legal_basis: contract", "legal_basis: k"
    )
    assert len(problems(text)) == 2


def test_anonymise_needs_a_strategy() -> None:
    text = GOOD.replace("from: captured}", "from: captured, then: anonymise}")
    assert any("strategy" in m for m in problems(text))


@pytest.mark.parametrize(
    ("start", "months", "expected"),
    [
        (date(2026, 1, 31), 1, date(2026, 2, 28)),
        (date(2028, 1, 31), 1, date(2028, 2, 29)),
        (date(2026, 3, 31), 1, date(2026, 4, 30)),
        (date(2026, 11, 30), 3, date(2027, 2, 28)),
        (date(2026, 5, 15), 12, date(2027, 5, 15)),
    ],
)
def test_months_follow_the_calendar(start: date, months: int, expected: date) -> None:
    assert add_months(start, months) == expected


def test_durations_parse_and_add() -> None:
    assert Duration.parse("7d").after(date(2026, 1, 28)) == date(2026, 2, 4)
    assert Duration.parse("5y").after(date(2024, 2, 29)) == date(2029, 2, 28)
    assert Duration.parse("12mo").words("nb") == "12 måneder"
    with pytest.raises(ValueError, match="not a duration"):
        Duration.parse("sju dager")
