"""Uploads over HTTP from cameras, the app and the phone system, into a real store: device
tokens, media tied to the open incident, presence under consent, calls tied to people."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import Engine, select

from alarmvern.intake import devices, media, presence
from alarmvern.intake import incidents as inc
from alarmvern.policy import load
from alarmvern.rights import consent
from alarmvern.settings import Settings
from alarmvern.store import tables as t
from alarmvern.system import System
from alarmvern.vault import FolderBlobStore, MasterKey, Vault
from alarmvern.web.uploads import router
from tests import builders as b

JPEG = b"\xff\xd8\xff\xe0 a small test jpeg"
CAPTURED = b.T0.isoformat()
HOME = {"lat": 59.910531, "lon": 10.750617}  # about 70 m from the site (59.91, 10.75)
AWAY = {"lat": 59.913786, "lon": 10.756129}  # about 540 m from it


@dataclass
class World:
    system: System
    client: TestClient
    holder: int
    account: int
    site: int
    camera: str
    app: str
    phone: str


@pytest.fixture
def world(engine: Engine, tmp_path: Path) -> Iterator[World]:
    vault = Vault(MasterKey.generate(), FolderBlobStore(tmp_path / "blobs"))
    system = System(Settings(data_dir=tmp_path), engine, load("default"), vault)
    app = FastAPI()
    app.include_router(router)
    app.state.system = system
    with engine.begin() as conn:
        holder = b.person(conn)
        account = b.account(conn, holder)
        site = b.site(conn, account)
        _, camera = devices.register(conn, kind="camera", site_id=site, name="Stue")
        _, app_token = devices.register(conn, kind="app", account_id=account, person_id=holder)
        _, phone = devices.register(conn, kind="phone_system", name="Sentralbord")
    with TestClient(app) as client:
        yield World(system, client, holder, account, site, camera, app_token, phone)


def _auth(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def _media(world: World, token: str, data: bytes = JPEG, **form: Any) -> Any:
    files = {"file": ("bilde.jpg", data, form.pop("content_type", "image/jpeg"))}
    body = {"captured_at": CAPTURED, **form}
    return world.client.post("/api/v1/intake/media", headers=_auth(token), files=files, data=body)


def _rows(world: World, table: t.Table) -> list[Any]:  # type: ignore[name-defined]
    with world.system.engine.connect() as conn:
        return list(conn.execute(select(table).order_by(*table.primary_key.columns)))


def _actions(world: World) -> list[str]:
    return [r.action for r in _rows(world, t.audit_log)]


# -- tokens -----------------------------------------------------------------------------------


def test_only_the_tokens_hash_is_stored_and_a_revoked_token_stops_working(world: World) -> None:
    stored = [r.token_hash for r in _rows(world, t.devices)]
    assert devices.hash_token(world.camera) in stored and world.camera not in stored
    with world.system.engine.begin() as conn:
        device = devices.authenticate(conn, world.camera)
        assert device is not None and device.kind == "camera" and device.site_id == world.site
        assert device.account_id == world.account  # taken from the site
        devices.revoke(conn, device.id)
        assert devices.authenticate(conn, world.camera) is None
    answer = _media(world, world.camera)
    assert answer.status_code == 401 and answer.json()["code"] == "unauthenticated"


@pytest.mark.parametrize("headers", [{}, {"Authorization": "Bearer nope"}, {"Authorization": "x"}])
def test_uploads_without_a_valid_token_are_refused(world: World, headers: dict[str, str]) -> None:
    files = {"file": ("a.jpg", JPEG, "image/jpeg")}
    answer = world.client.post(
        "/api/v1/intake/media", headers=headers, files=files, data={"captured_at": CAPTURED}
    )
    assert answer.status_code == 401
    assert answer.headers["www-authenticate"] == "Bearer"
    assert set(answer.json()) == {"status", "code", "message", "field"}
    assert _rows(world, t.media) == []


def test_a_device_may_only_upload_its_own_kind(world: World) -> None:
    answer = _media(world, world.app)
    assert answer.status_code == 403 and answer.json()["code"] == "wrong_device"
    answer = world.client.post(
        "/api/v1/intake/presence", headers=_auth(world.camera), json={"state": "home"}
    )
    assert answer.status_code == 403 and answer.json()["code"] == "wrong_device"


# -- media ------------------------------------------------------------------------------------


def test_media_go_with_the_open_incident_encrypted(world: World) -> None:
    with world.system.engine.begin() as conn:
        incident = inc.open_incident(
            conn, account_id=world.account, site_id=world.site, kind="burglary", at=b.T0
        )
    answer = _media(world, world.camera)
    assert answer.status_code == 201, answer.text
    assert answer.json() == {"id": answer.json()["id"], "incident_id": incident, "flagged": False}
    (row,) = _rows(world, t.media)
    assert (row.incident_id, row.site_id, row.account_id) == (incident, world.site, world.account)
    assert row.kind == "image" and row.size == len(JPEG) and not row.on_demand
    vault = world.system.vault
    assert JPEG not in vault.blobs.get(row.blob_id)
    with world.system.engine.connect() as conn:
        assert vault.get_blob(conn, f"account:{world.account}", "media", row.blob_id) == JPEG
    assert "media.unmatched" not in _actions(world)


def test_media_without_an_open_incident_are_flagged(world: World) -> None:
    answer = _media(world, world.camera)
    assert answer.status_code == 201 and answer.json()["flagged"] is True
    (row,) = _rows(world, t.media)
    assert row.incident_id is None
    assert "media.unmatched" in _actions(world)


def test_on_demand_images_go_to_the_customer_not_to_the_incident(world: World) -> None:
    with world.system.engine.begin() as conn:
        inc.open_incident(
            conn, account_id=world.account, site_id=world.site, kind="burglary", at=b.T0
        )
    answer = _media(world, world.camera, on_demand="true")
    assert answer.status_code == 201 and answer.json()["flagged"] is False
    (row,) = _rows(world, t.media)
    assert row.on_demand and row.person_id == world.holder and row.incident_id is None
    stranger = _media(world, world.camera, on_demand="true", requested_by="999")
    assert stranger.status_code == 422 and stranger.json()["field"] == "requested_by"


def test_wrong_type_too_large_and_bad_fields_are_refused_clearly(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    answer = _media(world, world.camera, content_type="application/pdf")
    assert answer.status_code == 415 and answer.json()["field"] == "file"
    assert "image/jpeg" in answer.json()["message"]
    monkeypatch.setattr(media, "MAX_MEDIA_BYTES", 10)
    answer = _media(world, world.camera)
    assert answer.status_code == 413 and answer.json()["code"] == "too_large"
    monkeypatch.undo()
    answer = _media(world, world.camera, captured_at="2026-03-15T10:00:00")
    assert answer.status_code == 422 and answer.json()["field"] == "captured_at"
    answer = _media(world, world.camera, captured_at="igår")
    assert answer.status_code == 422 and answer.json()["field"] == "captured_at"
    assert _rows(world, t.media) == []


# -- presence ---------------------------------------------------------------------------------


def _presence(world: World, body: dict[str, Any]) -> Any:
    return world.client.post("/api/v1/intake/presence", headers=_auth(world.app), json=body)


def _consent(world: World) -> None:
    with world.system.engine.begin() as conn:
        consent.give(
            conn,
            world.system.policy.policy,
            world.holder,
            "presence",
            notice_version="1",
            channel="app",
            actor="test",
        )


def test_presence_is_refused_without_the_location_consent(world: World) -> None:
    answer = _presence(world, {"state": "home"})
    assert answer.status_code == 403
    assert answer.json()["code"] == "consent_missing"
    assert "samtykket" in answer.json()["message"] and "consent" in answer.json()["message"]
    assert _rows(world, t.presence) == []


def test_a_position_becomes_home_or_away_and_is_never_stored(world: World) -> None:
    _consent(world)
    assert _presence(world, HOME).json() == {"state": "home"}
    assert _presence(world, AWAY).json() == {"state": "away"}
    assert _presence(world, {"state": "home"}).status_code == 201
    assert [r.state for r in _rows(world, t.presence)] == ["home", "away", "home"]
    with world.system.engine.connect() as conn:
        for table in t.metadata.sorted_tables:
            text = repr(conn.execute(select(table)).all())
            for coordinate in (*HOME.values(), *AWAY.values()):
                assert str(coordinate).split(".")[1] not in text, f"{coordinate} in {table.name}"


def test_presence_needs_a_state_or_a_whole_position(world: World) -> None:
    _consent(world)
    assert _presence(world, {"lat": 59.9})
    assert _presence(world, {"lat": 59.9}).json()["field"] == "lon"
    assert _presence(world, {}).status_code == 422
    assert _presence(world, {"state": "home", **HOME}).status_code == 422
    assert _presence(world, {"state": "asleep"}).status_code == 422


def test_distance_is_great_circle() -> None:
    oslo_bergen = presence.distance_m(59.9139, 10.7522, 60.3913, 5.3221)
    assert 300_000 < oslo_bergen < 310_000


# -- calls ------------------------------------------------------------------------------------


def _call(world: World, audio: bytes | None = None, **form: Any) -> Any:
    body = {"direction": "in", "started_at": CAPTURED, "duration_s": "42", **form}
    files = {"audio": ("samtale.wav", audio, "audio/wav")} if audio is not None else None
    return world.client.post(
        "/api/v1/intake/calls", headers=_auth(world.phone), data=body, files=files
    )


def test_a_call_is_tied_to_the_person_whose_number_it_is(world: World) -> None:
    answer = _call(world, b"RIFF audio", phone="912 34 567", account_id=str(world.account))
    assert answer.status_code == 201, answer.text
    assert answer.json()["person_matched"] is True and answer.json()["audio"] is True
    (row,) = _rows(world, t.call_recordings)
    assert row.person_id == world.holder and row.phone == "+4791234567"
    with world.system.engine.connect() as conn:
        subject = f"account:{world.account}"
        audio = world.system.vault.get_blob(conn, subject, "call_recordings", row.blob_id)
    assert audio == b"RIFF audio"


def test_audio_of_no_known_account_or_person_is_refused_but_metadata_is_kept(
    world: World,
) -> None:
    answer = _call(world, b"RIFF audio", phone="+4722222222")
    assert answer.status_code == 422 and answer.json()["field"] == "audio"
    answer = _call(world, phone="+4722222222")
    assert answer.status_code == 201 and answer.json() == {
        "id": answer.json()["id"],
        "person_matched": False,
        "audio": False,
    }
    (row,) = _rows(world, t.call_recordings)
    assert row.blob_id is None and row.person_id is None


def test_audio_under_the_person_when_there_is_no_account(world: World) -> None:
    answer = _call(world, b"RIFF audio", phone="+47 912 34 567")
    assert answer.status_code == 201
    (row,) = _rows(world, t.call_recordings)
    with world.system.engine.connect() as conn:
        subject = f"person:{world.holder}"
        assert world.system.vault.get_blob(conn, subject, "call_recordings", row.blob_id)


def test_a_number_shared_by_two_people_ties_the_call_to_nobody(world: World) -> None:
    with world.system.engine.begin() as conn:
        b.person(conn, name="Tvilling", phone="91234567")
    answer = _call(world, phone="+4791234567")
    assert answer.json()["person_matched"] is False
    assert _call(world, direction="sideways").json()["field"] == "direction"


def test_calls_take_their_account_from_the_incident(world: World) -> None:
    with world.system.engine.begin() as conn:
        incident = inc.open_incident(
            conn, account_id=world.account, site_id=world.site, kind="burglary", at=b.T0
        )
    answer = _call(world, b"RIFF", phone="+4722222222", incident_id=str(incident))
    assert answer.status_code == 201
    (row,) = _rows(world, t.call_recordings)
    assert row.account_id == world.account and row.incident_id == incident
    assert row.started_at is not None and row.duration_s == 42
    assert _call(world, incident_id="999").json()["field"] == "incident_id"
    assert _call(world, account_id="999").json()["field"] == "account_id"


def test_a_call_cannot_be_tied_to_another_account_s_incident(world: World) -> None:
    """L10: the incident decides the account; a call naming another is refused whole."""
    with world.system.engine.begin() as conn:
        other = b.account(conn, b.person(conn, name="Annen kunde"), "K-ANNEN")
        incident = inc.open_incident(
            conn, account_id=world.account, site_id=world.site, kind="burglary", at=b.T0
        )
    mixed = _call(world, b"RIFF", incident_id=str(incident), account_id=str(other))
    assert mixed.status_code == 422 and mixed.json()["field"] == "account_id", mixed.text
    long_number = _call(world, phone="9" * 100)
    assert long_number.status_code == 422 and long_number.json()["field"] == "phone"
    assert _rows(world, t.call_recordings) == []


def test_uploads_dated_in_the_future_are_refused_and_change_nothing(world: World) -> None:
    _consent(world)
    future = "2099-01-01T00:00:00Z"
    media_answer = _media(world, world.camera, captured_at=future)
    presence_answer = _presence(world, {"state": "home", "at": future})
    assert media_answer.status_code == 422 and presence_answer.status_code == 422
    assert "captured_at" in media_answer.text and "at" in presence_answer.json()["field"]
    assert _rows(world, t.media) == [] and _rows(world, t.presence) == []
