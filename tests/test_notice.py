"""The privacy notice: every art. 13/14 item present, the policy's facts in it, valid HTML."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from typing import Literal

import pytest

from alarmvern.policy import Policy, load, loads, pack_names
from alarmvern.policy.model import LegalBasis, Recipient, Role, Text, Transfer
from alarmvern.policy.notice import render_notice

Lang = Literal["nb", "en"]
Fmt = Literal["md", "html"]
BOTH = [(lang, fmt) for lang in ("nb", "en") for fmt in ("md", "html")]

# The headings each notice must have, in each language.
SECTIONS: dict[str, list[str]] = {
    "nb": [
        "Hvem som er ansvarlig",
        "Personvernombud",
        "Hvem erklæringen gjelder",
        "Hva vi behandler, hvorfor og på hvilket grunnlag",
        "Hvem vi deler opplysningene med",
        "Overføring til land utenfor EØS",
        "Hvor lenge vi lagrer opplysningene",
        "Automatiserte avgjørelser",
        "Dine rettigheter",
        "Retten til å protestere mot direkte markedsføring",
        "Å trekke tilbake et samtykke",
        "Klage til Datatilsynet",
        "Informasjonskapsler",
        "Endringer i erklæringen",
    ],
    "en": [
        "Who is responsible",
        "Data protection officer",
        "Whom this notice concerns",
        "What we process, why, and on what legal basis",
        "Who receives the data",
        "Transfers outside the EEA",
        "How long we keep the data",
        "Automated decisions",
        "Your rights",
        "The right to object to direct marketing",
        "Withdrawing consent",
        "Complaints to Datatilsynet",
        "Cookies",
        "Changes to this notice",
    ],
}


@pytest.fixture(scope="module")
def default() -> Policy:
    return load("default").policy


def plain(text: str) -> str:
    """The notice's words without markup, on one line: for searching facts in it."""
    text = re.sub(r"<[^>]+>", " ", text)
    text = text.replace("&#39;", "'").replace("&amp;", "&").replace("&quot;", '"')
    text = re.sub(r"[*_#|\\]", " ", text)
    return " ".join(text.split())


def headings(text: str, fmt: Fmt) -> list[str]:
    if fmt == "md":
        found = re.findall(r"^#+ (?:\d+\. )?(.+)$", text, re.MULTILINE)
    else:
        found = re.findall(r"<h[1-6][^>]*>(?:\d+\. )?(.*?)</h[1-6]>", text)
    return [plain(h) for h in found]


@pytest.mark.parametrize(("lang", "fmt"), BOTH)
def test_every_required_section_is_there(default: Policy, lang: Lang, fmt: Fmt) -> None:
    found = headings(render_notice(default, lang, fmt), fmt)
    missing = [s for s in SECTIONS[lang] if s not in found]
    assert not missing, f"missing sections {missing}; found {found}"


@pytest.mark.parametrize(("lang", "fmt"), BOTH)
def test_the_controller_and_dpo_are_named(default: Policy, lang: Lang, fmt: Fmt) -> None:
    text = plain(render_notice(default, lang, fmt))
    c = default.controller
    assert c.name in text
    assert c.org_no is not None and c.org_no in text
    assert c.dpo is not None and c.dpo.email is not None and c.dpo.email in text
    assert "Datatilsynet" in text
    assert default.version in text


@pytest.mark.parametrize(
    ("lang", "media", "period", "hold"),
    [
        (
            "nb",
            "Bilder og video uten lyd fra kameraene på anlegget",
            "Slettes 7 dager etter opptak",
            "sannsynlig at politiet trenger opptaket",
        ),
        (
            "en",
            "Images and video without sound from the cameras at the site",
            "Deleted 7 days after recording",
            "likely that the police will need the recording",
        ),
    ],
)
@pytest.mark.parametrize("fmt", ["md", "html"])
def test_media_retention_is_stated_next_to_the_media(
    default: Policy, lang: Lang, fmt: Fmt, media: str, period: str, hold: str
) -> None:
    text = plain(render_notice(default, lang, fmt))
    # In the retention overview (each rule printed once, N-16), the images' period follows
    # their name closely, and the hold follows the period, as kameraovervåkingsforskriften § 4
    # writes it: 30 days only where the police are likely to need it (N-02).
    near = re.findall(re.escape(media) + r".{0,60}?" + re.escape(period) + r"(.{0,120})", text)
    assert len(near) == 1, text
    assert all(hold in after for after in near)
    assert "ved utlevering til politiet" not in text and "when handed over" not in text


