"""The heap of a long-lived process (a web worker, the receiver): what it has loaded once
started (modules, tables, the policy, the app: some 200,000 objects) stays for its life.

It is moved out of the garbage collector's reach (:func:`gc.freeze`), so that a full
collection walks only what requests and batches left behind. Without it, each full
collection walked all of it: 80-200 ms on this project's 2-core machines, a stall every
few thousand requests (or every few erasures, which take back thousands of rows at once)
that queued every request behind it.
"""

from __future__ import annotations

import gc


def keep_what_is_loaded() -> None:
    """Call once the process is set up, before it serves: garbage is collected first, so
    that only what is alive is kept."""
    gc.collect()
    gc.freeze()
