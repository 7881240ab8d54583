"""What the policy asks of each table: one sweep unit per table × category.

A unit is either the row's own category (the row is deleted, or anonymised: its subject link
cut and its own columns rewritten) or a column category (those columns dropped or
anonymised while the row stays). Its rules are the policy's most specific retention rules for
the category; where several activities keep the same data, data is due only when every one
of them is done with it, and it is anonymised rather than deleted if any of them says so.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from sqlalchemy import Table

from alarmvern.policy.model import Disposal, Policy, RetentionRule, Strategy, covers
from alarmvern.store.datamap import Binding, bindings, columns_of
from alarmvern.store.tables import metadata


@dataclass(frozen=True)
class Rule:
    activity: str
    category_key: str
    rule: RetentionRule


@dataclass(frozen=True)
class Unit:
    table: Table
    binding: Binding
    category: str
    rules: tuple[Rule, ...]

    @property
    def id(self) -> str:
        return f"{self.table.name}:{self.category}"

    @property
    def is_row(self) -> bool:
        return self.category == self.binding.category

    @property
    def columns(self) -> list[str]:
        return columns_of(self.binding, self.category)

    @property
    def subject_link(self) -> str | None:
        """The column anonymising the row cuts: its nullable link to a person."""
        column = self.binding.subject
        if not self.is_row or column is None:
            return None
        primary = {c.name for c in self.table.primary_key.columns}
        if column in primary or not self.table.c[column].nullable:
            return None
        return column

    @property
    def disposal(self) -> Disposal:
        anonymising = [r for r in self.rules if r.rule.then is Disposal.anonymise]
        return Disposal.anonymise if anonymising else Disposal.delete

    @property
    def strategy(self) -> Strategy:
        for r in self.rules:
            if r.rule.then is Disposal.anonymise and r.rule.strategy is not None:
                return r.rule.strategy
        return Strategy.drop

    @property
    def rule_names(self) -> list[str]:
        """``activity/category`` of each rule, as the audit log names them."""
        return [f"{r.activity}/{r.category_key}" for r in self.rules]

    @property
    def action(self) -> str:
        """What the unit does to a due row, in words for reports."""
        if self.disposal is Disposal.delete:
            return "delete" if self.is_row else "drop"
        return f"anonymise:{self.strategy}"

    @property
    def missing_anchors(self) -> list[str]:
        return sorted(
            {
                str(r.rule.from_)
                for r in self.rules
                if r.rule.from_ is not None and str(r.rule.from_) not in self.binding.anchors
            }
        )

    @property
    def computable(self) -> bool:
        """The system can tell when each row is due (all rules concrete, anchors present)."""
        return (
            bool(self.rules)
            and all(r.rule.is_concrete for r in self.rules)
            and (not self.missing_anchors)
        )

    def matches(self, selector: str) -> bool:
        """For ``--rule``: a unit id, table, category or activity id."""
        return selector in {self.id, self.table.name, self.category} or any(
            r.activity == selector for r in self.rules
        )


def rules_for(policy: Policy, category: str) -> tuple[Rule, ...]:
    """The rules covering ``category``: per activity, the most specific."""
    found = [
        Rule(activity.id, key, rule)
        for activity in policy.activities
        for key, rule in activity.retention.items()
        if covers(key, category)
    ]
    # Within one activity the most specific key speaks; across activities every one counts,
    # so a bookkeeping rule on user.financial is not overridden by a shorter one elsewhere
    # on user.financial.invoice.
    chosen: list[Rule] = []
    for activity in dict.fromkeys(r.activity for r in found):
        own = [r for r in found if r.activity == activity]
        depth = max(r.category_key.count(".") for r in own)
        chosen += [r for r in own if r.category_key.count(".") == depth]
    return tuple(chosen)


def units(policy: Policy) -> Iterator[Unit]:
    """Every unit, children before parents (so a sweep frees parents in the same run).

    A column unit without a rule, or whose rule runs from an anchor its table does not have,
    is left out: those columns go with their row.
    """
    for table, binding in reversed(list(bindings(metadata))):
        for category in binding.categories():
            unit = Unit(table, binding, category, rules_for(policy, category))
            if not unit.is_row and (not unit.rules or not unit.columns or unit.missing_anchors):
                continue
            yield unit


def uncomputable(policy: Policy) -> list[tuple[Unit, str]]:
    """Row units the sweep cannot time, and why (for ``alarmvern check``)."""
    found = []
    for unit in units(policy):
        if not unit.is_row or unit.computable or not unit.rules:
            continue
        if unit.missing_anchors:
            why = (
                f"its retention runs from {', '.join(unit.missing_anchors)}, which the table "
                "does not record; the sweep cannot tell when its rows are due"
            )
        else:
            why = "its retention is a criterion, not a period: it is never swept automatically"
        found.append((unit, why))
    return found
