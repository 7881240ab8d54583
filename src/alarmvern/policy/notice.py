"""The privacy notice (personvernerklæring), rendered from the policy.

The notice is built in two steps. :func:`build_notice` turns a :class:`Policy` into a small
document model (sections of paragraphs, lists and tables, all text already in the chosen
language), using the fixed wording in :mod:`alarmvern.policy.wording`. A Jinja2 template per
format (``templates/notice.md.j2``, ``templates/notice.html.j2``) then only lays that model
out, so Markdown and HTML always carry the same content in the same order.

Every item of GDPR art. 13 and 14 has its place: the controller and its DPO (13(1)(a)-(b)),
per activity the purpose, legal basis, legitimate interest or law (13(1)(c)-(d)), the data
(14(1)(d)), whether it is required (13(2)(e)), its source (14(2)(f)), recipients (13(1)(e)),
transfers and their safeguard (13(1)(f)), retention (13(2)(a)), rights (13(2)(b)), consent
withdrawal (13(2)(c)), complaints (13(2)(d)) and automated decisions (13(2)(f)).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from functools import cache
from typing import Literal

import jinja2
from markupsafe import Markup, escape

from alarmvern.policy import jurisdiction
from alarmvern.policy.model import (
    NOT_STATED_TEXT,
    Activity,
    Anchor,
    Cookie,
    LegalBasis,
    Policy,
    Recipient,
    RetentionRule,
    Source,
    Strategy,
    SubjectBasis,
    Text,
    Transfer,
    Verification,
)
from alarmvern.policy.register import SubProcessor, entries
from alarmvern.policy.wording import (
    ANCHOR_AFTER,
    ANCHOR_AFTER_RECORDING,
    ANCHOR_AT,
    AND,
    BASIS_INTRO,
    COPYABLE,
    COUNTRY,
    DISPOSAL,
    HEADINGS,
    HOLD,
    LABELS,
    MONTHS,
    PROSE,
    RECORDING_CATEGORIES,
    REQUIRED,
    ROLE,
    ROLE_EXPLAINED,
    ROUTE,
    SECTION_IDS,
    SOURCE,
    STRATEGY,
    TABLE,
    TRANSFER,
    UNLESS,
    VERIFICATION,
    Lang,
    W,
    pick,
)

Fmt = Literal["md", "html"]

__all__ = ["Document", "build_notice", "render_notice", "retention_sentence"]


# The document model the templates lay out.


@dataclass(frozen=True)
class Item:
    """One line of a list, with an optional bold lead-in."""

    text: str
    label: str | None = None


@dataclass(frozen=True)
class Para:
    text: str
    label: str | None = None
    kind: Literal["para"] = "para"


@dataclass(frozen=True)
class Bullets:
    items: tuple[Item, ...]
    kind: Literal["bullets"] = "bullets"


@dataclass(frozen=True)
class Table:
    """A table whose first column heads each row."""

    id: str
    caption: str
    headers: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    kind: Literal["table"] = "table"


Block = Para | Bullets | Table


@dataclass
class Section:
    id: str
    title: str
    blocks: list[Block] = field(default_factory=list)
    subsections: list[Section] = field(default_factory=list)


@dataclass(frozen=True)
class Document:
    lang: Lang
    title: str
    subtitle: str
    lead: tuple[str, ...]
    contents_title: str
    sections: tuple[Section, ...]


# Public API.


def render_notice(policy: Policy, lang: Lang, fmt: Fmt) -> str:
    """The privacy notice of ``policy`` in ``lang`` (nb or en) as Markdown or HTML."""
    if lang not in ("nb", "en"):
        raise ValueError(f"unknown language {lang!r}; use nb or en")
    if fmt not in ("md", "html"):
        raise ValueError(f"unknown format {fmt!r}; use md or html")
    document = build_notice(policy, lang)
    return _environment(fmt).get_template(f"notice.{fmt}.j2").render(doc=document)


def build_notice(policy: Policy, lang: Lang) -> Document:
    """The notice's content, in ``lang``, as sections of paragraphs, lists and tables."""
    return _Builder(policy, lang).document()


