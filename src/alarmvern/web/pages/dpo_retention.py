"""The retention forecast as a chart (inline SVG, drawn here: no JavaScript), and legal holds
(list, place, release). Included by :mod:`.dpo` under ``/personvern``."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Annotated, Literal

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import Response

from alarmvern.retention import holds
from alarmvern.retention.forecast import Forecast, forecast
from alarmvern.store.engine import reading
from alarmvern.web.deps import SystemDep
from alarmvern.web.errors import ApiError
from alarmvern.web.pages.render import DpoPage, PageRoute, day, done, lang_of, render

router = APIRouter(route_class=PageRoute)
HOLDS = "/personvern/sperrer"

# The chart's drawing area, in SVG user units (the SVG scales to the page's width).
WIDTH, HEIGHT, LEFT, BOTTOM, TOP = 720.0, 240.0, 48.0, 28.0, 12.0


@dataclass(frozen=True)
class Bar:
    label: str  # shown under the bar (some of them)
    title: str  # the bar's tooltip and its row in the table
    count: int
    kind: Literal["now", "due", "held"]
    x: float = 0.0
    y: float = 0.0
    w: float = 0.0
    h: float = 0.0
    show_label: bool = True


@dataclass(frozen=True)
class Chart:
    bars: list[Bar]
    peak: int
    per: Literal["day", "week"]
    ticks: list[tuple[float, int]]  # (y, value) of the horizontal grid lines


def buckets(result: Forecast, per: Literal["day", "week"], lang: str) -> list[Bar]:
    """What goes now, per day (or ISO week) up to the horizon, and what holds keep back."""
    now_label = "nå" if lang == "nb" else "now"
    due_now = sum(u.due_now for u in result.units)
    bars = [Bar(now_label, f"{now_label}: {due_now}", due_now, "now")]
    totals: Counter[date] = Counter()
    for unit in result.units:
        for iso, count in unit.by_day.items():
            totals[date.fromisoformat(iso)] += count
    start = result.now.date() + timedelta(days=1)
    end = result.now.date() + timedelta(days=result.days)
    if per == "day":
        current = start
        while current <= end:
            text = day(current, "nb" if lang == "nb" else "en")
            bars.append(Bar(text[:5], f"{text}: {totals[current]}", totals[current], "due"))
            current += timedelta(days=1)
    else:
        weeks: Counter[date] = Counter()
        for when, count in totals.items():
            weeks[when - timedelta(days=when.weekday())] += count
        monday = start - timedelta(days=start.weekday())
        while monday <= end:
            week = monday.isocalendar().week
            text = f"{'uke' if lang == 'nb' else 'week'} {week}"
            bars.append(
                Bar(text, f"{text} ({day(monday, 'en')}): {weeks[monday]}", weeks[monday], "due")
            )
            monday += timedelta(weeks=1)
    held = sum(u.held for u in result.units)
    held_label = "holdt" if lang == "nb" else "held"
    bars.append(Bar(held_label, f"{held_label}: {held}", held, "held"))
    return bars


def chart(result: Forecast, lang: str) -> Chart:
    per: Literal["day", "week"] = "day" if result.days <= 31 else "week"
    raw = buckets(result, per, lang)
    peak = max([b.count for b in raw] + [1])
    plot_w, plot_h = WIDTH - LEFT - 8, HEIGHT - TOP - BOTTOM
    slot = plot_w / len(raw)
    every = max(1, len(raw) // 12)  # at most a dozen labels under the bars
    bars = []
    for i, b in enumerate(raw):
        h = plot_h * b.count / peak
        bars.append(
            Bar(
                b.label,
                b.title,
                b.count,
                b.kind,
                x=round(LEFT + i * slot + slot * 0.1, 2),
                y=round(TOP + plot_h - h, 2),
                w=round(slot * 0.8, 2),
                h=round(h, 2),
                show_label=i % every == 0 or b.kind != "due",
            )
        )
    ticks = [(round(TOP + plot_h - plot_h * f, 2), round(peak * f)) for f in (0, 0.5, 1)]
    return Chart(bars, peak, per, ticks)


@router.get("/prognose")
def forecast_page(
    request: Request,
    _who: DpoPage,
    system: SystemDep,
    dager: Annotated[int, Query(ge=1, le=730)] = 90,
) -> Response:
    with reading(system.engine) as conn:
        result = forecast(conn, system.policy.policy, days=dager)
    return render(
        request,
        "dpo/forecast.html.j2",
        result=result,
        chart=chart(result, lang_of(request)),
        days=dager,
        size=(WIDTH, HEIGHT, LEFT, TOP + (HEIGHT - TOP - BOTTOM)),
    )


@router.get("/sperrer")
def holds_page(
    request: Request,
    _who: DpoPage,
    system: SystemDep,
    alle: Annotated[bool, Query()] = False,
) -> Response:
    with reading(system.engine) as conn:
        found = holds.list_holds(conn, include_released=alle)
    return render(
        request,
        "dpo/holds.html.j2",
        found=found,
        all=alle,
        targets=list(holds.TARGETS),
        today=datetime.now(UTC).date(),
    )


@router.post("/sperrer")
def place_hold(
    who: DpoPage,
    system: SystemDep,
    target: Annotated[Literal["incident", "media", "person", "account"], Form()],
    target_id: Annotated[int, Form(ge=1)],
    reason: Annotated[str, Form(min_length=1, max_length=500)],
    ends_on: Annotated[str, Form(max_length=10)],
    override: Annotated[str, Form(max_length=500)] = "",
) -> Response:
    try:
        end = date.fromisoformat(ends_on.strip())
    except ValueError:
        raise ApiError(422, f"ugyldig dato / invalid date: {ends_on[:10]}") from None
    with system.engine.begin() as conn:
        holds.place(
            conn,
            system.policy.policy,
            target=target,
            target_id=target_id,
            reason=reason.strip(),
            ends_on=end,
            placed_by=who.actor,
            override=override.strip() or None,
        )
    return done(HOLDS, "hold-placed")


@router.post("/sperrer/{hold_id}/frigi")
def release_hold(hold_id: int, who: DpoPage, system: SystemDep) -> Response:
    with system.engine.begin() as conn:
        holds.release(conn, hold_id, released_by=who.actor)
    return done(HOLDS, "hold-released")
