"""The DPO's audit search (issue 17, item 3): by person, through their accounts, sites and
images; "who has looked at this customer's images" in one step; by actor, action family,
purpose and date; bad dates refused with the reason."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import Engine

from alarmvern import audit
from alarmvern.audit import search
from alarmvern.vault import FolderBlobStore, MasterKey, Vault
from tests import builders as b
from tests import rights_world


def test_who_has_seen_a_customers_images(engine: Engine, tmp_path: Path) -> None:
    vault = Vault(MasterKey.generate(), FolderBlobStore(tmp_path / "blobs"))
    with engine.begin() as conn:
        world = rights_world.build(conn, vault)
        mine, _ = b.image(conn, vault, world.account, rights_world.NOW)
        theirs, _ = b.image(conn, vault, world.neighbour_account, rights_world.NOW)
        look = {"actor": "operator:4", "action": "operator.view", "purpose": "incident:1"}
        audit.append(conn, subject=f"media:{mine}", details={"media": 1}, **look)
        audit.append(conn, subject=f"site:{world.site}", details={"media": 2}, **look)
        audit.append(conn, subject=f"site:{world.site}", details={"media": 0}, **look)
        audit.append(conn, subject=f"media:{theirs}", details={"media": 1}, **look)
        audit.append(conn, actor="dpo:6", action="staff.view", subject=f"person:{world.person}",
                     purpose="rights-request:1", details={})  # fmt: skip
    with engine.connect() as conn:
        seen = search.search(conn, search.Query(person_id=world.person, images=True))
        everything = search.search(conn, search.Query(person_id=world.person))
        family = search.search(conn, search.Query(action="operator.", actor="operator:4"))
        today = rights_world.NOW.date()
        none = search.search(conn, search.Query(since=today + timedelta(days=2)))
        with pytest.raises(search.SearchError, match="før fra-datoen"):
            search.search(conn, search.Query(since=today, until=today - timedelta(days=1)))
        with pytest.raises(search.SearchError, match="velg en person"):
            search.search(conn, search.Query(images=True))
    assert [e.subject for e in seen] == [f"site:{world.site}", f"media:{mine}"]
    assert {e.actor for e in seen} == {"operator:4"}
    assert f"person:{world.person}" in {e.subject for e in everything}
    assert f"media:{theirs}" not in {e.subject for e in everything}
    assert len(family) == 4 and none == []
