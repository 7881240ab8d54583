"""A processing activity, and the promises the notice makes for it (portable, objectable,
marketing), each decided here once."""

from __future__ import annotations

from enum import StrEnum
from typing import Final, Literal

from pydantic import Field, model_validator

from alarmvern.policy.model.retention import RetentionRule
from alarmvern.policy.model.values import (
    NOT_STATED_TEXT,
    LegalBasis,
    Source,
    Strict,
    Text,
    replace_markers,
)

# The bases under which the person may take their data elsewhere (art. 20(1)(a)), and those
# under which they may object on grounds of their situation (art. 21(1)).
PORTABLE_BASES: Final = frozenset({LegalBasis.consent, LegalBasis.contract})
OBJECTABLE_BASES: Final = frozenset({LegalBasis.legitimate_interest, LegalBasis.public_task})


class SubjectBasis(Strict):
    """The basis for one subject group where it differs from the activity's own."""

    legal_basis: LegalBasis
    legitimate_interest: Text | None = None
    law: Text | None = None

    @model_validator(mode="after")
    def _explained(self) -> SubjectBasis:
        if self.legal_basis is LegalBasis.legitimate_interest and self.legitimate_interest is None:
            raise ValueError("legal_basis legitimate_interest needs legitimate_interest: (nb/en)")
        if self.legal_basis is LegalBasis.legal_obligation and self.law is None:
            raise ValueError("legal_basis legal_obligation needs law: naming the law (nb/en)")
        return self


class Channel(StrEnum):
    email = "email"
    sms = "sms"
    phone = "phone"
    post = "post"
    online_ads = "online_ads"

    @property
    def electronic(self) -> bool:
        return self in (Channel.email, Channel.sms)


class AutomatedDecision(Strict):
    """Art. 22: a decision made without a person, and the logic behind it."""

    description: Text
    logic: Text
    significance: Text


class Activity(Strict):
    """A processing activity: one purpose, on one legal basis."""

    id: str = Field(pattern=r"^[a-z0-9][a-z0-9-]*$")
    name: Text
    purpose: Text
    legal_basis: LegalBasis
    # Where the notice offers several bases for one purpose without saying which applies
    # ("samtykke, avtale eller berettiget interesse"): the linter reports it.
    basis_alternatives: tuple[LegalBasis, ...] = ()
    legitimate_interest: Text | None = None  # the interest, written out, for art. 6(1)(f)
    law: Text | None = None  # the law that obliges it, for art. 6(1)(c)
    # Per subject group, where the basis differs (the customer on contract, the alarm
    # contacts on legitimate interest): subject key → its basis.
    basis_for: dict[str, SubjectBasis] = Field(default_factory=dict)
    # Art. 9(2) / art. 10 basis, for an activity that processes special categories.
    special_basis: Text | None = None
    direct_marketing: bool = False  # the activity sends direct marketing (art. 21(2)-(3))
    # How marketing reaches people; e-mail and SMS need prior consent under the marketing law
    # of the controller's country (markedsføringsloven § 15 in Norway), save for customers.
    channels: tuple[Channel, ...] = ()
    subjects: tuple[str, ...] = ()  # at least one, or not_stated
    categories: tuple[str, ...] = ()  # at least one, or not_stated
    sources: tuple[Source, ...] = (Source.subject,)
    source_detail: Text | None = None  # who the third party is, where sources has third_party
    recipients: tuple[str, ...] = ()
    automated_decision: AutomatedDecision | None = None
    required: Literal["contract", "law", "voluntary"] = "voluntary"
    consequence: Text | None = None  # what happens if the person does not give the data
    provided_by_subject: bool = False  # counts as provided for portability (art. 20)
    withdrawal: Text | None = None  # how to withdraw, for consent
    retention: dict[str, RetentionRule] = Field(default_factory=dict)
    # Where the data is stored (a country, a data centre, "on the panel"), and whether every
    # access to it is logged: two things real notices state.
    storage_location: Text | None = None
    access_logged: bool | None = None
    # Markers: the fields the author wrote as not_stated, and those written as none.
    not_stated: tuple[str, ...] = ()
    stated_none: tuple[str, ...] = ()
    quote: str | None = None

    @model_validator(mode="before")
    @classmethod
    def _written_markers(cls, data: object) -> object:
        stand_in = {"nb": NOT_STATED_TEXT["nb"], "en": NOT_STATED_TEXT["en"]}
        return replace_markers(
            data,
            {
                "purpose": stand_in,
                "legal_basis": LegalBasis.not_stated.value,
                "legitimate_interest": stand_in,
                "law": stand_in,
                "source_detail": stand_in,
                "subjects": [],
                "categories": [],
            },
            {"recipients": []},
        )

    @model_validator(mode="after")
    def _basis_explained(self) -> Activity:
        for key in ("subjects", "categories"):
            if not getattr(self, key) and key not in self.not_stated:
                raise ValueError(f"{key}: give at least one, or write {key}: not_stated")
        if self.legal_basis is LegalBasis.legitimate_interest and self.legitimate_interest is None:
            raise ValueError("legal_basis legitimate_interest needs legitimate_interest: (nb/en)")
        if self.legal_basis is LegalBasis.legal_obligation and self.law is None:
            raise ValueError("legal_basis legal_obligation needs law: naming the law (nb/en)")
        unknown = sorted(set(self.retention) - set(self.categories))
        if unknown:
            raise ValueError(f"retention names {', '.join(unknown)}, not among its categories")
        strays = sorted(set(self.basis_for) - set(self.subjects))
        if strays:
            raise ValueError(
                f"basis_for names {', '.join(strays)}, not among its subjects; add them to "
                "subjects: or remove them from basis_for:"
            )
        return self

    def basis_of(self, subject: str) -> SubjectBasis:
        """The basis the activity rests on for one subject group."""
        found = self.basis_for.get(subject)
        if found is not None:
            return found
        return SubjectBasis(
            legal_basis=self.legal_basis, legitimate_interest=self.legitimate_interest, law=self.law
        )

    @property
    def bases(self) -> frozenset[LegalBasis]:
        """Every basis the activity rests on, for some subject group."""
        return frozenset({self.legal_basis, *(b.legal_basis for b in self.basis_for.values())})

    # The promises the notice makes for an activity, which the rights code keeps and the linter
    # checks: each is decided here once, and everyone reads it (tests/test_promises.py).

    @property
    def portable(self) -> bool:
        """Art. 20(1): data the person gave us, on consent or contract, for some subject group.

        The notice lists the activity under data portability and the package carries its
        categories. A group on another basis shares the activity's tables, and the package
        holds only the person's own rows, so the one answer serves every group.
        """
        return self.provided_by_subject and bool(self.bases & PORTABLE_BASES)

    @property
    def objectable(self) -> bool:
        """Art. 21(1): someone may object (a basis of legitimate interest or public task)."""
        return bool(self.bases & OBJECTABLE_BASES)

    @property
    def marketing(self) -> bool:
        """Art. 21(2)-(3): the activity sends direct marketing, which an objection stops at once.

        Declared in the pack (``direct_marketing: true``), never guessed from the activity's id.
        """
        return self.direct_marketing
