"""`alarmvern panel rules`: a change to what the receiver demands of a panel is audited from
the CLI as from the API (it was audited only through the API); a look changes nothing."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from sqlalchemy import select

from alarmvern.settings import Settings
from alarmvern.store.engine import reading
from alarmvern.store.tables import audit_log
from alarmvern.system import open_system
from tests.test_cli import data  # noqa: F401


def _rules(folder: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("ALARMVERN_")}
    command = [sys.executable, "-m", "alarmvern", "--data-dir", str(folder), "panel", "rules"]
    return subprocess.run([*command, *args], capture_output=True, text=True, env=env, timeout=120)


def _changes(folder: Path) -> list[tuple[str, dict[str, object]]]:
    system = open_system(Settings(data_dir=folder))
    try:
        with reading(system.engine) as conn:
            rows = conn.execute(
                select(audit_log.c.actor, audit_log.c.details).where(
                    audit_log.c.action == "panel.rules"
                )
            ).all()
    finally:
        system.close()
    return [(r.actor, json.loads(r.details)) for r in rows]


def test_a_change_from_the_cli_is_audited_and_a_look_is_not(data: Path) -> None:  # noqa: F811
    looked = _rules(data, "5A0F31")
    assert looked.returncode == 0, looked.stderr
    assert _changes(data) == []
    changed = _rules(data, "5A0F31", "--encryption", "required")
    assert changed.returncode == 0, changed.stderr
    assert "kryptering påkrevd / encryption required: ja / yes" in changed.stdout
    assert _changes(data) == [
        (
            "system",
            {
                "panel_account": "5A0F31",
                "encryption_required": True,
                "clear_timestamps_checked": False,
            },
        )
    ]
