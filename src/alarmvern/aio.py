"""Running the asyncio services (the receiver, the web) on the fastest event loop at hand.

uvloop, where installed (Linux and macOS), handles many more frames per second than the
standard loop; everything works the same without it.
"""

from __future__ import annotations

import asyncio
from collections.abc import Coroutine
from typing import Any, TypeVar

T = TypeVar("T")


def run(main: Coroutine[Any, Any, T]) -> T:
    try:
        import uvloop
    except ImportError:
        return asyncio.run(main)
    return uvloop.run(main)
