"""Files made for a person (security review H4) and the name search (L3).

An access package holds the person's data in clear: it goes when the person is erased,
the receipt says so, and every file in exports/ expires after a week in any case.
"""

from __future__ import annotations

import os
import time
from pathlib import Path

from sqlalchemy import Engine

from alarmvern.retention.exports import EXPORT_DAYS
from alarmvern.retention.sweep import sweep
from alarmvern.rights import finder, requests, service
from alarmvern.rights.requests import Kind
from alarmvern.system import System
from alarmvern.vault import FolderBlobStore, MasterKey, Vault
from tests import builders as b
from tests import rights_world
from tests.test_rights_journal import _erasure_request, system  # noqa: F401 (fixture)


def _request(opened: System, person: int, kind: Kind) -> int:
    if kind is Kind.erasure:
        return _erasure_request(opened, person)
    with opened.engine.begin() as conn:
        made = requests.open_request(
            conn, kind=kind, channel=requests.Channel.email, person_id=person, actor="test"
        )
        allowed = opened.policy.policy.rights.verification
        requests.verify_identity(conn, made.id, method=allowed[0], actor="test", allowed=allowed)
    return made.id


def test_an_erasure_deletes_the_persons_packages_and_says_so(system: System) -> None:  # noqa: F811
    with system.engine.begin() as conn:
        world = rights_world.build(conn, system.vault)
    access = _request(system, world.person, Kind.access)
    package = service.access(system, access, actor="test", pdf=False)
    assert package.path.exists()
    receipt, text = service.erase(system, _request(system, world.person, Kind.erasure), actor="t")
    assert not package.path.exists()
    assert receipt.exports_deleted == [package.path.name]
    said = text.read_text(encoding="utf-8")
    assert "pakker laget til deg er slettet (1)" in said and "packages made for you" in said


def test_the_sweep_deletes_exports_older_than_a_week(system: System) -> None:  # noqa: F811
    folder = system.settings.exports_dir
    folder.mkdir(parents=True, exist_ok=True)
    old, new = folder / "request-1-access.zip", folder / "request-2-access.zip"
    old.write_bytes(b"PK old")
    new.write_bytes(b"PK new")
    week_ago = time.time() - (EXPORT_DAYS + 1) * 86400
    os.utime(old, (week_ago, week_ago))
    report = sweep(system.engine, system.policy.policy, system.vault, exports=folder)
    assert report.exports_deleted == 1 and not old.exists() and new.exists()


def test_wildcards_in_a_name_search_match_only_themselves(engine: Engine, tmp_path: Path) -> None:
    vault = Vault(MasterKey.generate(), FolderBlobStore(tmp_path / "blobs"))
    with engine.begin() as conn:
        b.person(conn, name="Kari Nordmann", email="k@example.test")
        percent = b.person(conn, name="100% Sikkerhet", email="p@example.test")
        for wildcard in ("%", "_"):
            found = [c.person_id for c in finder.find(conn, vault, name=wildcard)]
            assert found == ([percent] if wildcard == "%" else []), wildcard
