"""Home or away from the app: only with the location consent; a position is turned into
home or away at once and dropped."""

from __future__ import annotations

import math
from datetime import datetime

from sqlalchemy import Connection, select

from alarmvern.intake.devices import Device
from alarmvern.intake.upload_rules import (
    PresenceRefused,
    UploadRefused,
    WrongDevice,
    aware,
    need_kind,
)
from alarmvern.policy.model import LegalBasis, Policy
from alarmvern.rights.consent import has_consent
from alarmvern.store.tables import (
    presence,
    sites,
)

HOME_RADIUS_M = 200.0
PRESENCE_CATEGORY = "user.location.presence"
_EARTH_RADIUS_M = 6_371_000.0


def presence_activities(policy: Policy) -> list[str]:
    """The consent-based activities that process home/away status.

    Worked out once per policy: every operator's view of an incident asks (the policy in
    force changes seldom; it is kept with its answer, so its id cannot be reused).
    """
    kept = _ACTIVITIES.get(id(policy))
    if kept is None or kept[0] is not policy:
        found = tuple(
            a.id
            for a in policy.activities_for(PRESENCE_CATEGORY)
            if a.legal_basis is LegalBasis.consent
        )
        kept = (policy, found)
        if len(_ACTIVITIES) >= 8:  # a few policies in one process at most (tests: many)
            _ACTIVITIES.clear()
        _ACTIVITIES[id(policy)] = kept
    return list(kept[1])


_ACTIVITIES: dict[int, tuple[Policy, tuple[str, ...]]] = {}


def has_location_consent(conn: Connection, policy: Policy, person_id: int) -> bool:
    return any(has_consent(conn, person_id, a) for a in presence_activities(policy))


def record_presence(
    conn: Connection,
    policy: Policy,
    device: Device,
    *,
    state: str | None = None,
    position: tuple[float, float] | None = None,
    at: datetime,
) -> str:
    """Store home or away for the app's user; a position is turned into home/away at once
    against the site's coordinates, and dropped. Return the state stored."""
    need_kind(device, "app")
    if device.person_id is None:
        raise WrongDevice("appen er ikke knyttet til en person", "the app has no person")
    if not has_location_consent(conn, policy, device.person_id):
        raise PresenceRefused(
            "du har ikke samtykket til hjemme/borte-status; slå det på i appen eller på Mine Sider",
            "you have not given consent to home/away status; turn it on in the app or "
            "on Mine Sider",
            "consent",
        )
    if (state is None) == (position is None):
        raise UploadRefused("send enten state eller lat/lon", "send either state or lat/lon")
    if position is not None:
        state = _home_or_away(conn, device, position)
    if state not in ("home", "away"):
        raise UploadRefused(
            f"state {state!r}: send home eller away", f"state {state!r}: send home or away", "state"
        )
    conn.execute(
        presence.insert().values(
            account_id=device.account_id,
            person_id=device.person_id,
            state=state,
            recorded_at=aware(at, "at"),
        )
    )
    return state


def _home_or_away(conn: Connection, device: Device, position: tuple[float, float]) -> str:
    lat, lon = position
    if not (-90 <= lat <= 90 and -180 <= lon <= 180):
        raise UploadRefused("ugyldig posisjon", "lat must be -90..90 and lon -180..180", "lat")
    where = (
        sites.c.id == device.site_id if device.site_id else sites.c.account_id == device.account_id
    )
    homes = conn.execute(
        select(sites.c.latitude, sites.c.longitude).where(
            where, sites.c.latitude.is_not(None), sites.c.longitude.is_not(None)
        )
    ).all()
    if not homes:
        raise UploadRefused(
            "anlegget har ingen koordinater; send state i stedet",
            "the site has no coordinates to compare with; send state instead",
            "lat",
        )
    near = any(distance_m(lat, lon, h.latitude, h.longitude) <= HOME_RADIUS_M for h in homes)
    return "home" if near else "away"


def distance_m(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance in metres (haversine)."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * _EARTH_RADIUS_M * math.asin(math.sqrt(a))
