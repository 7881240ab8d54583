"""Outgoing e-mail and SMS: :func:`send` delivers and records (recipient by keyed hash,
template, time, outcome); never inside a database write transaction, never the body logged."""

from alarmvern.outbox.channels import FileOutbox, Outgoing, SmsProvider, SmtpMail
from alarmvern.outbox.send import Outbox, addresses, send
from alarmvern.outbox.settings import OutboxSettings

__all__ = [
    "FileOutbox",
    "Outbox",
    "OutboxSettings",
    "Outgoing",
    "SmsProvider",
    "SmtpMail",
    "addresses",
    "send",
]
