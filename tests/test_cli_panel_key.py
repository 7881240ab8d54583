"""`alarmvern panel key`: a panel's AES key is a secret, so it is read from a file, from
standard input or from a hidden prompt, never taken as an argument (which `ps` and the
shell's history show to others) (L11)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from alarmvern.intake import keys as panel_keys
from alarmvern.settings import Settings
from alarmvern.system import open_system
from tests.test_cli import data  # noqa: F401

KEY = "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff"


def _run(folder: Path, *args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("ALARMVERN_")}
    return subprocess.run(
        [sys.executable, "-m", "alarmvern", "--data-dir", str(folder), "panel", "key", *args],
        input=stdin, capture_output=True, text=True, env=env, timeout=120,
    )  # fmt: skip


def _keys(folder: Path) -> dict[str, bytes]:
    system = open_system(Settings(data_dir=folder))
    try:
        return panel_keys.load(system.engine, system.vault)
    finally:
        system.close()


def test_the_key_comes_from_standard_input_or_a_file(data: Path, tmp_path: Path) -> None:  # noqa: F811
    piped = _run(data, "5a0f31", stdin=KEY + "\n")
    assert piped.returncode == 0, piped.stderr
    assert KEY not in piped.stdout + piped.stderr
    secret = tmp_path / "panel.key"
    secret.write_text(KEY.upper() + "\n")
    filed = _run(data, "5A0F32", "--key-file", str(secret))
    assert filed.returncode == 0, filed.stderr
    assert _keys(data) == {"5A0F31": bytes.fromhex(KEY), "5A0F32": bytes.fromhex(KEY)}


def test_a_key_on_the_command_line_is_refused_and_nothing_registered(data: Path) -> None:  # noqa: F811
    given = _run(data, "5A0F31", KEY)
    assert given.returncode != 0
    assert "unexpected extra argument" in given.stderr.lower()
    empty = _run(data, "5A0F31", stdin="\n")
    assert empty.returncode != 0 and "ingen nøkkel gitt / no key given" in empty.stderr
    missing = _run(data, "5A0F31", "--key-file", str(data / "nope.key"))
    assert missing.returncode != 0 and "cannot read the key" in missing.stderr
    assert _keys(data) == {}
