"""The DPO console (``/personvern``): the record of processing, lint findings, audit
verification, policy versions with their diffs and whom to tell of a material change.
Rights requests are in :mod:`.dpo_rights`, the forecast and holds in :mod:`.dpo_retention`;
both are included here.

Customer service sees the overview, the requests and the policy versions; the rest is the
DPO's.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from functools import cache
from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response
from markdown_it import MarkdownIt
from markupsafe import Markup

from alarmvern import audit, policy_history, policy_staging, policy_telling
from alarmvern.audit import search as audit_search
from alarmvern.audit.log import count as audit_count
from alarmvern.policy.lint import lint
from alarmvern.policy.ropa import render_ropa
from alarmvern.retention import holds
from alarmvern.rights import requests
from alarmvern.store.check import tables_by_category
from alarmvern.store.engine import reading
from alarmvern.web.deps import SystemDep
from alarmvern.web.errors import ApiError
from alarmvern.web.pages import dpo_policy, dpo_retention, dpo_rights, labels
from alarmvern.web.pages.render import DpoPage, PageRoute, ServicePage, lang_of, render

router = APIRouter(prefix="/personvern", route_class=PageRoute, include_in_schema=False)
router.include_router(dpo_rights.router)
router.include_router(dpo_retention.router)
router.include_router(dpo_policy.router)

AUDIT_TAIL = 50
CUSTOMER_LIMIT = 500


@router.get("")
def home(request: Request, _who: ServicePage, system: SystemDep) -> Response:
    today = datetime.now(UTC).date()
    with reading(system.engine) as conn:
        queue = requests.list_requests(conn)
        active = [h for h in holds.list_holds(conn) if h.active]
        entries = audit_count(conn)
    findings = lint(system.policy)
    return render(
        request,
        "dpo/home.html.j2",
        open_requests=len(queue),
        overdue=sum(1 for r in queue if r.overdue(today)),
        next_due=queue[0] if queue else None,
        holds=len(active),
        errors=sum(1 for f in findings if f.severity == "error"),
        warnings=sum(1 for f in findings if f.severity == "warning"),
        entries=entries,
        policy=system.policy,
    )


@cache
def _markdown() -> MarkdownIt:
    return MarkdownIt("commonmark", {"html": False}).enable("table")


def markdown_html(text: str) -> Markup:
    """Markdown made by our own renderers as HTML (raw HTML in it is escaped)."""
    html = _markdown().render(text)
    html = html.replace("<th>", '<th scope="col">')
    # Each table scrolls on its own on a narrow screen, in a region the keyboard can reach.
    count = iter(range(1, 10_000))
    html = re.sub(
        "<table>",
        lambda _m: (
            f'<div class="scroll" role="region" tabindex="0" '
            f'aria-label="Tabell {next(count)}"><table class="ropa">'
        ),
        html,
    ).replace("</table>", "</table></div>")
    return Markup(html)


@router.get("/protokoll")
def ropa_page(request: Request, _who: ServicePage, system: SystemDep) -> Response:
    """The record of processing activities (art. 30), from the policy and the store's map."""
    lang = lang_of(request)
    text = render_ropa(system.policy.policy, "md", tables_by_category(), lang)
    return render(request, "dpo/ropa.html.j2", ropa=markdown_html(text))


@router.get("/lint")
def lint_page(request: Request, _who: DpoPage, system: SystemDep) -> Response:
    return render(request, "dpo/lint.html.j2", findings=lint(system.policy), policy=system.policy)


def _asked(
    person: str, aktor: str, handling: str, formal: str, fra: str, til: str, bilder: bool
) -> tuple[audit_search.Query, str | None]:
    """The search as the form sends it (empty fields mean "any"), or the refusal."""
    try:
        asked = audit_search.parse(
            person=person, actor=aktor, action=handling, purpose=formal, since=fra, until=til,
            images=bilder,
        )  # fmt: skip
    except audit_search.SearchError as exc:
        return audit_search.Query(), str(exc)
    return asked, None


Person = Annotated[str, Query(max_length=18)]
Actor = Annotated[str, Query(max_length=100)]
Action = Annotated[str, Query(max_length=64)]
Purpose = Annotated[str, Query(max_length=100)]
Day = Annotated[str, Query(max_length=10)]


