"""The accountability register in the policy: processor agreements, DPIAs, TIAs; its lint
findings from the command line, and its references checked when the policy loads."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from alarmvern.policy import PolicyError, load, loads
from alarmvern.policy.lint import lint
from alarmvern.policy.register import high_risk_activities
from tests.policies import BASE
from tests.test_cli import run

LAPSED = Path(__file__).parent / "data" / "accountability-lapsed.yaml"


def test_the_default_pack_has_a_current_assessment_for_every_high_risk_activity() -> None:
    policy = load("default").policy
    risky = high_risk_activities(policy)
    cameras_and_calls = {"alarm-verification", "on-demand-viewing", "alarm-calls", "call-training"}
    assert cameras_and_calls | {"presence", "phone-agreements", "credit-check"} <= set(risky)
    findings = lint(load("default"))
    assert not [f for f in findings if f.rule in {"dpia-missing", "transfer-lapsed"}]


def test_lint_reports_a_lapsed_transfer_and_a_missing_dpia_in_the_test_pack(
    tmp_path: Path,
) -> None:
    result = run(tmp_path, "policy", "lint", str(LAPSED), "--json")
    assert result.returncode == 1, result.stderr
    rules = {(f["rule"], f["path"]) for f in json.loads(result.stdout)}
    assert ("transfer-lapsed", "accountability.agreements[0].mechanism.expires") in rules
    assert ("dpia-missing", "activities[2]") in rules


def test_an_assessment_for_an_activity_the_policy_lacks_is_refused_naming_the_field() -> None:
    text = BASE.replace("- {activity: service,", "- {activity: camera,")
    with pytest.raises(PolicyError) as caught:
        loads(text, name="test.yaml")
    problem = caught.value.problems[0]
    assert problem.path == "accountability.assessments[0].activity"
    assert "finnes ikke" in problem.message and "no activity" in problem.message


def test_an_agreement_for_an_unknown_recipient_is_refused() -> None:
    text = BASE.replace(
        "accountability:\n",
        "accountability:\n  agreements:\n"
        "    - {recipient: nobody, signed: 2025-01-01, version: '1'}\n",
    )
    with pytest.raises(PolicyError) as caught:
        loads(text, name="test.yaml")
    assert caught.value.problems[0].path == "accountability.agreements[0].recipient"
