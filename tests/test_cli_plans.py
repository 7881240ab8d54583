"""`alarmvern plan set/show`: customer service's action plans from the command line; bad
steps are refused with the step named, in both languages, and nothing is changed."""

from __future__ import annotations

import json
from pathlib import Path

from sqlalchemy import create_engine

from tests import builders as b
from tests.test_cli import data, run  # noqa: F401


def _site(folder: Path) -> int:
    engine = create_engine(f"sqlite:///{folder / 'alarmvern.db'}")
    with engine.begin() as conn:
        site = b.site(conn, b.account(conn, b.person(conn)))
    engine.dispose()
    return site


def test_a_plan_is_set_shown_and_bad_steps_refused(data: Path) -> None:  # noqa: F811
    site = str(_site(data))
    steps = ["--step", "check_images", "--step", "call_police:5", "--step", "note:Hund i huset"]
    made = run(data, "plan", "set", "--site", site, "--kind", "burglary", *steps, "--by", "cs:1")
    assert made.returncode == 0, made.stderr
    assert "Varsle politiet (112) etter 5 minutter uten svar" in made.stdout
    bad = run(data, "plan", "set", "--site", site, "--kind", "burglary", "--step", "dance")
    assert bad.returncode != 0
    assert (
        "steg 1: ukjent handling 'dance'" in bad.stderr and "step 1: unknown action" in bad.stderr
    )
    shown = run(data, "plan", "show", "--site", site, "--json")
    assert shown.returncode == 0, shown.stderr
    plans = {p["kind"]: p for p in json.loads(shown.stdout)}
    assert plans["burglary"]["standard"] is False
    assert [s["action"] for s in plans["burglary"]["steps"]] == [
        "check_images",
        "call_police",
        "note",
    ]
    assert plans["fire"]["standard"] is True