@pytest.mark.parametrize("fmt", ["md", "html"])
def test_the_retention_anchors_are_written_out_in_bokmal(default: Policy, fmt: Fmt) -> None:
    text = plain(render_notice(default, "nb", fmt))
    assert "Generaliseres 12 måneder etter at kundeforholdet er avsluttet" in text
    assert "Anonymiseres" not in text  # nothing the system does makes a row anonymous (N-03)
    assert "Pseudonymiseres 12 måneder etter at kundeforholdet er avsluttet" in text
    assert "Slettes 5 år etter utgangen av regnskapsåret" in text
    assert "3 år og 6 måneder etter utgangen av regnskapsåret" in text
    assert "kan vi ta vare på det i inntil 30 dager" in text
    assert "Slettes 3 år etter at du har trukket tilbake samtykket" in text
    assert "Blir du kunde, gjelder lagringstidene for kunder i stedet" in text
    # N-03: a keyed pseudonym is not anonymisation, and the notice must not promise it is.
    assert "kan ikke lenger knyttes til deg" not in text


@pytest.mark.parametrize(("lang", "fmt"), BOTH)
def test_legal_bases_are_explained(default: Policy, lang: Lang, fmt: Fmt) -> None:
    text = plain(render_notice(default, lang, fmt))
    credit = next(a for a in default.activities if a.id == "credit-check")
    bookkeeping = next(a for a in default.activities if a.id == "bookkeeping")
    assert credit.legitimate_interest is not None
    assert bookkeeping.law is not None
    assert credit.legitimate_interest.get(lang) in text
    assert bookkeeping.law.get(lang) in text
    article = "artikkel 6 nr. 1 bokstav f" if lang == "nb" else "Article 6(1)(f)"
    assert article in text


@pytest.mark.parametrize(("lang", "fmt"), BOTH)
def test_recipients_transfers_and_automated_logic(default: Policy, lang: Lang, fmt: Fmt) -> None:
    text = plain(render_notice(default, lang, fmt))
    for rec in default.recipients:
        assert rec.name.get(lang) in text
    assert "Data Privacy Framework" in text
    copy = "kopi av standardkontraktene" if lang == "nb" else "copy of the standard contractual"
    # The default pack uses no standard clauses and no BCR: no promise of a copy (S-14).
    assert copy not in text
    assert "virksomhetsregler" not in text and "binding corporate" not in text
    credit = next(a for a in default.activities if a.automated_decision is not None)
    assert credit.automated_decision is not None
    assert credit.automated_decision.logic.get(lang) in text


@pytest.mark.parametrize(("lang", "fmt"), BOTH)
def test_rights_and_consent_withdrawal(default: Policy, lang: Lang, fmt: Fmt) -> None:
    text = plain(render_notice(default, lang, fmt))
    words = {
        "nb": ["Innsyn", "Retting", "Sletting", "Begrensning", "Dataportabilitet", "Protest"],
        "en": [
            "Access",
            "Rectification",
            "Erasure",
            "Restriction",
            "Data portability",
            "Objection",
        ],
    }[lang]
    for word in words:
        assert f"{word} (" in text, word
    for act in default.activities:
        if act.withdrawal is not None:
            assert act.withdrawal.get(lang) in text
    assert ("innen én måned" if lang == "nb" else "within one month") in text


