"""The two commands end to end: init, check, audit verify, and one-line errors for bad input."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from tests.policies import covering_store


def run(
    data: Path, *args: str, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    full_env = {k: v for k, v in os.environ.items() if not k.startswith("ALARMVERN_")}
    full_env.update(env or {})
    return subprocess.run(
        [sys.executable, "-m", "alarmvern", "--data-dir", str(data), *args],
        capture_output=True,
        text=True,
        env=full_env,
        timeout=120,
    )


@pytest.fixture
def data(tmp_path: Path) -> Path:
    folder = tmp_path / "data"
    result = run(folder, "init")
    assert result.returncode == 0, result.stderr
    return folder


def test_init_makes_what_is_missing_and_says_so(tmp_path: Path) -> None:
    folder = tmp_path / "data"
    first = run(folder, "init")
    assert first.returncode == 0, first.stderr
    assert "master key file" in first.stdout and "database schema" in first.stdout
    key = folder / "master.key"
    assert stat.S_IMODE(key.stat().st_mode) == 0o600
    assert key.read_text().strip() not in first.stdout + first.stderr
    second = run(folder, "init")
    assert second.returncode == 0 and "nothing was changed" in second.stdout


def test_check_passes_on_the_default_pack(data: Path) -> None:
    result = run(data, "check")
    assert result.returncode == 0, result.stderr
    assert "OK" in result.stdout


def test_check_names_table_and_category_a_policy_leaves_uncovered(
    data: Path, tmp_path: Path
) -> None:
    policy = tmp_path / "partial.yaml"
    policy.write_text(covering_store(except_="user.alarm.event").text)
    engine = create_engine(f"sqlite:///{data / 'alarmvern.db'}")
    with engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO alarm_events (panel_account, protocol, code, occurred_at, "
                "received_at, flagged) VALUES ('000001', 'SIA-DCS', 'CL', '2026-01-01', "
                "'2026-01-01', 0)"
            )
        )
    engine.dispose()
    result = run(data, "--policy", str(policy), "check")
    assert result.returncode == 2
    assert "alarm_events" in result.stderr and "user.alarm.event" in result.stderr
    assert "Traceback" not in result.stderr


def test_audit_verify_catches_tampering(data: Path) -> None:
    ok = run(data, "audit", "verify")
    assert ok.returncode == 0 and "OK" in ok.stdout, ok.stderr
    engine = create_engine(f"sqlite:///{data / 'alarmvern.db'}")
    with engine.begin() as conn:
        conn.execute(text("UPDATE audit_log SET actor = 'mallory' WHERE seq = 1"))
    engine.dispose()
    broken = run(data, "audit", "verify")
    assert broken.returncode == 1 and "entry 1" in broken.stdout


@pytest.mark.parametrize(
    ("args", "env", "expected"),
    [
        (["--db", "mysql://nowhere/x", "check"], {}, "not supported"),
        (["--db", "postgresql://nobody@127.0.0.1:1/x", "check"], {}, "cannot connect"),
        (["--db", "::not a url::", "check"], {}, "--db"),
        (["check"], {"ALARMVERN_MASTER_KEY": "not-base64!"}, "ALARMVERN_MASTER_KEY"),
        (["check"], {"ALARMVERN_MASTER_KEY": "A" * 43 + "="}, "master key"),
    ],
)
def test_bad_settings_give_one_line_and_exit_2(
    data: Path, args: list[str], env: dict[str, str], expected: str
) -> None:
    result = run(data, *args, env=env)
    assert result.returncode == 2, result.stdout + result.stderr
    assert expected in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1, result.stderr


def test_a_missing_master_key_is_refused(data: Path) -> None:
    (data / "master.key").unlink()
    result = run(data, "check")
    assert result.returncode == 2 and "alarmvern init" in result.stderr


def test_an_uninitialised_data_dir_says_to_run_init(tmp_path: Path) -> None:
    result = run(tmp_path / "nowhere", "check")
    assert result.returncode == 2 and "alarmvern init" in result.stderr


def test_a_data_dir_that_cannot_be_made_is_refused_and_nothing_written(tmp_path: Path) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("")
    result = run(blocker / "data", "init")
    assert result.returncode == 2 and "data dir" in result.stderr
    assert blocker.read_text() == "" and list(tmp_path.iterdir()) == [blocker]


def test_a_newer_schema_is_refused(data: Path) -> None:
    engine = create_engine(f"sqlite:///{data / 'alarmvern.db'}")
    with engine.begin() as conn:
        conn.execute(text("UPDATE alembic_version SET version_num = '9999'"))
    engine.dispose()
    result = run(data, "check")
    assert result.returncode == 2 and "newer than this alarmvern" in result.stderr
