"""Sections 8 to 12 of the notice: the rights, complaints, cookies, notes and the version."""

from __future__ import annotations

from alarmvern.policy import jurisdiction
from alarmvern.policy.model import Cookie, LegalBasis, Verification
from alarmvern.policy.notice.base import Base
from alarmvern.policy.notice.document import Bullets, Item, Para, Section, Table
from alarmvern.policy.notice.text import format_date, join, labelled, sentence
from alarmvern.policy.wording import HEADINGS, TABLE, VERIFICATION


class Rights(Base):
    # 8. Rights.

    def rights_section(self) -> Section:
        section = Section(self.anchor("rights"), self.w(HEADINGS["rights"]))
        section.blocks.append(Para(self.prose("rights_intro")))
        items = []
        access = self.prose("access")
        if Verification.mine_sider in self.p.rights.verification:
            access += " " + self.prose("access_mine_sider")
        items.append(labelled(access))
        items.append(labelled(self.prose("rectification")))
        items.append(labelled(self.prose("erasure")))
        items.append(labelled(self.prose("restriction")))
        portability = self.prose("portability")
        portable = [self.quoted(self.t(a.name)) for a in self.p.activities if a.portable]
        if portable:
            portability += " " + self.prose("portability_which", names=join(portable, self.lang))
        items.append(labelled(portability))
        objection = self.prose("objection")
        objectable = [self.quoted(self.t(a.name)) for a in self.p.activities if a.objectable]
        if objectable:
            objection += " " + self.prose("objection_which", names=join(objectable, self.lang))
        items.append(labelled(objection))
        section.blocks.append(Bullets(tuple(items)))

        marketing = Section(f"{section.id}-marketing", self.w(HEADINGS["marketing"]))
        # What an objection to marketing stops (rights.objection.stopped_by_marketing_objection).
        stopped = [self.quoted(self.t(a.name)) for a in self.p.activities if a.marketing]
        if stopped:
            names = join(stopped, self.lang)
            marketing.blocks.append(Para(self.prose("marketing_which", names=names)))
        marketing.blocks.append(Para(self.prose("marketing", contact=self.rights_contact())))
        # Every objection to direct marketing puts the person on the suppression list
        # (rights.objection.object_to_marketing), whatever the pack: the notice says so in every
        # pack, and the linter asks a marketing pack to declare it (lint rule suppression-list).
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
                            sentence(self.t(a.withdrawal))
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
        return (cookie.name, cookie.vendor, sentence(self.t(cookie.purpose)), lifetime, consent)

    # 11. Notes (security and more), 12. version.

    def notes_section(self) -> Section | None:
        if not self.p.notes:
            return None
        section = Section(self.anchor("security"), self.w(HEADINGS["security"]))
        section.blocks.extend(Para(sentence(self.t(n))) for n in self.p.notes)
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