@pytest.mark.parametrize(("lang", "fmt"), BOTH)
def test_a_new_recipient_changes_the_notice(default: Policy, lang: Lang, fmt: Fmt) -> None:
    before = render_notice(default, lang, fmt)
    new = Recipient(
        id="archive",
        name=Text(nb="Arkivtjenester Testby AS", en="Archive Services Testby AS"),
        role=Role.processor,
        country="IN",
        transfer=Transfer.scc,
    )
    first = default.activities[0].model_copy(
        update={"recipients": (*default.activities[0].recipients, "archive")}
    )
    changed = default.model_copy(
        update={
            "recipients": (*default.recipients, new),
            "activities": (first, *default.activities[1:]),
        }
    )
    after = render_notice(changed, lang, fmt)
    assert after != before
    assert new.name.get(lang) not in before
    assert new.name.get(lang) in after
    assert ("India" in plain(after)) and ("India" not in plain(before))


class _Checker(HTMLParser):
    """Records unbalanced tags, the html element's lang and the header cells' scope."""

    VOID = frozenset({"meta", "br", "img", "link", "hr", "input", "wbr"})

    def __init__(self) -> None:
        super().__init__()
        self.stack: list[str] = []
        self.errors: list[str] = []
        self.lang: str | None = None
        self.th_without_scope = 0
        self.tags: set[str] = set()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.add(tag)
        attributes = dict(attrs)
        if tag == "html":
            self.lang = attributes.get("lang")
        if tag == "th" and attributes.get("scope") not in ("col", "row"):
            self.th_without_scope += 1
        if tag not in self.VOID:
            self.stack.append(tag)

    def handle_endtag(self, tag: str) -> None:
        if not self.stack or self.stack[-1] != tag:
            self.errors.append(f"</{tag}> at {self.getpos()} closes {self.stack[-1:]}")
        else:
            self.stack.pop()


@pytest.mark.parametrize("lang", ["nb", "en"])
def test_html_is_a_well_formed_accessible_page(default: Policy, lang: Lang) -> None:
    page = render_notice(default, lang, "html")
    assert page.startswith("<!DOCTYPE html>")
    checker = _Checker()
    checker.feed(page)
    checker.close()
    assert checker.errors == []
    assert checker.stack == []
    assert checker.lang == lang
    assert checker.th_without_scope == 0
    assert {"title", "main", "h1", "h2", "h3", "table", "caption"} <= checker.tags
    assert 'name="viewport"' in page
    assert not re.search(r"""(src|href)=["']https?://""", page.split("<body>")[0])  # no assets


def test_html_escapes_what_the_policy_says(default: Policy) -> None:
    evil = default.model_copy(
        update={
            "controller": default.controller.model_copy(update={"name": "<script>x</script> AS"})
        }
    )
    page = render_notice(evil, "nb", "html")
    assert "<script>" not in page
    assert "&lt;script&gt;" in page


@pytest.mark.parametrize("name", pack_names())
@pytest.mark.parametrize(("lang", "fmt"), BOTH)
def test_every_pack_renders(name: str, lang: Lang, fmt: Fmt) -> None:
    policy = load(name).policy
    text = render_notice(policy, lang, fmt)
    assert policy.controller.name in text
    assert "Datatilsynet" in text


MINIMAL = """\
version: "1"
date: 2025-03-01
controller: {name: Liten Alarm AS}
subjects:
  customer: {name: {nb: Kunder, en: Customers}}
categories:
  user.name: {name: {nb: Navn, en: Name}}
  user.alarm.event: {name: {nb: Alarmlogg, en: Alarm log}}
activities:
  - id: service
    name: {nb: Alarmtjenesten, en: The alarm service}
    purpose: {nb: Levere alarmtjenesten, en: Deliver the alarm service}
    legal_basis: contract
    subjects: [customer]
    categories: [user.name, user.alarm.event]
    retention:
      user.name:
        criterion:
          nb: Slettes når avtalen er avsluttet og betalt
          en: Deleted when the contract has ended and is paid
recipients:
  - id: somewhere
    name: {nb: Ukjent leverandør, en: Unknown supplier}
    role: processor
"""


