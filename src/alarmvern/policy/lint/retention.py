"""Categories and retention: every category used, every one kept for a stated time."""

from __future__ import annotations

import re
from collections.abc import Iterator

from alarmvern.policy.lint._base import Context, Finding, rule
from alarmvern.policy.model import covers

# "As long as necessary" in its many forms: a period no one can compute.
_VAGUE = re.compile(
    r"(så lenge|lenger enn|lengre enn|as long as|longer than)[^.\d]{0,80}"
    r"(nødvendig|behov|påkrevd|necessary|needed|required)",
    re.IGNORECASE,
)


@rule("category-unused")
def category_unused(ctx: Context) -> Iterator[Finding]:
    used = [c for act in ctx.policy.activities for c in act.categories]
    for key in ctx.policy.categories:
        if not any(covers(key, c) or covers(c, key) for c in used):
            yield ctx.finding(
                "category-unused",
                "warning",
                "art. 5(1)(c)",
                ("categories", key),
                f"Kategorien «{key}» er definert, men ingen aktivitet behandler den: fjern den "
                "eller knytt den til et formål.",
                f'Category "{key}" is defined, but no activity processes it: remove it or tie it '
                "to a purpose.",
            )


@rule("retention-missing")
def retention_missing(ctx: Context) -> Iterator[Finding]:
    p = ctx.policy
    for index, act in enumerate(p.activities):
        for i, key in enumerate(act.categories):
            if key in act.retention or p.retention_for(key):
                continue
            yield ctx.finding(
                "retention-missing",
                "error",
                "art. 13(2)(a)",
                ("activities", index, "categories", i),
                f"Aktiviteten «{act.id}» behandler «{key}», men ingen regel sier hvor lenge "
                "opplysningene lagres.",
                f'Activity "{act.id}" processes "{key}", but no rule says how long the data is '
                "kept.",
            )


@rule("retention-criterion")
def retention_criterion(ctx: Context) -> Iterator[Finding]:
    for index, act in enumerate(ctx.policy.activities):
        for key, ret in act.retention.items():
            if ret.is_concrete or ret.criterion is None:
                continue
            path = ("activities", index, "retention", key)
            text = f"{ret.criterion.nb} {ret.criterion.en}"
            if _VAGUE.search(text) and not re.search(r"\d", text):
                yield ctx.finding(
                    "retention-criterion",
                    "error",
                    "art. 13(2)(a)",
                    path,
                    f"Lagringstiden for «{key}» er bare «{ret.criterion.nb}»: det er verken en "
                    "periode eller et kriterium den registrerte kan regne ut.",
                    f'The retention of "{key}" is only "{ret.criterion.en}": neither a period '
                    "nor a criterion the data subject can work out.",
                )
            else:
                yield ctx.finding(
                    "retention-criterion",
                    "warning",
                    "art. 13(2)(a)",
                    path,
                    f"Lagringstiden for «{key}» er et kriterium uten periode "
                    f"(«{ret.criterion.nb}»); systemet kan ikke regne ut når opplysningene skal "
                    "slettes. Oppgi keep: og from: der det går.",
                    f'The retention of "{key}" is a criterion without a period '
                    f'("{ret.criterion.en}"); the system cannot compute when the data is due. '
                    "Give keep: and from: where possible.",
                )
