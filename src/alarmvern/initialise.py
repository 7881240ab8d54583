"""``alarmvern init``: create what is missing, say what was made, and touch nothing else."""

from __future__ import annotations

from alarmvern import audit
from alarmvern.policy import load
from alarmvern.settings import Settings
from alarmvern.store import migrate
from alarmvern.system import (
    SYSTEM_ACTOR,
    connect,
    ensure_data_dir,
    protect_audit,
    record_policy_version,
)
from alarmvern.vault import Vault, blob_store_from, create_key_file, key_store_from, load_master_key


def initialise(settings: Settings) -> list[str]:
    """Make the data folder, master key and schema where missing; return what was made."""
    loaded = load(settings.policy)  # a bad policy stops init before anything is written
    made = ensure_data_dir(settings, create=True)
    if settings.master_key is None and not settings.key_file.exists():
        create_key_file(settings.key_file)
        made.append(f"master key file {settings.key_file} (mode 0600; keep a copy offline)")
    # An unreadable key is refused before the database is touched, a wrong one just after.
    vault = Vault(load_master_key(settings), blob_store_from(settings), key_store_from(settings))
    engine = connect(settings)
    try:
        before = migrate.current(engine)
        migrate.upgrade(engine)
        if before != migrate.head():
            made.append(f"database schema {migrate.head()} (was {before or 'empty'})")
        protect_audit(engine, settings, vault)
        with engine.begin() as conn:
            vault.check_master(conn)
            vault.lookup_hash(conn, "")  # makes the lookup key, which ties the store to its key
            if record_policy_version(conn, loaded):
                made.append(f"policy version {loaded.policy.version} of {loaded.name}")
            if made:
                audit.append(conn, actor=SYSTEM_ACTOR, action="system.init", details={"made": made})
        audit.anchor(engine)
    finally:
        engine.dispose()
    return made
