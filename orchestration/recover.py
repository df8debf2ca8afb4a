"""`python -m orchestration.recover` (`make recover-state`): rebuild a damaged working state.

The damaged file is set aside beside it, never deleted; the next refresh reads every file
of the landing zone again, in the order they were first seen.
"""

from orchestration.lib.recovery import recover_state
from orchestration.lib.settings import Settings


def main() -> None:
    settings = Settings.from_env()
    done = recover_state(
        settings.state_db, settings.journal, settings.warehouse_path, settings.now()
    )
    for path in done.set_aside:
        print(f"set aside {path}")
    print(
        f"new working state {settings.state_db}: {done.files_restored} files restored in "
        f"first-seen order from {done.source}"
    )
    print("Run a refresh (make run, or the nightly_refresh job) to read them all again.")


if __name__ == "__main__":
    main()
