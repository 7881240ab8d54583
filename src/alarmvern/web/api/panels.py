"""What the receiver demands of a panel: encryption required, clear timestamps checked.

The rules are in :mod:`alarmvern.intake.panel_rules`; ``alarmvern panel rules`` is the same.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from fastapi import APIRouter, Path
from pydantic import BaseModel

from alarmvern.intake import panel_rules
from alarmvern.store.engine import reading
from alarmvern.web.api.common import ERRORS, PREFIX
from alarmvern.web.deps import Operator, Staff, SystemDep

router = APIRouter(prefix=PREFIX, tags=["panels"], responses=ERRORS)

Account = Annotated[
    str, Path(min_length=3, max_length=16, pattern="^[0-9A-Fa-f]+$", description="Hex digits.")
]
ENCRYPTION: dict[str, bool | None] = {"required": True, "optional": False, "default": None}


class PanelRulesOut(BaseModel):
    panel_account: str
    has_key: bool
    encryption: Literal["required", "optional", "default"]
    encryption_required: bool  # what the receiver does (default: required with a key)
    clear_timestamps_checked: bool
    rate_limited_at: datetime | None


class PanelRulesIn(BaseModel):
    encryption: Literal["required", "optional", "default"] | None = None
    clear_timestamps_checked: bool | None = None


def _out(rules: panel_rules.PanelRules) -> PanelRulesOut:
    setting = {True: "required", False: "optional", None: "default"}[rules.encryption_setting]
    return PanelRulesOut(
        panel_account=rules.panel_account,
        has_key=rules.has_key,
        encryption=setting,
        encryption_required=rules.encryption_required,
        clear_timestamps_checked=rules.clear_timestamps_checked,
        rate_limited_at=rules.rate_limited_at,
    )


@router.get("/panels/{panel_account}/rules", response_model=PanelRulesOut)
def get_rules(system: SystemDep, _who: Staff, panel_account: Account) -> PanelRulesOut:
    """Hva mottaket krever av sentralen / what the receiver demands of the panel."""
    with reading(system.engine) as conn:
        return _out(panel_rules.get_rules(conn, panel_account))


@router.put("/panels/{panel_account}/rules", response_model=PanelRulesOut)
def put_rules(
    system: SystemDep, who: Operator, panel_account: Account, body: PanelRulesIn
) -> PanelRulesOut:
    """Endre kravene / change them; the receiver picks them up within 30 s (audited)."""
    with system.engine.begin() as conn:
        rules = panel_rules.set_rules(
            conn,
            panel_account,
            encryption_required=(
                ENCRYPTION[body.encryption] if body.encryption is not None else "unchanged"
            ),
            clear_timestamps_checked=body.clear_timestamps_checked,
            actor=who.actor,
        )
    return _out(rules)
