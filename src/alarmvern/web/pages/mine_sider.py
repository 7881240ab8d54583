"""Mine Sider: the customer's own pages. The alarm log, alarm images and the privacy notice
here; consents and rights requests in :mod:`.mine_sider_rights`.

A customer sees the accounts they hold and nothing else: every query names those accounts.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response
from sqlalchemy import Connection, Integer, Select, bindparam, select

from alarmvern.intake.alarm_log import actor_name
from alarmvern.intake.customer_media import media_page, own_media
from alarmvern.sia.protocol.meaning import stored_meaning
from alarmvern.store.engine import reading
from alarmvern.store.tables import alarm_events, sites
from alarmvern.store.tables.columns import as_utc
from alarmvern.web.deps import SystemDep
from alarmvern.web.errors import ApiError
from alarmvern.web.pages import labels, mine_sider_policy, mine_sider_rights
from alarmvern.web.pages.common import notice_html
from alarmvern.web.pages.render import CustomerPage, PageRoute, lang_of, render
from alarmvern.web.visibility import NOT_YOURS, accounts_of

router = APIRouter(prefix="/mine-sider", route_class=PageRoute, include_in_schema=False)
router.include_router(mine_sider_rights.router)
router.include_router(mine_sider_policy.router)

PAGE_SIZE = 50
MEDIA_PAGE = 48


@dataclass(frozen=True)
class LogEntry:
    id: int
    occurred_at: datetime
    what: str
    event_class: str
    description: str
    who: str | None
    how: str | None
    zone: str | None
    site: str | None
    area: str | None = None


def _log_query(arming_only: bool) -> Select[Any]:
    """One page of the accounts' events, newest first: the index on (account, time) orders
    it; who armed or disarmed is named by :func:`alarmvern.intake.alarm_log.actor_name`."""
    ev = alarm_events.c
    where = [ev.account_id.in_(bindparam("accounts", expanding=True))]
    if arming_only:
        where.append(ev.code.in_(labels.ARMING_CODES))
    return (
        select(
            ev.id,
            ev.occurred_at,
            ev.protocol,
            ev.code,
            ev.qualifier,
            ev.zone,
            ev.area,
            ev.user_no,
            ev.method,
            sites.c.street,
            actor_name().label("user_name"),
        )
        .outerjoin(sites, sites.c.id == ev.site_id)
        .where(*where)
        .order_by(ev.occurred_at.desc(), ev.id.desc())
        .limit(bindparam("limit", type_=Integer))
        .offset(bindparam("offset", type_=Integer))
    )


# Built once (all events, arming only): building it and its cache key cost more than
# running it.
_LOG = {False: _log_query(False), True: _log_query(True)}


def alarm_log(
    conn: Connection,
    accounts: list[int],
    *,
    page: int,
    lang: str,
    arming_only: bool = False,
    size: int = PAGE_SIZE,
) -> tuple[list[LogEntry], bool]:
    """One page of the accounts' events, newest first, and whether there is a next page:
    one query."""
    if not accounts:
        return [], False
    values = {"accounts": accounts, "limit": size + 1, "offset": (page - 1) * size}
    rows = conn.execute(_LOG[arming_only], values).all()
    entries = [_entry(row, lang) for row in rows[:size]]
    return entries, len(rows) > size


@lru_cache(maxsize=4096)
def _words(
    protocol: str, code: str, qualifier: str | None, lang: str
) -> tuple[str, str, str, bool]:
    """What an event's code says, in ``lang``: the class in words, the class, the protocol's
    description, and whether it arms or disarms. A page shows fifty events of a few codes:
    looked up once per code, not once per row."""
    meaning = stored_meaning(protocol, code, qualifier)
    what = labels.pick(labels.EVENT_CLASS, meaning.event_class, lang)
    arming = meaning.event_class.value in labels.ARMING_CLASSES
    return what, meaning.event_class.value, meaning.description, arming


def _entry(row: Any, lang: str) -> LogEntry:
    what, event_class, description, arming = _words(row.protocol, row.code, row.qualifier, lang)
    who = row.user_name
    if who is None and row.user_no is not None:
        who = f"{'bruker' if lang == 'nb' else 'user'} {row.user_no}"
    return LogEntry(
        id=int(row.id),
        occurred_at=as_utc(row.occurred_at),
        what=what,
        event_class=event_class,
        description=description,
        who=who,
        how=labels.pick(labels.METHOD, row.method, lang) if row.method else None,
        zone=None if arming else row.zone,
        site=row.street,
        area=row.area,
    )


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
    """The alarm log: who armed and disarmed, when and how."""
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
