"""The audit log: append-only, hash-chained, verifiable."""

from alarmvern.audit.anchor import anchor, protect
from alarmvern.audit.log import (
    AuditEntry,
    Batch,
    Break,
    Entry,
    append,
    append_many,
    batch,
    verify,
)

__all__ = [
    "AuditEntry",
    "Batch",
    "Break",
    "Entry",
    "anchor",
    "append",
    "append_many",
    "batch",
    "protect",
    "verify",
]
