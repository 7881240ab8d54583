"""Every error raised below the web speaks both languages and names no CLI flag (#13).

The raises are found in the source (not a list kept by hand): each ``SomeError(...)`` of
the :class:`~alarmvern.errors.AlarmvernError` family made in a module outside ``web/`` and
``cli/`` (raised there or handed back to be raised) must hand its constructor a bokmål and
an English text, and no literal part of
either may name a CLI flag or command, which the web cannot offer.
"""

from __future__ import annotations

import ast
import importlib
import inspect
import pickle
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

import alarmvern
from alarmvern.errors import AlarmvernError

# Above the web's line: they may name their own flags. policy/ is another brief's (its
# errors are PolicyError and DurationError, outside the tree).
ABOVE = ("alarmvern.web", "alarmvern.cli", "alarmvern.policy", "alarmvern.__main__")
FLAG = re.compile(r"(?<![\w-])--[a-z]|`alarmvern\b|\balarmvern (?:rights|hold|init|retention)\b")


def modules() -> Iterator[tuple[str, Path]]:
    """Every module of the package, by its files: ``store/`` and ``retention/`` are namespace
    packages, which ``pkgutil.walk_packages`` does not enter."""
    root = Path(alarmvern.__file__).parent
    for path in sorted(root.rglob("*.py")):
        parts = path.relative_to(root.parent).with_suffix("").parts
        if "migrations" in parts:
            continue
        name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        yield name, path


def _below_the_web() -> Iterator[tuple[str, Path]]:
    for name, path in modules():
        if not name.startswith(ABOVE):
            yield name, path


def _resolve(module: Any, expr: ast.expr) -> Any:
    if isinstance(expr, ast.Name):
        return getattr(module, expr.id, None)
    if isinstance(expr, ast.Attribute):
        owner = _resolve(module, expr.value)
        return getattr(owner, expr.attr, None) if owner is not None else None
    return None


def _raises() -> Iterator[tuple[str, type[AlarmvernError], ast.Call]]:
    for name, path in _below_the_web():
        module = importlib.import_module(name)
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):  # every error made, raised at once or handed back
            if not isinstance(node, ast.Call):
                continue
            cls = _resolve(module, node.func)
            if inspect.isclass(cls) and issubclass(cls, AlarmvernError):
                where = path.relative_to(Path(alarmvern.__file__).parent)
                yield f"{where}:{node.lineno}", cls, node


def _literal(expr: ast.expr) -> str:
    """The fixed text of a message argument: its string constants, with ``{}`` where an
    f-string puts a value."""
    if isinstance(expr, ast.Constant) and isinstance(expr.value, str):
        return expr.value
    if isinstance(expr, ast.JoinedStr):
        return "".join(_literal(v) if isinstance(v, ast.Constant) else "{}" for v in expr.values)
    if isinstance(expr, ast.BinOp):
        return _literal(expr.left) + _literal(expr.right)
    return ""


def _texts(cls: type[AlarmvernError], call: ast.Call) -> tuple[str, str] | str:
    """The fixed bokmål and English texts a raise hands its error, or what is wrong."""
    signature = inspect.signature(cls)
    if "nb" not in signature.parameters:  # the class writes its own text
        if call.args or call.keywords:
            return f"{cls.__name__} takes no text, but the raise gives some"
        made = cls()
        return made.nb, made.en
    keywords = {k.arg: k.value for k in call.keywords if k.arg is not None}
    try:
        bound = signature.bind(*call.args, **keywords).arguments
    except TypeError as exc:
        return f"{cls.__name__}(...) does not fit its constructor: {exc}"
    if "nb" not in bound or "en" not in bound:
        return f"{cls.__name__}(...) is given no bokmål and English text"
    return _literal(bound["nb"]), _literal(bound["en"])


def test_the_raises_are_found() -> None:
    found = RAISES
    assert len(found) > 150  # the walk reaches the package, not an empty corner of it
    assert {cls.__name__ for _, cls, _ in found} >= {"RequestError", "InputError", "HoldError"}


RAISES = list(_raises())


@pytest.mark.parametrize(("where", "cls", "call"), RAISES, ids=[r[0] for r in RAISES])
def test_each_raise_below_the_web_is_bilingual_and_names_no_flag(
    where: str, cls: type[AlarmvernError], call: ast.Call
) -> None:
    texts = _texts(cls, call)
    assert not isinstance(texts, str), f"{where}: {texts}"
    nb, en = texts
    for text in (nb, en):
        assert not FLAG.search(text), f"{where}: names a CLI flag or command: {text!r}"
    assert " / " not in nb and " / " not in en, f"{where}: one language per argument"
    for text in (nb, en):  # a sentence, not a field's name passed where a text belongs
        assert not text or " " in text, f"{where}: {text!r} is not a message"
    if nb.replace("{}", "").strip() or en.replace("{}", "").strip():
        assert nb != en, f"{where}: the bokmål text is the English one: {en!r}"


def test_an_error_keeps_both_languages_its_code_and_its_field() -> None:
    error = AlarmvernError("forespørselen er lukket", "the request is closed", field="request")
    assert str(error) == "forespørselen er lukket / the request is closed"
    assert (error.text.nb, error.text.en, error.field) == (error.nb, error.en, "request")
    assert error.code is None  # the web then names its status: conflict
    coded = AlarmvernError("lukket", "closed", code="closed")
    assert coded.code == "closed"


def test_an_error_survives_a_trip_between_processes() -> None:
    from alarmvern.customers.errors import InputError
    from alarmvern.customers.logins import LinkError

    for error in (
        AlarmvernError("lukket", "closed", field="request", code="closed"),
        InputError("email", "ugyldig", "not valid"),
        LinkError(),
    ):
        back = pickle.loads(pickle.dumps(error))
        assert type(back) is type(error) and str(back) == str(error)
        assert (back.nb, back.en, back.field, back.code) == (
            error.nb,
            error.en,
            error.field,
            error.code,
        )


def test_the_cli_prints_both_languages_and_adds_its_own_command_by_code() -> None:
    from alarmvern.cli.hints import HINTS, say
    from alarmvern.rights.requests import RequestError

    error = RequestError("ikke bekreftet", "not verified", code="identity_unverified")
    assert say(error) == (
        "alarmvern: ikke bekreftet / not verified → alarmvern rights verify REQUEST --method …"
    )
    assert say(AlarmvernError("lukket", "closed")) == "alarmvern: lukket / closed"
    codes = {
        k.value.value
        for _, _, call in RAISES
        for k in call.keywords
        if k.arg == "code" and isinstance(k.value, ast.Constant)
    }
    assert set(HINTS) <= codes, f"hints for codes no error gives: {set(HINTS) - codes}"
