"""Who armed or disarmed: the one rule the alarm log on Mine Sider and the API's event list
name the person by.

The panel sends a user number; intake may also know the person (``actor_person_id``, from an
app or a tag). The name shown is the panel user's display name, found by that number at the
event's site or by the person (a current panel user before a removed one, the newest
first); failing that, the person's name; failing that, nothing (a page then shows the
number).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement, and_, func, or_, select

from alarmvern.store.tables import alarm_events, panel_users, persons


def actor_name() -> ColumnElement[Any]:
    """The name of who set off an event in ``alarm_events``, as a column expression for a
    query over that table."""
    ev = alarm_events.c
    panel_user = (
        select(panel_users.c.display_name)
        .where(
            panel_users.c.account_id == ev.account_id,
            or_(
                and_(panel_users.c.site_id == ev.site_id, panel_users.c.user_no == ev.user_no),
                panel_users.c.person_id == ev.actor_person_id,
            ),
        )
        .order_by(panel_users.c.removed_at.is_(None).desc(), panel_users.c.id.desc())
        .limit(1)
        .scalar_subquery()
    )
    person = select(persons.c.name).where(persons.c.id == ev.actor_person_id).scalar_subquery()
    return func.coalesce(panel_user, person)
