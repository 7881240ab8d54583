"""What every device upload must satisfy, and how a refusal says why.

Each refusal is an :class:`UploadRefused` with a ``code``, the ``field`` at fault and the
``http_status`` to answer with, so that the web layer need not know the rules. The uploads
themselves are in ``media``, ``presence`` and ``calls``; ``web/uploads.py`` is their HTTP shell.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from alarmvern.errors import AlarmvernError
from alarmvern.intake.devices import Device


class UploadRefused(AlarmvernError):
    """An upload that is not taken in; ``code`` says why, ``field`` names the part at fault."""

    code = "invalid"
    http_status = 422

    def __init__(self, nb: str, en: str, field: str | None = None) -> None:
        super().__init__(nb, en, field=field)


class WrongDevice(UploadRefused):
    code = "wrong_device"
    http_status = 403


class PresenceRefused(UploadRefused):
    code = "consent_missing"
    http_status = 403


class TooLarge(UploadRefused):
    code = "too_large"
    http_status = 413


class UnsupportedType(UploadRefused):
    code = "unsupported_type"
    http_status = 415


def need_kind(device: Device, kind: str) -> None:
    if device.kind != kind:
        raise WrongDevice(
            f"denne enheten ({device.kind}) kan ikke sende dette",
            f"a {device.kind} device cannot upload this; only a {kind} can",
        )


def check_size(data: bytes, limit: int, field: str) -> None:
    if len(data) > limit:
        raise TooLarge(
            f"filen er for stor (over {limit // (1024 * 1024)} MB)",
            f"the file is larger than {limit // (1024 * 1024)} MB",
            field,
        )
    if not data:
        raise UploadRefused("filen er tom", "the file is empty", field)


# A device's clock drifts by minutes; an upload dated further ahead is a wrong clock (or a
# forgery) and would keep its row past its retention for ever. An old time is accepted (a
# device sends what it kept while offline): it can only bring the row's deletion nearer.
MAX_AHEAD = timedelta(minutes=5)


def aware(at: datetime, field: str, now: datetime | None = None) -> datetime:
    """``at`` if it has a time zone and lies no more than 5 minutes after ``now``."""
    if at.tzinfo is None:
        raise UploadRefused(
            f"{field} mangler tidssone",
            f"{field} needs a time zone (e.g. 2026-03-15T10:00:00Z)",
            field,
        )
    now = now or datetime.now(UTC)
    if at > now + MAX_AHEAD:
        raise UploadRefused(
            f"{field} ligger i fremtiden; sjekk enhetens klokke",
            f"{field} is in the future; check the device's clock",
            field,
        )
    return at
