"""The audit log: append-only, hash-chained, verifiable."""

from alarmvern.audit.anchor import anchor, protect
from alarmvern.audit.log import AuditEntry, Break, Entry, append, append_many, verify

__all__ = [
    "AuditEntry",
    "Break",
    "Entry",
    "anchor",
    "append",
    "append_many",
    "protect",
    "verify",
]