@pytest.mark.parametrize(("lang", "fmt"), BOTH)
def test_missing_optional_fields_do_not_break_the_notice(lang: Lang, fmt: Fmt) -> None:
    policy = loads(MINIMAL).policy
    out = plain(render_notice(policy, lang, fmt))
    assert "Liten Alarm AS" in out
    assert ("Slettes når avtalen er avsluttet og betalt" if lang == "nb" else "has ended") in out
    # No DPO in the pack is not a promise of having none: the notice says it is not stated.
    silent = "sier ikke om vi har et personvernombud" if lang == "nb" else "does not say whether"
    no_dpo = "ikke utnevnt et personvernombud" if lang == "nb" else "not appointed a data"
    assert silent in out and no_dpo not in out
    said = loads(MINIMAL.replace("{name: Liten Alarm AS}", "{name: Liten Alarm AS, dpo: none}"))
    assert no_dpo in plain(render_notice(said.policy, lang, fmt))
    assert ("ikke oppgitt" if lang == "nb" else "not stated") in out  # the unknown country
    # No recipients at all, no cookies, no notes: still a notice.
    bare = policy.model_copy(update={"recipients": ()})
    bare_text = plain(render_notice(bare, lang, fmt))
    assert ("Vi deler ikke personopplysninger" if lang == "nb" else "We do not share") in bare_text


def test_an_unknown_language_or_format_is_refused(default: Policy) -> None:
    with pytest.raises(ValueError, match="language"):
        render_notice(default, "de", "md")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="format"):
        render_notice(default, "nb", "pdf")  # type: ignore[arg-type]


def _party_free(policy: Policy) -> list[tuple[str, str]]:
    return [
        (act.id, key)
        for act in policy.activities
        for key in act.subjects
        if act.basis_of(key).legal_basis is LegalBasis.contract
        and policy.subjects[key].party_to_contract is not True
    ]


def test_the_default_pack_uses_contract_only_for_parties(default: Policy) -> None:
    # N-01: art. 6(1)(b) only for a contract "to which the data subject is party".
    assert _party_free(default) == []


@pytest.mark.parametrize(("lang", "fmt"), BOTH)
def test_a_basis_per_subject_group_is_printed_with_its_interest(
    default: Policy, lang: Lang, fmt: Fmt
) -> None:
    text = plain(render_notice(default, lang, fmt))
    monitoring = next(a for a in default.activities if a.id == "alarm-monitoring")
    contacts = monitoring.basis_of("alarm_contact")
    assert contacts.legal_basis is LegalBasis.legitimate_interest
    assert contacts.legitimate_interest is not None
    assert contacts.legitimate_interest.get(lang) in text
    assert ("For alarmkontakter:" if lang == "nb" else "For alarm contacts:") in text
    objection = text[text.index("Protest (artikkel 21)" if lang == "nb" else "Objection (Art") :]
    assert monitoring.name.get(lang) in objection[:1200]


def test_the_cookie_table_lists_the_cookies_the_web_sets(default: Policy) -> None:
    from alarmvern.web.pages.render import LANG_COOKIE
    from alarmvern.web.security import COOKIE, SESSION_LIFETIME

    listed = {c.name: c.lifetime for c in default.cookies}
    assert set(listed) == {COOKIE, LANG_COOKIE}
    session = listed[COOKIE]
    assert session != "session" and session.amount == SESSION_LIFETIME.total_seconds() / 3600
    assert all(not c.consent_required for c in default.cookies)
    text = plain(render_notice(default, "nb", "md"))
    assert "informasjonskapsel-innstillingene" not in text  # no promise of a missing setting


def test_the_credit_agency_is_described_under_the_2022_act(default: Policy) -> None:
    text = plain(render_notice(default, "nb", "md"))
    assert "konsesjon fra Datatilsynet" not in text  # N-04: the licence scheme ended 1 July 2022
    assert "kredittopplysningsloven" in text
