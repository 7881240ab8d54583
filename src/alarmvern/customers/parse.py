"""Parsing and normalising what customer service types: pure, no I/O.

Phone numbers go through ``phonenumbers`` (Google's libphonenumber) and are stored in
E.164 (``+4791234567``); Norwegian numbers may be written without the country code.
E-mail addresses go through ``email-validator`` (syntax only: no DNS lookup on write) and
are stored with the domain in lower case.
"""

from __future__ import annotations

from datetime import UTC, date, datetime

import phonenumbers
from email_validator import EmailNotValidError, validate_email

from alarmvern.customers.errors import InputError

REGION = "NO"


def phone(value: str | None, field: str = "phone") -> str | None:
    """``value`` in E.164, or None for an empty value."""
    if value is None or not value.strip():
        return None
    try:
        parsed = phonenumbers.parse(value, REGION)
    except phonenumbers.NumberParseException:
        parsed = None
    if parsed is None or not phonenumbers.is_valid_number(parsed):
        raise InputError(
            field, "ikke et gyldig telefonnummer", "not a valid phone number"
        ) from None
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)


def email(value: str | None, field: str = "email") -> str | None:
    """``value`` normalised, or None for an empty value."""
    if value is None or not value.strip():
        return None
    try:
        found = validate_email(value.strip(), check_deliverability=False)
    except EmailNotValidError:
        raise InputError(
            field, "ikke en gyldig e-postadresse", "not a valid e-mail address"
        ) from None
    return str(found.normalized)


def required(value: str | None, field: str, nb: str, en: str) -> str:
    """``value`` stripped; an error naming ``field`` when it is empty."""
    if value is None or not value.strip():
        raise InputError(field, f"{nb} mangler", f"{en} is missing")
    return value.strip()


def optional(value: str | None) -> str | None:
    return value.strip() if value and value.strip() else None


def moment(value: datetime | date | str | None, field: str) -> datetime | None:
    """A date or time as an aware UTC datetime (a date is its midnight, UTC)."""
    if value is None or value == "":
        return None
    try:
        if isinstance(value, str):
            value = datetime.fromisoformat(value.strip())
    except ValueError:
        raise InputError(
            field, "ikke en gyldig dato (ÅÅÅÅ-MM-DD)", "not a valid date (YYYY-MM-DD)"
        ) from None
    if not isinstance(value, datetime):
        value = datetime(value.year, value.month, value.day, tzinfo=UTC)
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def not_before(end: datetime, start: datetime | None, field: str) -> None:
    """Dates are compared as days: ending on the day one started is allowed."""
    if start is not None and end.date() < start.date():
        raise InputError(
            field, "sluttdatoen er før startdatoen", "the end date is before the start date"
        )


def reachable(phone_value: str | None, email_value: str | None, field: str = "phone") -> None:
    """An alarm contact must be reachable: a phone number or an e-mail address."""
    if phone_value is None and email_value is None:
        raise InputError(
            field,
            "kontakten må ha telefonnummer eller e-post",
            "the contact needs a phone number or an e-mail address",
        )


def number(value: str | int | None, field: str, low: int, high: int) -> int | None:
    if value is None or value == "":
        return None
    try:
        found = int(value)
    except (TypeError, ValueError):
        found = low - 1
    if not low <= found <= high:
        raise InputError(
            field,
            f"må være et heltall fra {low} til {high}",
            f"must be a whole number {low}–{high}",
        )
    return found