def retention_sentence(rule: RetentionRule, category: str, lang: Lang) -> str:
    """One retention rule in words: "Slettes 7 dager etter opptak. Kan oppbevares …"."""
    parts: list[str] = []
    # Say what the system does (N-03): a keyed pseudonym is pseudonymisation, a postcode or a
    # year kept beside it is generalisation, a value removed is deleted. None of them makes the
    # row anonymous (recital 26), so none is called anonymisation.
    disposal = (
        {
            Strategy.pseudonym: "pseudonymise",
            Strategy.drop: "delete",
            Strategy.generalise_year: "generalise",
            Strategy.generalise_postcode: "generalise",
            Strategy.generalise_municipality: "generalise",
        }.get(rule.strategy, rule.then.value)
        if rule.strategy is not None
        else rule.then.value
    )
    if rule.either:
        disposal = "delete_or_anonymise"
    verb = pick(DISPOSAL[disposal], lang)
    if rule.keep is not None and rule.from_ is not None:
        if rule.keep.amount == 0:
            parts.append(f"{verb} {pick(ANCHOR_AT[rule.from_], lang)}.")
        else:
            parts.append(
                f"{verb} {rule.keep.words(lang)} {_anchor_after(rule.from_, category, lang)}."
            )
        if rule.strategy is not None:
            parts[-1] = parts[-1][:-1] + f": {pick(STRATEGY[rule.strategy], lang)}."
        if rule.criterion is not None:
            parts.append(_sentence(rule.criterion.get(lang)))
    elif rule.criterion is not None:
        parts.append(_sentence(rule.criterion.get(lang)))
    if rule.hold_max is not None:
        parts.append(pick(HOLD, lang).format(period=rule.hold_max.words(lang)))
    parts.extend(pick(UNLESS[c], lang) for c in rule.unless)
    return " ".join(parts)


# Building the document.


