"""The access report: the package's facts in plain bokmål (or English), as HTML and PDF."""

from __future__ import annotations

import functools
import re
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

import jinja2

from alarmvern.errors import AlarmvernError
from alarmvern.policy.model import Policy
from alarmvern.policy.wording import Lang
from alarmvern.rights.export import ENCRYPTED_SUFFIX
from alarmvern.rights.facts import CategoryFacts, category_name
from alarmvern.rights.scope import Scope, personal_tables

if TYPE_CHECKING:
    from alarmvern.rights.access_package import TableSummary


OSLO = ZoneInfo("Europe/Oslo")
# Wider tables than this are shown a row at a time, as label and value, to fit the page.
WIDE = 5
_ISO_TIME = re.compile(r"^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}")


def table_label(table: str, lang: Lang) -> str:
    """The data map's name for ``table``, for the person reading it."""
    binding = _bindings().get(table)
    label = binding.label if binding else None
    return label[0 if lang == "nb" else 1] if label else table


def column_label(table: str, column: str, lang: Lang) -> str:
    """The data map's name for a column (an encrypted one by its readable name)."""
    binding = _bindings().get(table)
    if binding is None:
        return column
    label = binding.column_label(column) or binding.column_label(column + ENCRYPTED_SUFFIX)
    return label[0 if lang == "nb" else 1] if label else column


def entries(count: int, lang: Lang) -> str:
    if lang == "nb":
        return f"{count} {'oppføring' if count == 1 else 'oppføringer'}"
    return f"{count} {'entry' if count == 1 else 'entries'}"


def local_time(value: Any, lang: Lang) -> str:
    """A stored time (ISO text, UTC) as the time in Norway; anything else as it is."""
    if value is None:
        return ""
    if isinstance(value, str) and _ISO_TIME.match(value):
        try:
            moment = datetime.fromisoformat(value)
        except ValueError:
            return value
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=UTC)
        local = moment.astimezone(OSLO)
        return local.strftime("%d.%m.%Y %H:%M" if lang == "nb" else "%Y-%m-%d %H:%M")
    if isinstance(value, bool):
        return ("ja" if value else "nei") if lang == "nb" else ("yes" if value else "no")
    return str(value)


@functools.cache
def _bindings() -> dict[str, Any]:
    return {table.name: binding for table, binding in personal_tables()}


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
            generated=local_time(datetime.now(UTC).isoformat(), lang),
            person_id=scope.person_id,
            sections=sections,
            wide=WIDE,
            name_of=lambda key: category_name(policy, key, lang),
            table_label=lambda table: table_label(table, lang),
            column_label=lambda table, column: column_label(table, column, lang),
            entries=lambda count: entries(count, lang),
            shown=lambda value: local_time(value, lang),
            t=lambda nb, en: nb if lang == "nb" else en,
        )
    )


def to_pdf(document: str) -> bytes:
    try:
        from weasyprint import HTML  # imported late: it loads Pango, which takes a moment
    except (ImportError, OSError) as exc:
        raise AlarmvernError(
            "kan ikke lage PDF-rapporten: WeasyPrint eller Pango-biblioteket det trenger "
            f"mangler ({exc}); installer Pango, eller be om pakken uten PDF",
            "cannot make the PDF report: WeasyPrint or the Pango library it needs is missing "
            f"({exc}); install Pango, or ask for the package without the PDF",
            code="pdf_unavailable",
        ) from None
    try:  # a tagged PDF (PDF/UA) where this WeasyPrint can make one
        return bytes(HTML(string=document).write_pdf(pdf_variant="pdf/ua-1"))
    except (TypeError, ValueError):
        return bytes(HTML(string=document).write_pdf())


def readme(lang: Lang, *, media: bool = True, withheld: Sequence[str] = ()) -> str:
    """The package's LESMEG.txt; ``withheld``: the names of what awaits review (art. 15(4))."""
    if lang == "nb":
        return (
            "Innsyn i personopplysninger (personvernforordningen artikkel 15)\n\n"
            "rapport.html / rapport.pdf  – oversikt i klartekst: hva vi har, hvorfor, "
            "hvem som har fått det og hvor lenge vi beholder det.\n"
            "data.json  – alle opplysningene, gruppert etter kategori, maskinlesbart.\n"
            + ("media/  – bilder og opptak som gjelder deg.\n" if media else "")
            + (
                "\nIkke med ennå, fordi det kan vise andre personer og må gjennomgås først "
                f"(artikkel 15 nr. 4): {', '.join(withheld)}.\n"
                if withheld
                else ""
            )
            + "\nFilene inneholder personopplysninger. Oppbevar dem trygt.\n"
        )
    return (
        "Access to personal data (GDPR Article 15)\n\n"
        "report.html / report.pdf  – a plain overview: what we hold, why, who received it "
        "and how long we keep it.\n"
        "data.json  – all the data, grouped by category, machine-readable.\n"
        + ("media/  – images and recordings about you.\n" if media else "")
        + (
            "\nNot included yet, since it may show other people and must be reviewed first "
            f"(Article 15(4)): {', '.join(withheld)}.\n"
            if withheld
            else ""
        )
        + "\nThese files contain personal data. Keep them safe.\n"
    )
