"""The channels a message leaves by: e-mail over SMTP, SMS through a provider.

Both are the network edge: :class:`SmtpMail` speaks SMTP with the standard library's
``smtplib`` (the maintained client; nothing to add), and :class:`SmsProvider` is the seam a
real SMS gateway plugs into. :class:`FileOutbox` is the demo's provider for both: one JSON
line per message in a file only the owner may read (mode 0600), standing in for delivery.
"""

from __future__ import annotations

import json
import os
import smtplib
import ssl
from dataclasses import dataclass
from datetime import UTC, datetime
from email.message import EmailMessage
from pathlib import Path
from typing import Protocol

from alarmvern.outbox.settings import OutboxSettings


@dataclass(frozen=True)
class Outgoing:
    """One message: channel, address (e-mail or E.164 number), subject, body."""

    channel: str  # email | sms
    to: str
    subject: str
    body: str


class Channel(Protocol):
    def deliver(self, message: Outgoing) -> None:
        """Hand the message over; raise on failure."""


class SmsProvider(Channel, Protocol):
    """An SMS gateway: a real one is a class with ``deliver`` that calls its HTTP API."""


class SmtpMail:
    def __init__(self, settings: OutboxSettings) -> None:
        assert settings.smtp_host is not None
        self.settings = settings

    def deliver(self, message: Outgoing) -> None:
        s = self.settings
        mail = EmailMessage()
        mail["From"], mail["To"], mail["Subject"] = s.mail_from, message.to, message.subject
        mail.set_content(message.body)
        host = s.smtp_host or ""
        context = ssl.create_default_context()
        smtp: smtplib.SMTP
        if s.smtp_tls == "tls":
            smtp = smtplib.SMTP_SSL(host, s.smtp_port, timeout=s.smtp_timeout, context=context)
        else:
            smtp = smtplib.SMTP(host, s.smtp_port, timeout=s.smtp_timeout)
        with smtp:
            if s.smtp_tls == "starttls":
                smtp.starttls(context=context)
            if s.smtp_user:
                password = s.smtp_password.get_secret_value() if s.smtp_password else ""
                smtp.login(s.smtp_user, password)
            smtp.send_message(mail)


class FileOutbox:
    """Messages appended to ``folder/<channel>.jsonl`` (the demo's SMS, and mail without SMTP)."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder

    def deliver(self, message: Outgoing) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)
        path = self.folder / f"{message.channel}.jsonl"
        line = json.dumps(
            {"at": datetime.now(UTC).isoformat(), **message.__dict__}, ensure_ascii=False
        )
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
        with os.fdopen(fd, "a", encoding="utf-8") as out:
            out.write(line + "\n")