class _Builder:
    def __init__(self, policy: Policy, lang: Lang) -> None:
        self.p = policy
        self.lang = lang

    def w(self, words: W) -> str:
        return pick(words, self.lang)

    def prose(self, key: str, **values: str) -> str:
        return self.w(PROSE[key]).format(**values)

    def t(self, text: Text) -> str:
        return text.get(self.lang)

    def document(self) -> Document:
        c = self.p.controller
        builders = [
            self.summary_section,
            self.controller_section,
            self.activities_section,
            self.recipients_section,
            self.transfers_section,
            self.retention_section,
            self.automated_section,
            self.rights_section,
            self.complaint_section,
            self.cookies_section,
            self.notes_section,
            self.version_section,
        ]
        sections = [s for s in (build() for build in builders) if s is not None]
        for number, section in enumerate(sections, start=1):
            section.title = f"{number}. {section.title}"
        return Document(
            lang=self.lang,
            title=f"{self.w(HEADINGS['title'])} – {c.name}",
            subtitle=self.prose(
                "version_line", version=self.p.version, date=format_date(self.p.date, self.lang)
            )
            if self.p.dated
            else self.prose("undated"),
            lead=(self.prose("intro", name=c.name),),
            contents_title=self.w(HEADINGS["contents"]),
            sections=tuple(sections),
        )

    # 1. Controller and DPO.

    def controller_section(self) -> Section:
        c = self.p.controller
        who = c.name
        if c.org_no:
            who += f" ({self.w(LABELS['org_no'])} {c.org_no})"
        section = Section(self.anchor("controller"), self.w(HEADINGS["controller"]))
        place = jurisdiction.of(c.country)
        act = place.data_protection_act
        section.blocks.append(Para(self.prose("controller", who=who, act=act.local, act_en=act.en)))
        routes = self.routes(c.email, c.phone, c.address, c.web)
        if routes:
            section.blocks.append(Para(self.prose("reach_us", routes=routes)))
        dpo = Section(self.anchor("dpo"), self.w(HEADINGS["dpo"]))
        dpo_routes = self.routes(c.dpo.email, c.dpo.phone, c.dpo.address) if c.dpo else ""
        if c.dpo is not None and dpo_routes:
            name = f" ({c.dpo.name})" if c.dpo.name else ""
            dpo.blocks.append(Para(self.prose("dpo", name=name, routes=dpo_routes)))
            if c.dpo.group:
                dpo.blocks.append(Para(self.prose("dpo_group")))
        elif "dpo" in c.stated_none:
            dpo.blocks.append(Para(self.prose("no_dpo")))
        else:
            # An empty field is not the company's promise: "no DPO" only when the pack says so.
            dpo.blocks.append(Para(self.prose("dpo_not_stated")))
        section.subsections.append(dpo)
        if c.group:
            section.blocks.append(Para(self.prose("group")))
            companies = []
            for company in c.group:
                label = company.name + (f" ({company.org_no})" if company.org_no else "")
                text = _sentence(self.t(company.role)) if company.role else "–"
                companies.append(Item(text, label=label))
            section.blocks.append(Bullets(tuple(companies)))
        if c.processor_for:
            sub = Section(self.anchor("processor_for"), self.w(HEADINGS["processor_for"]))
            sub.blocks.append(Bullets(tuple(Item(_sentence(self.t(x))) for x in c.processor_for)))
            sub.blocks.append(Para(self.prose("processor_for")))
            section.subsections.append(sub)
        return section

    def routes(
        self, email: str | None, phone: str | None, address: str | None, web: str | None = None
    ) -> str:
        """``på e-post x, på telefon y eller per post til z`` (empty if there is no route)."""
        found = []
        pairs = (("email", email), ("phone", phone), ("address", address), ("web", web))
        for key, value in pairs:
            if value and value.strip():
                found.append(self.w(ROUTE[key]).format(value.strip()))
        return join(found, self.lang, "or")

    # 1. In brief: the first layer (who, for whom what, rights), above the full notice.

    def summary_section(self) -> Section:
        c = self.p.controller
        section = Section(self.anchor("summary"), self.w(HEADINGS["summary"]))
        routes = self.routes(c.email, c.phone, c.address, c.web)
        if routes:
            section.blocks.append(Para(self.prose("summary_who", name=c.name, routes=routes)))
        section.subsections.append(self.subjects_section())
        auth = c.supervisory_authority
        section.blocks.append(
            Para(
                self.prose(
                    "summary_rights", authority=auth.name, rights=self.section_title("rights")
                )
            )
        )
        return section

    def subjects_section(self) -> Section:
        section = Section(self.anchor("subjects"), self.w(HEADINGS["subjects"]))
        section.blocks.append(Para(self.prose("subjects")))
        items = []
        for key, subject in self.p.subjects.items():
            acts = [a for a in self.p.activities if key in a.subjects]
            text = ""
            if subject.description is not None:
                text = _sentence(self.t(subject.description)) + " "
            if acts:
                names = join([self.quoted(self.t(a.name)) for a in acts], self.lang)
                text += _capital(self.prose("see", names=names)) + "."
            items.append(Item(text.strip() or "–", label=self.t(subject.name)))
        if items:
            section.blocks.append(Bullets(tuple(items)))
        return section

    # 3. Per activity: purpose, data, basis, required, source, recipients, retention.

    def activities_section(self) -> Section:
        section = Section(self.anchor("activities"), self.w(HEADINGS["activities"]))
        for act in self.p.activities:
            section.subsections.append(self.activity(act))
        return section

    def activity(self, act: Activity) -> Section:
        sub = Section(f"{self.anchor('activity')}-{act.id}", self.t(act.name))
        blocks = sub.blocks
        blocks.append(Para(_sentence(self.t(act.purpose)), label=self.w(LABELS["purpose"])))
        subjects = [self.t(self.p.subjects[s].name) for s in act.subjects if s in self.p.subjects]
        if subjects:
            listed = join([_lower_first(s) for s in subjects], self.lang)
            blocks.append(Para(_capital(_sentence(listed)), label=self.w(LABELS["who"])))
        elif "subjects" in act.not_stated:
            blocks.append(Para(self.not_stated(), label=self.w(LABELS["who"])))
        blocks.append(Para(self.data_sentence(act), label=self.w(LABELS["data"])))
        if act.storage_location is not None:
            where = _lower_first(self.t(act.storage_location)).rstrip(".")
            blocks.append(Para(self.prose("storage", where=where), label=self.w(LABELS["storage"])))
        if act.access_logged is not None:
            key = "access_logged" if act.access_logged else "access_not_logged"
            blocks.append(Para(self.prose(key), label=self.w(LABELS["access_log"])))
        blocks.append(Para(self.basis_sentence(act), label=self.w(LABELS["basis"])))
        if Source.subject in act.sources or Source.device in act.sources:
            text = self.w(REQUIRED[act.required])
            if act.consequence is not None:
                text += " " + _sentence(self.t(act.consequence))
            blocks.append(Para(text, label=self.w(LABELS["required"])))
        if any(s is not Source.subject for s in act.sources):
            blocks.append(Para(self.source_sentence(act), label=self.w(LABELS["source"])))
        blocks.append(Para(self.recipients_sentence(act), label=self.w(LABELS["recipients"])))
        if act.automated_decision is not None:
            blocks.append(
                Para(
                    _sentence(self.t(act.automated_decision.description))
                    + " "
                    + self.see_section("automated"),
                    label=self.w(LABELS["automated"]),
                )
            )
        # Each rule is printed once, in the retention overview (art. 12(1), WP260 layering).
        blocks.append(Para(self.see_section("retention"), label=self.w(LABELS["retention"])))
        return sub

    def not_stated(self) -> str:
        return _sentence(NOT_STATED_TEXT[self.lang])

    def data_sentence(self, act: Activity) -> str:
        if not act.categories:
            return self.not_stated()
        names = []
        for key in act.categories:
            cat = self.p.categories.get(key)
            name = self.t(cat.name) if cat is not None else key
            names.append(_lower_first(name))
        return _capital(_sentence(join(names, self.lang)))

    def basis_sentence(self, act: Activity) -> str:
        """The basis, and for each subject group with its own basis, that group's."""
        own = [s for s in act.subjects if s not in act.basis_for]
        parts = [self.one_basis(act, act.basis_of(own[0]) if own else act.basis_of(""))]
        if act.basis_for:
            groups: dict[SubjectBasis, list[str]] = {}
            for key, basis in act.basis_for.items():
                groups.setdefault(basis, []).append(key)
            if own:
                parts[0] = self.for_whom(own) + " " + _lower_first(parts[0])
            else:
                parts = []
            for basis, keys in groups.items():
                parts.append(self.for_whom(keys) + " " + _lower_first(self.one_basis(act, basis)))
        if act.special_basis is not None:
            parts.append(self.prose("special", text=_sentence(self.t(act.special_basis))))
        if LegalBasis.consent in act.bases:
            if act.withdrawal is not None:
                parts.append(self.prose("withdraw", how=_sentence(self.t(act.withdrawal))))
            else:
                parts.append(self.see_section("consent"))
        if act.objectable:
            parts.append(self.prose("object_hint", rights=self.section_title("rights")))
        return " ".join(parts)

    def for_whom(self, keys: list[str]) -> str:
        subjects = self.p.subjects
        names = [_lower_first(self.t(subjects[k].name)) for k in keys if k in subjects]
        return self.prose("for_whom", names=join(names, self.lang))

    def one_basis(self, act: Activity, basis: SubjectBasis) -> str:
        kind = basis.legal_basis
        if kind.letter is None:
            return self.w(BASIS_INTRO[kind]) + "."
        article = self.prose("article", letter=kind.letter)
        parts = [f"{self.w(BASIS_INTRO[kind])} ({article})."]
        if kind is LegalBasis.legitimate_interest and basis.legitimate_interest is not None:
            parts.append(self.prose("interest", text=_sentence(self.t(basis.legitimate_interest))))
        if basis.law is not None:
            law = self.t(basis.law).strip().rstrip(".")
            key = "law" if kind is LegalBasis.legal_obligation else "law_other"
            parts.append(self.prose(key, law=law))
        return " ".join(parts)

    def source_sentence(self, act: Activity) -> str:
        sources = [self.w(SOURCE[s]) for s in act.sources]
        text = self.prose("source_intro", sources=join(sources, self.lang))
        if act.source_detail is not None:
            text += " " + _sentence(self.t(act.source_detail))
        return text

    def recipients_sentence(self, act: Activity) -> str:
        known = {r.id: r for r in self.p.recipients}
        names = [self.recipient_name(known[rid]) for rid in act.recipients if rid in known]
        if not names:
            if "recipients" in act.stated_none:
                return self.prose("no_recipients")
            return self.prose("recipients_not_stated")
        return _sentence(join(names, self.lang)) + " " + self.see_section("recipients")

    def recipient_name(self, rec: Recipient) -> str:
        return f"{self.t(rec.name)} – {self.w(ROLE[rec.role])}"

    def retention_items(self, act: Activity) -> list[Item]:
        items = []
        for key in act.categories:
            label = self.category_name(key)
            rule = act.retention.get(key)
            if rule is not None:
                items.append(Item(retention_sentence(rule, key, self.lang), label=label))
                continue
            elsewhere = [a for a, _ in self.p.retention_for(key) if a.id != act.id]
            if elsewhere:
                text = self.prose("own_rule_elsewhere", activity=self.t(elsewhere[0].name))
            else:
                text = self.prose("no_rule")
            items.append(Item(text, label=label))
        return items

    def category_name(self, key: str) -> str:
        cat = self.p.categories.get(key)
        return self.t(cat.name) if cat is not None else key

    # 4. Recipients, from the register (register.entries), as the record of processing.

    def recipients_section(self) -> Section:
        section = Section(self.anchor("recipients"), self.w(HEADINGS["recipients"]))
        if not self.p.recipients:
            section.blocks.append(Para(self.prose("none_recipients")))
            return section
        section.blocks.append(Para(self.prose("recipients_intro")))
        rows = []
        for entry in entries(self.p):
            rec = entry.recipient
            acts = [self.t(a.name) for a in self.p.activities if rec.id in a.recipients]
            what = join(acts, self.lang)
            if rec.description is not None:
                what = (_sentence(what) + " " if what else "") + _sentence(self.t(rec.description))
            if entry.sub_processors:
                names = join([self.sub_processor(sp) for sp in entry.sub_processors], self.lang)
                what = (_sentence(what) + " " if what else "") + self.prose(
                    "sub_processors", names=names
                )
            rows.append(
                (self.t(rec.name), self.w(ROLE[rec.role]), self.country(rec.country), what or "–")
            )
        section.blocks.append(
            Table(
                id=f"{section.id}-table",
                caption=self.w(TABLE["recipients_caption"]),
                headers=(
                    self.w(TABLE["recipient"]),
                    self.w(TABLE["role"]),
                    self.w(TABLE["country"]),
                    self.w(TABLE["receives"]),
                ),
                rows=tuple(rows),
            )
        )
        roles = []
        for rec in self.p.recipients:
            if rec.role not in roles:
                roles.append(rec.role)
        section.blocks.append(
            Bullets(
                tuple(
                    Item(self.w(ROLE_EXPLAINED[r]), label=_capital(self.w(ROLE[r]))) for r in roles
                )
            )
        )
        return section

    def country(self, code: str | None) -> str:
        if code is None:
            return self.w(TABLE["not_stated"])
        return self.w(COUNTRY[code]) if code in COUNTRY else code

    def sub_processor(self, sp: SubProcessor) -> str:
        return f"{sp.name} ({self.country(sp.country)})" if sp.country else sp.name

    # 5. Transfers outside the EEA: the mechanism in force per the register.

    def transfers_section(self) -> Section:
        section = Section(self.anchor("transfers"), self.w(HEADINGS["transfers"]))
        abroad: list[tuple[str, Transfer, str | None]] = []
        for entry in entries(self.p):
            rec, mech = entry.recipient, entry.mechanism
            reference = mech.reference if mech is not None else None
            if rec.third_country:
                label = f"{self.t(rec.name)} ({self.country(rec.country)})"
                abroad.append((label, entry.transfer, reference))
            for sp in entry.sub_processors:
                if sp.third_country:
                    of = self.prose("sub_processor_of", name=self.t(rec.name))
                    safeguard = entry.transfer if rec.third_country else Transfer.unknown
                    label = f"{sp.name} ({self.country(sp.country)}), {of}"
                    abroad.append((label, safeguard, reference if rec.third_country else None))
        if not abroad:
            key = "no_transfers" if self.p.transfers == "none" else "transfers_not_stated"
            section.blocks.append(Para(self.prose(key)))
        else:
            section.blocks.append(Para(self.prose("transfers_intro")))
            items = [
                Item(
                    _sentence(_capital(self.w(TRANSFER[safeguard])))
                    + (" " + self.prose("reference", reference=reference) if reference else ""),
                    label=label,
                )
                for label, safeguard, reference in abroad
            ]
            section.blocks.append(Bullets(tuple(items)))
            safeguards = {safeguard for _, safeguard, _ in abroad}
            if safeguards & COPYABLE:
                copyable = safeguards & COPYABLE
                key = "copy" if len(copyable) > 1 else f"copy_{next(iter(copyable)).value}"
                section.blocks.append(Para(self.prose(key, contact=self.rights_contact())))
            if safeguards & {Transfer.adequacy, Transfer.dpf}:
                section.blocks.append(Para(self.prose("adequacy_public")))
        if any(r.country is None for r in self.p.recipients):
            section.blocks.append(Para(self.prose("country_unknown")))
        return section

    # 6. Retention overview.

    def retention_section(self) -> Section:
        section = Section(self.anchor("retention"), self.w(HEADINGS["retention"]))
        section.blocks.append(Para(self.prose("retention_intro")))
        rows = [
            (self.category_name(key), self.t(act.name), retention_sentence(rule, key, self.lang))
            for act in self.p.activities
            for key, rule in act.retention.items()
        ]
        if rows:
            section.blocks.append(
                Table(
                    id=f"{section.id}-table",
                    caption=self.w(TABLE["retention_caption"]),
                    headers=(
                        self.w(TABLE["category"]),
                        self.w(TABLE["activity"]),
                        self.w(TABLE["period"]),
                    ),
                    rows=tuple(rows),
                )
            )
        return section

    # 7. Automated decisions (art. 22).

    def automated_section(self) -> Section:
        section = Section(self.anchor("automated"), self.w(HEADINGS["automated"]))
        deciding = [a for a in self.p.activities if a.automated_decision is not None]
        if not deciding:
            key = "no_automated" if self.p.automated_decisions == "none" else "automated_not_stated"
            section.blocks.append(Para(self.prose(key)))
            return section
        for act in deciding:
            decision = act.automated_decision
            assert decision is not None
            sub = Section(f"{section.id}-{act.id}", self.t(act.name))
            sub.blocks.append(Para(_sentence(self.t(decision.description))))
            sub.blocks.append(
                Para(_sentence(self.t(decision.logic)), label=self.w(LABELS["logic"]))
            )
            sub.blocks.append(
                Para(_sentence(self.t(decision.significance)), label=self.w(LABELS["significance"]))
            )
            sub.blocks.append(Para(self.prose("automated_rights")))
            section.subsections.append(sub)
        return section

    # 8. Rights.

    def rights_section(self) -> Section:
        section = Section(self.anchor("rights"), self.w(HEADINGS["rights"]))
        section.blocks.append(Para(self.prose("rights_intro")))
        items = []
        access = self.prose("access")
        if Verification.mine_sider in self.p.rights.verification:
            access += " " + self.prose("access_mine_sider")
        items.append(_labelled(access))
        items.append(_labelled(self.prose("rectification")))
        items.append(_labelled(self.prose("erasure")))
        items.append(_labelled(self.prose("restriction")))
        portability = self.prose("portability")
        portable = [
            self.quoted(self.t(a.name))
            for a in self.p.activities
            if a.provided_by_subject and a.bases & {LegalBasis.contract, LegalBasis.consent}
        ]
        if portable:
            portability += " " + self.prose("portability_which", names=join(portable, self.lang))
        items.append(_labelled(portability))
        objection = self.prose("objection")
        objectable = [self.quoted(self.t(a.name)) for a in self.p.activities if a.objectable]
        if objectable:
            objection += " " + self.prose("objection_which", names=join(objectable, self.lang))
        items.append(_labelled(objection))
        section.blocks.append(Bullets(tuple(items)))

        marketing = Section(f"{section.id}-marketing", self.w(HEADINGS["marketing"]))
        marketing.blocks.append(Para(self.prose("marketing", contact=self.rights_contact())))
        if any(k.startswith("user.privacy_preferences.objection") for k in self.p.categories):
            marketing.blocks.append(Para(self.prose("marketing_suppression")))
        section.subsections.append(marketing)

        consent = Section(self.anchor("consent"), self.w(HEADINGS["consent"]))
        consenting = [a for a in self.p.activities if LegalBasis.consent in a.bases]
        if consenting:
            consent.blocks.append(Para(self.prose("consent_intro")))
            consent.blocks.append(
                Bullets(
                    tuple(
                        Item(
                            _sentence(self.t(a.withdrawal))
                            if a.withdrawal is not None
                            else self.prose("reach_us", routes=self.rights_contact()),
                            label=self.t(a.name),
                        )
                        for a in consenting
                    )
                )
            )
        else:
            consent.blocks.append(Para(self.prose("no_consent")))
        section.subsections.append(consent)

        exercise = Section(f"{section.id}-exercise", self.w(HEADINGS["exercise"]))
        methods = [self.w(VERIFICATION[v]) for v in self.p.rights.verification]
        if methods:
            how = self.prose(
                "exercise", contact=self.rights_contact(), methods=join(methods, self.lang, "or")
            )
        else:
            how = self.prose("exercise_plain", contact=self.rights_contact())
        exercise.blocks.append(Para(how))
        exercise.blocks.append(
            Para(self.prose("deadline", deadline=self.p.rights.deadline.words(self.lang)))
        )
        section.subsections.append(exercise)
        return section

    def rights_contact(self) -> str:
        contact = self.p.rights.contact
        if contact is not None:
            routes = self.routes(contact.email, contact.phone, contact.address)
            if routes:
                return routes
        c = self.p.controller
        routes = self.routes(c.email, c.phone, c.address, c.web)
        return routes or self.w(("gjennom kundeservice", "through customer service"))

    # 9. Complaints.

    def complaint_section(self) -> Section:
        auth = self.p.controller.supervisory_authority
        details = [x for x in (auth.web, auth.address) if x]
        who = auth.name + (f" ({', '.join(details)})" if details else "")
        title = self.prose("complaint_heading", authority=auth.name)
        section = Section(self.anchor("complaint"), title)
        place = jurisdiction.of(self.p.controller.country)
        # The English name of a Norwegian authority, so an English reader knows what it is.
        english = ", the Norwegian Data Protection Authority" if place.country == "NO" else ""
        section.blocks.append(Para(self.prose("complaint", authority=who, authority_en=english)))
        if place.country != "NO":
            # The jurisdiction's own language, where the notice is read in nb or en.
            section.blocks.append(Para(place.complaint_local.format(authority=who)))
        return section

    # 10. Cookies.

    def cookies_section(self) -> Section | None:
        if not self.p.cookies:
            return None
        section = Section(self.anchor("cookies"), self.w(HEADINGS["cookies"]))
        law = jurisdiction.of(self.p.controller.country).cookie_rule
        section.blocks.append(
            Para(self.prose("cookies_intro", cookie_law=law.local, cookie_law_en=law.en))
        )
        section.blocks.append(
            Table(
                id=f"{section.id}-table",
                caption=self.w(TABLE["cookies_caption"]),
                headers=(
                    self.w(TABLE["cookie"]),
                    self.w(TABLE["vendor"]),
                    self.w(TABLE["cookie_purpose"]),
                    self.w(TABLE["lifetime"]),
                    self.w(TABLE["cookie_consent"]),
                ),
                rows=tuple(self.cookie_row(c) for c in self.p.cookies),
            )
        )
        return section

    def cookie_row(self, cookie: Cookie) -> tuple[str, ...]:
        lifetime = (
            self.w(TABLE["session"])
            if cookie.lifetime == "session"
            else cookie.lifetime.words(self.lang)
        )
        consent = self.w(TABLE["yes"]) if cookie.consent_required else self.w(TABLE["no"])
        return (cookie.name, cookie.vendor, _sentence(self.t(cookie.purpose)), lifetime, consent)

    # 11. Notes (security and more), 12. version.

    def notes_section(self) -> Section | None:
        if not self.p.notes:
            return None
        section = Section(self.anchor("security"), self.w(HEADINGS["security"]))
        section.blocks.extend(Para(_sentence(self.t(n))) for n in self.p.notes)
        return section

    def version_section(self) -> Section:
        section = Section(self.anchor("version"), self.w(HEADINGS["version"]))
        if not self.p.dated:
            section.blocks.append(Para(self.prose("undated")))
            return section
        section.blocks.append(
            Para(
                self.prose(
                    "version", version=self.p.version, date=format_date(self.p.date, self.lang)
                )
            )
        )
        return section

    # Cross-references.

    def anchor(self, key: str) -> str:
        return self.w(SECTION_IDS[key])

    def section_title(self, key: str) -> str:
        return self.w(HEADINGS[key])

    def see_section(self, key: str) -> str:
        title = self.quoted(self.section_title(key))
        return _capital(self.prose("see", names=title)) + "."

    def quoted(self, text: str) -> str:
        return f"«{text}»" if self.lang == "nb" else f"“{text}”"