@router.get("/revisjon")
def audit_page(
    request: Request,
    who: DpoPage,
    system: SystemDep,
    person: Person = "",
    aktor: Actor = "",
    handling: Action = "",
    formal: Purpose = "",
    fra: Day = "",
    til: Day = "",
    bilder: Annotated[bool, Query()] = False,
    eldre: Annotated[int | None, Query(ge=1)] = None,
) -> Response:
    """Walk the hash chain of the audit log and say where it breaks, if it does; search it
    by person (or only the looks at their images), actor, action, purpose and date."""
    asked, error = _asked(person, aktor, handling, formal, fra, til, bilder)
    with reading(system.engine) as conn:
        count, broken = audit.verify(conn)
    result = audit_search.Found([], audit_search.Names({}, {}))
    if error is None:
        try:
            result = audit_search.audited(system.engine, who.actor, asked, before=eldre)
        except audit_search.SearchError as exc:
            error = str(exc)
    found, named = result.entries, result.names
    return render(
        request,
        "dpo/audit.html.j2",
        count=count,
        broken=broken,
        tail=found,
        asked=asked,
        error=error,
        names=named.people,
        actors=named.logins,
        older=found[-1].seq if len(found) >= audit_search.PAGE else None,
        export=request.url.query.replace("&eldre=", "&x="),
        ACTIONS=labels.AUDIT_ACTION,
    )


@router.get("/revisjon.csv")
def audit_export(
    request: Request,
    who: DpoPage,
    system: SystemDep,
    person: Person = "",
    aktor: Actor = "",
    handling: Action = "",
    formal: Purpose = "",
    fra: Day = "",
    til: Day = "",
    bilder: Annotated[bool, Query()] = False,
) -> Response:
    """The current search as CSV (every entry it finds, newest first), with readable
    columns: when, who, what, about whom, why. The export is audited as the search is, and
    also when it is about no one person (it may name many)."""
    asked, error = _asked(person, aktor, handling, formal, fra, til, bilder)
    if error:
        raise ApiError(422, error)
    lang = lang_of(request)
    try:
        result = audit_search.audited(system.engine, who.actor, asked, export=True)
    except audit_search.SearchError as exc:
        raise ApiError(422, str(exc)) from None
    lines = audit_search.readable(
        result.entries,
        result.names,
        action_words=lambda action: labels.pick(labels.AUDIT_ACTION, action, lang),
        subject_words=lambda subject: labels.subject_words(subject, lang),
    )
    header = (
        ["nr", "når", "hvem", "hva", "om hvem", "hvorfor", "detaljer"]
        if lang == "nb"
        else ["no", "when", "who", "what", "about whom", "why", "details"]
    )
    day = datetime.now(UTC).date().isoformat()
    return Response(
        audit_search.to_csv(header, lines),
        media_type="text/csv; charset=utf-8",
        headers={
            "Content-Disposition": f'attachment; filename="revisjonslogg-{day}.csv"',
            "Cache-Control": "private, no-store",
            "X-Content-Type-Options": "nosniff",
        },
    )


@router.get("/policy")
def policy_page(request: Request, _who: ServicePage, system: SystemDep) -> Response:
    with reading(system.engine) as conn:
        versions = policy_history.history(conn)
    today, in_force = policy_staging.today(), system.policy.sha256
    states = {
        v.id: policy_staging.state_words(
            policy_staging.state(v.policy_date, v.sha256, in_force, today), v.policy_date
        )
        for v in versions
    }
    return render(request, "dpo/policy.html.j2", versions=versions, states=states)


@router.get("/policy/{version_id}/kunder")
def customers_to_tell(
    version_id: int,
    request: Request,
    who: ServicePage,
    system: SystemDep,
    side: Annotated[int, Query(ge=1, le=100_000)] = 1,
) -> Response:
    """The customers to tell of a material change before it applies: every current customer
    (an account not ended), with where to reach them. The look is audited."""
    found = policy_telling.customers_page(
        system.engine, version_id, actor=who.actor, page=side, size=CUSTOMER_LIMIT
    )
    return render(
        request,
        "dpo/customers.html.j2",
        version=found.version,
        rows=found.rows,
        total=found.total,
        page=side,
        more=side * CUSTOMER_LIMIT < found.total,
        told=found.told,
    )
