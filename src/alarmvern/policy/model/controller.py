"""The controller: the company, its contact details, its DPO, its group and the supervisory
authority the notice names."""

from __future__ import annotations

import re
from typing import Literal

from pydantic import ConfigDict, Field, ValidationInfo, field_validator, model_validator

from alarmvern.policy.model.values import Strict, Text, replace_markers


class Controller(Strict):
    name: str = Field(min_length=1)
    # A person the notice names as responsible for the processing ("Ansvarlig person hos oss
    # er …"): the controller is the company, and the linter says so.
    responsible_person: str | None = None
    # The jurisdiction: the supervisory authority, the national law and the complaint text
    # come from it (policy/jurisdiction.py): NO, SE, DK or FI.
    country: Literal["NO", "SE", "DK", "FI"] = "NO"
    org_no: str | None = None
    address: str | None = None
    email: str | None = None
    phone: str | None = None
    web: str | None = None
    dpo: Contact | None = None
    # As the notice states it; None where it is silent. The notice prints the jurisdiction's
    # authority all the same (art. 13(2)(d) is owed), but the linter reports the omission.
    stated_authority: Authority | None = Field(default=None, alias="supervisory_authority")
    processor_for: tuple[Text, ...] = ()  # services where we process for business customers
    # A corporate group: the companies one notice covers (each a controller for its own
    # customers); the DPO may sit at group level (dpo.group: true).
    group: tuple[GroupCompany, ...] = ()
    not_stated: tuple[str, ...] = ()
    stated_none: tuple[str, ...] = ()

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)

    @model_validator(mode="before")
    @classmethod
    def _written_markers(cls, data: object) -> object:
        return replace_markers(data, {"group": []}, {"dpo": None})

    @property
    def supervisory_authority(self) -> Authority:
        """The authority the notice names: as stated, or the jurisdiction's own."""
        if self.stated_authority is not None:
            return self.stated_authority
        from alarmvern.policy.jurisdiction import JURISDICTIONS

        return JURISDICTIONS[self.country].authority

    @field_validator("org_no")
    @classmethod
    def _org_no(cls, value: str | None, info: ValidationInfo) -> str | None:
        if value is None:
            return value
        if info.data.get("country", "NO") == "NO":
            if not re.fullmatch(r"\d{9}", value.replace(" ", "")):
                raise ValueError(f'"{value}" is not a Norwegian organisation number (9 digits)')
        elif not re.fullmatch(r"[\d -]{6,14}", value):
            raise ValueError(f'"{value}" is not an organisation number (digits, e.g. 556677-8899)')
        return value


class Contact(Strict):
    name: str | None = None
    email: str | None = None
    phone: str | None = None
    address: str | None = None
    group: bool = False  # a DPO appointed for the whole group (art. 37(2))


class GroupCompany(Strict):
    """One company of a corporate group that a shared notice covers."""

    name: str = Field(min_length=1)
    org_no: str | None = None
    country: Literal["NO", "SE", "DK", "FI"] = "NO"
    role: Text | None = None  # what it does for the customer (sells, monitors, installs)


class Authority(Strict):
    name: str = "Datatilsynet"
    web: str | None = "https://www.datatilsynet.no"
    address: str | None = "Postboks 458 Sentrum, 0105 Oslo"


Controller.model_rebuild()
