"""Resources shared by every domain: the pipeline's DuckDB state and dbt."""

from collections.abc import Iterator
from contextlib import contextmanager

import dagster as dg
import duckdb

from orchestration.defs.warehouse.project import dbt_cli_resource
from orchestration.lib import state
from orchestration.lib.settings import Settings


class WarehouseResource(dg.ConfigurableResource):
    """Paths and DuckDB connections, configured from the environment (contract section 1)
    when a run starts, so the same definitions serve any landing zone and warehouse."""

    def settings(self) -> Settings:
        return Settings.from_env()

    @contextmanager
    def state_connection(self, read_only: bool = False) -> Iterator[duckdb.DuckDBPyConnection]:
        with state.connect(self.settings().state_db, read_only=read_only) as conn:
            yield conn


@dg.definitions
def resources() -> dg.Definitions:
    return dg.Definitions(
        resources={
            "warehouse": WarehouseResource(),
            "dbt": dbt_cli_resource(),
        }
    )
