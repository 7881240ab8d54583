"""The API's request and response bodies, shared by its routers (those of the rights and
retention routes are in :mod:`.schemas_rights`).

Responses carry ids, codes and the data the caller may see, never more: a customer search
answers with names and numbers, not addresses; an audit entry with its counts, as logged.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from alarmvern.intake.incidents import CallOutcome

MAX_ID = 2**53  # ids fit a 64-bit column on both databases; larger ones are invalid (422)
IdField = Annotated[int, Field(ge=1, le=MAX_ID)]
Text200 = Annotated[str, Field(min_length=1, max_length=200)]
Phone = Annotated[str, Field(min_length=3, max_length=32, pattern=r"^\+?[0-9 ]{3,31}$")]


class In(BaseModel):
    """A request body: unknown fields are refused, not ignored."""

    model_config = ConfigDict(extra="forbid")


class ErrorOut(BaseModel):
    """Every error the API answers, whatever the route (see ``alarmvern.web.errors``)."""

    status: int
    code: str
    message: str
    field: str | None


# --- policy -------------------------------------------------------------------------------


class ControllerOut(BaseModel):
    name: str
    org_no: str | None
    address: str | None
    email: str | None
    phone: str | None
    web: str | None


class PolicyOut(BaseModel):
    name: str
    version: str
    date: date
    sha256: str
    controller: ControllerOut


class FindingOut(BaseModel):
    rule: str
    severity: str
    article: str
    path: str
    line: int | None
    message_nb: str
    message_en: str
    quote: str | None


class PolicyVersionOut(BaseModel):
    id: int
    name: str
    version: str
    sha256: str
    policy_date: date
    applied_at: datetime
    current: bool  # the version in force now
    state: Literal["coming", "in_force", "earlier"]  # coming: staged, dated after today


class PolicyVersionPage(BaseModel):
    items: list[PolicyVersionOut]
    next_after: int | None


class ChangeOut(BaseModel):
    kind: str
    path: str
    old: str | None
    new: str | None
    material: bool
    message_nb: str
    message_en: str


class PolicyDiffOut(BaseModel):
    version_id: int
    previous_id: int | None
    material: bool
    changes: list[ChangeOut]
    notify_accounts: list[int] = Field(
        description="Customer accounts (holders of accounts not ended) to tell before a "
        "material change applies; empty when nothing material changed."
    )


# --- people -------------------------------------------------------------------------------


class PersonOut(BaseModel):
    id: int
    name: str | None
    email: str | None
    phone: str | None
    street: str | None
    postcode: str | None
    city: str | None
    birth_date: date | None


class CustomerHit(BaseModel):
    account_id: int
    customer_no: str
    person_id: int | None
    name: str | None


class CustomerPage(BaseModel):
    items: list[CustomerHit]
    next_after: int | None


class SiteOut(BaseModel):
    id: int
    street: str
    postcode: str
    city: str | None
    municipality: str | None
    panel_type: str | None


class AccountOut(BaseModel):
    id: int
    customer_no: str
    kind: str
    holder_person_id: int | None
    org_no: str | None
    org_name: str | None
    started_at: datetime
    ended_at: datetime | None
    sites: list[SiteOut]


class PanelUserOut(BaseModel):
    id: int
    user_no: int
    person_id: int | None
    display_name: str | None


class ContactOut(BaseModel):
    id: int
    person_id: int
    name: str | None
    phone: str | None
    priority: int
    has_keys: bool


class ContactIn(In):
    name: Text200
    phone: Phone
    priority: Annotated[int, Field(ge=1, le=99)] = 1
    has_keys: bool = False


# --- alarms -------------------------------------------------------------------------------


class MeaningOut(BaseModel):
    description: str
    event_class: str
    kind: str | None
    known: bool


class EventOut(BaseModel):
    id: int
    site_id: int | None
    occurred_at: datetime
    received_at: datetime
    protocol: str
    code: str
    qualifier: str | None
    zone: str | None
    area: str | None = None  # area / partition: SIA ``ri``, Contact ID group
    user_no: int | None
    method: str | None
    actor_name: str | None
    meaning: MeaningOut


class EventPage(BaseModel):
    items: list[EventOut]
    next_after: str | None = Field(description="Pass as `after` for the next (older) page.")


class IncidentOut(BaseModel):
    id: int
    account_id: int | None
    site_id: int | None
    kind: str
    status: str
    opened_at: datetime
    closed_at: datetime | None
    cause: str | None
    police_case_no: str | None
    operators: list[str]


class IncidentPage(BaseModel):
    items: list[IncidentOut]
    next_after: int | None


class StepOut(BaseModel):
    id: int
    step: str
    actor: str
    at: datetime
    person_id: int | None
    details: dict[str, Any]


class MediaItemOut(BaseModel):
    id: int
    incident_id: int
    kind: str
    content_type: str
    size: int
    captured_at: datetime


class PresenceOut(BaseModel):
    person_id: int
    state: str
    recorded_at: datetime


class ViewContactOut(BaseModel):
    person_id: int
    name: str | None
    phone: str | None
    priority: int
    has_keys: bool


class SiteViewOut(BaseModel):
    site_id: int
    incident_id: int
    contacts: list[ViewContactOut]
    media: list[MediaItemOut]
    presence: list[PresenceOut]


class IncidentDetail(BaseModel):
    incident: IncidentOut
    steps: list[StepOut]
    site: SiteViewOut | None = Field(
        description="What the purpose allows an assigned operator to see; absent for the DPO."
    )


class ContactCalledIn(In):
    person_id: IdField
    outcome: CallOutcome


class GuardIn(In):
    company: Text200


class PoliceIn(In):
    case_no: Annotated[str, Field(min_length=1, max_length=64)]
    hold_media_until: date | None = None


class CloseIncidentIn(In):
    cause: Text200


class AuditEntryOut(BaseModel):
    seq: int
    at: datetime
    actor: str
    action: str
    subject: str | None
    purpose: str | None
    details: dict[str, Any]


class AuditPage(BaseModel):
    items: list[AuditEntryOut]
    next_after: int | None
