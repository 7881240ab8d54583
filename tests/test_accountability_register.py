"""The accountability register in the policy: processor agreements, DPIAs, TIAs; its lint
findings from the command line, and its references checked when the policy loads."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from alarmvern.policy import PolicyError, load, loads
from alarmvern.policy.lint import lint
from alarmvern.policy.notice import render_notice
from alarmvern.policy.register import high_risk_activities
from alarmvern.policy.ropa import render_ropa
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


DEFAULT = (
    Path(__file__).parents[1] / "src" / "alarmvern" / "policy" / "packs" / "default.yaml"
).read_text(encoding="utf-8")
OLD_MECHANISM = 'mechanism: {kind: dpf, reference: "Data Privacy Framework List, certified"'
NEW_MECHANISM = 'mechanism: {kind: scc, reference: "Decision 2021/914 module 3"'
OLD_SUBS = 'sub_processors: [{name: "Backup AS", country: "NO", approved: 2023-09-15}]'
NEW_SUBS = (
    'sub_processors: [{name: "Backup AS", country: "NO", approved: 2023-09-15}, '
    '{name: "Arkiv Cloud LLC", country: "US", approved: 2026-02-01}]'
)


def _both(text: str) -> tuple[str, str]:
    """The English notice and the record of processing (Markdown and CSV) of a pack."""
    policy = loads(text, name="default.yaml").policy
    notice = render_notice(policy, "en", "md") + render_notice(policy, "nb", "html")
    record = (
        render_ropa(policy, "md", lang="en")
        + render_ropa(policy, "csv", lang="en")
        + render_ropa(policy, "md", lang="en", part="processor")
    )
    return notice, record


def test_a_change_to_the_register_shows_in_the_notice_and_in_the_record() -> None:
    assert OLD_MECHANISM in DEFAULT and OLD_SUBS in DEFAULT
    notice, record = _both(DEFAULT)
    for text in (notice, record):
        assert "Data Privacy Framework" in text
        assert "Decision 2021/914" not in text and "Arkiv Cloud LLC" not in text
    assert "Backup AS" in notice and "Backup AS" in record  # the sub-processor, in both

    changed = DEFAULT.replace(OLD_MECHANISM, NEW_MECHANISM).replace(OLD_SUBS, NEW_SUBS)
    notice, record = _both(changed)
    # The register's mechanism is the one in force: standard clauses, with their reference,
    # though the recipient's own line still says dpf.
    for text in (notice, record):
        assert "Decision 2021/914 module 3" in text
        assert "Arkiv Cloud LLC" in text  # a new sub-processor, outside the EEA
    assert "standard contractual clauses" in notice and "copy of the standard" in notice
    assert "Eksempel Cloud Inc. (US): standard contractual clauses" in record
    assert "Eksempel Cloud Inc. (US): EU-US Data Privacy Framework" not in record
    transfers = re.split(r"\n## [\d. ]*Transfers outside the EEA\n", notice)[1].split("\n## ")[0]
    assert "Arkiv Cloud LLC (the United States), sub-processor for Eksempel Drift AB" in transfers
    assert "Backup AS" not in transfers  # inside the EEA
    # Art. 30(2): the processor's record lists the same transfers.
    processor = render_ropa(loads(changed, name="d.yaml").policy, "md", lang="en", part="processor")
    assert "Decision 2021/914 module 3" in processor and "Arkiv Cloud LLC" in processor


def test_a_mechanism_the_register_does_not_know_is_refused_naming_the_field() -> None:
    text = DEFAULT.replace(OLD_MECHANISM, 'mechanism: {kind: handshake, reference: "x"')
    with pytest.raises(PolicyError) as caught:
        loads(text, name="default.yaml")
    assert any("mechanism.kind" in p.path for p in caught.value.problems)


def test_the_cli_prints_the_record_for_the_controller_and_separately_as_a_processor(
    tmp_path: Path,
) -> None:
    controller = run(tmp_path, "policy", "ropa", "default", "--lang", "en")
    processor = run(tmp_path, "policy", "ropa", "default", "--lang", "en", "--part", "processor")
    assert controller.returncode == 0 and processor.returncode == 0, processor.stderr
    assert "art. 30(2)" in processor.stdout and "art. 30(2)" not in controller.stdout
    assert "Eksempel Cloud Inc. (US): EU-US Data Privacy Framework" in processor.stdout
