"""Who the data is about and who receives it: subject groups, data categories, recipients,
their roles and the safeguard for a transfer outside the EEA."""

from __future__ import annotations

import re
from datetime import date
from enum import StrEnum

from pydantic import Field, field_validator

from alarmvern.policy.model.values import Strict, Text


class Role(StrEnum):
    processor = "processor"
    sub_processor = "sub_processor"
    independent_controller = "independent_controller"
    joint_controller = "joint_controller"
    public_authority = "public_authority"


class Transfer(StrEnum):
    """The safeguard for data leaving the EEA."""

    none_needed = "none_needed"  # inside the EEA
    adequacy = "adequacy"  # art. 45 adequacy decision (e.g. UK, Switzerland)
    dpf = "dpf"  # EU–US Data Privacy Framework (an adequacy decision of 10 July 2023)
    scc = "scc"  # art. 46(2)(c) standard contractual clauses
    bcr = "bcr"  # art. 47 binding corporate rules
    derogation = "derogation"  # art. 49
    privacy_shield = (
        "privacy_shield"  # invalid since 16 July 2020 (Schrems II); the linter flags it
    )
    unknown = "unknown"  # the notice names a transfer without its safeguard


# The EEA (EU + Iceland, Liechtenstein, Norway). A transfer outside needs a safeguard.
EEA = frozenset(
    {
        "AT",
        "BE",
        "BG",
        "HR",
        "CY",
        "CZ",
        "DK",
        "EE",
        "FI",
        "FR",
        "DE",
        "GR",
        "HU",
        "IE",
        "IT",
        "LV",
        "LT",
        "LU",
        "MT",
        "NL",
        "PL",
        "PT",
        "RO",
        "SK",
        "SI",
        "ES",
        "SE",
        "IS",
        "LI",
        "NO",
    }
)
_COUNTRY = re.compile(r"^[A-Z]{2}$")


class Recipient(Strict):
    id: str = Field(pattern=r"^[a-z0-9][a-z0-9-]*$")
    name: Text
    role: Role
    country: str | None = None  # ISO 3166 alpha-2; None where the notice does not say
    transfer: Transfer = Transfer.none_needed
    dpa_signed: date | None = None
    description: Text | None = None
    in_group: bool = False  # a company of the controller's own group (a processor inside it)
    quote: str | None = None

    @field_validator("country")
    @classmethod
    def _iso(cls, value: str | None) -> str | None:
        if value is not None and not _COUNTRY.match(value):
            raise ValueError(f'"{value}" is not a country code; write two capitals, e.g. NO or US')
        return value

    @property
    def third_country(self) -> bool:
        return self.country is not None and self.country not in EEA


class Subject(Strict):
    """A group of data subjects (customers, panel users, people caught on camera, …)."""

    name: Text
    description: Text | None = None
    # Art. 6(1)(b) covers only a contract "to which the data subject is party": an alarm
    # contact or a person on camera is not. The linter flags `contract` for a group marked
    # false; None (not said) is left to the author, since a pack may predate the field.
    party_to_contract: bool | None = None


class Category(Strict):
    """A category of personal data; the key is a Fides taxonomy key or an own key below one."""

    name: Text
    description: Text | None = None
    special: bool = False  # art. 9 special category, or art. 10 criminal offence data
    # For a national identity number: why secure identification is needed (pol. § 12).
    need: Text | None = None
