"""What every lint rule shares: the finding, the context a rule reads, and the registry."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date
from enum import Enum
from typing import Any, Literal

from pydantic import BaseModel

from alarmvern.policy.loader import LoadedPolicy, line_at, tree_of
from alarmvern.policy.model import Policy

Severity = Literal["error", "warning", "info"]
Path = tuple[str | int, ...]

SEVERITY_ORDER: dict[str, int] = {"error": 0, "warning": 1, "info": 2}


@dataclass(frozen=True)
class Finding:
    """One thing wrong (or worth a look) in a policy, placed at its path and line."""

    rule: str
    severity: Severity
    article: str  # the provision it concerns, e.g. "art. 13(2)(a)"
    path: str  # e.g. "activities[3].retention.user.alarm.media"
    line: int | None
    message_nb: str
    message_en: str
    quote: str | None  # the notice's own sentence the finding concerns, where the pack has it

    def message(self, lang: str) -> str:
        return self.message_nb if lang == "nb" else self.message_en

    def __str__(self) -> str:
        where = f"{self.line}: " if self.line is not None else ""
        return f"{where}{self.severity} [{self.rule}] {self.path}: {self.message_en}"


def dotted(path: Path) -> str:
    """``("activities", 3, "retention", "user.x")`` → ``activities[3].retention.user.x``."""
    text = ""
    for part in path:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else part)
    return text


@dataclass
class Context:
    """A loaded policy, with the means to place a finding at its line and quote."""

    loaded: LoadedPolicy
    today: date
    _tree: Any = field(default=None, repr=False)

    @property
    def policy(self) -> Policy:
        return self.loaded.policy

    def line(self, path: Path) -> int | None:
        if self._tree is None:
            self._tree = tree_of(self.loaded.text)
        if self._tree is None:
            return None
        return line_at(self._tree, path)

    def quote(self, path: Path) -> str | None:
        """The ``quote`` of the deepest object along ``path`` that has one."""
        found: str | None = None
        node: Any = self.policy
        for part in path:
            node = _step(node, part)
            if node is None:
                break
            quote = getattr(node, "quote", None)
            if isinstance(quote, str) and quote.strip():
                found = quote
        return found

    def finding(
        self,
        rule: str,
        severity: Severity,
        article: str,
        path: Path,
        nb: str,
        en: str,
        *,
        quote: str | None = None,
    ) -> Finding:
        return Finding(
            rule=rule,
            severity=severity,
            article=article,
            path=dotted(path),
            line=self.line(path),
            message_nb=nb,
            message_en=en,
            quote=quote if quote is not None else self.quote(path),
        )


def _step(node: Any, part: str | int) -> Any:
    if isinstance(part, int):
        if isinstance(node, tuple | list) and part < len(node):
            return node[part]
        return None
    if isinstance(node, dict):
        return node.get(part)
    if isinstance(node, BaseModel):
        name = "from_" if part == "from" else part
        return getattr(node, name, None)
    return None


Rule = Callable[[Context], Iterable[Finding]]

RULES: list[tuple[str, Rule]] = []


def rule(rule_id: str) -> Callable[[Rule], Rule]:
    """Register a rule under ``rule_id``; the rule yields its findings."""

    def register(func: Rule) -> Rule:
        if any(existing == rule_id for existing, _ in RULES):
            raise ValueError(f"lint rule {rule_id!r} is registered twice")
        RULES.append((rule_id, func))
        return func

    return register


def strings(node: Any, path: Path = ()) -> Iterator[tuple[Path, str]]:
    """Every text in the policy, with its path (model field names as the YAML writes them)."""
    if isinstance(node, BaseModel):
        for name, info in type(node).model_fields.items():
            key = info.alias or name
            yield from strings(getattr(node, name), (*path, key))
    elif isinstance(node, dict):
        for key, value in node.items():
            yield from strings(value, (*path, str(key)))
    elif isinstance(node, tuple | list):
        for index, value in enumerate(node):
            yield from strings(value, (*path, index))
    elif isinstance(node, str) and not isinstance(node, Enum):
        yield path, node
