"""The audit log: append-only, hash-chained, verifiable."""

from alarmvern.audit.anchor import anchor, protect
from alarmvern.audit.log import AuditEntry, Break, append, verify

__all__ = ["AuditEntry", "Break", "anchor", "append", "protect", "verify"]
