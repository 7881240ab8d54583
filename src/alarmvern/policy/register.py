"""The accountability register (pure): processor agreements, transfer mechanisms, impact
assessments (art. 28, 35, 44-46), as the optional top-level ``accountability:`` section of a policy.

The recipients of the policy stay where they are; an agreement names the recipient it covers.
:func:`entries` joins the two into the register as it is read: for each recipient, its
agreement (date, version), its sub-processors and the transfer mechanism in force (the
agreement's, else the one the recipient names). The notice, the record of processing and
the linter all read it, so a change to the register shows in each.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING

from pydantic import BaseModel, ConfigDict, Field

if TYPE_CHECKING:
    from alarmvern.policy.model import Policy, Recipient, Transfer

_ID = r"^[a-z0-9][a-z0-9-]*$"
# The safeguards a register may name (the values of model.Transfer that are a mechanism).
MECHANISMS = r"^(adequacy|dpf|scc|bcr|derogation|privacy_shield)$"
# Activities whose categories hold these keys (or keys below them) are high-risk (art. 35(3),
# Datatilsynet's list of processing that always needs a DPIA): camera images in homes, location,
# call recording, credit checks. A register can name more under ``high_risk``.
HIGH_RISK_CATEGORIES = (
    "user.alarm.media",
    "user.location.presence",
    "user.content.call_recording",
    "user.financial.credit_check",
)


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Mechanism(_Strict):
    """The safeguard for a transfer out of the EEA, and when it must be looked at again."""

    kind: str = Field(pattern=MECHANISMS)  # adequacy | dpf | scc | bcr | derogation
    reference: str | None = None  # e.g. "Decision 2021/914 module 3", a DPF listing
    expires: date | None = None  # an adequacy decision's end, a DPF certification's renewal
    review: date | None = None  # when it is next checked


class SubProcessor(_Strict):
    name: str = Field(min_length=1)
    country: str | None = None
    approved: date | None = None  # the controller's approval, art. 28(2)

    @property
    def third_country(self) -> bool:
        """Outside the EEA (the data goes there: a transfer, art. 44)."""
        from alarmvern.policy.model import EEA

        return self.country is not None and self.country not in EEA


class Agreement(_Strict):
    """A data processing agreement (art. 28(3)) with one of the policy's recipients."""

    recipient: str = Field(pattern=_ID)
    signed: date
    version: str = Field(min_length=1)
    sub_processors: tuple[SubProcessor, ...] = ()
    mechanism: Mechanism | None = None
    last_review: date | None = None


class Assessment(_Strict):
    """A DPIA (art. 35(7)) for one activity of the policy."""

    activity: str = Field(pattern=_ID)
    description: str = Field(min_length=1)  # the systematic description
    necessity: str = Field(min_length=1)
    risks: str = Field(min_length=1)
    measures: str = Field(min_length=1)
    dpo_advice: str = Field(min_length=1)
    decision: str = Field(min_length=1)
    assessed: date
    next_review: date

    def current(self, today: date) -> bool:
        return self.next_review >= today


class TransferAssessment(_Strict):
    """A transfer impact assessment for one third-country recipient (C-311/18)."""

    recipient: str = Field(pattern=_ID)
    assessed: date
    conclusion: str = Field(min_length=1)
    supplementary_measures: str | None = None
    next_review: date

    def current(self, today: date) -> bool:
        return self.next_review >= today


class Register(_Strict):
    agreements: tuple[Agreement, ...] = ()
    assessments: tuple[Assessment, ...] = ()
    transfer_assessments: tuple[TransferAssessment, ...] = ()
    high_risk: tuple[str, ...] = ()  # further activity ids that need a DPIA

    def agreement_for(self, recipient: str) -> Agreement | None:
        return next((a for a in self.agreements if a.recipient == recipient), None)

    def assessment_for(self, activity: str) -> Assessment | None:
        found = [a for a in self.assessments if a.activity == activity]
        return max(found, key=lambda a: a.assessed) if found else None

    def transfer_assessment_for(self, recipient: str) -> TransferAssessment | None:
        found = [t for t in self.transfer_assessments if t.recipient == recipient]
        return max(found, key=lambda t: t.assessed) if found else None


@dataclass(frozen=True)
class Entry:
    """One recipient as the register has it."""

    recipient: Recipient
    agreement: Agreement | None

    @property
    def mechanism(self) -> Mechanism | None:
        return self.agreement.mechanism if self.agreement is not None else None

    @property
    def transfer(self) -> Transfer:
        """The safeguard in force: the agreement's mechanism, else the recipient's own."""
        from alarmvern.policy.model import Transfer

        mech = self.mechanism
        return Transfer(mech.kind) if mech is not None else self.recipient.transfer

    @property
    def sub_processors(self) -> tuple[SubProcessor, ...]:
        return self.agreement.sub_processors if self.agreement is not None else ()

    @property
    def signed(self) -> date | None:
        """The agreement's date: the register's, else the recipient's ``dpa_signed``."""
        return self.agreement.signed if self.agreement is not None else self.recipient.dpa_signed


def entries(policy: Policy) -> list[Entry]:
    """Every recipient of ``policy`` with its agreement, in the policy's order."""
    reg = policy.accountability
    return [Entry(r, reg.agreement_for(r.id)) for r in policy.recipients]


def entry(policy: Policy, recipient: str) -> Entry:
    return Entry(policy.recipient(recipient), policy.accountability.agreement_for(recipient))


def high_risk_activities(policy: Policy) -> list[str]:
    """The activities that need a DPIA: by their categories, or named in the register."""
    from alarmvern.policy.model import covers  # model.root imports this module

    named = set(policy.accountability.high_risk)
    return [
        act.id
        for act in policy.activities
        if act.id in named
        or any(covers(k, c) for c in act.categories for k in HIGH_RISK_CATEGORIES)
    ]


def register_errors(policy: Policy) -> list[tuple[tuple[str | int, ...], str]]:
    """References in the register to activities or recipients the policy does not have."""
    activities = {a.id for a in policy.activities}
    recipients = {r.id for r in policy.recipients}
    found: list[tuple[tuple[str | int, ...], str]] = []
    for i, dpia in enumerate(policy.accountability.assessments):
        if dpia.activity not in activities:
            found.append(
                (
                    ("accountability", "assessments", i, "activity"),
                    f'aktiviteten "{dpia.activity}" finnes ikke i policyen / '
                    f'the policy has no activity "{dpia.activity}"',
                )
            )
    for i, key in enumerate(policy.accountability.high_risk):
        if key not in activities:
            found.append(
                (
                    ("accountability", "high_risk", i),
                    f'aktiviteten "{key}" finnes ikke i policyen / '
                    f'the policy has no activity "{key}"',
                )
            )
    named: list[tuple[str, tuple[str, ...]]] = [
        ("agreements", tuple(a.recipient for a in policy.accountability.agreements)),
        (
            "transfer_assessments",
            tuple(t.recipient for t in policy.accountability.transfer_assessments),
        ),
    ]
    for section, keys in named:
        for i, rid in enumerate(keys):
            if rid not in recipients:
                found.append(
                    (
                        ("accountability", section, i, "recipient"),
                        f'mottakeren "{rid}" finnes ikke i policyen / '
                        f'the policy has no recipient "{rid}"',
                    )
                )
    return found
