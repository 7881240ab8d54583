"""The bodies of the rights and retention routes (see :mod:`.schemas` for the rest)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, Field

from alarmvern.policy.model import Verification
from alarmvern.rights.requests import Channel, Kind
from alarmvern.rights.restriction import Reason
from alarmvern.web.api.schemas import IdField, In

# --- rights -------------------------------------------------------------------------------


class RequestOut(BaseModel):
    id: int
    person_id: int | None
    kind: Kind
    channel: Channel
    status: str
    received_at: datetime
    due_on: date
    extended_to: date | None
    deadline: date
    overdue: bool
    verification: str | None
    verified_at: datetime | None
    outcome: str | None
    closed_at: datetime | None
    pending: list[str]
    steps: list[dict[str, Any]]


class RequestPage(BaseModel):
    items: list[RequestOut]
    next_after: str | None


class RequestIn(In):
    kind: Kind
    channel: Channel | None = Field(None, description="Staff only; a customer's is mine_sider.")
    person_id: IdField | None = Field(None, description="Staff only.")
    received: date | None = Field(None, description="Staff only: the day it arrived.")


class ActionOut(BaseModel):
    request: RequestOut
    result: dict[str, Any] = Field(default_factory=dict)


class ConfirmIn(In):
    person_id: IdField


class VerifyIn(In):
    method: Verification


class ReasonIn(In):
    reason: Annotated[str, Field(min_length=1, max_length=500)]


class ExtendIn(In):
    months: Annotated[int, Field(ge=1, le=2)]
    reason: Annotated[str, Field(min_length=1, max_length=500)]


class AccessIn(In):
    pdf: bool = True
    lang: Literal["nb", "en"] = "nb"


class PortabilityIn(In):
    send_to: Annotated[str, Field(max_length=500, pattern=r"^https://")] | None = None
    recipient: Annotated[str, Field(min_length=1, max_length=200)] | None = None


class RectifyIn(In):
    table: Annotated[str, Field(min_length=1, max_length=64)]
    row_id: IdField
    column: Annotated[str, Field(min_length=1, max_length=64)]
    value: Annotated[str, Field(max_length=500)]


class EraseIn(In):
    keep_contract: bool = False
    end_contracts: bool = False  # end the running contracts first, then erase


class RestrictIn(In):
    reason: Reason


class ObjectIn(In):
    marketing: bool = False
    activity: Annotated[str, Field(min_length=1, max_length=64)] | None = None


class DecideIn(In):
    uphold: bool
    reason: Annotated[str, Field(min_length=1, max_length=500)]


class WithdrawIn(In):
    activity: Annotated[str, Field(min_length=1, max_length=64)]


class CloseRequestIn(In):
    outcome: Annotated[str, Field(min_length=1, max_length=500)]
    refused: bool = False


class StepDoneIn(In):
    step: Annotated[str, Field(min_length=1, max_length=64)]


class ConsentOut(BaseModel):
    id: int
    activity: str
    notice_version: str
    given_at: datetime
    withdrawn_at: datetime | None
    channel: str | None


class ConsentActivity(BaseModel):
    id: str
    name_nb: str
    name_en: str
    given: bool


class ConsentsOut(BaseModel):
    items: list[ConsentOut]
    activities: list[ConsentActivity]


class WithdrawnOut(BaseModel):
    activity: str
    erased: dict[str, int]


# --- retention ----------------------------------------------------------------------------


class UnitForecastOut(BaseModel):
    unit: str
    action: str
    due_now: int
    by_day: dict[str, int]
    held: int
    total: int


class HoldForecastOut(BaseModel):
    hold: int
    target: str
    ends_on: str
    keeps_back: int


class ForecastOut(BaseModel):
    now: datetime
    days: int
    units: list[UnitForecastOut]
    holds: list[HoldForecastOut]
    manual: list[str]


class HoldOut(BaseModel):
    id: int
    target: str
    target_id: int
    reason: str
    placed_by: str
    placed_at: datetime
    ends_on: date
    override: str | None
    released_at: datetime | None
    active: bool


class HoldPage(BaseModel):
    items: list[HoldOut]
    next_after: int | None


class HoldIn(In):
    target: Literal["incident", "media", "person", "account"]
    target_id: IdField
    reason: Annotated[str, Field(min_length=1, max_length=500)]
    ends_on: date
    override: Annotated[str, Field(min_length=1, max_length=500)] | None = None


class BreakOut(BaseModel):
    seq: int
    problem: str


class AuditVerifyOut(BaseModel):
    entries: int
    intact: bool
    first_break: BreakOut | None
