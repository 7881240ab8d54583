"""The data map: what each table holds, whose it is, and when its retention clock starts.

Every table declares, next to its definition, either a :class:`Binding` (it holds personal
data) or an :class:`Unbound` with the reason it holds none. Rights and retention code iterate
over :func:`bindings` and never name a table themselves, so a new kind of data needs a table
and its binding, never new rights or retention code.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Literal

from sqlalchemy import MetaData, Table

DATAMAP = "datamap"

# Tables whose rows are data subjects themselves, and the vault's name for them: deleting such
# a row shreds the subject's key.
SUBJECT_TABLES = {"persons": "person", "customer_accounts": "account"}


# A column of a category under this one holds what proves a secret (a password, an alarm code,
# a device token), which the binding must declare as :attr:`Stored.credential`.
CREDENTIALS = "user.authorization"

Label = tuple[str, str]  # bokmål, English


class Stored(StrEnum):
    """How a column holds its value, where it is not the value itself.

    Whoever hands a person's data out (the access package, portability) or changes it (a
    correction) goes by this, never by column names.
    """

    # A hash or token that proves a secret (a password, an alarm code, a device's token). It
    # is never handed out, not even to its owner: a leaked copy could be cracked offline.
    credential = "credential"
    # A keyed hash of an identifier, to recognise it again without storing it: the person is
    # told it exists; the hash itself says nothing to them.
    keyed_hash = "keyed_hash"


# What the columns most tables share are called, for people reading their own data; a
# binding's ``labels`` name the rest (and may rename these).
COMMON_LABELS: dict[str, Label] = {
    "id": ("Nummer", "Number"),
    "created_at": ("Registrert", "Recorded"),
    "person_id": ("Person", "Person"),
    "account_id": ("Kundeforhold", "Customer account"),
    "site_id": ("Anlegg", "Site"),
    "incident_id": ("Alarmhendelse", "Alarm incident"),
    "request_id": ("Forespørsel", "Request"),
    "name": ("Navn", "Name"),
    "email": ("E-postadresse", "E-mail address"),
    "phone": ("Telefonnummer", "Phone number"),
    "street": ("Gateadresse", "Street address"),
    "postcode": ("Postnummer", "Postcode"),
    "city": ("Poststed", "City"),
    "kind": ("Type", "Kind"),
    "status": ("Status", "Status"),
    "started_at": ("Startet", "Started"),
    "ended_at": ("Avsluttet", "Ended"),
    "removed_at": ("Fjernet", "Removed"),
    "informed_at": ("Informert", "Informed"),
    "captured_at": ("Tatt opp", "Captured"),
    "received_at": ("Mottatt", "Received"),
    "content_type": ("Filtype", "File type"),
    "size": ("Størrelse (byte)", "Size (bytes)"),
    "blob_id": ("Filnummer", "File id"),
    "display_name": ("Visningsnavn", "Display name"),
    "notes": ("Merknader", "Notes"),
    "anonymised_at": ("Anonymisert", "Anonymised"),
}


@dataclass(frozen=True)
class Via:
    """An anchor found on another table: follow ``fk`` on this row to ``table.column``."""

    fk: str
    table: str
    column: str

    def __str__(self) -> str:
        return f"{self.fk} → {self.table}.{self.column}"


@dataclass(frozen=True)
class Earliest:
    """An anchor that is the earlier of the row's own ``column`` and ``via`` (either may be
    unset): a panel user or alarm contact ends at their removal, or with the account."""

    column: str
    via: Via

    def __str__(self) -> str:
        return f"earliest of {self.column} and {self.via}"


@dataclass(frozen=True)
class Binding:
    """How a table's rows map to the policy.

    :param category: the category a row as a whole belongs to (its retention decides the row).
    :param subjects: policy subject keys a row may concern (``customer``, ``panel_user``, …).
    :param subject: the column that links a row to its person (``persons.id``), if any.
    :param account: the column that links a row to its customer account (the distribution key).
    :param columns: personal columns → their category; those of the row's own category are
        what anonymising the row rewrites, the others follow their category's own rule.
    :param anchors: retention anchor name → the date column (or :class:`Via`) it runs from.
    :param blob: the column holding the vault blob id that is deleted with the row.
    :param hashed: a column holding only a keyed hash of an identifier (an e-mail address or
        a phone number, see ``Vault.lookup_hash``); such rows are found by hashing the person's
        identifiers, since nothing else links them to the person.
    :param shared: the row is also part of a customer account's record (the arm/disarm log,
        an image the person asked for): erasing the person cuts their link and keeps the row
        for the account, pseudonymised, instead of deleting it.
    :param key: whose vault data key encrypts the row's blob and fields: the row's person
        (``subject``) or its customer account (``account``). Shredding that key makes them
        unreadable everywhere.
    :param stored: columns that hold a hash or token rather than a value (:class:`Stored`);
        ``hashed`` is a keyed hash without saying so here.
    :param label: what the table is called for a person reading their own data (bokmål,
        English).
    :param labels: what its columns are called, where :data:`COMMON_LABELS` has no name or
        a name that does not fit.
    """

    category: str
    subjects: tuple[str, ...]
    subject: str | None = None
    account: str | None = None
    columns: Mapping[str, str] = field(default_factory=dict)
    anchors: Mapping[str, str | Via | Earliest] = field(default_factory=dict)
    blob: str | None = None
    hashed: str | None = None
    shared: bool = False
    key: Literal["subject", "account"] = "subject"
    stored: Mapping[str, Stored] = field(default_factory=dict)
    label: Label | None = None
    labels: Mapping[str, Label] = field(default_factory=dict)

    def stored_as(self, column: str) -> Stored | None:
        """How ``column`` holds its value, if not as the value itself."""
        if column in self.stored:
            return self.stored[column]
        return Stored.keyed_hash if column == self.hashed else None

    def column_label(self, column: str) -> Label | None:
        return self.labels.get(column) or COMMON_LABELS.get(column)

    def vault_subject(self, row: Mapping[str, object]) -> str | None:
        """The vault subject (``person:7``, ``account:3``) whose key protects ``row``."""
        if self.key == "account" and self.account and row.get(self.account) is not None:
            return f"account:{row[self.account]}"
        # A row keyed by account but with none (a call from someone who is not a customer)
        # is encrypted under its person.
        value = row.get(self.subject) if self.subject else None
        return f"person:{value}" if value is not None else None

    def categories(self) -> list[str]:
        return [self.category, *sorted(set(self.columns.values()) - {self.category})]


@dataclass(frozen=True)
class Unbound:
    """A table that holds no personal data of its own, and why."""

    reason: str


def bind(table: Table, binding: Binding | Unbound) -> Table:
    """Attach ``binding`` to ``table`` after checking that the columns it names exist."""
    if isinstance(binding, Binding):
        named = [binding.subject, binding.account, binding.blob, binding.hashed, *binding.columns]
        named += [c for a in binding.anchors.values() for c in _anchor_columns(a)]
        named += [*binding.stored, *binding.labels]
        missing = [c for c in named if c is not None and c not in table.c]
        if missing:
            raise ValueError(f"data map of {table.name} names missing columns: {missing}")
        undeclared = [
            c
            for c, category in binding.columns.items()
            if _under(category, CREDENTIALS) and binding.stored.get(c) is not Stored.credential
        ]
        if undeclared:
            raise ValueError(
                f"data map of {table.name}: {undeclared} hold credentials ({CREDENTIALS}); "
                "declare them stored=Stored.credential so that nobody is handed them"
            )
    table.info[DATAMAP] = binding
    return table


def _under(category: str, parent: str) -> bool:
    return category == parent or category.startswith(parent + ".")


def _anchor_columns(anchor: str | Via | Earliest) -> list[str]:
    if isinstance(anchor, str):
        return [anchor]
    if isinstance(anchor, Earliest):
        return [anchor.column, anchor.via.fk]
    return [anchor.fk]


def bindings(metadata: MetaData) -> Iterator[tuple[Table, Binding]]:
    """Every personal table with its binding, in dependency order (parents first)."""
    for table in metadata.sorted_tables:
        binding = table.info.get(DATAMAP)
        if isinstance(binding, Binding):
            yield table, binding


def unbound_tables(metadata: MetaData) -> list[Table]:
    """Tables that declare neither a binding nor a reason: always a mistake."""
    return [t for t in metadata.sorted_tables if DATAMAP not in t.info]


def columns_of(binding: Binding, category: str) -> list[str]:
    """The columns of ``binding``'s table that hold ``category``."""
    return [column for column, cat in binding.columns.items() if cat == category]
