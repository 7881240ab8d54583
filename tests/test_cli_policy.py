"""The policy commands from the command line: notice, lint, record of processing, diff."""

from __future__ import annotations

import csv
import io
import itertools
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from alarmvern.policy import pack_names
from tests.test_cli import run


@pytest.mark.parametrize("lang", ["nb", "en"])
def test_the_notice_renders_for_every_pack(tmp_path: Path, lang: str) -> None:
    # Each pack once, the formats taking turns: every pack in both formats and languages is
    # rendered in-process by test_notice.test_every_pack_renders; this is the command's path.
    for pack, fmt in zip(pack_names(), itertools.cycle(("md", "html")), strict=False):
        result = run(tmp_path, "notice", pack, "--lang", lang, "--format", fmt)
        assert result.returncode == 0, (pack, result.stderr)
        assert "Datatilsynet" in result.stdout, pack
        assert ("<h1" in result.stdout) == (fmt == "html"), (pack, fmt)


def test_lint_exits_1_on_errors_and_names_article_and_quote(tmp_path: Path) -> None:
    result = run(tmp_path, "policy", "lint", "alltid24", "--json")
    assert result.returncode == 1
    assert "id-document-copy" in result.stdout and "art. 12" in result.stdout


def test_the_record_of_processing_names_the_store_tables(tmp_path: Path) -> None:
    result = run(tmp_path, "policy", "ropa", "sector-alarm", "--format", "csv")
    assert result.returncode == 0, result.stderr
    rows = list(csv.reader(io.StringIO(result.stdout)))
    assert len(rows) > 2 and "persons" in result.stdout


def test_diff_exits_1_on_a_material_change(tmp_path: Path) -> None:
    old = Path(__file__).parent / "data" / "retention.yaml"
    new = tmp_path / "new.yaml"
    new.write_text(old.read_text().replace("keep: 7d, from: captured", "keep: 14d, from: captured"))
    result = run(tmp_path, "policy", "diff", str(old), str(new))
    assert result.returncode == 1
    assert "user.alarm.media" in result.stdout
    same = run(tmp_path, "policy", "diff", str(old), str(old))
    assert same.returncode == 0


def test_a_broken_policy_file_is_one_located_line_per_problem(tmp_path: Path) -> None:
    bad = tmp_path / "atlo.yaml"
    text = (Path(__file__).parent / "data" / "retention.yaml").read_text()
    bad.write_text(text.replace("keep: 7d, from: captured", 'keep: "7 dager", from: captured'))
    result = run(tmp_path, "policy", "lint", str(bad))
    assert result.returncode == 2
    assert result.stderr.startswith("atlo.yaml:")
    assert '"7 dager" is not a duration; write 7d, 12mo or 5y' in result.stderr


def test_versions_lists_the_stores_history_and_marks_a_material_change(tmp_path: Path) -> None:
    """The same history the DPO console and the API show (alarmvern.policy_history)."""
    data = tmp_path / "data"
    assert run(data, "init").returncode == 0
    engine = create_engine(f"sqlite:///{data / 'alarmvern.db'}")
    with engine.begin() as conn:
        source = conn.execute(text("SELECT source FROM policy_versions")).scalar_one()
        longer = source.replace("user.alarm.media: {keep: 7d", "user.alarm.media: {keep: 14d")
        assert longer != source
        conn.execute(
            text(
                "INSERT INTO policy_versions (name, version, sha256, policy_date, applied_at, "
                "source) VALUES ('default', '2099.1', :sha, '2099-01-01', :at, :source)"
            ),
            {"sha": "f" * 64, "at": datetime.now(UTC).isoformat(" "), "source": longer},
        )
    engine.dispose()
    result = run(data, "policy", "versions")
    assert result.returncode == 0, result.stderr
    newest, first = result.stdout.index("2099.1"), result.stdout.index("første versjon")
    assert newest < first, "newest first"
    assert "VESENTLIG / MATERIAL" in result.stdout
    # Dated after today: shown as coming, while the first version is the one in force.
    assert "Kommer 01.01.2099 / Coming" in result.stdout
    assert "Gjelder nå / In force" in result.stdout
    # The customers to tell, as CSV (none in a new store but the header); the first version
    # changed nothing, so nobody is to be told of it.
    listed = run(data, "policy", "customers", "2")
    assert listed.returncode == 0, listed.stderr
    assert listed.stdout.splitlines() == ["kundenr,navn,firma,e-post,telefon,varslet"]
    engine = create_engine(f"sqlite:///{data / 'alarmvern.db'}")
    with engine.connect() as conn:
        exports = conn.execute(
            text("SELECT actor, purpose FROM audit_log WHERE action = 'staff.export'")
        ).all()
    engine.dispose()
    assert [tuple(e) for e in exports] == [("system", "policy-change:2")], "audited, as the page"
    nothing = run(data, "policy", "customers", "1")
    assert nothing.returncode == 2 and "ingen vesentlige endringer" in nothing.stderr
