"""The SQL statements an engine sends, for tests that count or inspect them."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import Engine, event


@contextmanager
def statements(engine: Engine, *, one_line: bool = False) -> Iterator[list[str]]:
    """Collect every statement ``engine`` sends inside the block, in order; ``one_line``
    folds each onto one line with single spaces (for matching whole clauses)."""
    seen: list[str] = []

    def note(_conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
        seen.append(" ".join(statement.split()) if one_line else statement)

    event.listen(engine, "before_cursor_execute", note)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", note)
