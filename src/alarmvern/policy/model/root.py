"""The :class:`Policy` root: a company's whole policy, the checks across it (dangling
references, duplicate ids, the default retention) and the lookups the notice, the record and
the store use."""

from __future__ import annotations

from datetime import date
from typing import Literal

from pydantic import Field, ValidationInfo, model_validator

from alarmvern.policy.model.activities import Activity
from alarmvern.policy.model.controller import Controller
from alarmvern.policy.model.parties import Category, Recipient, Subject
from alarmvern.policy.model.retention import RetentionRule
from alarmvern.policy.model.settings import Cookie, Operations, Rights
from alarmvern.policy.model.values import NOT_STATED, Strict, Text, replace_markers
from alarmvern.policy.register import Register


class Policy(Strict):
    """A company's whole policy; accepted whole or not at all."""

    version: str = Field(min_length=1)
    date: date  # or not_stated (then date.min stands in, and not_stated names it)
    controller: Controller
    subjects: dict[str, Subject]
    categories: dict[str, Category]
    recipients: tuple[Recipient, ...] = ()
    activities: tuple[Activity, ...] = Field(min_length=1)
    rights: Rights = Field(default_factory=Rights)
    operations: Operations = Field(default_factory=Operations)
    cookies: tuple[Cookie, ...] = ()
    notes: tuple[Text, ...] = ()  # further text for the notice (security measures, …)
    accountability: Register = Field(default_factory=lambda: Register())  # art. 28, 35, 44-46
    # The retention of every category no activity gives a rule for (a policy-wide default).
    default_retention: RetentionRule | None = None
    # "none" where the notice says so: no transfers outside the EEA, no automated decisions.
    transfers: Literal["none"] | None = None
    automated_decisions: Literal["none"] | None = None
    not_stated: tuple[str, ...] = ()

    @model_validator(mode="before")
    @classmethod
    def _written_markers(cls, data: object) -> object:
        return replace_markers(data, {"date": date.min.isoformat(), "version": NOT_STATED}, {})

    @property
    def dated(self) -> bool:
        return "date" not in self.not_stated

    @model_validator(mode="after")
    def _defaults(self) -> Policy:
        """Give every category without a rule the policy's default_retention, if it has one."""
        default = self.default_retention
        if default is None:
            return self
        ruled = {key for act in self.activities for key in act.retention}
        changed = []
        for act in self.activities:
            missing = [
                c
                for c in act.categories
                if not any(covers(k, c) for k in ruled | set(act.retention))
            ]
            if missing:
                rules = dict(act.retention)
                for key in missing:
                    rules[key] = default.model_copy(update={"default": True})
                act = act.model_copy(update={"retention": rules})
            changed.append(act)
        object.__setattr__(self, "activities", tuple(changed))
        return self

    @model_validator(mode="after")
    def _references(self, info: ValidationInfo) -> Policy:
        # The loader asks to defer this so that it can place each error at its line.
        if info.context and info.context.get("defer_references"):
            return self
        errors = self.reference_errors()
        if errors:
            raise ValueError("; ".join(f"{'.'.join(map(str, p))}: {m}" for p, m in errors))
        return self

    def reference_errors(self) -> list[tuple[tuple[str | int, ...], str]]:
        """Dangling references and duplicate ids, each with its path in the policy."""
        found: list[tuple[tuple[str | int, ...], str]] = []
        recipient_ids = [r.id for r in self.recipients]
        for index, rid in enumerate(recipient_ids):
            if rid in recipient_ids[:index]:
                found.append((("recipients", index, "id"), f'duplicate recipient id "{rid}"'))
        activity_ids = [a.id for a in self.activities]
        for index, act in enumerate(self.activities):
            where: tuple[str | int, ...] = ("activities", index)
            if act.id in activity_ids[:index]:
                found.append(((*where, "id"), f'duplicate activity id "{act.id}"'))
            for i, key in enumerate(act.categories):
                if key not in self.categories:
                    found.append(
                        ((*where, "categories", i), f'"{key}" is not defined under categories:')
                    )
            for i, key in enumerate(act.subjects):
                if key not in self.subjects:
                    found.append(
                        ((*where, "subjects", i), f'"{key}" is not defined under subjects:')
                    )
            for i, key in enumerate(act.recipients):
                if key not in recipient_ids:
                    found.append(
                        ((*where, "recipients", i), f'"{key}" is not defined under recipients:')
                    )
        return found

    # Lookups used by the notice, the record and the store.

    def recipient(self, rid: str) -> Recipient:
        return next(r for r in self.recipients if r.id == rid)

    def activities_for(self, category: str) -> list[Activity]:
        """Activities that process ``category`` or a category below it."""
        return [a for a in self.activities if any(covers(c, category) for c in a.categories)]

    def retention_for(self, category: str) -> list[tuple[Activity, RetentionRule]]:
        found = []
        for act in self.activities:
            for key, rule in act.retention.items():
                if covers(key, category):
                    found.append((act, rule))
        return found


def covers(policy_key: str, stored_key: str) -> bool:
    """A policy category covers itself and every key below it in the tree."""
    return stored_key == policy_key or stored_key.startswith(policy_key + ".")
