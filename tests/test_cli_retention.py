"""Retention and holds from the command line, end to end on a real data folder."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from alarmvern.settings import Settings
from alarmvern.store.engine import create_store_engine
from alarmvern.vault import Vault, blob_store_from, load_master_key
from tests import builders as b
from tests.test_cli import run

# The default pack: it covers every category, as a policy the system runs on must.
POLICY = "default"


def test_sweep_forecast_and_holds(tmp_path: Path) -> None:
    data = tmp_path / "data"
    assert run(data, "--policy", POLICY, "init").returncode == 0
    settings = Settings(data_dir=data)
    vault = Vault(load_master_key(settings), blob_store_from(settings))
    engine = create_store_engine(settings.db_url)
    with engine.begin() as conn:
        acc = b.account(conn, b.person(conn))
        media_id, blob_id = b.image(conn, vault, acc, datetime.now(UTC) - timedelta(days=8))
        b.image(conn, vault, acc, datetime.now(UTC) - timedelta(days=3))
    engine.dispose()

    def cli(*args: str) -> str:
        result = run(data, "--policy", POLICY, *args)
        assert result.returncode == 0, result.stderr
        return result.stdout

    assert json.loads(cli("retention", "sweep", "--dry-run", "--json"))["rows"] == 1
    foretold = json.loads(cli("retention", "forecast", "--days", "30", "--json"))
    media = next(u for u in foretold["units"] if u["unit"] == "media:user.alarm.media")
    assert media["due_now"] == 1 and sum(media["by_day"].values()) == 1

    until = (date.today() + timedelta(days=5)).isoformat()
    cli("hold", "place", "media", str(media_id), "--reason", "Politisak 1", "--until", until)
    assert [h["target_id"] for h in json.loads(cli("hold", "list", "--json"))] == [media_id]
    assert json.loads(cli("retention", "sweep", "--json"))["rows"] == 0
    assert vault.blobs.exists(blob_id)

    cli("hold", "release", "1")
    swept = json.loads(cli("retention", "sweep", "--json"))
    assert swept["rows"] == 1 and swept["blobs_deleted"] == 1
    assert not vault.blobs.exists(blob_id)
    assert "OK" in cli("audit", "verify")


def test_a_sweep_cannot_run_as_of_another_day(tmp_path: Path) -> None:
    data = tmp_path / "data"
    assert run(data, "--policy", POLICY, "init").returncode == 0
    result = run(data, "--policy", POLICY, "retention", "sweep", "--as-of", "2030-01-01")
    assert result.returncode == 2 and "--dry-run" in result.stderr


def test_a_hold_past_the_maximum_is_refused_in_one_line(tmp_path: Path) -> None:
    data = tmp_path / "data"
    assert run(data, "--policy", POLICY, "init").returncode == 0
    settings = Settings(data_dir=data)
    vault = Vault(load_master_key(settings), blob_store_from(settings))
    engine = create_store_engine(settings.db_url)
    with engine.begin() as conn:
        media_id, _ = b.image(conn, vault, b.account(conn, b.person(conn)), datetime.now(UTC))
    engine.dispose()
    until = (date.today() + timedelta(days=60)).isoformat()
    result = run(
        data,
        "--policy",
        POLICY,
        "hold",
        "place",
        "media",
        str(media_id),
        "--reason",
        "x",
        "--until",
        until,
    )
    assert result.returncode == 2 and "--override" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
