"""The error a customer-service change raises for bad input: it names the field, in bokmål
and English, and carries no personal data (the bad value is never repeated)."""

from __future__ import annotations

from alarmvern.errors import AlarmvernError


class InputError(AlarmvernError):
    """A field of a change is wrong; nothing was changed.

    :param field: the field's name as the forms, the API and the CSV columns call it
    """

    http_status = 422
    field: str

    def __init__(self, field: str, nb: str, en: str, *, code: str | None = None) -> None:
        super().__init__(nb, en, field=field, code=code)

    def texts(self) -> tuple[str, str]:
        return f"{self.field}: {self.nb}", self.en


class ConflictError(InputError):
    """The change clashes with what is stored (a customer number or panel account in use)."""

    http_status = 409


class MissingError(InputError):
    """What the change names does not exist, or not where the caller says (a contact of
    another site)."""

    http_status = 404
