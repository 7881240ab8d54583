"""The data map: what each table holds, whose it is, and when its retention clock starts.

Every table declares, next to its definition, either a :class:`Binding` (it holds personal
data) or an :class:`Unbound` with the reason it holds none. Rights and retention code iterate
over :func:`bindings` and never name a table themselves, so a new kind of data needs a table
and its binding, never new rights or retention code.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field

from sqlalchemy import MetaData, Table

DATAMAP = "datamap"


@dataclass(frozen=True)
class Via:
    """An anchor found on another table: follow ``fk`` on this row to ``table.column``."""

    fk: str
    table: str
    column: str

    def __str__(self) -> str:
        return f"{self.fk} → {self.table}.{self.column}"


@dataclass(frozen=True)
class Binding:
    """How a table's rows map to the policy.

    :param category: the category a row as a whole belongs to (its retention decides the row).
    :param subjects: policy subject keys a row may concern (``customer``, ``panel_user``, …).
    :param subject: the column that links a row to its person (``persons.id``), if any.
    :param account: the column that links a row to its customer account (the distribution key).
    :param columns: personal columns whose category differs from the row's (anonymised per rule).
    :param anchors: retention anchor name → the date column (or :class:`Via`) it runs from.
    :param blob: the column holding the vault blob id that is deleted with the row.
    """

    category: str
    subjects: tuple[str, ...]
    subject: str | None = None
    account: str | None = None
    columns: Mapping[str, str] = field(default_factory=dict)
    anchors: Mapping[str, str | Via] = field(default_factory=dict)
    blob: str | None = None

    def categories(self) -> list[str]:
        return [self.category, *sorted(set(self.columns.values()) - {self.category})]


@dataclass(frozen=True)
class Unbound:
    """A table that holds no personal data of its own, and why."""

    reason: str


def bind(table: Table, binding: Binding | Unbound) -> Table:
    """Attach ``binding`` to ``table`` after checking that the columns it names exist."""
    if isinstance(binding, Binding):
        named = [binding.subject, binding.account, binding.blob, *binding.columns]
        named += [a if isinstance(a, str) else a.fk for a in binding.anchors.values()]
        missing = [c for c in named if c is not None and c not in table.c]
        if missing:
            raise ValueError(f"data map of {table.name} names missing columns: {missing}")
    table.info[DATAMAP] = binding
    return table


def bindings(metadata: MetaData) -> Iterator[tuple[Table, Binding]]:
    """Every personal table with its binding, in dependency order (parents first)."""
    for table in metadata.sorted_tables:
        binding = table.info.get(DATAMAP)
        if isinstance(binding, Binding):
            yield table, binding


def unbound_tables(metadata: MetaData) -> list[Table]:
    """Tables that declare neither a binding nor a reason: always a mistake."""
    return [t for t in metadata.sorted_tables if DATAMAP not in t.info]
