"""Importing customers from CSV: the dry run reports every bad row and changes nothing; the
real run is one transaction per file and idempotent by customer number; the CLI shows it."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import Engine, func, select
from typer.testing import CliRunner

import alarmvern.cli.customers
import alarmvern.cli.store  # noqa: F401  (they register their commands)
from alarmvern.cli import app
from alarmvern.customers.importing import import_customers
from alarmvern.store import tables as t
from alarmvern.vault import FolderBlobStore, MasterKey, Vault

EXAMPLE = Path(__file__).parent.parent / "docs" / "import-example.csv"


@pytest.fixture
def vault(tmp_path: Path) -> Vault:
    return Vault(MasterKey.generate(), FolderBlobStore(tmp_path / "blobs"))


def accounts(engine: Engine) -> int:
    with engine.connect() as conn:
        return int(conn.execute(select(func.count()).select_from(t.customer_accounts)).scalar_one())


def test_the_example_imports_once_and_a_second_run_changes_nothing(
    engine: Engine, vault: Vault
) -> None:
    lines = EXAMPLE.read_text(encoding="utf-8").splitlines(keepends=True)
    dry = import_customers(engine, vault, lines, actor="test", dry_run=True)
    assert (dry.rows, dry.imported, dry.bad, dry.committed) == (2, 2, [], False)
    assert accounts(engine) == 0
    first = import_customers(engine, vault, lines, actor="test")
    assert first.committed and first.imported == 2
    again = import_customers(engine, vault, lines, actor="test")
    assert (again.imported, again.skipped) == (0, 2)
    with engine.connect() as conn:
        contacts = conn.execute(select(func.count()).select_from(t.alarm_contacts)).scalar_one()
        users = conn.execute(select(func.count()).select_from(t.panel_users)).scalar_one()
    assert (accounts(engine), contacts, users) == (2, 2, 3)


def test_every_bad_row_is_named_by_line_and_column_and_nothing_is_written(
    engine: Engine, vault: Vault
) -> None:
    lines = [
        "customer_no,name,phone,street,postcode,panel_account,contact_name\n",
        "K1,Kari,91234567,Storgata 1,0155,P1,\n",
        "K2,Ola,12,Storgata 2,0155,P2,\n",  # line 3: phone
        "K3,Siri,,,0155,P3,\n",  # line 4: street
        "K4,Per,,Vei 4,0155,P1,\n",  # line 5: panel account of line 2
        "K1,Dup,,Vei 6,0155,P6,\n",  # line 6: customer number of line 2
        "K7,Liv,,Vei 7,0155,P7,Kontakt Uten Nummer\n",  # line 7: contact unreachable
    ]
    report = import_customers(engine, vault, lines, actor="test")
    assert [(b.line, b.column) for b in report.bad] == [
        (3, "phone"),
        (4, "street"),
        (5, "panel_account"),
        (6, "customer_no"),
        (7, "phone"),
    ]
    assert all(" / " in b.message for b in report.bad)
    assert not report.committed and accounts(engine) == 0


def test_the_cli_imports_with_a_progress_bar(tmp_path: Path) -> None:
    data = tmp_path / "data"
    runner = CliRunner()
    assert runner.invoke(app, ["--data-dir", str(data), "init"]).exit_code == 0
    dry = runner.invoke(
        app, ["--data-dir", str(data), "import", "customers", str(EXAMPLE), "--dry-run"]
    )
    assert dry.exit_code == 0, dry.output
    assert "nothing changed" in dry.output and "2/2" in dry.output
    real = runner.invoke(app, ["--data-dir", str(data), "import", "customers", str(EXAMPLE)])
    assert real.exit_code == 0 and "committed" in real.output
    found = runner.invoke(app, ["--data-dir", str(data), "customer", "find", "Bryggen"])
    assert "K200002" in found.output


def test_the_cli_sends_an_imported_customer_an_activation_link(tmp_path: Path) -> None:
    data = tmp_path / "data"
    runner = CliRunner()
    assert runner.invoke(app, ["--data-dir", str(data), "init"]).exit_code == 0
    imported = runner.invoke(app, ["--data-dir", str(data), "import", "customers", str(EXAMPLE)])
    assert imported.exit_code == 0, imported.output
    found = runner.invoke(app, ["--data-dir", str(data), "customer", "find", "K200001"])
    assert found.exit_code == 0, found.output
    account = found.output.split()[0]  # (Rich prints the tab as spaces)
    sent = runner.invoke(app, ["--data-dir", str(data), "customer", "invite", account])
    assert sent.exit_code == 0, sent.output
    (line,) = (data / "outbox" / "email.jsonl").read_text(encoding="utf-8").splitlines()
    assert '"to": "kari@example.no"' in line and "/aktiver?token=" in line
    again = runner.invoke(app, ["--data-dir", str(data), "customer", "invite", account])
    assert again.exit_code == 0  # not yet activated: a new link may be sent
