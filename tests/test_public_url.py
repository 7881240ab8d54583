"""Links in mail point at the port actually served when ALARMVERN_PUBLIC_URL is unset."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from alarmvern.outbox.settings import OutboxSettings, public_url_for, serving_at
from alarmvern.outbox.wiring import outbox_of
from tests.serve_support import serve_until_ready


def test_links_default_to_the_served_port_and_the_setting_wins(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("ALARMVERN_PUBLIC_URL", raising=False)
    with serving_at("0.0.0.0", 8123):
        assert OutboxSettings().public_url == "http://127.0.0.1:8123"
    assert OutboxSettings().public_url == "http://127.0.0.1:8000"  # unset again after
    monkeypatch.setenv("ALARMVERN_PUBLIC_URL", "https://alarm.example.no")
    with serving_at("127.0.0.1", 8123):
        assert OutboxSettings().public_url == "https://alarm.example.no"


def test_the_served_address_as_a_link_gives_it() -> None:
    assert public_url_for("alarm.local", 9443) == "http://alarm.local:9443"
    assert public_url_for("::", 8001) == "http://[::1]:8001"


def test_serve_on_another_port_puts_that_port_in_links(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("ALARMVERN_PUBLIC_URL", raising=False)
    url = serve_until_ready(tmp_path / "data", lambda system: outbox_of(system).public_url)
    assert url.startswith("http://127.0.0.1:") and not url.endswith(":8000")
    assert "ALARMVERN_PUBLIC_URL" not in os.environ
