"""The packs for Alltid24, Sector Alarm and Alarmlink say what their real notices say
(../shared/seeds/): the facts below are taken from the notices, so a pack that drifts from its
notice fails here."""

from __future__ import annotations

from datetime import date

import pytest

from alarmvern.policy import load
from alarmvern.policy.durations import Duration
from alarmvern.policy.model import (
    Anchor,
    Condition,
    LegalBasis,
    Policy,
    Role,
    Transfer,
    Verification,
    covers,
)

PACKS = ["alltid24", "sector-alarm", "alarmlink"]


def pack(name: str) -> Policy:
    return load(name).policy


@pytest.mark.parametrize("name", PACKS)
def test_every_activity_and_recipient_carries_its_sentence(name: str) -> None:
    p = pack(name)
    assert all(a.quote for a in p.activities)
    assert all(r.quote for r in p.recipients)


# Alltid24 (notice "oppdatert 30.02.2019")


def test_alltid24_controller_and_date_as_the_notice_gives_them() -> None:
    p = pack("alltid24")
    assert p.controller.name == "Alltid24 Sikkerhet AS"
    assert p.controller.org_no is None  # the notice gives none
    assert p.controller.email == "kundeservice@alltid24.no"
    assert p.controller.dpo is not None and "Personvernombud" in (p.controller.dpo.address or "")
    assert "30.02.2019" in p.version  # the impossible date is kept for the linter
    assert p.date == date(2019, 2, 28)


def test_alltid24_demands_a_copy_of_id_for_every_request() -> None:
    rights = pack("alltid24").rights
    assert rights.verification == (Verification.id_document_copy,)
    assert "kopi av gyldig legitimasjon" in (rights.quote or "")


def test_alltid24_gives_no_retention_period_anywhere() -> None:
    p = pack("alltid24")
    rules = [rule for act in p.activities for rule in act.retention.values()]
    assert rules and not any(rule.is_concrete for rule in rules)
    (call,) = [a for a in p.activities if a.id == "alarm-centre-call-recording"]
    rule = call.retention["user.content.call_recording"]
    assert "så lenge det er nødvendig" in (rule.quote or "")


def test_alltid24_transfer_outside_the_eea_without_a_named_safeguard() -> None:
    rec = pack("alltid24").recipient("third-country-recipients")
    assert rec.transfer is Transfer.unknown
    assert rec.country is None


def test_alltid24_recipients_named_in_the_notice() -> None:
    p = pack("alltid24")
    assert p.recipient("acquirer").role is Role.independent_controller
    assert p.recipient("public-authorities").role is Role.public_authority
    assert {"it-providers", "insurance-claims", "system-consultants"} <= {
        r.id for r in p.recipients
    }


def test_alltid24_office_visits_rest_on_vital_interests() -> None:
    (visit,) = [a for a in pack("alltid24").activities if a.id == "office-visits"]
    assert visit.legal_basis is LegalBasis.vital_interest
    assert {"user.name", "user.contact.phone_number", "user.workplace"} <= set(visit.categories)


# Sector Alarm (notice "Oppdatert 16.04.2020")


def test_sector_alarm_controller() -> None:
    c = pack("sector-alarm").controller
    assert c.org_no == "975368211"
    assert c.dpo is not None and c.dpo.email == "personvernombud@sectoralarm.no"
    assert pack("sector-alarm").date == date(2020, 4, 16)


def test_sector_alarm_transfers_rest_on_scc_or_privacy_shield() -> None:
    p = pack("sector-alarm")
    transfers = {r.transfer for r in p.recipients if r.transfer is not Transfer.none_needed}
    assert transfers == {Transfer.scc, Transfer.privacy_shield}
    shield = [r for r in p.recipients if r.transfer is Transfer.privacy_shield]
    assert all(r.country is None and "Privacy Shield" in (r.quote or "") for r in shield)


def test_sector_alarm_keeps_everything_as_long_as_the_purpose_needs() -> None:
    p = pack("sector-alarm")
    rules = [rule for act in p.activities for rule in act.retention.values()]
    assert rules and not any(rule.is_concrete for rule in rules)
    assert all("så lenge formålet" in (rule.quote or "") for rule in rules)
    for key in ("user.alarm.media", "user.alarm.event", "user.alarm.smart_home"):
        assert p.retention_for(key), key


def test_sector_alarm_credit_check_and_marketing() -> None:
    acts = {a.id: a for a in pack("sector-alarm").activities}
    credit = acts["credit-check"]
    assert "user.government_id.national_identification_number" in credit.categories
    assert credit.automated_decision is None  # "behandler ikke ... automatiserte prosesser"
    assert acts["marketing"].legal_basis is LegalBasis.legitimate_interest
    assert acts["bonus-programme"].legal_basis is LegalBasis.consent


# Alarmlink (notice "Sist oppdatert: 10.09.2025")


def test_alarmlink_controller_has_only_a_name() -> None:
    p = pack("alarmlink")
    c = p.controller
    assert c.name == "Alarmlink AS"
    assert (c.org_no, c.email, c.phone, c.address, c.dpo) == (None, None, None, None, None)
    assert p.date == date(2025, 9, 10)


def test_alarmlink_inquiries_go_within_12_months_unless_a_customer() -> None:
    p = pack("alarmlink")
    rule = next(r for a, r in p.retention_for("user.content.inquiry") if a.id == "inquiries")
    assert rule.keep == Duration(12, "mo")
    assert rule.from_ is Anchor.captured
    assert Condition.became_customer in rule.unless


def test_alarmlink_keeps_invoices_and_contracts_5_years_under_the_bookkeeping_act() -> None:
    p = pack("alarmlink")
    for key in ("user.financial.invoice", "user.contract"):
        ((act, rule),) = p.retention_for(key)
        assert act.legal_basis is LegalBasis.legal_obligation
        assert act.law is not None and "okføringsloven" in act.law.nb
        assert (rule.keep, rule.from_) == (Duration(5, "y"), Anchor.fiscal_year_end)


def test_alarmlink_marketing_rests_on_consent_and_ends_with_it() -> None:
    (mkt,) = [a for a in pack("alarmlink").activities if a.id == "marketing"]
    assert mkt.legal_basis is LegalBasis.consent
    rule = mkt.retention["user.contact.email"]
    assert rule.from_ is Anchor.consent_withdrawn and rule.keep == Duration(0, "d")


def test_alarmlink_analytics_uses_cookies_on_legitimate_interest() -> None:
    p = pack("alarmlink")
    (analytics,) = [a for a in p.activities if a.id == "analytics"]
    assert analytics.legal_basis is LegalBasis.legitimate_interest
    assert any(covers("user.device", c) for c in analytics.categories)
    assert p.cookies == ()  # the notice names no cookie
    assert all(r.country is None for r in p.recipients)
