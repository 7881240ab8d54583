"""The error tree in ``alarmvern/errors.py`` names every error class the package defines."""

from __future__ import annotations

import importlib
import inspect
import re

from alarmvern import errors
from tests.test_errors_text import modules

INTERNAL = {"NotOurs"}  # documented where raised; never reaches a user


def _error_classes() -> set[type[BaseException]]:
    found: set[type[BaseException]] = set()
    for name, _path in modules():
        if name.endswith("__main__"):
            continue
        module = importlib.import_module(name)
        for _, cls in inspect.getmembers(module, inspect.isclass):
            if issubclass(cls, BaseException) and cls.__module__ == module.__name__:
                found.add(cls)
    return found


def _words(text: str) -> set[str]:
    return set(re.findall(r"\b[A-Z][A-Za-z]+\b", text))


def test_every_error_class_is_in_the_documented_tree() -> None:
    public = {c.__name__ for c in _error_classes() if not c.__name__.startswith("_")}
    missing = public - _words(errors.__doc__ or "") - INTERNAL
    assert not missing, f"add these to the tree in alarmvern/errors.py: {sorted(missing)}"


def test_the_tree_names_no_class_that_does_not_exist() -> None:
    branches = re.findall(r"^[│ ]*[├└]── ([A-Za-z]+)", errors.__doc__ or "", re.M)
    assert len(branches) > 20
    assert set(branches) - {c.__name__ for c in _error_classes()} == set()
