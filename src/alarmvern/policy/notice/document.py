"""The document model the templates lay out: sections of paragraphs, lists and tables."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from alarmvern.policy.wording import Lang


@dataclass(frozen=True)
class Item:
    """One line of a list, with an optional bold lead-in."""

    text: str
    label: str | None = None


@dataclass(frozen=True)
class Para:
    text: str
    label: str | None = None
    kind: Literal["para"] = "para"


@dataclass(frozen=True)
class Bullets:
    items: tuple[Item, ...]
    kind: Literal["bullets"] = "bullets"


@dataclass(frozen=True)
class Table:
    """A table whose first column heads each row."""

    id: str
    caption: str
    headers: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    kind: Literal["table"] = "table"


Block = Para | Bullets | Table


@dataclass
class Section:
    id: str
    title: str
    blocks: list[Block] = field(default_factory=list)
    subsections: list[Section] = field(default_factory=list)


@dataclass(frozen=True)
class Document:
    lang: Lang
    title: str
    subtitle: str
    lead: tuple[str, ...]
    contents_title: str
    sections: tuple[Section, ...]
