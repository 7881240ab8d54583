"""The language's constructs (issue 14 item 2), each with what the notice prints, what the
linter reports and what the system does: not stated, empty fields only when said, corporate
groups, jurisdiction, delete or anonymise, a default retention, "until you ask us to delete
it", data read from the device, storage location and access logging. The pack that uses them
all is tests/data/nordic-group.yaml."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import pytest

from alarmvern.policy import PolicyError, load, loads
from alarmvern.policy.lint import lint
from alarmvern.policy.model import Anchor, Disposal, LegalBasis, Policy, Source
from alarmvern.policy.notice import render_notice
from alarmvern.policy.wording import Lang
from alarmvern.retention.plan import rules_for
from tests.policies import BASE

PACK = Path(__file__).parent / "data" / "nordic-group.yaml"
TODAY = date(2026, 6, 1)


def plain(text: str) -> str:
    return " ".join(re.sub(r"<[^>]+>|[*_#|]", " ", text).split())


def notice(policy: Policy, lang: Lang) -> str:
    return plain(render_notice(policy, lang, "md"))


@pytest.fixture(scope="module")
def group() -> Policy:
    return load(PACK).policy


def vary(*pairs: tuple[str, str]) -> str:
    text = BASE
    for old, new in pairs:
        assert old in text, old
        text = text.replace(old, new, 1)
    return text


# Not stated.


def test_not_stated_is_printed_as_not_stated_and_reported(group: Policy) -> None:
    [inquiries] = [a for a in group.activities if a.id == "inquiries"]
    assert inquiries.not_stated == ("purpose",)
    assert "Ikke oppgitt i erklæringen." in notice(group, "nb")
    assert "Not stated in the notice." in notice(group, "en")
    found = [f for f in lint(load(PACK), TODAY) if f.rule == "not-stated"]
    assert [f.path for f in found] == ["activities[2].purpose"]


def test_a_basis_and_a_date_not_stated() -> None:
    text = vary(
        ("date: 2026-01-01", "date: not_stated"),
        ("    legal_basis: contract\n", "    legal_basis: not_stated\n"),
    )
    policy = loads(text).policy
    assert not policy.dated and policy.activities[0].legal_basis is LegalBasis.not_stated
    nb = notice(policy, "nb")
    assert "Erklæringen er ikke datert." in nb
    assert "oppgir ikke hvilket rettslig grunnlag" in nb
    rules = {f.rule for f in lint(loads(text), TODAY)}
    assert {"not-stated", "basis-not-stated"} <= rules
    assert "policy-date" not in rules  # an undated notice is not "before the GDPR"


def test_subjects_and_categories_need_a_value_or_not_stated() -> None:
    first = "    subjects: [customer]\n    categories: [user.contact, "
    with pytest.raises(PolicyError, match="subjects: not_stated"):
        loads(vary((first, first.replace("[customer]", "[]"))))
    policy = loads(vary((first, first.replace("[customer]", "not_stated")))).policy
    assert policy.activities[0].subjects == () and "subjects" in policy.activities[0].not_stated
    assert "Hvem det gjelder: Ikke oppgitt i erklæringen." in notice(policy, "nb")


# Empty fields only when said.


@pytest.mark.parametrize("lang", ["nb", "en"])
def test_an_empty_field_is_no_promise_unless_the_author_says_none(lang: Lang) -> None:
    silent = loads(vary(("  dpo: {name: Ombud, email: personvern@test.example}\n", ""))).policy
    said = loads(vary(("  dpo: {name: Ombud, email: personvern@test.example}\n", "  dpo: none\n")))
    no_dpo = {"nb": "ikke utnevnt et personvernombud", "en": "not appointed a data"}[lang]
    unsaid = {"nb": "sier ikke om vi har et personvernombud", "en": "does not say whether"}[lang]
    assert unsaid in notice(silent, lang) and no_dpo not in notice(silent, lang)
    assert no_dpo in notice(said.policy, lang)


def test_recipients_transfers_and_automated_decisions_stated_none(group: Policy) -> None:
    [presence] = [a for a in group.activities if a.id == "presence"]
    assert presence.recipients == () and presence.stated_none == ("recipients",)
    nb = notice(group, "nb")
    assert "Opplysningene deles ikke med andre." in nb
    assert "Vi overfører ikke personopplysninger til land utenfor EU/EØS." in nb
    assert "Vi treffer ingen avgjørelser som utelukkende bygger på automatisert" in nb
    # The same policy without the author's "none": the notice says it is not stated.
    text = PACK.read_text(encoding="utf-8")
    bare = loads(
        text.replace("transfers: none\n", "")
        .replace("automated_decisions: none\n", "")
        .replace("    recipients: none\n", ""),
        name="bare.yaml",
    ).policy
    nb = notice(bare, "nb")
    assert "Erklæringen sier ikke om opplysningene deles med andre." in nb
    assert "sier ikke om personopplysninger overføres til land utenfor" in nb
    assert "sier ikke om vi treffer avgjørelser" in nb
    assert "Vi overfører ikke personopplysninger" not in nb


def test_none_contradicted_by_a_recipient_abroad_is_reported() -> None:
    text = vary(('    country: "NO"\n', "    country: US\n    transfer: dpf\n"))
    text = text.replace("activities:\n", "transfers: none\nactivities:\n", 1)
    assert any(f.rule == "transfers-stated" for f in lint(loads(text), TODAY))


# Corporate groups.


@pytest.mark.parametrize("lang", ["nb", "en"])
def test_one_notice_for_a_group_with_a_group_dpo(group: Policy, lang: Lang) -> None:
    out = notice(group, lang)
    assert "Nordvakt AS (912345670)" in out and "Nordvakt AB (556677-8899)" in out
    assert {"nb": "felles for hele konsernet", "en": "serves the whole group"}[lang] in out
    assert group.recipient("group-it").in_group


# Jurisdiction.


@pytest.mark.parametrize("lang", ["nb", "en"])
def test_the_authority_and_complaint_text_follow_the_country(group: Policy, lang: Lang) -> None:
    out = notice(group, lang)
    assert "Integritetsskyddsmyndigheten (IMY)" in out
    assert "Datatilsynet" not in out
    assert "Om du anser att vi behandlar personuppgifter i strid med reglerna" in out
    act = {"nb": "dataskyddslagen (2018:218)", "en": "the Swedish Data Protection Act"}[lang]
    assert act in out and "personopplysningsloven" not in out and "Norwegian" not in out


def test_a_pack_without_an_authority_gets_its_countrys_in_the_notice_and_a_finding() -> None:
    text = PACK.read_text(encoding="utf-8")
    text = re.sub(r"  supervisory_authority: .*\n", "", text)
    loaded = loads(text, name="no-authority.yaml")
    assert loaded.policy.controller.supervisory_authority.name.startswith("Integritets")
    assert "imy.se" in notice(loaded.policy, "en")
    [finding] = [f for f in lint(loaded, TODAY) if f.rule == "complaint-right"]
    assert "Integritetsskyddsmyndigheten" in finding.message_nb


def test_organisation_numbers_follow_the_country() -> None:
    with pytest.raises(PolicyError, match="Norwegian organisation number"):
        loads(vary(('  org_no: "999999999"', '  org_no: "556677-8899"')))
    swedish = vary(('  org_no: "999999999"', '  country: SE\n  org_no: "556677-8899"'))
    assert loads(swedish).policy.controller.country == "SE"


# Retention.


def test_delete_or_anonymise_is_printed_as_written_and_resolved_for_the_sweep(
    group: Policy,
) -> None:
    [monitoring, presence, _] = group.activities
    event = monitoring.retention["user.alarm.event"]
    assert event.either and event.then is Disposal.anonymise  # with a strategy: anonymise
    assert presence.retention["user.location.presence"].then is Disposal.delete  # none: delete
    nb = notice(group, "nb")
    assert "Slettes eller anonymiseres 12 måneder etter" in nb
    [rule] = rules_for(group, "user.alarm.event")
    assert rule.rule.then is Disposal.anonymise


def test_a_default_retention_covers_what_no_rule_does(group: Policy) -> None:
    [monitoring, _, inquiries] = group.activities
    assert monitoring.retention["user.contact.email"].default
    assert inquiries.retention["user.content.inquiry"].keep is not None
    assert not monitoring.retention["user.alarm.event"].default
    assert not [f for f in lint(load(PACK), TODAY) if f.rule == "retention-missing"]
    # The sweep reads the same rule (one place): the plan finds it for the category.
    [rule] = rules_for(group, "user.contact.email")
    assert rule.rule.is_concrete and rule.rule.from_ is Anchor.relationship_end


@pytest.mark.parametrize(
    ("lang", "words"),
    [("nb", "Slettes når du ber oss slette dem."), ("en", "Deleted when you ask us to delete it.")],
)
def test_until_you_ask_us_to_delete_it(group: Policy, lang: Lang, words: str) -> None:
    assert group.activities[0].retention["user.name"].from_ is Anchor.erasure_request
    assert words in notice(group, lang)


# Source, storage, access logging.


@pytest.mark.parametrize("lang", ["nb", "en"])
def test_read_from_the_device_storage_and_access_logging(group: Policy, lang: Lang) -> None:
    assert group.activities[1].sources == (Source.device,)
    out = notice(group, lang)
    device = {
        "nb": "Vi får opplysningene fra enheten din",
        "en": "We obtain the data from your device",
    }
    assert device[lang] in out
    stored = {"nb": "lagres i datasenteret til Nordvakt Drift AB i Stockholm", "en": "stored in"}
    assert stored[lang] in out
    logged = {"nb": "Hver gang noen ser på opplysningene, blir det logget.", "en": "it is logged"}
    assert logged[lang] in out


def test_the_construct_pack_has_no_error_but_the_purpose_it_leaves_unstated() -> None:
    errors = [(f.rule, f.path) for f in lint(load(PACK), TODAY) if f.severity == "error"]
    assert errors == [("not-stated", "activities[2].purpose")]
