"""Broken policy files: each error names file:line:col and the field, says what to write
instead (nb and en), and nothing of the file is applied."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from alarmvern.policy import PolicyError, Problem, load
from tests.policies import covering
from tests.test_cli import run

GOOD = covering(["user.alarm.media"]).text


def broken(tmp_path: Path, text_: str, name: str = "broken.yaml") -> list[Problem]:
    path = tmp_path / name
    path.write_text(text_, encoding="utf-8")
    before = path.read_bytes()
    with pytest.raises(PolicyError) as caught:
        load(path)
    assert path.read_bytes() == before  # the loader changes nothing, not even the file
    return caught.value.problems


def line_of(text_: str, fragment: str) -> int:
    return next(i for i, s in enumerate(text_.splitlines(), 1) if fragment in s)


def test_an_unclosed_bracket_is_placed_where_it_opened(tmp_path: Path) -> None:
    bad = GOOD.replace("subjects: [customer]", "subjects: [customer")
    [p] = broken(tmp_path, bad)
    assert (p.file, p.line) == ("broken.yaml", line_of(bad, "subjects: [customer"))
    assert p.column == bad.splitlines()[p.line - 1].index("[") + 1
    assert "']'" in p.hint_en and "«]»" in p.hint_nb


def test_an_unclosed_quote_is_placed_where_it_opened_not_at_the_end(tmp_path: Path) -> None:
    bad = GOOD.replace('version: "test-1"', 'version: "test-1')
    [p] = broken(tmp_path, bad)
    assert p.line == line_of(bad, 'version: "test-1') == 1
    assert p.line < len(bad.splitlines())
    assert "never closed" in p.hint_en and "lukkes aldri" in p.hint_nb


def test_a_tab_is_named_as_a_tab(tmp_path: Path) -> None:
    bad = GOOD.replace("    legal_basis: contract", "\tlegal_basis: contract")
    [p] = broken(tmp_path, bad)
    assert p.line == line_of(bad, "\tlegal_basis")
    assert "tab" in p.message and "spaces, not tabs" in p.hint_en and "tabulator" in p.hint_nb


def test_an_unquoted_colon_in_a_value_gets_quotes_as_the_hint(tmp_path: Path) -> None:
    block = GOOD.replace(
        "    purpose: {nb: Levere tjenesten, en: Deliver the service}",
        "    purpose:\n      nb: Merk: levere\n      en: x",
    )
    [q] = broken(tmp_path, block)
    assert q.line == line_of(block, "nb: Merk: levere")
    assert "quoted" in q.hint_en and "anførselstegn" in q.hint_nb


def test_a_duplicate_key_is_placed_at_the_second_one(tmp_path: Path) -> None:
    bad = GOOD.replace(
        "    legal_basis: contract\n", "    legal_basis: contract\n    legal_basis: consent\n"
    )
    [p] = broken(tmp_path, bad)
    assert p.line == line_of(bad, "legal_basis: consent")
    assert "twice" in p.hint_en and "to ganger" in p.hint_nb


def test_a_misspelt_key_gets_the_key_it_meant(tmp_path: Path) -> None:
    bad = GOOD.replace("    legal_basis: contract", "    legal_basis: contract\n    purpse: x")
    [p] = broken(tmp_path, bad)
    assert p.line == line_of(bad, "purpse") and p.column == 5
    assert p.path == "activities[0].purpse"
    assert p.hint_en == "did you mean 'purpose'?" and "purpose" in p.hint_nb


def test_a_missing_language_names_the_language(tmp_path: Path) -> None:
    bad = GOOD.replace("{nb: Tjeneste, en: Service}", "{nb: Tjeneste}")
    [p] = broken(tmp_path, bad)
    assert p.path == "activities[0].name.en" and p.line == line_of(bad, "{nb: Tjeneste}")
    assert "(en missing)" in p.hint_en and "mangler en" in p.hint_nb


def test_a_wrong_basis_lists_the_ones_there_are(tmp_path: Path) -> None:
    bad = GOOD.replace("legal_basis: contract", "legal_basis: kontrakt")
    [p] = broken(tmp_path, bad)
    assert p.path == "activities[0].legal_basis" and p.line == line_of(bad, "kontrakt")
    assert "'contract'" in p.hint_en and "'legitimate_interest'" in p.hint_en
    assert p.hint_nb.startswith("skriv en av:")


def test_a_bad_date_says_how_dates_are_written(tmp_path: Path) -> None:
    bad = GOOD.replace("date: 2026-01-01", "date: 30.02.2019")
    [p] = broken(tmp_path, bad)
    assert (p.path, p.line) == ("date", 2)
    assert "YYYY-MM-DD" in p.hint_en and "ÅÅÅÅ-MM-DD" in p.hint_nb


def test_the_printed_problem_carries_place_field_message_and_hint() -> None:
    p = Problem("x.yaml", 3, 5, "activities[0].purpse", "unknown key", "mente du", "did you mean")
    assert str(p) == "x.yaml:3:5: activities[0].purpse: unknown key (hint: did you mean)"
    assert p.text("nb") == "x.yaml:3:5: activities[0].purpse: unknown key (tips: mente du)"


def test_a_broken_policy_is_not_applied_to_the_store(tmp_path: Path) -> None:
    data = tmp_path / "data"
    assert run(data, "init").returncode == 0
    engine = create_engine(f"sqlite:///{data / 'alarmvern.db'}")
    with engine.connect() as conn:
        before = conn.execute(text("SELECT count(*) FROM policy_versions")).scalar()
    bad = tmp_path / "bad.yaml"
    bad.write_text(GOOD.replace("legal_basis: contract", "legal_basis: kontrakt"))
    result = run(data, "--policy", str(bad), "check")
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert result.stderr.startswith(f"bad.yaml:{line_of(bad.read_text(), 'kontrakt')}:")
    assert "hint: write one of:" in result.stderr
    with engine.connect() as conn:
        after = conn.execute(text("SELECT count(*) FROM policy_versions")).scalar()
    engine.dispose()
    assert after == before
