"""Links in mail point at the port ``serve`` listens on unless ALARMVERN_PUBLIC_URL is set."""

from __future__ import annotations

import os
from collections.abc import Coroutine
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

import alarmvern.cli.serve
import alarmvern.cli.store  # registers init
from alarmvern.cli import app
from alarmvern.outbox.settings import OutboxSettings, serve_url


def test_serve_url_follows_host_and_port() -> None:
    assert serve_url("127.0.0.1", 8123) == "http://127.0.0.1:8123"
    assert serve_url("0.0.0.0", 9001) == "http://127.0.0.1:9001"
    assert serve_url("::1", 8080) == "http://[::1]:8080"


def _serve(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, *args: str) -> str:
    seen: list[str] = []

    def run(coro: Coroutine[Any, Any, Any]) -> None:  # instead of serving
        coro.close()
        seen.append(OutboxSettings().public_url)

    monkeypatch.setattr(alarmvern.cli.serve.aio, "run", run)
    data = str(tmp_path / "data")
    runner = CliRunner()
    assert runner.invoke(app, ["--data-dir", data, "init"]).exit_code == 0
    result = runner.invoke(app, ["--data-dir", data, "serve", *args])
    assert result.exit_code == 0, result.output
    return seen[0]


def test_serve_sets_the_default_from_its_port(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("ALARMVERN_PUBLIC_URL", raising=False)
    assert _serve(tmp_path, monkeypatch, "--port", "8765") == "http://127.0.0.1:8765"
    os.environ.pop("ALARMVERN_PUBLIC_URL", None)  # serve set it in this (the test) process


def test_a_set_public_url_wins(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ALARMVERN_PUBLIC_URL", "https://alarm.example.no")
    assert _serve(tmp_path, monkeypatch, "--port", "8765") == "https://alarm.example.no"
