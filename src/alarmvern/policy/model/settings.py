"""The settings a policy makes for the rights (which it names, deadlines, verification),
for the alarm centre's operations, and the cookies it sets."""

from __future__ import annotations

from enum import StrEnum
from typing import Literal

from alarmvern.policy.durations import Duration
from alarmvern.policy.model.controller import Contact
from alarmvern.policy.model.values import DurationField, Strict, Text


class Verification(StrEnum):
    mine_sider = "mine_sider"  # a logged-in Mine Sider session
    one_time_code = "one_time_code"  # a code to the e-mail or phone on record
    id_document_checked = "id_document_checked"  # shown to staff, recorded as checked
    id_document_copy = "id_document_copy"  # a copy demanded for every request: disproportionate


class Right(StrEnum):
    """The rights a notice names (art. 13(2)(b)-(d), 21)."""

    access = "access"  # art. 15
    rectification = "rectification"  # art. 16
    erasure = "erasure"  # art. 17
    restriction = "restriction"  # art. 18
    portability = "portability"  # art. 20
    objection = "objection"  # art. 21
    withdraw_consent = "withdraw_consent"  # art. 7(3), 13(2)(c)
    complaint = "complaint"  # art. 13(2)(d), 77


class Rights(Strict):
    # The rights the notice itself names, where a pack encodes a real notice; None where the
    # pack leaves the list to the notice template (which prints every right). The linter
    # compares this list with what art. 13(2) requires, so a missing right is not hidden by
    # the template filling it in.
    stated: tuple[Right, ...] | None = None
    # The notice says withdrawing consent may cost the agreed service: consent is then a
    # condition of the contract, which art. 7(4) forbids; the linter reports it.
    withdrawal_ends_service: bool = False
    # The notice discourages complaints to the authority ("løs det med oss i stedet").
    complaint_discouraged: bool = False
    deadline: DurationField = Duration(1, "mo")
    # Art. 14(3)(a): people registered by someone else (alarm contacts, panel users, course
    # participants signed up by their employer) are told within this, one month at most.
    inform_within: DurationField = Duration(1, "mo")
    verification: tuple[Verification, ...] = (Verification.mine_sider,)
    contact: Contact | None = None
    quote: str | None = None


class Operations(Strict):
    """How the alarm centre may use what it holds while handling an alarm."""

    # An operator sees a site's contacts, images and presence only while assigned to an open
    # incident there, and for this long after it closes (to finish the report).
    operator_grace: DurationField = Duration(2, "h")


class Cookie(Strict):
    name: str
    vendor: str
    purpose: Text
    lifetime: DurationField | Literal["session"]
    consent_required: bool
