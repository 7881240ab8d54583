"""Section 3 of the notice: per activity its purpose, data, legal basis, source and recipients."""

from __future__ import annotations

from alarmvern.policy.model import Activity, LegalBasis, Recipient, Source, SubjectBasis
from alarmvern.policy.notice.base import Base
from alarmvern.policy.notice.document import Para, Section
from alarmvern.policy.notice.text import capital, join, lower_first, sentence
from alarmvern.policy.wording import BASIS_INTRO, HEADINGS, LABELS, REQUIRED, ROLE, SOURCE


class Activities(Base):
    # 3. Per activity: purpose, data, basis, required, source, recipients, retention.

    def activities_section(self) -> Section:
        section = Section(self.anchor("activities"), self.w(HEADINGS["activities"]))
        for act in self.p.activities:
            section.subsections.append(self.activity(act))
        return section

    def activity(self, act: Activity) -> Section:
        sub = Section(f"{self.anchor('activity')}-{act.id}", self.t(act.name))
        blocks = sub.blocks
        blocks.append(Para(sentence(self.t(act.purpose)), label=self.w(LABELS["purpose"])))
        subjects = [self.t(self.p.subjects[s].name) for s in act.subjects if s in self.p.subjects]
        if subjects:
            listed = join([lower_first(s) for s in subjects], self.lang)
            blocks.append(Para(capital(sentence(listed)), label=self.w(LABELS["who"])))
        elif "subjects" in act.not_stated:
            blocks.append(Para(self.not_stated(), label=self.w(LABELS["who"])))
        blocks.append(Para(self.data_sentence(act), label=self.w(LABELS["data"])))
        if act.storage_location is not None:
            where = lower_first(self.t(act.storage_location)).rstrip(".")
            blocks.append(Para(self.prose("storage", where=where), label=self.w(LABELS["storage"])))
        if act.access_logged is not None:
            key = "access_logged" if act.access_logged else "access_not_logged"
            blocks.append(Para(self.prose(key), label=self.w(LABELS["access_log"])))
        blocks.append(Para(self.basis_sentence(act), label=self.w(LABELS["basis"])))
        if Source.subject in act.sources or Source.device in act.sources:
            text = self.w(REQUIRED[act.required])
            if act.consequence is not None:
                text += " " + sentence(self.t(act.consequence))
            blocks.append(Para(text, label=self.w(LABELS["required"])))
        if any(s is not Source.subject for s in act.sources):
            blocks.append(Para(self.source_sentence(act), label=self.w(LABELS["source"])))
        blocks.append(Para(self.recipients_sentence(act), label=self.w(LABELS["recipients"])))
        if act.automated_decision is not None:
            blocks.append(
                Para(
                    sentence(self.t(act.automated_decision.description))
                    + " "
                    + self.see_section("automated"),
                    label=self.w(LABELS["automated"]),
                )
            )
        # Each rule is printed once, in the retention overview (art. 12(1), WP260 layering).
        blocks.append(Para(self.see_section("retention"), label=self.w(LABELS["retention"])))
        return sub

    def data_sentence(self, act: Activity) -> str:
        if not act.categories:
            return self.not_stated()
        names = []
        for key in act.categories:
            cat = self.p.categories.get(key)
            name = self.t(cat.name) if cat is not None else key
            names.append(lower_first(name))
        return capital(sentence(join(names, self.lang)))

    def basis_sentence(self, act: Activity) -> str:
        """The basis, and for each subject group with its own basis, that group's."""
        own = [s for s in act.subjects if s not in act.basis_for]
        parts = [self.one_basis(act, act.basis_of(own[0]) if own else act.basis_of(""))]
        if act.basis_for:
            groups: dict[SubjectBasis, list[str]] = {}
            for key, basis in act.basis_for.items():
                groups.setdefault(basis, []).append(key)
            if own:
                parts[0] = self.for_whom(own) + " " + lower_first(parts[0])
            else:
                parts = []
            for basis, keys in groups.items():
                parts.append(self.for_whom(keys) + " " + lower_first(self.one_basis(act, basis)))
        if act.special_basis is not None:
            parts.append(self.prose("special", text=sentence(self.t(act.special_basis))))
        if LegalBasis.consent in act.bases:
            if act.withdrawal is not None:
                parts.append(self.prose("withdraw", how=sentence(self.t(act.withdrawal))))
            else:
                parts.append(self.see_section("consent"))
        if act.objectable:
            parts.append(self.prose("object_hint", rights=self.section_title("rights")))
        return " ".join(parts)

    def for_whom(self, keys: list[str]) -> str:
        subjects = self.p.subjects
        names = [lower_first(self.t(subjects[k].name)) for k in keys if k in subjects]
        return self.prose("for_whom", names=join(names, self.lang))

    def one_basis(self, act: Activity, basis: SubjectBasis) -> str:
        kind = basis.legal_basis
        if kind.letter is None:
            return self.w(BASIS_INTRO[kind]) + "."
        article = self.prose("article", letter=kind.letter)
        parts = [f"{self.w(BASIS_INTRO[kind])} ({article})."]
        if kind is LegalBasis.legitimate_interest and basis.legitimate_interest is not None:
            parts.append(self.prose("interest", text=sentence(self.t(basis.legitimate_interest))))
        if basis.law is not None:
            law = self.t(basis.law).strip().rstrip(".")
            key = "law" if kind is LegalBasis.legal_obligation else "law_other"
            parts.append(self.prose(key, law=law))
        return " ".join(parts)

    def source_sentence(self, act: Activity) -> str:
        sources = [self.w(SOURCE[s]) for s in act.sources]
        text = self.prose("source_intro", sources=join(sources, self.lang))
        if act.source_detail is not None:
            text += " " + sentence(self.t(act.source_detail))
        return text

    def recipients_sentence(self, act: Activity) -> str:
        known = {r.id: r for r in self.p.recipients}
        names = [self.recipient_name(known[rid]) for rid in act.recipients if rid in known]
        if not names:
            if "recipients" in act.stated_none:
                return self.prose("no_recipients")
            return self.prose("recipients_not_stated")
        return sentence(join(names, self.lang)) + " " + self.see_section("recipients")

    def recipient_name(self, rec: Recipient) -> str:
        return f"{self.t(rec.name)} – {self.w(ROLE[rec.role])}"
