"""Retention: how long a category is kept, from which moment, and what happens then."""

from __future__ import annotations

from enum import StrEnum

from pydantic import ConfigDict, Field, model_validator

from alarmvern.policy.model.values import DurationField, Strict, Text


class Anchor(StrEnum):
    """The moment a retention period runs from."""

    captured = "captured"
    relationship_end = "relationship_end"
    fiscal_year_end = "fiscal_year_end"
    last_invoice = "last_invoice"
    consent_withdrawn = "consent_withdrawn"
    request_closed = "request_closed"
    incident_closed = "incident_closed"
    last_contact = "last_contact"
    # "Until you ask us to delete it": no sweep date; the erasure request ends it.
    erasure_request = "erasure_request"


class Disposal(StrEnum):
    delete = "delete"
    anonymise = "anonymise"
    # As many notices say it ("slettes eller anonymiseres"). The model resolves it to what the
    # system does: anonymise with the given strategy, or delete where none is given; the
    # notice prints both words (RetentionRule.either).
    delete_or_anonymise = "delete_or_anonymise"


class Strategy(StrEnum):
    """How a value is anonymised."""

    drop = "drop"  # the value is removed (set to null)
    pseudonym = "pseudonym"  # a stable keyed pseudonym replaces it
    generalise_year = "generalise_year"  # a date becomes its year
    generalise_postcode = "generalise_postcode"  # an address becomes its postcode
    generalise_municipality = "generalise_municipality"  # coordinates become a municipality


class Condition(StrEnum):
    """Conditions under which a due row is kept all the same."""

    became_customer = "became_customer"  # a lead that became a customer is not swept as a lead
    active_contract = "active_contract"
    open_incident = "open_incident"
    open_request = "open_request"


class RetentionRule(Strict):
    """Keep for a duration from an anchor (or by a stated criterion), then delete or anonymise."""

    keep: DurationField | None = None
    from_: Anchor | None = Field(default=None, alias="from")
    criterion: Text | None = None
    hold_max: DurationField | None = None
    then: Disposal = Disposal.delete
    strategy: Strategy | None = None
    unless: tuple[Condition, ...] = ()
    quote: str | None = None  # the notice's own sentence, where the pack encodes a real notice
    either: bool = False  # written as delete_or_anonymise (set by the model, not the author)
    default: bool = False  # copied from the policy's default_retention (set by the model)

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)

    @model_validator(mode="before")
    @classmethod
    def _either(cls, data: object) -> object:
        if isinstance(data, dict) and data.get("then") == Disposal.delete_or_anonymise.value:
            data = dict(data)
            data["then"] = "anonymise" if data.get("strategy") else "delete"
            data["either"] = True
        return data

    @model_validator(mode="after")
    def _complete(self) -> RetentionRule:
        if self.keep is not None and self.from_ is None:
            raise ValueError("a retention period needs an anchor: add from: (e.g. captured)")
        if self.keep is None and self.criterion is None:
            raise ValueError("give keep: and from:, or a criterion: that decides when data goes")
        if self.then is Disposal.anonymise and self.strategy is None:
            raise ValueError("then: anonymise needs a strategy: drop, pseudonym or generalise_*")
        if self.then is Disposal.delete and self.strategy is not None:
            raise ValueError("strategy: applies only with then: anonymise")
        if self.keep is not None and self.keep.amount == 0 and self.from_ is None:
            raise ValueError("keep: 0 needs an anchor")
        return self

    @property
    def is_concrete(self) -> bool:
        """A period the system can compute a due date from."""
        return self.keep is not None and self.from_ is not None
