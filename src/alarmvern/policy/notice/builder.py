"""The notice's builder: every section, in order and numbered, under the title."""

from __future__ import annotations

from alarmvern.policy.notice.activities import Activities
from alarmvern.policy.notice.document import Document
from alarmvern.policy.notice.parties import Parties
from alarmvern.policy.notice.rights import Rights
from alarmvern.policy.notice.sharing import Sharing
from alarmvern.policy.notice.text import format_date
from alarmvern.policy.wording import HEADINGS


class Builder(Parties, Activities, Sharing, Rights):
    """Turns a policy into the notice's document, in one language."""

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
