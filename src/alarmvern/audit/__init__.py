"""The audit log: append-only, hash-chained, verifiable."""

from alarmvern.audit.anchor import anchor, protect
from alarmvern.audit.log import AuditEntry, Batch, Break, append, batch, verify

__all__ = ["AuditEntry", "Batch", "Break", "anchor", "append", "batch", "protect", "verify"]
