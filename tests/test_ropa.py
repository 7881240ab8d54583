"""The record of processing (art. 30(1)) lists what the policy says, per activity and category."""

from __future__ import annotations

import csv
import io
from typing import Literal

import pytest

from alarmvern.policy import Policy, loads
from alarmvern.policy.ropa import SECURITY, render_ropa
from tests.policies import BASE

TABLES = {
    "user.contact.email": ["persons"],
    "user.contact.address": ["persons", "sites"],
    "user.alarm.media": ["media"],
    "user.alarm.event": ["alarm_events"],
}


def policy(text: str = BASE) -> Policy:
    return loads(text).policy


def rows(text: str = BASE, lang: Literal["nb", "en"] = "nb") -> list[dict[str, str]]:
    out = render_ropa(policy(text), "csv", TABLES, lang=lang)
    return list(csv.DictReader(io.StringIO(out)))


def test_csv_has_one_row_per_activity_and_category() -> None:
    found = rows(lang="en")
    assert [(r["activity_id"], r["category_key"]) for r in found] == [
        ("service", "user.contact"),
        ("service", "user.alarm.media"),
        ("newsletter", "user.contact"),
    ]
    media = found[1]
    assert media["controller"] == "Test Alarm AS (999999999)"
    assert media["legal_basis"] == "Contract (art. 6(1)(b))"
    assert media["time_limit"] == "7 days from capture; then deleted"
    assert media["tables"] == "media"
    assert media["recipients"] == "Hosting provider (processor, NO)"
    assert media["third_country_transfers"] == ""
    assert media["security_measures"] == SECURITY.en


def test_a_parent_category_binds_every_table_below_it() -> None:
    contact = rows()[0]
    assert contact["tabeller"] == "persons sites"
    assert (
        contact["slettefrist"]
        == "12 måneder etter at kundeforholdet er avsluttet; deretter slettes"
    )


def test_without_store_tables_the_record_still_renders() -> None:
    out = render_ropa(policy(), "md")
    assert "ingen tabeller" in out and "| Formål | Levere alarmtjenesten |" in out


def test_markdown_names_controller_dpo_and_each_activity() -> None:
    out = render_ropa(policy(), "md", TABLES, lang="en")
    assert out.startswith("# Record of processing activities")
    assert "**Controller:** Test Alarm AS, post@test.example" in out
    assert "**Data protection officer:** Ombud, personvern@test.example" in out
    assert "## The alarm service (`service`)" in out and "## Newsletter (`newsletter`)" in out
    assert "| Legal basis | Consent (art. 6(1)(a)) |" in out
    assert "| Images from" not in out
    assert (
        "| Alarm images (`user.alarm.media`) | 7 days from capture; then deleted | media |" in out
    )
    assert "at once after consent is withdrawn" in out


def test_a_third_country_transfer_shows_its_safeguard() -> None:
    text = BASE.replace('country: "NO"', "country: US\n    transfer: scc")
    out = render_ropa(policy(text), "md", TABLES)
    assert "Driftsleverandør (US): EUs standardkontrakter (art. 46(2)(c))" in out
    assert rows(text)[0]["tredjelandsoverføring"].startswith("Driftsleverandør (US)")


def test_legal_basis_carries_the_interest_or_the_law() -> None:
    text = BASE.replace(
        "    legal_basis: consent\n",
        "    legal_basis: legal_obligation\n    law: {nb: Bokføringsloven § 13, en: The Bookkeeping"
        " Act s. 13}\n",
    )
    assert rows(text)[2]["behandlingsgrunnlag"] == (
        "Rettslig forpliktelse (art. 6(1)(c)): Bokføringsloven § 13"
    )


def test_hold_anonymisation_and_conditions_are_spelled_out() -> None:
    text = BASE.replace(
        '{keep: 7d, from: captured, quote: "Bilder lagres i 7 dager."}',
        "{keep: 7d, from: captured, hold_max: 30d, then: anonymise, strategy: drop,"
        " unless: [open_incident]}",
    )
    assert rows(text, "en")[1]["time_limit"] == (
        "7 days from capture, up to 30 days where the police are likely to need the recording;"
        " then the value is deleted (except with an open incident)"
    )


def test_a_security_note_replaces_the_default_description() -> None:
    text = BASE + "notes:\n  - {nb: Vi krypterer alt., en: We encrypt everything.}\n"
    out = render_ropa(policy(text), "md", lang="en")
    assert "We encrypt everything." in out and SECURITY.en not in out


def test_markdown_cells_escape_pipes() -> None:
    text = BASE.replace("Levere alarmtjenesten", '"Levere | alarmtjenesten"')
    assert "Levere \\| alarmtjenesten" in render_ropa(policy(text), "md")


def test_an_unknown_format_is_refused() -> None:
    with pytest.raises(ValueError, match="md or csv"):
        render_ropa(policy(), "pdf")  # type: ignore[arg-type]
