"""`alarmvern breach`: register, list, decide, draft and mark sent from the command line."""

from __future__ import annotations

from pathlib import Path

from tests.test_cli import run


def test_a_breach_goes_from_register_to_a_sent_notification(tmp_path: Path) -> None:
    assert run(tmp_path, "init").returncode == 0
    missing = run(tmp_path, "breach", "register", "--title", "T", "--description", "D")
    assert missing.returncode == 2 and "discovered_at" in missing.stderr
    made = run(
        tmp_path, "breach", "register", "--title", "Lost laptop", "--description", "Stolen",
        "--discovered", "2026-11-30T08:00", "--category", "user.contact",
    )  # fmt: skip
    assert made.returncode == 0, made.stderr
    assert "2026-12-03T08:00" in made.stdout  # 72 hours on
    listed = run(tmp_path, "breach", "list", "--json")
    assert '"title": "Lost laptop"' in listed.stdout
    unreasoned = run(tmp_path, "breach", "decide", "1", "--authority", "--no-people")
    assert unreasoned.returncode == 2 and "reasons" in unreasoned.stderr
    decided = run(
        tmp_path, "breach", "decide", "1", "--authority", "--no-people", "--reasons", "Risk"
    )
    assert decided.returncode == 0, decided.stderr
    drafted = run(tmp_path, "breach", "draft", "1", "--lang", "en")
    assert "(a) Categories of data" in drafted.stdout
    assert run(tmp_path, "breach", "sent", "1").returncode == 0
    again = run(tmp_path, "breach", "sent", "1")
    assert again.returncode == 2 and "sent_at" in again.stderr
