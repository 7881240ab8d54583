"""The access report: the package's facts in plain bokmål (or English), as HTML and PDF."""

from __future__ import annotations

import functools
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

import jinja2

from alarmvern.errors import AlarmvernError
from alarmvern.policy.model import Policy
from alarmvern.policy.wording import Lang
from alarmvern.rights.facts import CategoryFacts, category_name
from alarmvern.rights.scope import Scope

if TYPE_CHECKING:
    from alarmvern.rights.access import TableSummary


@functools.cache
def _environment() -> jinja2.Environment:
    return jinja2.Environment(
        loader=jinja2.PackageLoader("alarmvern.rights", "templates"),
        autoescape=True,
        trim_blocks=True,
        lstrip_blocks=True,
        undefined=jinja2.StrictUndefined,
    )


def render(
    policy: Policy,
    scope: Scope,
    category_facts: dict[str, CategoryFacts],
    summaries: Sequence[TableSummary],
    lang: Lang,
) -> str:
    sections: list[dict[str, Any]] = []
    for category, about in category_facts.items():
        tables = [s for s in summaries if s.category == category and s.rows]
        if tables:
            sections.append({"facts": about, "tables": tables})
    return (
        _environment()
        .get_template("access_report.html.j2")
        .render(
            lang=lang,
            controller=policy.controller,
            version=policy.version,
            generated=datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
            person_id=scope.person_id,
            sections=sections,
            name_of=lambda key: category_name(policy, key, lang),
            t=lambda nb, en: nb if lang == "nb" else en,
        )
    )


def to_pdf(document: str) -> bytes:
    try:
        from weasyprint import HTML  # imported late: it loads Pango, which takes a moment
    except (ImportError, OSError) as exc:
        raise AlarmvernError(
            "cannot make the PDF report: WeasyPrint or the Pango library it needs is missing "
            f"({exc}); install Pango, or ask for the package without --pdf"
        ) from None
    return bytes(HTML(string=document).write_pdf())


def readme(lang: Lang) -> str:
    if lang == "nb":
        return (
            "Innsyn i personopplysninger (personvernforordningen artikkel 15)\n\n"
            "rapport.html / rapport.pdf  – oversikt i klartekst: hva vi har, hvorfor, "
            "hvem som har fått det og hvor lenge vi beholder det.\n"
            "data.json  – alle opplysningene, gruppert etter kategori, maskinlesbart.\n"
            "media/  – bilder og opptak som gjelder deg.\n\n"
            "Filene inneholder personopplysninger. Oppbevar dem trygt.\n"
        )
    return (
        "Access to personal data (GDPR Article 15)\n\n"
        "report.html / report.pdf  – a plain overview: what we hold, why, who received it "
        "and how long we keep it.\n"
        "data.json  – all the data, grouped by category, machine-readable.\n"
        "media/  – images and recordings about you.\n\n"
        "These files contain personal data. Keep them safe.\n"
    )
