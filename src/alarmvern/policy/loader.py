"""Load a policy from YAML, with errors that name file, line, column and field.

ruamel.yaml is used rather than PyYAML because it keeps each key's line and column, so a
pydantic error path (``activities.3.retention.keep``) can be placed where the author wrote it.

Every :class:`Problem` says what to write instead (``hint_nb``, ``hint_en``). A YAML syntax
error is placed where the mistake is: an unclosed bracket or quote at the place it opened, not
at the end of the file where the parser gave up.
"""

from __future__ import annotations

import difflib
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
    hint_nb: str = ""  # what to write instead, in bokmål
    hint_en: str = ""  # the same in English

    def hint(self, lang: str) -> str:
        return self.hint_nb if lang == "nb" else self.hint_en

    def text(self, lang: str = "en") -> str:
        """``file:line:col: field: message`` and, where there is one, the hint in ``lang``."""
        where = f"{self.path}: " if self.path else ""
        hint = self.hint(lang)
        tail = f" ({'tips' if lang == 'nb' else 'hint'}: {hint})" if hint else ""
        return f"{self.file}:{self.line}:{self.column}: {where}{self.message}{tail}"

    def __str__(self) -> str:
        return self.text("en")


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
            raise PolicyError(
                [
                    Problem(
                        str(path),
                        0,
                        0,
                        "",
                        "no such policy file",
                        "sjekk stien, eller gi navnet på en pakke (for eksempel default)",
                        "check the path, or give a pack's name (for example default)",
                    )
                ]
            )
        return loads(path.read_text(encoding="utf-8"), name=path.name)
    name = str(name_or_path)
    resource = resources.files(PACKS) / f"{name}.yaml"
    if not resource.is_file():
        known = ", ".join(pack_names())
        raise PolicyError(
            [
                Problem(
                    f"{name}.yaml",
                    0,
                    0,
                    "",
                    f"no pack named {name!r}; the packs are: {known}",
                    f"skriv en av: {known}",
                    f"write one of: {known}",
                )
            ]
        )
    return loads(resource.read_text(encoding="utf-8"), name=f"{name}.yaml")


def loads(text: str, name: str = "<policy>") -> LoadedPolicy:
    """Validate ``text`` whole; raise :class:`PolicyError` listing every problem found."""
    try:
        tree = YAML(typ="rt").load(text)
    except MarkedYAMLError as exc:
        raise PolicyError([_yaml_problem(name, exc, text)]) from None
    if not isinstance(tree, CommentedMap):
        raise PolicyError(
            [
                Problem(
                    name,
                    1,
                    1,
                    "",
                    "a policy is a mapping of keys",
                    "begynn med version:, date:, controller: … (én nøkkel per linje)",
                    "start with version:, date:, controller: … (one key a line)",
                )
            ]
        )
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


# Where the parser's context is an opened bracket or quote, the mistake is where it opened.
_OPENED = {
    "flow sequence": ("[", "]"),
    "flow mapping": ("{", "}"),
    "quoted scalar": ('"', '"'),
}


def _unclosed_quote(text: str, before: int) -> tuple[int, int, str] | None:
    """The first line up to ``before`` (1-based) whose quoted scalar is never closed on it.

    A quote opens a scalar only where a scalar starts (after ``: ``, ``- ``, ``[``, ``{``,
    ``, `` or the indentation), so an apostrophe inside plain text is not taken for one. A
    quoted scalar may span lines in YAML, which is why the parser reports such a mistake
    lines later, where the next quote confuses it.
    """
    for number, line in enumerate(text.splitlines()[:before], 1):
        quote: str | None = None
        opened = 0
        prev = ""  # the last character that is not a space, outside quotes
        i = 0
        while i < len(line):
            ch = line[i]
            if quote is None:
                if ch == "#" and (i == 0 or line[i - 1] in " \t"):
                    break  # a comment
                if ch in "\"'" and prev in ("", ":", "-", "[", "{", ","):
                    quote, opened = ch, i
                elif ch not in " \t":
                    prev = ch
            elif quote == '"' and ch == "\\":
                i += 1  # an escaped character
            elif ch == quote:
                if quote == "'" and line[i + 1 : i + 2] == "'":
                    i += 1  # '' inside single quotes
                else:
                    quote, prev = None, ch
            i += 1
        if quote is not None:
            return number, opened + 1, quote
    return None


