"""The fixed wording of the privacy notice, in bokmål and English.

Everything the notice says that does not come from the policy itself lives here, one module
per part of the notice: :mod:`.headings` (section ids, headings, labels, table headers),
:mod:`.basis` (legal bases, whether data is required, sources), :mod:`.retention` (anchors,
disposal, holds, exceptions), :mod:`.recipients` (roles, safeguards, countries),
:mod:`.rights` (each right and how to use it) and :mod:`.prose` (the other longer sentences),
over :mod:`.core` (the pair type ``W``, ``Lang``, ``pick`` and the words used everywhere). The
renderer (:mod:`alarmvern.policy.notice`) only assembles them. Import from this package: the
split is for reading, and the names stay where they were.
"""

from __future__ import annotations

from typing import Final

from alarmvern.policy.wording.basis import BASIS_INTRO, BASIS_SHORT, REQUIRED, SOURCE
from alarmvern.policy.wording.core import AND, MONTHS, Lang, W, pick
from alarmvern.policy.wording.headings import HEADINGS, LABELS, SECTION_IDS, TABLE
from alarmvern.policy.wording.prose import GENERAL, ROUTE
from alarmvern.policy.wording.recipients import COPYABLE, COUNTRY, ROLE, ROLE_EXPLAINED, TRANSFER
from alarmvern.policy.wording.retention import (
    ANCHOR_AFTER,
    ANCHOR_AFTER_RECORDING,
    ANCHOR_AT,
    DISPOSAL,
    HOLD,
    RECORDING_CATEGORIES,
    STRATEGY,
    UNLESS,
)
from alarmvern.policy.wording.rights import RIGHTS, VERIFICATION

# Longer sentences by key; {placeholders} are filled in by the renderer.
PROSE: Final[dict[str, W]] = {**GENERAL, **RIGHTS}

__all__ = [
    "ANCHOR_AFTER",
    "ANCHOR_AFTER_RECORDING",
    "ANCHOR_AT",
    "AND",
    "BASIS_INTRO",
    "BASIS_SHORT",
    "COPYABLE",
    "COUNTRY",
    "DISPOSAL",
    "HEADINGS",
    "HOLD",
    "LABELS",
    "MONTHS",
    "PROSE",
    "RECORDING_CATEGORIES",
    "REQUIRED",
    "ROLE",
    "ROLE_EXPLAINED",
    "ROUTE",
    "SECTION_IDS",
    "SOURCE",
    "STRATEGY",
    "TABLE",
    "TRANSFER",
    "UNLESS",
    "VERIFICATION",
    "Lang",
    "W",
    "pick",
]
