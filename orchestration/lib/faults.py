"""Fail points for the fault-tolerance tests.

A refresh started with DIGIMETRICS_KILL_AT=<point> kills its own process group with
SIGKILL when it reaches that point, as a power cut or an OOM kill would. Nothing else
sets the variable; unset, a fail point costs one dictionary lookup. Tests that run a
refresh in their own process can also make something happen at a point (`at`): rename
or delete a file between two steps, as an operator could.
"""

import os
import signal
from collections.abc import Callable, Iterator
from contextlib import contextmanager

VARIABLE = "DIGIMETRICS_KILL_AT"
_ACTIONS: dict[str, Callable[[], None]] = {}


def fail_point(name: str) -> None:
    if name in _ACTIONS:
        _ACTIONS.pop(name)()  # once: the first time the point is reached
    if os.environ.get(VARIABLE) == name:
        os.killpg(os.getpgrp(), signal.SIGKILL)


@contextmanager
def at(name: str, action: Callable[[], None]) -> Iterator[None]:
    """Run `action` the first time this process reaches fail point `name`."""
    _ACTIONS[name] = action
    try:
        yield
    finally:
        _ACTIONS.pop(name, None)
