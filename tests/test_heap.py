"""A serving process keeps what it loaded at start out of the garbage collector's reach
(:mod:`alarmvern.heap`): a full collection then walks only what requests left behind."""

from __future__ import annotations

import gc
import weakref
from collections.abc import Iterator
from pathlib import Path

import pytest

from alarmvern import heap
from tests.serve_support import serve_until_ready


class Node:
    me: object = None


@pytest.fixture
def thawed() -> Iterator[None]:
    """The test process's own heap as it was: collected as usual after the test."""
    gc.unfreeze()
    yield
    gc.unfreeze()


def test_what_is_alive_is_kept_out_of_collections_and_garbage_is_not(thawed: None) -> None:
    alive = Node()
    garbage = Node()
    garbage.me = garbage  # a cycle: gone only when a collection finds it
    gone = weakref.ref(garbage)
    del garbage
    heap.keep_what_is_loaded()
    assert gc.get_freeze_count() > 0
    assert not any(o is alive for o in gc.get_objects())  # frozen: no collection walks it
    assert gone() is None  # collected first, not kept with what is alive


def test_the_web_process_keeps_its_heap_once_it_serves(tmp_path: Path, thawed: None) -> None:
    frozen = serve_until_ready(tmp_path / "data", lambda _system: gc.get_freeze_count())
    assert frozen > 10_000  # the modules, the tables, the policy, the app
