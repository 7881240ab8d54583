"""Mine Sider: the customer's own pages. The alarm log, alarm images and the privacy notice
here; consents and rights requests in :mod:`.mine_sider_rights`.

A customer sees the accounts they hold and nothing else: every query names those accounts.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response

from alarmvern.intake.alarm_log import alarm_log
from alarmvern.intake.customer_media import media_page, own_media
from alarmvern.store.engine import reading
from alarmvern.web.deps import SystemDep
from alarmvern.web.errors import ApiError
from alarmvern.web.pages import mine_sider_policy, mine_sider_rights
from alarmvern.web.pages.common import notice_html
from alarmvern.web.pages.render import CustomerPage, PageRoute, lang_of, render
from alarmvern.web.visibility import NOT_YOURS, accounts_of

router = APIRouter(prefix="/mine-sider", route_class=PageRoute, include_in_schema=False)
router.include_router(mine_sider_rights.router)
router.include_router(mine_sider_policy.router)

MEDIA_PAGE = 48


@router.get("")
def home(request: Request, who: CustomerPage, system: SystemDep) -> Response:
    with reading(system.engine) as conn:
        accounts = accounts_of(conn, who)
        latest, _more = alarm_log(conn, accounts, page=1, lang=lang_of(request), size=5)
        changed = mine_sider_policy.changed_for(conn, system, who)
    return render(
        request,
        "mine_sider/home.html.j2",
        latest=latest,
        accounts=len(accounts),
        changed=changed,
    )


@router.get("/alarmlogg")
def log_page(
    request: Request,
    who: CustomerPage,
    system: SystemDep,
    side: Annotated[int, Query(ge=1, le=100_000)] = 1,
    vis: Annotated[str, Query(pattern="^(alle|av-pa)$")] = "alle",
) -> Response:
    """The alarm log: who armed and disarmed, when and how (:mod:`alarmvern.intake.alarm_log`)."""
    with reading(system.engine) as conn:
        accounts = accounts_of(conn, who)
        entries, more = alarm_log(
            conn, accounts, page=side, lang=lang_of(request), arming_only=vis == "av-pa"
        )
    return render(request, "mine_sider/log.html.j2", entries=entries, page=side, more=more, vis=vis)


@router.get("/bilder")
def images_page(
    request: Request,
    who: CustomerPage,
    system: SystemDep,
    side: Annotated[int, Query(ge=1, le=100_000)] = 1,
) -> Response:
    with reading(system.engine) as conn:
        items, more = media_page(conn, accounts_of(conn, who), page=side, size=MEDIA_PAGE)
    return render(request, "mine_sider/images.html.j2", items=items, page=side, more=more)


@router.get("/bilder/{media_id}")
def media_file(media_id: int, who: CustomerPage, system: SystemDep) -> Response:
    """The image (or video, or sound) itself, for its owner only."""
    with reading(system.engine) as conn:
        found = own_media(conn, system.vault, accounts_of(conn, who), media_id)
    if found is None:
        raise ApiError(404, NOT_YOURS)
    headers = {
        "Cache-Control": "private, no-store",
        "X-Content-Type-Options": "nosniff",
        "Content-Disposition": "inline",
    }
    return Response(found.data, media_type=found.shown_as, headers=headers)


@router.get("/personvern")
def notice_page(request: Request, _who: CustomerPage, system: SystemDep) -> Response:
    """The privacy notice the company runs on now, rendered from the policy."""
    return render(request, "notice.html.j2", notice=notice_html(system, lang_of(request)))
