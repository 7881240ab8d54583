"""Panels' AES keys for encrypted DC-09, kept in the store encrypted under the vault."""

from __future__ import annotations

from typing import Literal

from sqlalchemy import Connection, Engine, select

from alarmvern.errors import AlarmvernError
from alarmvern.sia.protocol import parse_key
from alarmvern.store.engine import reading
from alarmvern.store.tables import panel_keys
from alarmvern.vault import Vault

SUBJECT = "system:sia"  # the vault subject whose data key protects every panel key
Form = Literal["text", "hex"]


def set_key(conn: Connection, vault: Vault, panel_account: str, key: str, form: Form) -> None:
    """Register (or replace) a panel's key, as the installer wrote it (text or hex)."""
    try:
        parse_key(key, form)
    except ValueError as exc:
        raise AlarmvernError(
            f"panel {panel_account}: ikke en gyldig AES-nøkkel ({form}): {exc}",
            f"panel {panel_account}: not a valid {form} AES key ({exc})",
            field="key",
        ) from None
    sealed = vault.encrypt_field(conn, SUBJECT, "panel_keys", "key_enc", key)
    account = panel_account.upper()
    conn.execute(panel_keys.delete().where(panel_keys.c.panel_account == account))
    conn.execute(panel_keys.insert().values(panel_account=account, key_enc=sealed, form=form))


def load(engine: Engine, vault: Vault) -> dict[str, bytes]:
    """Every panel's key, ready for the receiver (account number → key bytes)."""
    with reading(engine) as conn:  # no write lock: the receiver reloads them every 30 s
        rows = conn.execute(select(panel_keys)).all()
        return {
            r.panel_account: parse_key(
                vault.decrypt_field(conn, SUBJECT, "panel_keys", "key_enc", r.key_enc), r.form
            )
            for r in rows
        }
