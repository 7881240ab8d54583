"""The DPO console's part for a material policy change: the customers to tell as CSV, and
telling them by e-mail through the outbox. The rules are in :mod:`alarmvern.policy_telling`;
the version list and the paged customer list are in :mod:`.dpo`.
"""

from __future__ import annotations

from fastapi import APIRouter, BackgroundTasks, Request
from fastapi.responses import Response

from alarmvern import policy_telling
from alarmvern.outbox.wiring import outbox_of
from alarmvern.store.engine import reading
from alarmvern.system import System
from alarmvern.web.deps import SystemDep
from alarmvern.web.pages.render import DpoPage, PageRoute, ServicePage, done, lang_of

router = APIRouter(route_class=PageRoute)


@router.get("/policy/{version_id}/kunder.csv")
def customers_csv(
    version_id: int, request: Request, who: ServicePage, system: SystemDep
) -> Response:
    """Every customer to tell of the version, with where to reach them and whether they
    have been told. The export is audited, as the look at the list is."""
    return Response(
        policy_telling.export_csv(
            system.engine, version_id, actor=who.actor, lang=lang_of(request)
        ),
        media_type="text/csv; charset=utf-8",
        headers={
            "Content-Disposition": f'attachment; filename="kunder-a-varsle-{version_id}.csv"',
            "Cache-Control": "private, no-store",
            "X-Content-Type-Options": "nosniff",
        },
    )


def _tell(system: System, version_id: int, actor: str) -> None:
    policy_telling.tell_by_email(
        system.engine, system.vault, outbox_of(system), version_id, actor=actor
    )


@router.post("/policy/{version_id}/varsle")
def tell_customers(
    version_id: int, who: DpoPage, system: SystemDep, later: BackgroundTasks
) -> Response:
    """E-mail the customers not yet told (after the answer: the outbox may be slow); the
    list of customers shows who has been told."""
    with reading(system.engine) as conn:
        policy_telling.material_version(conn, version_id)
    later.add_task(_tell, system, version_id, who.actor)
    return done(f"/personvern/policy/{version_id}/kunder", "policy-telling")
