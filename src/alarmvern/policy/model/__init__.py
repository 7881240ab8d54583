"""The policy: what the company promises, as pydantic models.

One YAML file per company (a *pack*) validates into a :class:`Policy`. Everything the
notice, the record of processing, the linter and the store's data-map check know comes
from here. Field-level rules live on the models; rules across the whole policy (dangling
references, duplicate ids) live in :meth:`Policy.reference_errors`.

The models are split by theme, one module each: ``values`` (the small value types and
enums), ``retention`` (retention rules), ``parties`` (subjects, categories, recipients),
``controller`` (the controller, its DPO and authority), ``activities`` (an activity and its
promises), ``settings`` (rights, operations, cookies) and ``root`` (the :class:`Policy` and
its lookups). Every public name is importable from here.
"""

from alarmvern.policy.model.activities import (
    OBJECTABLE_BASES,
    PORTABLE_BASES,
    Activity,
    AutomatedDecision,
    Channel,
    SubjectBasis,
)
from alarmvern.policy.model.controller import Authority, Contact, Controller, GroupCompany
from alarmvern.policy.model.parties import EEA, Category, Recipient, Role, Subject, Transfer
from alarmvern.policy.model.retention import (
    Anchor,
    Condition,
    Disposal,
    RetentionRule,
    Strategy,
)
from alarmvern.policy.model.root import Policy, covers
from alarmvern.policy.model.settings import Cookie, Operations, Right, Rights, Verification
from alarmvern.policy.model.values import (
    NONE,
    NOT_STATED,
    NOT_STATED_TEXT,
    DurationField,
    LegalBasis,
    Source,
    Strict,
    Text,
)

__all__ = [
    "EEA",
    "NONE",
    "NOT_STATED",
    "NOT_STATED_TEXT",
    "OBJECTABLE_BASES",
    "PORTABLE_BASES",
    "Activity",
    "Anchor",
    "Authority",
    "AutomatedDecision",
    "Category",
    "Channel",
    "Condition",
    "Contact",
    "Controller",
    "Cookie",
    "Disposal",
    "DurationField",
    "GroupCompany",
    "LegalBasis",
    "Operations",
    "Policy",
    "Recipient",
    "RetentionRule",
    "Right",
    "Rights",
    "Role",
    "Source",
    "Strategy",
    "Strict",
    "Subject",
    "SubjectBasis",
    "Text",
    "Transfer",
    "Verification",
    "covers",
]
