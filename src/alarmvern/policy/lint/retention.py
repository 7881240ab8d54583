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
    """Categories an activity processes with no rule: one finding per activity, naming them."""
    p = ctx.policy
    for index, act in enumerate(p.activities):
        missing = [
            (i, key)
            for i, key in enumerate(act.categories)
            if key not in act.retention and not p.retention_for(key)
        ]
        if not missing:
            continue
        keys = ", ".join(f"«{k}»" for _, k in missing)
        keys_en = ", ".join(f'"{k}"' for _, k in missing)
        yield ctx.finding(
            "retention-missing",
            "error",
            "art. 13(2)(a)",
            ("activities", index, "categories", missing[0][0]),
            f"Aktiviteten «{act.id}» behandler {keys}, men ingen regel sier hvor lenge "
            "opplysningene lagres.",
            f'Activity "{act.id}" processes {keys_en}, but no rule says how long the data is kept.',
        )


@rule("retention-criterion")
def retention_criterion(ctx: Context) -> Iterator[Finding]:
    """A criterion without a period: one finding per sentence, however many keys repeat it."""
    groups: dict[tuple[str, str], list[tuple[int, str]]] = {}
    for index, act in enumerate(ctx.policy.activities):
        for key, ret in act.retention.items():
            if ret.is_concrete or ret.criterion is None:
                continue
            groups.setdefault((ret.criterion.nb, ret.criterion.en), []).append((index, key))
    for (nb_text, en_text), places in groups.items():
        index, key = places[0]
        path = ("activities", index, "retention", key)
        keys = ", ".join(dict.fromkeys(k for _, k in places))
        text = f"{nb_text} {en_text}"
        if _VAGUE.search(text) and not re.search(r"\d", text):
            yield ctx.finding(
                "retention-criterion",
                "error",
                "art. 13(2)(a)",
                path,
                f"Lagringstiden for {keys} er bare «{nb_text}»: det er verken en periode eller "
                "et kriterium den registrerte kan regne ut.",
                f'The retention of {keys} is only "{en_text}": neither a period nor a criterion '
                "the data subject can work out.",
            )
        else:
            yield ctx.finding(
                "retention-criterion",
                "warning",
                "art. 13(2)(a)",
                path,
                f"Lagringstiden for {keys} er et kriterium uten periode («{nb_text}»); systemet "
                "kan ikke regne ut når opplysningene skal slettes. Oppgi keep: og from: der det "
                "går.",
                f'The retention of {keys} is a criterion without a period ("{en_text}"); the '
                "system cannot compute when the data is due. Give keep: and from: where possible.",
            )


# The category of the suppression list (the store's table marketing_suppressions): every
# objection to direct marketing puts a code made from the person's e-mail address and phone
# number on it, whatever the pack (rights.objection.object_to_marketing), and the notice says
# so in every pack. A pack that markets must say what the list is for and how long it is kept.
SUPPRESSION_CATEGORY = "user.privacy_preferences.objection"


@rule("suppression-list")
def suppression_list(ctx: Context) -> Iterator[Finding]:
    """A pack that sends direct marketing, with no activity or no retention rule for the list
    of people who objected to it."""
    p = ctx.policy
    marketing = [index for index, act in enumerate(p.activities) if act.marketing]
    if not marketing:
        return
    key = SUPPRESSION_CATEGORY
    if not p.activities_for(key):
        nb_gap = f"ingen aktivitet behandler listens kategori «{key}». Legg kategorien til i en "
        nb_gap += "aktivitet, med en lagringsregel."
        en_gap = f'no activity processes the list\'s category "{key}". Add the category to an '
        en_gap += "activity, with a retention rule."
    elif not p.retention_for(key):
        nb_gap = f"ingen regel sier hvor lenge listen («{key}») lagres. Gi den en lagringsregel."
        en_gap = f'no rule says how long the list ("{key}") is kept. Give it a retention rule.'
    else:
        return
    yield ctx.finding(
        "suppression-list",
        "warning",
        "art. 13(2)(a), 30(1)(c)",
        ("activities", marketing[0], "direct_marketing"),
        "Den som protesterer mot direkte markedsføring, føres opp på en reservasjonsliste (en "
        f"kode laget av e-postadressen eller telefonnummeret), men {nb_gap}",
        "Whoever objects to direct marketing is put on a suppression list (a code made from "
        f"the e-mail address or phone number), but {en_gap}",
    )
