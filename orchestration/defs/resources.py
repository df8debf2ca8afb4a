"""Resources shared by every domain: the pipeline's DuckDB state and dbt."""

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Self

import dagster as dg
import duckdb

from orchestration.defs.warehouse.project import dbt_cli_resource
from orchestration.lib import state
from orchestration.lib.locking import exclusive_lock
from orchestration.lib.settings import Settings


class WarehouseResource(dg.ConfigurableResource):
    """Paths and DuckDB connections, configured from the environment (contract section 1)
    when a run starts, so the same definitions serve any landing zone and warehouse.

    A run holds the warehouse's writer lock from start to end (runs execute in one
    process), so two refreshes never write at once: the second waits, visibly."""

    def settings(self) -> Settings:
        return Settings.from_env()

    @contextmanager
    def yield_for_execution(self, context: dg.InitResourceContext) -> Iterator[Self]:
        settings = self.settings()
        run = context.instance.get_run_by_id(context.run_id) if context.run_id else None
        if run is not None and run.is_finished:
            # Dagster also builds resources after a run, to hand back its results: the
            # run has written nothing since it released the lock, so it takes none.
            yield self
            return
        owner = f"run {context.run_id}" if context.run_id else "a refresh"

        def report_wait(holder: str) -> None:
            context.log.warning(
                f"{settings.warehouse_path} is being refreshed by {holder}; "
                "waiting for it to finish"
            )

        with exclusive_lock(settings.work_dir / "refresh.lock", owner, report_wait):
            yield self

    @contextmanager
    def state_connection(self, read_only: bool = False) -> Iterator[duckdb.DuckDBPyConnection]:
        try:
            with state.connect(self.settings().state_db, read_only=read_only) as conn:
                yield conn
        except state.StateDamaged as damaged:
            # the operator's next step, shown as the step's failure in the UI and the CLI
            raise dg.Failure(description=str(damaged)) from None


@dg.definitions
def resources() -> dg.Definitions:
    return dg.Definitions(
        # every run (the job, or a selection materialized in the UI) runs in one process:
        # the imports are paid once and the writer lock spans the whole run
        executor=dg.in_process_executor,
        resources={
            "warehouse": WarehouseResource(),
            "dbt": dbt_cli_resource(),
        },
    )
