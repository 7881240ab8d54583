"""Sections 4 to 7 of the notice: recipients, transfers, the retention overview and automated
decisions."""

from __future__ import annotations

from alarmvern.policy.model import Transfer
from alarmvern.policy.notice.base import Base
from alarmvern.policy.notice.document import Bullets, Item, Para, Section, Table
from alarmvern.policy.notice.text import capital, join, retention_sentence, sentence
from alarmvern.policy.register import entries
from alarmvern.policy.wording import (
    COPYABLE,
    HEADINGS,
    LABELS,
    ROLE,
    ROLE_EXPLAINED,
    TABLE,
    TRANSFER,
)


class Sharing(Base):
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
                what = (sentence(what) + " " if what else "") + sentence(self.t(rec.description))
            if entry.sub_processors:
                names = join([self.sub_processor(sp) for sp in entry.sub_processors], self.lang)
                what = (sentence(what) + " " if what else "") + self.prose(
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
                    Item(self.w(ROLE_EXPLAINED[r]), label=capital(self.w(ROLE[r]))) for r in roles
                )
            )
        )
        return section

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
                    sentence(capital(self.w(TRANSFER[safeguard])))
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
            sub.blocks.append(Para(sentence(self.t(decision.description))))
            sub.blocks.append(Para(sentence(self.t(decision.logic)), label=self.w(LABELS["logic"])))
            sub.blocks.append(
                Para(sentence(self.t(decision.significance)), label=self.w(LABELS["significance"]))
            )
            sub.blocks.append(Para(self.prose("automated_rights")))
            section.subsections.append(sub)
        return section
