"""The policy linter: what a privacy notice lacks or gets wrong, placed at its line.

Each rule is a small function registered under its id (see :data:`RULES`); the rules are
grouped by theme in the modules of this package. :func:`lint` runs them all and returns the
findings sorted by severity, then line.
"""

from __future__ import annotations

from datetime import date

import alarmvern.policy.lint.accountability  # noqa: F401  (registers its rules)
from alarmvern.policy.lint import completeness, hygiene, lawfulness, retention, transparency
from alarmvern.policy.lint._base import RULES, SEVERITY_ORDER, Context, Finding, Severity
from alarmvern.policy.loader import LoadedPolicy

__all__ = ["RULES", "Finding", "Severity", "lint", "rule_ids"]

_MODULES = (completeness, lawfulness, retention, hygiene, transparency)  # for their rules


def rule_ids() -> list[str]:
    return [rule_id for rule_id, _ in RULES]


def lint(
    loaded: LoadedPolicy, today: date | None = None, *, only: set[str] | None = None
) -> list[Finding]:
    """Every finding of every rule (or of the rules in ``only``), errors first, then by line."""
    ctx = Context(loaded=loaded, today=today if today is not None else date.today())
    found: list[Finding] = []
    seen: set[tuple[str, str, str | None]] = set()
    for rule_id, check in RULES:
        if only is None or rule_id in only:
            for finding in check(ctx):
                # One finding per defect: a sentence the pack repeats (a quote shared by several
                # rules, a text under two keys) is reported once.
                key = (finding.rule, finding.message_en, finding.quote)
                if key not in seen:
                    seen.add(key)
                    found.append(finding)
    return sorted(
        found,
        key=lambda f: (
            SEVERITY_ORDER[f.severity],
            f.line if f.line is not None else 1 << 30,
            f.rule,
            f.path,
        ),
    )
