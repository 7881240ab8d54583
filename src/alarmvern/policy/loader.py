"""Load a policy from YAML, with errors that name file, line, column and field.

ruamel.yaml is used rather than PyYAML because it keeps each key's line and column, so a
pydantic error path (``activities.3.retention.keep``) can be placed where the author wrote it.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

from pydantic import ValidationError
from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.error import MarkedYAMLError

from alarmvern.policy.model import Policy
from alarmvern.policy.register import register_errors
from alarmvern.policy.taxonomy import taxonomy_errors

PACKS = "alarmvern.policy.packs"

Path_ = tuple[str | int, ...]


@dataclass(frozen=True)
class Problem:
    file: str
    line: int
    column: int
    path: str
    message: str

    def __str__(self) -> str:
        where = f"{self.path}: " if self.path else ""
        return f"{self.file}:{self.line}:{self.column}: {where}{self.message}"


class PolicyError(Exception):
    """The policy file is not valid; nothing of it was applied. Each problem names its place."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        super().__init__("\n".join(str(p) for p in problems))


@dataclass(frozen=True)
class LoadedPolicy:
    policy: Policy
    name: str  # the pack name or the file name
    text: str  # the source, as read

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.text.encode()).hexdigest()


def pack_names() -> list[str]:
    folder = resources.files(PACKS)
    return sorted(
        p.name.removesuffix(".yaml") for p in folder.iterdir() if p.name.endswith(".yaml")
    )


def load(name_or_path: str | Path) -> LoadedPolicy:
    """Load a pack by name (``atlo``) or a policy file by path."""
    path = Path(name_or_path)
    if path.suffix in {".yaml", ".yml"} or path.exists():
        if not path.is_file():
            raise PolicyError([Problem(str(path), 0, 0, "", "no such policy file")])
        return loads(path.read_text(encoding="utf-8"), name=path.name)
    name = str(name_or_path)
    resource = resources.files(PACKS) / f"{name}.yaml"
    if not resource.is_file():
        known = ", ".join(pack_names())
        raise PolicyError(
            [Problem(f"{name}.yaml", 0, 0, "", f"no pack named {name!r}; the packs are: {known}")]
        )
    return loads(resource.read_text(encoding="utf-8"), name=f"{name}.yaml")


def loads(text: str, name: str = "<policy>") -> LoadedPolicy:
    """Validate ``text`` whole; raise :class:`PolicyError` listing every problem found."""
    try:
        tree = YAML(typ="rt").load(text)
    except MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line, col = (mark.line + 1, mark.column + 1) if mark else (0, 0)
        raise PolicyError(
            [Problem(name, line, col, "", f"not valid YAML: {exc.problem}")]
        ) from None
    if not isinstance(tree, CommentedMap):
        raise PolicyError([Problem(name, 1, 1, "", "a policy is a mapping of keys")])
    try:
        policy = Policy.model_validate(_plain(tree), context={"defer_references": True})
    except ValidationError as exc:
        errors = _without_echoes(exc.errors())
        raise PolicyError([_problem(name, tree, err) for err in errors]) from None
    located = [
        _locate(name, tree, path, message)
        for path, message in [
            *policy.reference_errors(),
            *taxonomy_errors(policy),
            *register_errors(policy),
        ]
    ]
    if located:
        raise PolicyError(located)
    return LoadedPolicy(policy=policy, name=name, text=text)


def tree_of(text: str) -> Any:
    """The YAML tree of a policy's text, with each key's position (for :func:`line_at`)."""
    return YAML(typ="rt").load(text)


def line_at(tree: Any, path: Path_) -> int:
    """The line where ``path`` is written in ``tree`` (its deepest part present in the YAML)."""
    return _locate("", tree, path, "").line


def _plain(node: Any) -> Any:
    if isinstance(node, CommentedMap):
        return {str(k): _plain(v) for k, v in node.items()}
    if isinstance(node, CommentedSeq):
        return [_plain(v) for v in node]
    if isinstance(node, str):
        return str(node)
    return node


def _without_echoes(errors: list[Any]) -> list[Any]:
    """Drop a list's "too short" error when it is only the echo of a failed item inside it."""
    deeper = [tuple(e["loc"]) for e in errors]
    return [
        e
        for e in errors
        if not (
            e["type"] == "too_short"
            and any(
                len(d) > len(e["loc"]) and d[: len(e["loc"])] == tuple(e["loc"]) for d in deeper
            )
        )
    ]


def _problem(name: str, tree: CommentedMap, err: Any) -> Problem:
    loc: Path_ = tuple(part for part in err["loc"] if not _is_union_tag(part))
    message = str(err["msg"]).removeprefix("Value error, ")
    if err["type"] == "extra_forbidden":
        message = "unknown key; check its spelling against the policy schema"
    elif err["type"] == "missing":
        message = "required, but missing"
    elif "input" in err and err["type"] not in {"value_error"} and _short(err["input"]):
        message = f"{err['input']!r}: {message}"
    return _locate(name, tree, loc, message)


def _is_union_tag(part: object) -> bool:
    # pydantic adds the member type's name to the path inside unions ("function-after[...]").
    return isinstance(part, str) and ("[" in part or part in {"str", "int", "literal['session']"})


def _short(value: object) -> bool:
    return isinstance(value, str | int | float) and len(str(value)) <= 60


def _locate(name: str, tree: CommentedMap, path: Path_, message: str) -> Problem:
    """Walk ``path`` as far as the YAML goes and report the deepest position found."""
    line, col = 1, 1
    node: Any = tree
    for part in path:
        if isinstance(node, CommentedMap) and part in node:
            line, col = node.lc.key(part)
            line, col = line + 1, col + 1
            node = node[part]
        elif isinstance(node, CommentedSeq) and isinstance(part, int) and part < len(node):
            line, col = node.lc.item(part)
            line, col = line + 1, col + 1
            node = node[part]
        else:
            break
    dotted = ""
    for part in path:
        dotted += f"[{part}]" if isinstance(part, int) else (f".{part}" if dotted else part)
    return Problem(name, line, col, dotted, message)
