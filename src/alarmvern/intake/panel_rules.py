"""What the receiver demands of one panel account, as staff set it (``alarmvern panel rules``,
``/api/v1/panels/{account}/rules``). The receiver reads these every 30 s (``admission``)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import Connection, select

from alarmvern import audit
from alarmvern.errors import AlarmvernError
from alarmvern.intake.admission import Rules
from alarmvern.store.tables import panel_keys, panel_settings
from alarmvern.store.tables.columns import as_utc

_HEX = frozenset("0123456789ABCDEF")


@dataclass(frozen=True)
class PanelRules:
    """One account's settings as shown: the stored choice and what it comes to."""

    panel_account: str
    has_key: bool
    encryption_setting: bool | None  # None: the default (required when there is a key)
    encryption_required: bool  # what the receiver does
    clear_timestamps_checked: bool
    rate_limited_at: datetime | None


def account_of(text: str) -> str:
    """``text`` as a panel account number (3-16 hex digits, upper case), or a clear error."""
    account = text.strip().upper()
    if not 3 <= len(account) <= 16 or not set(account) <= _HEX:
        raise AlarmvernError(
            "kontonummeret må være 3-16 heksadesimale sifre",
            "the panel account must be 3-16 hexadecimal digits",
        )
    return account


def get_rules(conn: Connection, panel_account: str) -> PanelRules:
    account = account_of(panel_account)
    row = conn.execute(
        select(panel_settings).where(panel_settings.c.panel_account == account)
    ).first()
    keyed = conn.execute(
        select(panel_keys.c.panel_account).where(panel_keys.c.panel_account == account)
    ).first()
    setting = row.encryption_required if row else None
    checked = bool(row.clear_timestamps_checked) if row else False
    limited = as_utc(row.rate_limited_at) if row and row.rate_limited_at else None
    rules = Rules(setting, checked)
    return PanelRules(
        account, keyed is not None, setting, rules.requires_encryption(keyed is not None),
        checked, limited,
    )  # fmt: skip


def set_rules(
    conn: Connection,
    panel_account: str,
    *,
    encryption_required: bool | str | None = "unchanged",
    clear_timestamps_checked: bool | None = None,
    actor: str,
) -> PanelRules:
    """Change what is given (``encryption_required=None`` goes back to the default), audited
    as ``actor``'s change."""
    account = account_of(panel_account)
    current = get_rules(conn, account)
    encryption = (
        current.encryption_setting if encryption_required == "unchanged" else encryption_required
    )
    checked = (
        current.clear_timestamps_checked
        if clear_timestamps_checked is None
        else clear_timestamps_checked
    )
    values = {
        "encryption_required": encryption,
        "clear_timestamps_checked": checked,
        "updated_at": datetime.now(UTC),
    }
    exists = conn.execute(
        select(panel_settings.c.panel_account).where(panel_settings.c.panel_account == account)
    ).first()
    if exists:
        conn.execute(
            panel_settings.update().where(panel_settings.c.panel_account == account).values(values)
        )
    else:
        conn.execute(panel_settings.insert().values(panel_account=account, **values))
    rules = get_rules(conn, account)
    audit.append(
        conn,
        actor=actor,
        action="panel.rules",
        details={
            "panel_account": rules.panel_account,
            "encryption_required": rules.encryption_setting,
            "clear_timestamps_checked": rules.clear_timestamps_checked,
        },
    )
    return rules


def describe(rules: PanelRules) -> list[str]:
    """``rules`` as lines for people (Norwegian first), the same for the CLI and the pages."""
    yes_no = {True: "ja / yes", False: "nei / no"}
    source = "standard / default" if rules.encryption_setting is None else "satt / set"
    limited = rules.rate_limited_at.isoformat() if rules.rate_limited_at else "aldri / never"
    return [
        f"sentral / panel: {rules.panel_account}",
        f"nøkkel registrert / key registered: {yes_no[rules.has_key]}",
        f"kryptering påkrevd / encryption required: {yes_no[rules.encryption_required]} ({source})",
        f"klare tidsstempler kontrolleres / clear timestamps checked: "
        f"{yes_no[rules.clear_timestamps_checked]}",
        f"sist over hastighetsgrensen / last over the rate limit: {limited}",
    ]
