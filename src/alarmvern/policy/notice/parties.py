"""Sections 1 and 2 of the notice: in brief, whom it concerns, and the controller and DPO."""

from __future__ import annotations

from alarmvern.policy import jurisdiction
from alarmvern.policy.notice.base import Base
from alarmvern.policy.notice.document import Bullets, Item, Para, Section
from alarmvern.policy.notice.text import capital, join, sentence
from alarmvern.policy.wording import HEADINGS, LABELS


class Parties(Base):
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
                text = sentence(self.t(company.role)) if company.role else "–"
                companies.append(Item(text, label=label))
            section.blocks.append(Bullets(tuple(companies)))
        if c.processor_for:
            sub = Section(self.anchor("processor_for"), self.w(HEADINGS["processor_for"]))
            sub.blocks.append(Bullets(tuple(Item(sentence(self.t(x))) for x in c.processor_for)))
            sub.blocks.append(Para(self.prose("processor_for")))
            section.subsections.append(sub)
        return section

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
                text = sentence(self.t(subject.description)) + " "
            if acts:
                names = join([self.quoted(self.t(a.name)) for a in acts], self.lang)
                text += capital(self.prose("see", names=names)) + "."
            items.append(Item(text.strip() or "–", label=self.t(subject.name)))
        if items:
            section.blocks.append(Bullets(tuple(items)))
        return section
