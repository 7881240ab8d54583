"""The policy: who the controller is, the notice, the record of processing, the linter, and
the versions the system has run on, each with its difference from the one before."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Query
from fastapi.responses import Response

from alarmvern import policy_history, policy_staging
from alarmvern.accountability import record
from alarmvern.policy.lint import lint
from alarmvern.policy.notice import render_notice
from alarmvern.store.engine import reading
from alarmvern.store.tables.columns import as_utc
from alarmvern.web.api.common import (
    ERRORS,
    PREFIX,
    AfterId,
    Limit,
    PathId,
    not_found,
    text_responses,
)
from alarmvern.web.api.schemas import (
    ChangeOut,
    ControllerOut,
    FindingOut,
    PolicyDiffOut,
    PolicyOut,
    PolicyVersionOut,
    PolicyVersionPage,
)
from alarmvern.web.deps import Dpo, Service, SystemDep
from alarmvern.web.errors import ApiError

router = APIRouter(prefix=PREFIX, tags=["policy"], responses=ERRORS)

Lang = Annotated[Literal["nb", "en"], Query(description="nb (bokmål) or en.")]


@router.get("/policy", response_model=PolicyOut)
def policy_info(system: SystemDep) -> PolicyOut:
    """Policyen systemet kjører på / the policy in force (public)."""
    loaded = system.policy
    c = loaded.policy.controller
    return PolicyOut(
        name=loaded.name,
        version=loaded.policy.version,
        date=loaded.policy.date,
        sha256=loaded.sha256,
        controller=ControllerOut(
            name=c.name, org_no=c.org_no, address=c.address, email=c.email, phone=c.phone, web=c.web
        ),
    )


@router.get(
    "/policy/notice",
    response_class=Response,
    responses=text_responses("text/html", "text/markdown"),
)
def notice(
    system: SystemDep,
    lang: Lang = "nb",
    fmt: Annotated[Literal["html", "md"], Query(alias="format")] = "html",
) -> Response:
    """Personvernerklæringen / the privacy notice, rendered from the policy (public)."""
    text = render_notice(system.policy.policy, lang, fmt)
    kind = "text/html" if fmt == "html" else "text/markdown"
    return Response(text, media_type=kind, headers={"Content-Language": lang})


@router.get(
    "/policy/ropa", response_class=Response, responses=text_responses("text/markdown", "text/csv")
)
def ropa(
    system: SystemDep,
    who: Service,
    lang: Lang = "nb",
    fmt: Annotated[Literal["md", "csv"], Query(alias="format")] = "md",
    part: Literal["controller", "processor"] = "controller",
) -> Response:
    """Protokoll over behandlingsaktiviteter / the record of processing (art. 30(1)), or
    with ``part=processor`` the one kept as a processor (art. 30(2)). Each download is
    audited, as the DPO console's is."""
    text = record.download(
        system.engine, system.policy.policy, actor=who.actor, asked=fmt, part=part, lang=lang
    )
    return Response(text, media_type="text/markdown" if fmt == "md" else "text/csv")


@router.get("/policy/lint", response_model=list[FindingOut])
def lint_findings(system: SystemDep, _who: Dpo) -> list[FindingOut]:
    """Mangler i policyen / the policy's defects, errors first."""
    return [FindingOut(**f.__dict__) for f in lint(system.policy)]


@router.get("/policy/versions", response_model=PolicyVersionPage)
def versions(
    system: SystemDep, _who: Dpo, limit: Limit = 100, after: AfterId = None
) -> PolicyVersionPage:
    """Policyversjonene / every policy version stored, oldest first: the one in force, those
    before it, and one staged to apply on a later date (``coming``)."""
    with reading(system.engine) as conn:
        rows = policy_history.page(conn, after=after, limit=limit + 1)
    today = policy_staging.today()
    items = [
        PolicyVersionOut(
            id=r.id,
            name=r.name,
            version=r.version,
            sha256=r.sha256,
            policy_date=r.policy_date,
            applied_at=as_utc(r.applied_at),
            current=r.sha256 == system.policy.sha256,
            state=policy_staging.state(r.policy_date, r.sha256, system.policy.sha256, today),
        )
        for r in rows[:limit]
    ]
    return PolicyVersionPage(items=items, next_after=items[-1].id if len(rows) > limit else None)


@router.get("/policy/versions/{version_id}/diff", response_model=PolicyDiffOut)
def version_diff(system: SystemDep, _who: Dpo, version_id: PathId) -> PolicyDiffOut:
    """Hva endret seg fra forrige versjon / what changed since the version before, and which
    customers to tell when the change is material."""
    with reading(system.engine) as conn:
        version = policy_history.find(conn, version_id)
        accounts = policy_history.accounts_to_tell(conn)
    if version is None:
        raise not_found("policy version", version_id)
    if version.unreadable:
        raise ApiError(
            409,
            "en lagret versjon kan ikke lenger leses av denne programversjonen / a stored "
            "version no longer loads in this version of the program",
        )
    changes = version.changes.changes if version.changes is not None else ()
    return PolicyDiffOut(
        version_id=version_id,
        previous_id=version.previous_id,
        material=version.material,
        changes=[ChangeOut(**c.__dict__) for c in changes],
        notify_accounts=accounts if version.material else [],
    )
