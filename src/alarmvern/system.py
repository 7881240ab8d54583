"""Wiring: settings → database, policy and vault, checked before anything runs.

Every entry point (the CLI, the server, the demo) opens the system through :func:`open_system`,
so the data-map check and the schema check run on every start.
"""

from __future__ import annotations

import os
import stat
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import Connection, Engine, select
from sqlalchemy.exc import OperationalError

from alarmvern import audit, policy_staging
from alarmvern.audit.anchor import FILE, KEY_PURPOSE
from alarmvern.errors import DataMapError, SettingsError, StoreError
from alarmvern.policy import LoadedPolicy, load
from alarmvern.retention.plan import uncomputable
from alarmvern.settings import DATABASE_FILE, Settings
from alarmvern.store import check, migrate
from alarmvern.store.engine import create_store_engine
from alarmvern.store.tables import policy_versions
from alarmvern.vault import Vault, blob_store_from, key_store_from, load_master_key

SYSTEM_ACTOR = "system"


@dataclass
class System:
    """``current`` is the policy version enforced until ``staged`` (dated later) applies;
    :attr:`policy` is whichever is in force today (see :mod:`alarmvern.policy_staging`)."""

    settings: Settings
    engine: Engine
    current: LoadedPolicy
    vault: Vault
    warnings: list[str] = field(default_factory=list)
    staged: LoadedPolicy | None = None

    @property
    def timeline(self) -> policy_staging.Timeline:
        return policy_staging.Timeline(self.current, self.staged)

    @property
    def configured(self) -> LoadedPolicy:
        """The policy file the system was started on (the staged one, if it is staged)."""
        return self.staged or self.current

    @property
    def policy(self) -> LoadedPolicy:
        """The policy in force today: a running system takes up a staged one on its date."""
        return self.timeline.in_force(policy_staging.today())

    def close(self) -> None:
        self.engine.dispose()
        self.vault.keys.close()


def ensure_data_dir(settings: Settings, create: bool) -> list[str]:
    """Check (or make) the data folder; return what was made. The folders are the owner's
    alone (0700), and so is the SQLite database (0600, and with it its -wal and -shm)."""
    made = []
    for folder in (settings.data_dir, settings.blobs):
        if not folder.exists():
            if not create:
                raise SettingsError(
                    f"datamappen {folder} finnes ikke; sett opp installasjonen for å lage den",
                    f"data dir: {folder} does not exist; set up the installation to create it",
                    field="ALARMVERN_DATA_DIR",
                    code="not_initialised",
                )
            try:
                folder.mkdir(mode=0o700, parents=True)
            except OSError as exc:
                raise SettingsError(
                    f"datamappen {folder} kan ikke lages ({exc.strerror}); "
                    "velg en annen (ALARMVERN_DATA_DIR)",
                    f"data dir: cannot create {folder} ({exc.strerror}); "
                    "choose another (ALARMVERN_DATA_DIR)",
                    field="ALARMVERN_DATA_DIR",
                    code="data_dir_unusable",
                ) from None
            made.append(f"folder {folder}")
        if not os.access(folder, os.W_OK):
            raise SettingsError(
                f"datamappen {folder} kan ikke skrives til; rett tillatelsene eller velg en "
                "annen (ALARMVERN_DATA_DIR)",
                f"data dir: {folder} is not writable; fix its permissions or choose another "
                "(ALARMVERN_DATA_DIR)",
                field="ALARMVERN_DATA_DIR",
                code="data_dir_unusable",
            )
        _private(folder, 0o700)
    if settings.database_url is None:
        database = settings.data_dir / DATABASE_FILE
        if create and not database.exists():
            # Made before SQLite opens it: SQLite gives -wal and -shm the database's mode.
            os.close(os.open(database, os.O_WRONLY | os.O_CREAT, 0o600))
        for part in ("", "-wal", "-shm"):
            _private(database.with_name(database.name + part), 0o600)
    return made


