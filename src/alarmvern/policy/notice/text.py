"""Small text helpers of the notice, and one retention rule in words."""

from __future__ import annotations

from datetime import date
from typing import Literal

from alarmvern.policy.model import Anchor, RetentionRule, Strategy
from alarmvern.policy.notice.document import Item
from alarmvern.policy.wording import (
    ANCHOR_AFTER,
    ANCHOR_AFTER_RECORDING,
    ANCHOR_AT,
    AND,
    DISPOSAL,
    HOLD,
    MONTHS,
    RECORDING_CATEGORIES,
    STRATEGY,
    UNLESS,
    Lang,
    pick,
)


def retention_sentence(rule: RetentionRule, category: str, lang: Lang) -> str:
    """One retention rule in words: "Slettes 7 dager etter opptak. Kan oppbevares …"."""
    parts: list[str] = []
    # Say what the system does (N-03): a keyed pseudonym is pseudonymisation, a postcode or a
    # year kept beside it is generalisation, a value removed is deleted. None of them makes the
    # row anonymous (recital 26), so none is called anonymisation.
    disposal = (
        {
            Strategy.pseudonym: "pseudonymise",
            Strategy.drop: "delete",
            Strategy.generalise_year: "generalise",
            Strategy.generalise_postcode: "generalise",
            Strategy.generalise_municipality: "generalise",
        }.get(rule.strategy, rule.then.value)
        if rule.strategy is not None
        else rule.then.value
    )
    if rule.either:
        disposal = "delete_or_anonymise"
    verb = pick(DISPOSAL[disposal], lang)
    if rule.keep is not None and rule.from_ is not None:
        if rule.keep.amount == 0:
            parts.append(f"{verb} {pick(ANCHOR_AT[rule.from_], lang)}.")
        else:
            parts.append(
                f"{verb} {rule.keep.words(lang)} {anchor_after(rule.from_, category, lang)}."
            )
        if rule.strategy is not None:
            parts[-1] = parts[-1][:-1] + f": {pick(STRATEGY[rule.strategy], lang)}."
        if rule.criterion is not None:
            parts.append(sentence(rule.criterion.get(lang)))
    elif rule.criterion is not None:
        parts.append(sentence(rule.criterion.get(lang)))
    if rule.hold_max is not None:
        parts.append(pick(HOLD, lang).format(period=rule.hold_max.words(lang)))
    parts.extend(pick(UNLESS[c], lang) for c in rule.unless)
    return " ".join(parts)


def join(words: list[str], lang: Lang, conj: Literal["and", "or"] = "and") -> str:
    """``a, b og c`` / ``a, b and c`` (or ``eller`` / ``or``)."""
    word = pick(AND, lang) if conj == "and" else ("eller" if lang == "nb" else "or")
    if len(words) <= 1:
        return "".join(words)
    return f"{', '.join(words[:-1])} {word} {words[-1]}"


def format_date(day: date, lang: Lang) -> str:
    """``1. mai 2026`` / ``1 May 2026``."""
    month = pick(MONTHS[day.month - 1], lang)
    return f"{day.day}. {month} {day.year}" if lang == "nb" else f"{day.day} {month} {day.year}"


def anchor_after(anchor: Anchor, category: str, lang: Lang) -> str:
    if anchor is Anchor.captured and any(
        category == c or category.startswith(c + ".") for c in RECORDING_CATEGORIES
    ):
        return pick(ANCHOR_AFTER_RECORDING, lang)
    return pick(ANCHOR_AFTER[anchor], lang)


def sentence(text: str) -> str:
    """``text`` as a sentence: stripped, with a full stop unless it already ends in one."""
    text = " ".join(text.split())
    if text and text[-1] not in ".!?":
        text += "."
    return text


def capital(text: str) -> str:
    return text[:1].upper() + text[1:]


def lower_first(text: str) -> str:
    """``Navn`` → ``navn``; ``SMS-varsler`` and ``Mine Sider`` keep their capitals."""
    if (len(text) > 1 and text[1].isupper()) or text.startswith("Mine Sider"):
        return text
    return text[:1].lower() + text[1:]


def labelled(text: str) -> Item:
    """``Innsyn (artikkel 15): Du kan …`` → an item with ``Innsyn (artikkel 15)`` in bold."""
    head, sep, rest = text.partition(": ")
    return Item(rest, label=head) if sep else Item(text)
