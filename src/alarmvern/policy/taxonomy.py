"""Category keys checked against the Fides taxonomy (the ``fideslang`` package).

A key is valid when fideslang defines it, or when it is an own key placed below a key that
fideslang defines (``user.alarm.media`` below ``user``): the tree stays one tree.
"""

from __future__ import annotations

import re
from functools import cache
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from alarmvern.policy.model import Policy

_KEY = re.compile(r"^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)*$")


@cache
def fides_categories() -> frozenset[str]:
    from fideslang.default_taxonomy import DEFAULT_TAXONOMY

    return frozenset(c.fides_key for c in DEFAULT_TAXONOMY.data_category)


def is_fides_key(key: str) -> bool:
    return key in fides_categories()


def category_key_error(key: str) -> str | None:
    if not _KEY.match(key):
        return f'"{key}" is not a category key; write dotted lower-case words, e.g. user.contact'
    parts = key.split(".")
    known = fides_categories()
    if any(".".join(parts[:n]) in known for n in range(len(parts), 0, -1)):
        return None
    roots = sorted({k.split(".")[0] for k in known})
    return f'"{key}" is not below any Fides taxonomy key; start it with one of {", ".join(roots)}'


def taxonomy_errors(policy: Policy) -> list[tuple[tuple[str | int, ...], str]]:
    return [
        (("categories", key), message)
        for key in policy.categories
        if (message := category_key_error(key)) is not None
    ]
