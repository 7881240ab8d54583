"""The packs for Proff Security and Atlo say what their real notices say
(../shared/seeds/): the facts below are taken from the notices, so a pack that drifts from its
notice fails here."""

from __future__ import annotations

from datetime import date

import pytest

from alarmvern.policy import load
from alarmvern.policy.durations import Duration
from alarmvern.policy.model import (
    Activity,
    Anchor,
    Disposal,
    LegalBasis,
    Policy,
    Role,
    Transfer,
)

PACKS = ["proff-security", "atlo"]


def pack(name: str) -> Policy:
    return load(name).policy


def activity(policy: Policy, aid: str) -> Activity:
    (found,) = [a for a in policy.activities if a.id == aid]
    return found


@pytest.mark.parametrize("name", PACKS)
def test_every_activity_recipient_and_retention_rule_carries_its_sentence(name: str) -> None:
    p = pack(name)
    assert all(a.quote for a in p.activities)
    assert all(r.quote for r in p.recipients)
    assert all(rule.quote for a in p.activities for rule in a.retention.values())
    assert p.rights.quote


@pytest.mark.parametrize("name", PACKS)
def test_every_category_processed_is_kept_by_some_rule(name: str) -> None:
    p = pack(name)
    for act in p.activities:
        for key in act.categories:
            assert p.retention_for(key), f"{act.id}: {key}"


# Proff Security (notice "oppdatert i Juli 2018")


def test_proff_controller_as_the_notice_gives_it() -> None:
    p = pack("proff-security")
    c = p.controller
    assert c.name == "Proff Security AS"
    assert c.org_no == "999615430"
    assert c.email == "post@proffsecurity.no"
    assert c.dpo is None  # the notice names the managing director, not a DPO
    assert p.rights.contact is not None and p.rights.contact.name == "Daglig leder"
    assert "0188 Oslo" in (p.rights.contact.address or "")
    assert (p.version, p.date) == ("2018-07", date(2018, 7, 1))


def test_proff_google_and_facebook_in_the_usa_without_a_safeguard() -> None:
    p = pack("proff-security")
    for rid in ("google", "facebook"):
        rec = p.recipient(rid)
        assert rec.country == "US" and rec.third_country
        assert rec.transfer is Transfer.unknown
        assert "EØS og USA" in (rec.quote or "")
    # everyone else the notice places in the EEA or Norway: no third country
    others = [r for r in p.recipients if r.id not in ("google", "facebook")]
    assert not any(r.third_country for r in others)


def test_proff_named_suppliers_and_where_the_notice_puts_them() -> None:
    p = pack("proff-security")
    assert p.recipient("microsoft-365").role is Role.processor
    assert p.recipient("phonero").country is None  # "lokalisert i EØS", no country
    for rid in ("comms-superoffice", "comms-ps-drift", "comms-pvm-house", "audit-proff-regnskap"):
        assert p.recipient(rid).country == "NO", rid
    assert p.recipient("local-authorities").role is Role.public_authority


def test_proff_gps_tracking_rests_on_the_contract_as_the_notice_says() -> None:
    gps = activity(pack("proff-security"), "gps-presence")
    assert gps.categories == ("user.location.presence",)
    assert gps.legal_basis is LegalBasis.contract
    assert "GPS" in (gps.quote or "")


def test_proff_quote_requests_give_three_alternative_bases() -> None:
    p = pack("proff-security")
    ids = ("quote-request", "quote-request-consent", "quote-request-marketing")
    bases = {activity(p, i).legal_basis for i in ids}
    assert bases == {LegalBasis.contract, LegalBasis.consent, LegalBasis.legitimate_interest}
    offered = set(activity(p, "quote-request").basis_alternatives)
    assert offered == bases
    assert len({activity(p, i).quote for i in ids}) == 1


def test_proff_gives_no_retention_period_anywhere() -> None:
    p = pack("proff-security")
    rules = [rule for act in p.activities for rule in act.retention.values()]
    assert rules and not any(rule.is_concrete for rule in rules)
    assert all("lengre enn det som er nødvendig" in (rule.quote or "") for rule in rules)


def test_proff_alarm_contacts_come_from_the_customer() -> None:
    contacts = activity(pack("proff-security"), "alarm-contacts")
    assert contacts.subjects == ("alarm_contact",)
    assert contacts.source_detail is not None


# Atlo (no date in the notice)


def test_atlo_controller_has_no_legal_form_org_no_or_dpo() -> None:
    p = pack("atlo")
    c = p.controller
    assert c.name == "Atlo"
    assert (c.org_no, c.dpo, c.web) == (None, None, None)
    assert c.email == "kontakt@atlo.no" and c.phone == "40 60 40 02"
    assert {"version", "date"} <= set(p.not_stated) and not p.dated  # the notice has neither
    assert list(p.subjects) == ["customer"]


def test_atlo_alarm_images_are_kept_7_days_30_for_the_police() -> None:
    p = pack("atlo")
    ((act, rule),) = p.retention_for("user.alarm.media")
    assert act.id == "alarm-response"
    assert (rule.keep, rule.from_, rule.hold_max) == (
        Duration(7, "d"),
        Anchor.captured,
        Duration(30, "d"),
    )
    assert rule.then is Disposal.delete
    assert "external-media-storage" in act.recipients


def test_atlo_concrete_periods() -> None:
    p = pack("atlo")
    contract = activity(p, "customer-contract")
    assert contract.retention["user.name"].keep == Duration(12, "mo")
    assert contract.retention["user.name"].from_ is Anchor.relationship_end
    nin = "user.government_id.national_identification_number"
    assert contract.retention[nin].keep == Duration(12, "mo")
    assert contract.retention["user.contract"].keep == Duration(5, "y")
    archive = activity(p, "accounting-archive").retention["user.name"]
    assert (archive.keep, archive.from_) == (Duration(5, "y"), Anchor.relationship_end)
    system = activity(p, "alarm-system-recovery").retention["user.alarm.system"]
    assert (system.keep, system.from_) == (Duration(3, "y"), Anchor.relationship_end)
    calls = activity(p, "customer-service-recording")
    assert calls.legal_basis is LegalBasis.consent and calls.withdrawal is not None
    assert calls.retention["user.content.call_recording"].keep == Duration(45, "d")


def test_atlo_vague_and_unfinished_text_is_kept() -> None:
    p = pack("atlo")
    email = activity(p, "customer-contract").retention["user.contact.email"]
    assert not email.is_concrete and email.criterion is not None
    assert "lenger enn det som er nødvendig" in (email.quote or "")
    recording = activity(p, "alarm-call-recording")
    assert recording.quote is not None and recording.quote.endswith("ettersom Atlo ??")
    assert "??" in recording.purpose.nb
    assert (p.recipient("marketing-providers").quote or "").endswith("leverandører?")
    assert not any(
        a.id == "marketing" or "marketing-providers" in a.recipients for a in p.activities
    )
