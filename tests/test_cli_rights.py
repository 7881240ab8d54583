"""Each right from the command line, end to end on a real data folder, with its audit trail."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

from sqlalchemy import func, select

from alarmvern.settings import Settings
from alarmvern.store import tables as t
from alarmvern.store.engine import create_store_engine
from alarmvern.vault import Vault, blob_store_from, load_master_key
from tests import rights_world
from tests.test_cli import run

POLICY = "default"


def setup(tmp_path: Path) -> tuple[Path, rights_world.World]:
    data = tmp_path / "data"
    assert run(data, "--policy", POLICY, "init").returncode == 0
    settings = Settings(data_dir=data)
    vault = Vault(load_master_key(settings), blob_store_from(settings))
    engine = create_store_engine(settings.db_url)
    with engine.begin() as conn:
        world = rights_world.build(conn, vault)
    engine.dispose()
    return data, world


def cli(data: Path, *args: str) -> str:
    result = run(data, "--policy", POLICY, *args)
    assert result.returncode == 0, result.stderr
    return result.stdout


def request_number(said: str) -> str:
    return said.split("request", 1)[1].split(":", 1)[0].strip()


def audit_actions(data: Path) -> list[str]:
    engine = create_store_engine(Settings(data_dir=data).db_url)
    with engine.connect() as conn:
        actions = list(conn.execute(select(t.audit_log.c.action)).scalars())
    engine.dispose()
    return actions


def test_access_from_request_to_release(tmp_path: Path) -> None:
    data, world = setup(tmp_path)
    found = cli(data, "rights", "find", "--email", "KARI@example.test", "--phone", "91234567")
    assert str(world.person) in found and "customer" in found
    number = request_number(cli(data, "rights", "open", "access", "--channel", "email"))
    # Nothing is released about nobody, or to someone whose identity is unchecked.
    refused = run(data, "--policy", POLICY, "rights", "access", number)
    assert refused.returncode == 2 and "concerns nobody" in refused.stderr
    cli(data, "rights", "confirm", number, str(world.person))
    refused = run(data, "--policy", POLICY, "rights", "access", number)
    assert refused.returncode == 2 and "not verified" in refused.stderr
    copy = run(data, "--policy", POLICY, "rights", "verify", number, "--method", "id_document_copy")
    assert copy.returncode == 2
    cli(data, "rights", "verify", number, "--method", "one_time_code")
    said = cli(data, "rights", "access", number, "--no-pdf")
    assert "review-done" in said
    package = data / "exports" / f"request-{number}-access.zip"
    assert zipfile.ZipFile(package).testzip() is None
    assert (package.stat().st_mode & 0o077) == 0  # owner only
    closing = run(data, "--policy", POLICY, "rights", "close", number, "--outcome", "sent")
    assert closing.returncode == 2 and "Review for others' data" in closing.stderr  # the step named
    cli(data, "rights", "review-done", number)
    cli(data, "rights", "close", number, "--outcome", "Pakken sendt kryptert")
    listed = json.loads(cli(data, "rights", "list", "--all", "--json"))
    assert next(r for r in listed if r["id"] == int(number))["status"] == "done"
    actions = audit_actions(data)
    for step in (
        "rights.received",
        "rights.identity_verified",
        "rights.package_built",
        "rights.third_party_review.done",
        "rights.closed",
    ):
        assert step in actions
    assert "OK" in cli(data, "audit", "verify")


def test_erasure_restriction_objection_withdrawal(tmp_path: Path) -> None:
    data, world = setup(tmp_path)
    person = str(world.person)

    def request(kind: str) -> str:
        number = request_number(cli(data, "rights", "open", kind, "--person", person))
        cli(data, "rights", "verify", number, "--method", "mine_sider")
        return number

    withdraw = request("withdrawal")
    assert "presence" in cli(data, "rights", "withdraw", withdraw, "--activity", "presence")
    objection = request("objection")
    neither = run(data, "--policy", POLICY, "rights", "object", objection)
    assert neither.returncode == 2, neither.stderr  # refused by the rule the pages use too
    assert "velg enten direkte markedsføring" in neither.stderr
    assert "--marketing | --activity ID" in neither.stderr
    cli(data, "rights", "object", objection, "--marketing")
    restrict = request("restriction")
    cli(data, "rights", "restrict", restrict, "--reason", "accuracy")
    assert "art. 18 nr. 3" in cli(data, "rights", "lift-notice", restrict)
    cli(data, "rights", "lift", restrict)
    li = request("objection")
    cli(data, "rights", "object", li, "--activity", "alarm-calls")
    assert "decision" in cli(data, "rights", "show", li)
    cli(data, "rights", "decide", li, "--uphold", "--reason", "Ingen tvingende grunner")
    portable = request("portability")
    assert "portability.zip" in cli(data, "rights", "portability", portable)
    fix = request("rectification")
    said = cli(
        data,
        "rights",
        "rectify",
        fix,
        "--table",
        "persons",
        "--row",
        person,
        "--column",
        "street",
        "--value",
        "Ny gate 2",
    )
    assert "rettet" in said
    erase = request("erasure")
    said = cli(data, "rights", "erase", erase)
    assert "invoices: kept" in said and "recipients_notified" in said  # the police got data
    letter = (data / "exports" / f"request-{erase}-erasure-police.txt").read_text()
    assert "Kari" not in letter and f"person:{person}" in letter
    receipt = (data / "exports" / f"request-{erase}-kvittering.txt").read_text()
    assert "Beholdt" in receipt and "bokføringsloven" in receipt  # the law as the pack names it
    engine = create_store_engine(Settings(data_dir=data).db_url)
    with engine.connect() as conn:
        presence = conn.execute(
            select(func.count())
            .select_from(t.presence)
            .where(t.presence.c.person_id == world.person)
        ).scalar_one()
        suppressed = conn.execute(
            select(func.count()).select_from(t.marketing_suppressions)
        ).scalar_one()
    engine.dispose()
    assert presence == 0 and suppressed == 2  # e-mail (already there) and phone
    for action in (
        "consent.withdrawn",
        "objection.marketing",
        "restriction.placed",
        "restriction.lifted",
        "rights.decided",
        "rights.erased",
    ):
        assert action in audit_actions(data)
    assert "1 " in cli(data, "rights", "replay-erasures", "--since", "2020-01-01")
    assert "OK" in cli(data, "audit", "verify")
