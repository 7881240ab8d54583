"""The bilingual pair every fixed wording is written as, and the words used everywhere."""

from __future__ import annotations

from typing import Final, Literal

Lang = Literal["nb", "en"]
W = tuple[str, str]  # (bokmål, English)


def pick(words: W, lang: Lang) -> str:
    return words[0] if lang == "nb" else words[1]


MONTHS: Final[tuple[W, ...]] = (
    ("januar", "January"),
    ("februar", "February"),
    ("mars", "March"),
    ("april", "April"),
    ("mai", "May"),
    ("juni", "June"),
    ("juli", "July"),
    ("august", "August"),
    ("september", "September"),
    ("oktober", "October"),
    ("november", "November"),
    ("desember", "December"),
)

AND: Final[W] = ("og", "and")
