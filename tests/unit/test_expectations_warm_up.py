"""The GX context is built once, on a background thread while dbt runs; the checks that
ask for it meanwhile wait for that one rather than building their own."""

import threading

from orchestration.lib import expectations


def test_warm_up_builds_the_one_context_the_checks_use() -> None:
    expectations._cached_context.cache_clear()
    expectations.warm_up()
    context = expectations._context()  # asked while the warm-up is still importing GX
    assert context is expectations._context()
    assert expectations._cached_context.cache_info().misses == 1, "built twice"
    warm_ups = [t for t in threading.enumerate() if t.name == "gx-warm-up"]
    for thread in warm_ups:
        thread.join(timeout=60)
    assert not any(t.is_alive() for t in warm_ups)
