"""The outbox a running system uses: from the environment, made once per system."""

from __future__ import annotations

from typing import Any

from alarmvern.outbox.send import Outbox
from alarmvern.outbox.settings import OutboxSettings

_OUTBOXES: dict[int, Outbox] = {}


def outbox_of(system: Any) -> Outbox:
    """The system's outbox (``system.outbox`` if one was set, as tests do)."""
    given = getattr(system, "outbox", None)
    if isinstance(given, Outbox):
        return given
    key = id(system)
    if key not in _OUTBOXES:
        _OUTBOXES[key] = Outbox.from_settings(OutboxSettings(), system.settings.data_dir)
    return _OUTBOXES[key]


def inform_now(system: Any) -> int:
    """Tell everyone pending (after the change's transaction has committed)."""
    from alarmvern.customers.informing import inform_pending

    return inform_pending(system.engine, system.vault, system.policy.policy, outbox_of(system))