def _private(path: Path, mode: int) -> None:
    """Narrow ``path`` to ``mode`` if others may read it (files of an older version)."""
    try:
        if os.name == "posix" and stat.S_IMODE(path.stat().st_mode) & 0o077:
            path.chmod(mode)
    except FileNotFoundError:
        return


def protect_audit(engine: Engine, settings: Settings, vault: Vault) -> None:
    """Key the audit chain written through ``engine`` (a key derived from the master key,
    so not in the database) and anchor its head in the data dir's ``audit/anchor.jsonl``."""
    audit.protect(engine, vault.master.derive(KEY_PURPOSE), settings.data_dir / "audit" / FILE)


def connect(settings: Settings) -> Engine:
    engine = create_store_engine(settings.db_url)
    try:
        with engine.connect():
            pass
    except OperationalError as exc:
        reason = str(exc.orig).splitlines()[0] if exc.orig else type(exc).__name__
        raise StoreError(
            f"databasen (ALARMVERN_DATABASE_URL) svarer ikke: {reason}; sjekk adressen og at "
            "tjeneren kjører",
            f"database (ALARMVERN_DATABASE_URL): cannot connect: {reason}; "
            "check the URL and that the server is running",
            field="ALARMVERN_DATABASE_URL",
            code="database_unreachable",
        ) from None
    return engine


def open_system(settings: Settings, *, strict: bool = True) -> System:
    """Open an initialised store and check it against the policy; raise on any gap."""
    if settings.database_url is None:
        ensure_data_dir(settings, create=False)
    engine = connect(settings)
    migrate.check_current(engine)
    loaded = load(settings.policy)
    vault = Vault(load_master_key(settings), blob_store_from(settings), key_store_from(settings))
    protect_audit(engine, settings, vault)
    with engine.begin() as conn:
        vault.check_master(conn)
        gaps = check.gaps(loaded.policy, check.populated_tables(conn))
        errors = [g for g in gaps if g.severity == "error"]
        if errors and strict:
            listed = "\n".join(f"  {g}" for g in errors)
            raise DataMapError(
                f"lageret har opplysninger policyen ikke dekker:\n{listed}\nlegg til en "
                f"behandling og en sletteregel for hver i {loaded.name}",
                f"the store holds data the policy does not cover:\n{listed}\nadd an activity "
                f"and a retention rule for each to {loaded.name}",
                field="policy",
                code="data_map_gap",
            )
        record_policy_version(conn, loaded)
        timeline, staging_warning = policy_staging.timeline(conn, loaded, policy_staging.today())
    audit.anchor(engine)
    warnings = [str(g) for g in gaps if g not in errors]
    warnings += [
        f"table {u.table.name}: category {u.category}: {why}"
        for u, why in uncomputable(loaded.policy)
    ]
    if staging_warning:
        warnings.append(staging_warning)
    elif timeline.staged is not None:
        warnings.append(
            f"policy {loaded.name} {loaded.policy.version} is staged: it applies from "
            f"{loaded.policy.date.isoformat()}; until then {timeline.current.name} "
            f"{timeline.current.policy.version} is in force"
        )
    return System(
        settings, engine, timeline.current, vault, warnings=warnings, staged=timeline.staged
    )


def record_policy_version(conn: Connection, loaded: LoadedPolicy) -> bool:
    """Keep every policy version the system runs on or will (a staged one, dated after
    today, is kept and audited as staged); True if this one is new."""
    known = conn.execute(
        select(policy_versions.c.id).where(policy_versions.c.sha256 == loaded.sha256)
    ).first()
    if known:
        return False
    policy = loaded.policy
    conn.execute(
        policy_versions.insert().values(
            name=loaded.name,
            version=policy.version,
            sha256=loaded.sha256,
            policy_date=policy.date,
            applied_at=datetime.now(UTC),
            source=loaded.text,
        )
    )
    staged = policy.date > policy_staging.today()
    audit.append(
        conn,
        actor=SYSTEM_ACTOR,
        action="policy.staged" if staged else "policy.applied",
        details={"name": loaded.name, "version": policy.version, "sha256": loaded.sha256},
    )
    return True
