"""The outbox's settings, from ALARMVERN_* environment variables (see README's table)."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict


class OutboxSettings(BaseSettings):
    """Where mail and SMS go.

    :param smtp_host: the SMTP server (ALARMVERN_SMTP_HOST); unset: e-mail goes to the file
        outbox like SMS (the demo)
    :param smtp_port: its port (ALARMVERN_SMTP_PORT), 587 by default
    :param smtp_tls: ``starttls``, ``tls`` (implicit, port 465) or ``none`` (ALARMVERN_SMTP_TLS)
    :param smtp_user: the login (ALARMVERN_SMTP_USER); with ALARMVERN_SMTP_PASSWORD
    :param mail_from: the sender address (ALARMVERN_MAIL_FROM)
    :param outbox_dir: the file outbox (ALARMVERN_OUTBOX_DIR); default ``outbox/`` in the
        data folder
    :param public_url: this service's address in links (ALARMVERN_PUBLIC_URL); unset,
        ``alarmvern serve`` sets it from its own port (:func:`serving_at`)
    """

    model_config = SettingsConfigDict(env_prefix="ALARMVERN_", extra="ignore")

    smtp_host: str | None = None
    smtp_port: int = 587
    smtp_tls: Literal["starttls", "tls", "none"] = "starttls"
    smtp_user: str | None = None
    smtp_password: SecretStr | None = Field(default=None, repr=False)
    smtp_timeout: float = 20.0
    mail_from: str = "ikke-svar@alarmvern.invalid"
    outbox_dir: Path | None = None
    public_url: str = "http://127.0.0.1:8000"


PUBLIC_URL = "ALARMVERN_PUBLIC_URL"


def public_url_for(host: str, port: int) -> str:
    """The address of a web served on ``host``:``port``, as a link in a message gives it
    (a wildcard address is this machine's loopback)."""
    shown = {"": "127.0.0.1", "0.0.0.0": "127.0.0.1", "::": "::1"}.get(host, host)
    if ":" in shown:
        shown = f"[{shown}]"
    return f"http://{shown}:{port}"


@contextmanager
def serving_at(host: str, port: int) -> Iterator[None]:
    """While serving: ALARMVERN_PUBLIC_URL, if unset, is the served address, so links in
    mail point at the port actually served (the web workers started meanwhile inherit it).
    Unset again afterwards."""
    if os.environ.get(PUBLIC_URL):
        yield
        return
    os.environ[PUBLIC_URL] = public_url_for(host, port)
    try:
        yield
    finally:
        os.environ.pop(PUBLIC_URL, None)
