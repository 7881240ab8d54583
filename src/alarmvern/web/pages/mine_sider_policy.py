"""Mine Sider: "Personvernerklæringen er endret". The banner on the start page, the page with
the changes, and "I have read it". Which version a person is shown, and the record that they
read it, are :mod:`alarmvern.policy_telling`'s.
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response
from sqlalchemy import Connection

from alarmvern import policy_history, policy_staging, policy_telling
from alarmvern.policy_history import Version
from alarmvern.store.engine import reading
from alarmvern.system import System
from alarmvern.web.deps import SystemDep
from alarmvern.web.errors import ApiError
from alarmvern.web.pages.render import CustomerPage, PageRoute, done, render
from alarmvern.web.security import Principal

router = APIRouter(route_class=PageRoute)


def changed_for(conn: Connection, system: System, who: Principal) -> Version | None:
    """The changed version this customer has not read yet, if any (for the banner)."""
    if who.person_id is None:
        return None
    timeline, today = system.timeline, policy_staging.today()
    coming = timeline.coming(today)
    return policy_telling.unread(
        conn,
        who.person_id,
        timeline.in_force(today).sha256,
        coming.sha256 if coming is not None else None,
    )


@router.get("/erklaering-endret")
def changes_page(request: Request, who: CustomerPage, system: SystemDep) -> Response:
    """What changed in the notice, from when, and a button to say it is read."""
    with reading(system.engine) as conn:
        version = changed_for(conn, system, who)
        read = version is None
        if version is None:  # nothing unread: show the latest change in force, if any
            in_force = system.policy.sha256
            version = next((v for v in policy_history.history(conn) if v.sha256 == in_force), None)
    return render(
        request,
        "mine_sider/policy_changed.html.j2",
        version=version,
        read=read,
        applies_from=policy_telling.applies_from(version) if version else None,
        coming=version is not None and version.policy_date > policy_staging.today(),
    )


@router.post("/erklaering-endret/{version_id}/lest")
def mark_read(version_id: int, who: CustomerPage, system: SystemDep) -> Response:
    if who.person_id is None:
        raise ApiError(403, "innloggingen din er ikke knyttet til en person / no person")
    with system.engine.begin() as conn:
        policy_telling.mark_read(conn, version_id, who.person_id, actor=who.actor)
    return done("/mine-sider", "policy-read")