def _yaml_problem(name: str, exc: MarkedYAMLError, text: str = "") -> Problem:
    """A YAML syntax error, placed at the mistake, with what to write instead."""
    context = str(exc.context or "")
    problem = str(exc.problem or "")
    where = exc.problem_mark or exc.context_mark
    unclosed = _unclosed_quote(text, where.line + 1) if where is not None else None
    if unclosed is not None and "quoted scalar" not in context:
        line, col, quote = unclosed
        return Problem(
            name,
            line,
            col,
            "",
            f"not valid YAML: the quote {quote} opened here is never closed on its line",
            f"«{quote}» som åpnes her, lukkes aldri: skriv «{quote}» der verdien slutter",
            f"the {quote!r} opened here is never closed: write {quote!r} where the value ends",
        )
    opened = next((pair for key, pair in _OPENED.items() if key in context), None)
    mark = (exc.context_mark if opened else exc.problem_mark) or exc.problem_mark
    mark = mark or exc.context_mark
    line, col = (mark.line + 1, mark.column + 1) if mark else (0, 0)
    if opened is not None:
        start, end = opened
        if start == '"' and mark is not None and mark.buffer is not None:
            start = end = str(mark.buffer[mark.pointer]) if mark.pointer < len(mark.buffer) else '"'
        nb = f"«{start}» som åpnes her, lukkes aldri: skriv «{end}» der verdien slutter"
        en = f"the {start!r} opened here is never closed: write {end!r} where the value ends"
        message = f"not valid YAML: {context.removeprefix('while ')}: {problem}"
    elif "\\t" in problem or "\t" in problem:
        nb, en = "rykk inn med mellomrom, ikke tabulator", "indent with spaces, not tabs"
        message = "not valid YAML: a tab character where YAML allows only spaces"
    elif "duplicate key" in problem:
        nb = "nøkkelen står to ganger i samme del: behold én av dem"
        en = "the key is written twice in the same section: keep one of them"
        message = f"not valid YAML: {problem}"
    elif "mapping values are not allowed" in problem:
        nb = (
            "en verdi med «: » i seg må stå i anførselstegn; ellers er linjen rykket feil inn "
            "i forhold til linjen over"
        )
        en = (
            "a value with ': ' in it must be quoted; otherwise this line is indented wrongly "
            "against the line above"
        )
        message = f"not valid YAML: {problem}"
    elif "expected <block end>" in problem or "block mapping" in context:
        nb = "rykk inn denne linjen likt med nøklene den hører sammen med"
        en = "indent this line like the keys it belongs with"
        message = f"not valid YAML: {problem}"
    else:
        nb = "sjekk innrykk, kolon og anførselstegn på denne linjen"
        en = "check the indentation, colons and quotes on this line"
        message = f"not valid YAML: {problem}"
    return Problem(name, line, col, "", message, nb, en)


def _field_names() -> list[str]:
    """Every key the policy schema knows, for suggesting the one a typo meant."""
    from pydantic import BaseModel

    import alarmvern.policy.model as model
    import alarmvern.policy.register as register

    names: set[str] = set()
    for module in (model, register):
        for obj in vars(module).values():
            if isinstance(obj, type) and issubclass(obj, BaseModel):
                for fname, info in obj.model_fields.items():
                    names.add(info.alias or fname)
    return sorted(names)


def _hint(err: Any, loc: Path_) -> tuple[str, str]:
    """What to write instead, for one pydantic error (bokmål, English)."""
    kind = err["type"]
    last = loc[-1] if loc else ""
    if kind == "extra_forbidden":
        close = difflib.get_close_matches(str(last), _field_names(), n=1, cutoff=0.7)
        if close:
            return f"mente du «{close[0]}:»?", f"did you mean {close[0]!r}?"
        return (
            "fjern nøkkelen, eller se docs/policy.md for nøklene som finnes her",
            "remove the key, or see docs/policy.md for the keys allowed here",
        )
    if kind == "missing":
        if last in ("nb", "en"):
            return (
                f"skriv teksten på både bokmål og engelsk: {{nb: …, en: …}} (mangler {last})",
                f"write the text in both bokmål and English: {{nb: …, en: …}} ({last} missing)",
            )
        return f"legg til «{last}:»", f"add {last!r}:"
    if kind in ("model_type", "dict_type", "model_attributes_type"):
        return (
            "skriv en del med nøkler, for eksempel {nb: …, en: …}",
            "write a section of keys, for example {nb: …, en: …}",
        )
    if kind == "enum" or kind == "literal_error":
        expected = err.get("ctx", {}).get("expected", "")
        return f"skriv en av: {expected}", f"write one of: {expected}"
    if kind in ("tuple_type", "list_type"):
        return "skriv en liste: [a, b]", "write a list: [a, b]"
    if kind in ("string_type",):
        return (
            "skriv en tekst, i anførselstegn om den har kolon",
            "write a text, quoted if it has a colon",
        )
    if kind.startswith("date"):
        return (
            "skriv datoen som ÅÅÅÅ-MM-DD, for eksempel 2026-01-31",
            "write the date as YYYY-MM-DD, e.g. 2026-01-31",
        )
    if kind in ("bool_type", "bool_parsing"):
        return "skriv true eller false", "write true or false"
    if kind == "too_short":
        return (
            "listen kan ikke være tom: skriv minst ett element",
            "the list cannot be empty: give at least one item",
        )
    if kind == "string_pattern_mismatch":
        return (
            "bruk små bokstaver, sifre og bindestrek, for eksempel alarm-monitoring",
            "use lower-case letters, digits and hyphens, e.g. alarm-monitoring",
        )
    return "", ""


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
    nb, en = _hint(err, loc)
    found = _locate(name, tree, loc, message)
    return Problem(found.file, found.line, found.column, found.path, found.message, nb, en)


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
