"""Fail points for the fault-tolerance tests.

A refresh started with DIGIMETRICS_KILL_AT=<point> kills its own process group with
SIGKILL when it reaches that point, as a power cut or an OOM kill would. Nothing else
sets the variable; unset, a fail point costs one dictionary lookup.
"""

import os
import signal

VARIABLE = "DIGIMETRICS_KILL_AT"


def fail_point(name: str) -> None:
    if os.environ.get(VARIABLE) == name:
        os.killpg(os.getpgrp(), signal.SIGKILL)
