"""Anonymisation strategies: what a value becomes, and how to tell it has not become it yet.

Each strategy is idempotent (applying it twice changes nothing the second time) and has a
SQL test for "still to do", so a sweep that is killed and rerun picks up exactly the rows it
had not finished.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    Column,
    ColumnElement,
    Connection,
    String,
    and_,
    extract,
    false,
    func,
    or_,
)

from alarmvern.policy.model import Strategy
from alarmvern.vault import Vault

PSEUDONYM_PREFIX = "psd-"
_POSTCODE = re.compile(r"\b(\d{4})\b")
# Columns that already are the general form of an address, kept by generalise_postcode.
_GENERAL_ADDRESS_COLUMNS = {"postcode", "city", "municipality"}

Pseudonymiser = Callable[[str], str]
DROP = Strategy.drop


def pseudonymiser(conn: Connection, vault: Vault) -> Pseudonymiser:
    """Stable pseudonyms: the same value gives the same one, under the vault's lookup key."""
    return lambda value: vault.lookup_hash(conn, "pseudonym:" + value)[:12]


def blank(column: Column[Any]) -> Any:
    """The "no value" of a column: NULL, or '' where the column may not be NULL."""
    return None if column.nullable else ""


def to_do(strategy: Strategy, column: Column[Any]) -> ColumnElement[bool]:
    """True for rows whose ``column`` still holds what ``strategy`` would remove."""
    present = column.is_not(None) if column.nullable else column != ""
    if strategy is Strategy.pseudonym and isinstance(column.type, String):
        return and_(present, column.not_like(f"{PSEUDONYM_PREFIX}%"))
    if strategy is Strategy.generalise_year and not isinstance(column.type, String):
        return and_(present, or_(extract("month", column) != 1, extract("day", column) != 1))
    if strategy is Strategy.generalise_postcode and isinstance(column.type, String):
        if column.name in _GENERAL_ADDRESS_COLUMNS:
            return false()
        # Done means blank or a bare four-digit postcode.
        return and_(present, func.length(column) != 4)
    return present


def apply(strategy: Strategy, column: Column[Any], value: Any, pseudonymise: Pseudonymiser) -> Any:
    """What ``value`` of ``column`` becomes."""
    if value is None:
        return None
    if strategy is Strategy.pseudonym and isinstance(value, str):
        if value.startswith(PSEUDONYM_PREFIX):
            return value
        length = getattr(column.type, "length", None) or 64
        return (PSEUDONYM_PREFIX + pseudonymise(value))[:length]
    if strategy is Strategy.generalise_year and isinstance(value, datetime | date):
        return value.replace(month=1, day=1)
    if strategy is Strategy.generalise_postcode and isinstance(value, str):
        if column.name in _GENERAL_ADDRESS_COLUMNS:
            return value
        # An address in one column becomes its postcode alone; a street line goes.
        match = _POSTCODE.search(value)
        return match.group(1) if match else blank(column)
    # drop, generalise_municipality (coordinates go; the site's municipality column stays),
    # and any strategy that does not fit the column's type.
    return blank(column)
