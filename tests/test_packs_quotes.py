"""Every seed pack quotes its notice word for word, so a finding can point to the sentence."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from alarmvern.policy import Policy, load

SEED_PACKS = ["alltid24", "sector-alarm", "alarmlink", "proff-security", "atlo"]
# The seed notices live in shared/, beside the repository (as in CI).
SEEDS = Path(__file__).resolve().parents[2] / "shared" / "seeds"


def squeeze(text: str) -> str:
    return re.sub(r"\s+", " ", text.replace("\u00a0", " ")).strip()


def quotes(policy: Policy) -> list[str]:
    found = [r.quote for r in policy.recipients]
    found.append(policy.rights.quote)
    for act in policy.activities:
        found.append(act.quote)
        found.extend(rule.quote for rule in act.retention.values())
    return [q for q in found if q]


@pytest.mark.parametrize("name", SEED_PACKS)
def test_every_quote_is_the_notices_own_words(name: str) -> None:
    seed = SEEDS / f"{name}.txt"
    if not seed.is_file():
        pytest.skip(f"{seed} is not here: the seed notices are in shared/ beside the repo")
    notice = squeeze(seed.read_text(encoding="utf-8"))
    missing = [q for q in quotes(load(name).policy) if squeeze(q) not in notice]
    assert missing == []
