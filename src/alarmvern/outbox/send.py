"""Sending a message and recording that it was sent.

:func:`send` is the one way out: it delivers first, outside any database transaction (a slow
SMTP server must never hold a write lock that alarm intake waits for), then records in its
own short transaction who it went to (a keyed hash of the address), which template, when,
and whether it failed (the exception's class, never its text). The body is never stored or
logged. Other modules (breach notices, activation links, art. 14 messages) call
:func:`send` with an :class:`~alarmvern.outbox.channels.Outgoing` and a template name.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime

from sqlalchemy import Connection, Engine, select

from alarmvern.outbox.channels import Channel, FileOutbox, Outgoing, SmtpMail
from alarmvern.outbox.settings import OutboxSettings
from alarmvern.store.tables import outbox_messages, persons
from alarmvern.vault import Vault

log = logging.getLogger(__name__)


@dataclass
class Outbox:
    """The channels in use: e-mail (SMTP, or the file outbox) and SMS (a provider)."""

    email: Channel
    sms: Channel
    public_url: str = "http://127.0.0.1:8000"
    sent: list[int] = field(default_factory=list)  # ids of the rows recorded, newest last

    @classmethod
    def from_settings(cls, settings: OutboxSettings, data_dir: object) -> Outbox:
        from pathlib import Path

        folder = settings.outbox_dir or Path(str(data_dir)) / "outbox"
        files = FileOutbox(folder)
        email: Channel = SmtpMail(settings) if settings.smtp_host else files
        return cls(email=email, sms=files, public_url=settings.public_url.rstrip("/"))


def send(
    engine: Engine,
    vault: Vault,
    outbox: Outbox,
    message: Outgoing,
    *,
    template: str,
    person_id: int | None = None,
) -> bool:
    """Deliver ``message`` and record it; True if it was handed over."""
    channel = outbox.email if message.channel == "email" else outbox.sms
    error = None
    try:
        channel.deliver(message)
    except Exception as exc:  # any failure of the channel is recorded, never its text
        error = type(exc).__name__
        log.warning("outbox: %s message (%s) failed: %s", message.channel, template, error)
    with engine.begin() as conn:
        key = conn.execute(
            outbox_messages.insert().values(
                person_id=person_id,
                channel=message.channel,
                recipient_hash=vault.lookup_hash(conn, message.to.lower()),
                template=template,
                status="failed" if error else "sent",
                error=error,
                sent_at=datetime.now(UTC),
            )
        ).inserted_primary_key
    assert key is not None
    outbox.sent.append(int(key[0]))
    return error is None


def addresses(conn: Connection, person_ids: Iterable[int]) -> dict[int, tuple[str, str]]:
    """Where each person can be reached: ``("email", address)`` if we have one, else
    ``("sms", number)``; people with neither are left out (they are told by hand)."""
    ids = sorted(set(person_ids))
    if not ids:
        return {}
    rows = conn.execute(
        select(persons.c.id, persons.c.email, persons.c.phone).where(persons.c.id.in_(ids))
    )
    found: dict[int, tuple[str, str]] = {}
    for pid, email, phone in rows:
        if email:
            found[int(pid)] = ("email", email)
        elif phone:
            found[int(pid)] = ("sms", phone)
    return found