# Small text helpers.


def join(words: list[str], lang: Lang, conj: Literal["and", "or"] = "and") -> str:
    """``a, b og c`` / ``a, b and c`` (or ``eller`` / ``or``)."""
    word = pick(AND, lang) if conj == "and" else ("eller" if lang == "nb" else "or")
    if len(words) <= 1:
        return "".join(words)
    return f"{', '.join(words[:-1])} {word} {words[-1]}"


def format_date(day: date, lang: Lang) -> str:
    """``1. mai 2026`` / ``1 May 2026``."""
    month = pick(MONTHS[day.month - 1], lang)
    return f"{day.day}. {month} {day.year}" if lang == "nb" else f"{day.day} {month} {day.year}"


def _anchor_after(anchor: Anchor, category: str, lang: Lang) -> str:
    if anchor is Anchor.captured and any(
        category == c or category.startswith(c + ".") for c in RECORDING_CATEGORIES
    ):
        return pick(ANCHOR_AFTER_RECORDING, lang)
    return pick(ANCHOR_AFTER[anchor], lang)


def _sentence(text: str) -> str:
    """``text`` as a sentence: stripped, with a full stop unless it already ends in one."""
    text = " ".join(text.split())
    if text and text[-1] not in ".!?":
        text += "."
    return text


