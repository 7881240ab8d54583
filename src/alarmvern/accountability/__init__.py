"""Accountability for the DPO: the breach register with its 72-hour clock (art. 33, 34),
who is affected (from the data map and the audit log), and the drafts of the notices."""
