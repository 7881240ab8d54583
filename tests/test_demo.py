"""The demo builds its customers through the functions customer service uses: every
customer, site, panel user, contact, contract and lead is a checked, audited change, and
what those functions normalise (phone numbers in E.164) is normalised in the demo too."""

from __future__ import annotations

import io
from collections import Counter
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from PIL import Image
from sqlalchemy import Engine, func, select

from alarmvern import audit
from alarmvern.demo import logins, pictures
from alarmvern.demo.synthetic import fill
from alarmvern.initialise import initialise
from alarmvern.rights import requests
from alarmvern.rights.requests import Channel, Kind
from alarmvern.settings import Settings
from alarmvern.store import tables as t
from alarmvern.system import System, open_system
from alarmvern.vault import FolderBlobStore, MasterKey, Vault
from alarmvern.web.security import Role


def test_the_demo_registers_its_customers_as_customer_service_would(
    engine: Engine, tmp_path: Path
) -> None:
    vault = Vault(MasterKey.generate(), FolderBlobStore(tmp_path / "blobs"))
    filled = fill(engine.begin, vault, customers=6, leads=2, seed=7)
    assert filled.customers == 6
    with engine.connect() as conn:
        actions = Counter(conn.execute(select(t.audit_log.c.action)).scalars())
        count = {
            table.name: conn.execute(select(func.count()).select_from(table)).scalar_one()
            for table in (t.customer_accounts, t.sites, t.panel_users, t.alarm_contacts,
                          t.contracts, t.leads)
        }  # fmt: skip
        phones = conn.execute(select(t.persons.c.phone)).scalars().all()
        ended = conn.execute(
            select(func.count()).where(t.customer_accounts.c.ended_at.is_not(None))
        ).scalar_one()
    assert actions["customer.registered"] == count["customer_accounts"] == 6
    assert actions["site.added"] == count["sites"] == 6
    assert actions["panel_user.added"] == count["panel_users"] >= 6
    assert actions["contact.added"] == count["alarm_contacts"] == 12
    assert actions["contract.signed"] == count["contracts"] == 6
    assert actions["lead.registered"] == count["leads"] == 2
    assert actions["customer.ended"] == ended
    assert phones and all(p.startswith("+47") and len(p) == 11 for p in phones)
    with engine.connect() as conn:
        entries, broken = audit.verify(conn)
    assert broken is None and entries == sum(actions.values())


@pytest.fixture
def system(engine: Engine, tmp_path: Path) -> Iterator[System]:
    url = engine.url.render_as_string(hide_password=False)
    settings = Settings(data_dir=tmp_path / "data", database_url=url)
    initialise(settings)
    opened = open_system(settings)
    yield opened
    opened.close()


def _image(data: bytes) -> Image.Image:
    image = Image.open(io.BytesIO(data))
    image.load()  # decodes every row: a broken PNG fails here
    return image


def test_a_demo_picture_is_a_scene_with_its_time_stamp() -> None:
    at = datetime(2026, 3, 1, 22, 15, 3, tzinfo=UTC)
    image = _image(pictures.picture(at, seed=4))
    assert image.format == "PNG" and image.size == (320, 240) and image.mode == "RGB"
    colours = image.getcolors(maxcolors=100_000)
    assert colours is not None and len(colours) > 50  # a gradient sky, a wall, a figure
    band = image.crop((0, 240 - pictures.BAND, 320, 240))
    shades = {c for _, c in band.getcolors(maxcolors=100) or []}
    assert shades == {(16, 16, 16), (235, 235, 235)}  # white digits on the dark band
    other = pictures.picture(at, seed=5)
    assert other != pictures.picture(at, seed=4)  # the figure stands elsewhere
    assert pictures.picture(at, seed=4) == pictures.picture(at, seed=4)


def test_the_demo_media_are_real_pictures_encrypted_in_the_vault(
    engine: Engine, tmp_path: Path
) -> None:
    vault = Vault(MasterKey.generate(), FolderBlobStore(tmp_path / "blobs"))
    fill(engine.begin, vault, customers=12, seed=7)
    with engine.connect() as conn:
        rows = conn.execute(select(t.media)).all()
        assert rows
        for row in rows:
            data = vault.get_blob(conn, f"account:{row.account_id}", "media", row.blob_id)
            assert len(data) == row.size > 1000 and row.content_type == "image/png"
            assert _image(data).size == (320, 240)


def test_the_demo_customer_has_pictures_and_requests_in_the_dpo_queue(system: System) -> None:
    fill(system.engine.begin, system.vault, customers=3, seed=3)
    made = logins.ensure(system)
    customer = next(m for m in made if m.role is Role.customer)
    with system.engine.connect() as conn:
        person = conn.execute(
            select(t.logins.c.person_id).where(t.logins.c.username == customer.username)
        ).scalar_one()
        account = conn.execute(
            select(t.customer_accounts.c.id).where(t.customer_accounts.c.holder_person_id == person)
        ).scalar_one()
        shown = conn.execute(select(t.media).where(t.media.c.account_id == account)).all()
        queue = requests.list_requests(conn)
    assert len(shown) >= logins.PICTURES
    mine = [r for r in queue if r.person_id == person]
    assert [r.kind for r in mine] == [Kind.rectification, Kind.erasure]
    assert all(r.is_open and r.channel is Channel.mine_sider for r in mine)
    assert mine[0].text and "feil" in mine[0].text  # the correction in the customer's words
    logins.ensure(system)  # a second start of the demo adds nothing
    with system.engine.connect() as conn:
        again = [r for r in requests.list_requests(conn) if r.person_id == person]
        pictures_now = conn.execute(select(t.media).where(t.media.c.account_id == account)).all()
    assert len(again) == 2 and len(pictures_now) == len(shown)