def _capital(text: str) -> str:
    return text[:1].upper() + text[1:]


def _lower_first(text: str) -> str:
    """``Navn`` → ``navn``; ``SMS-varsler`` and ``Mine Sider`` keep their capitals."""
    if (len(text) > 1 and text[1].isupper()) or text.startswith("Mine Sider"):
        return text
    return text[:1].lower() + text[1:]


def _labelled(text: str) -> Item:
    """``Innsyn (artikkel 15): Du kan …`` → an item with ``Innsyn (artikkel 15)`` in bold."""
    head, sep, rest = text.partition(": ")
    return Item(rest, label=head) if sep else Item(text)


# Templates.


@cache
def _environment(fmt: Fmt) -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("alarmvern.policy", "templates"),
        autoescape=fmt == "html",
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters["cell"] = _md_cell
    env.filters["md"] = _md_text
    env.filters["linkify"] = _linkify
    return env


_MD_EMPHASIS = re.compile(r"\*|(?<![\w])_|_(?![\w])")


def _md_text(text: str) -> str:
    """Text that Markdown shows as written: no stray emphasis from ``*`` or ``_stats``."""
    return _MD_EMPHASIS.sub(lambda m: "\\" + m.group(0), str(text))


def _md_cell(text: str) -> str:
    """Text safe inside a Markdown table cell."""
    return _md_text(" ".join(str(text).split())).replace("|", "\\|")


def _linkify(text: str) -> Markup:
    """Escape ``text`` for HTML and make its e-mail addresses and web addresses links."""
    escaped = str(escape(text))

    def link(match: re.Match[str]) -> str:
        value = match.group(0)
        trail = ""
        while value and value[-1] in ".,;:)":
            trail = value[-1] + trail
            value = value[:-1]
        href = value if value.startswith("http") else f"mailto:{value}"
        return f'<a href="{href}">{value}</a>{trail}'

    return Markup(re.sub(r"https?://[^\s<>\"]+|[\w.+-]+@[\w-]+(?:\.[\w-]+)+", link, escaped))
