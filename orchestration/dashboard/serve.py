"""`make dashboard`: Superset on 127.0.0.1 over the published warehouse, read-only.

Run with the dashboard's own environment (.venv-dashboard/bin/python), never the
pipeline's. One process prepares Superset's metadata (SQLite, under
DIGIMETRICS_DASHBOARD_HOME), imports the dashboard of bundle/ with the warehouse's path put
into its database connection, reads each dataset's columns from the warehouse, then serves.
"""

import argparse
import os
import secrets
import sys
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # Flask is in .venv-dashboard only
    from flask import Flask

HERE = Path(__file__).resolve().parent
BUNDLE = HERE / "bundle"
# the bundle's connection names no file: the path of this machine's warehouse goes here
WAREHOUSE_URI_PLACEHOLDER = "__DIGIMETRICS_WAREHOUSE_URI__"
ADMIN, ADMIN_PASSWORD_FILE = "admin", "admin_password"


def bundle_contents(bundle: Path, warehouse: Path) -> dict[str, str]:
    """The export bundle's YAML files by relative path, as Superset's importer takes them,
    with the connection pointing at `warehouse`."""
    uri = f"duckdb:///{warehouse.resolve()}"
    return {
        path.relative_to(bundle).as_posix(): path.read_text().replace(
            WAREHOUSE_URI_PLACEHOLDER, uri
        )
        for path in sorted(bundle.rglob("*.yaml"))
    }


def admin_password(home: Path) -> str:
    """SUPERSET_ADMIN_PASSWORD when set, else one generated on first start and kept in the
    dashboard's home (readable by its owner only)."""
    if password := os.environ.get("SUPERSET_ADMIN_PASSWORD"):
        return password
    path = home / ADMIN_PASSWORD_FILE
    if not path.exists():
        path.touch(mode=0o600)
        path.write_text(secrets.token_urlsafe(16))
    return path.read_text().strip()


def prepare(app: "Flask", contents: dict[str, str], password: str) -> None:
    """What `superset db upgrade`, `superset init`, `superset fab create-admin` and
    `superset import-dashboards` do, in this process (each CLI call costs an import of
    Superset), then the datasets' columns from the warehouse (the bundle lists none: the
    warehouse is their one declaration)."""
    import yaml
    from flask_migrate import upgrade
    from superset import db, security_manager
    from superset.commands.chart.importers.v1 import ImportChartsCommand
    from superset.commands.dashboard.importers.v1 import ImportDashboardsCommand
    from superset.commands.database.importers.v1 import ImportDatabasesCommand
    from superset.commands.dataset.importers.v1 import ImportDatasetsCommand
    from superset.connectors.sqla.models import SqlaTable
    from superset.extensions import appbuilder
    from superset.utils.core import override_user

    with app.app_context():
        upgrade()
        appbuilder.add_permissions(update_perms=True)
        security_manager.sync_role_definitions()
        admin = security_manager.find_user(username=ADMIN)
        if admin is None:
            admin = security_manager.add_user(
                ADMIN, "Digimetrics", "Admin", "admin@localhost",
                security_manager.find_role("Admin"), password=password,
            )  # fmt: skip
        else:
            security_manager.reset_password(admin.id, password)
        db.session.commit()
        # each kind on its own: a dashboard's import keeps the connection, datasets and charts
        # it names as they were, so a changed chart or warehouse path would not show
        untyped = {**contents, "metadata.yaml": "version: 1.0.0\n"}
        with override_user(admin):
            for command in (
                ImportDatabasesCommand, ImportDatasetsCommand, ImportChartsCommand,
                ImportDashboardsCommand,
            ):  # fmt: skip
                command(untyped, overwrite=True).run()
        uuids = [
            yaml.safe_load(text)["uuid"]
            for name, text in contents.items()
            if name.startswith("datasets/")
        ]
        for dataset in db.session.query(SqlaTable).filter(SqlaTable.uuid.in_(uuids)):
            dataset.fetch_metadata()
        db.session.commit()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--host", default=os.environ.get("HOST", "127.0.0.1"))
    parser.add_argument("--port", type=int, default=int(os.environ.get("PORT", "8088")))
    args = parser.parse_args(argv)

    warehouse = Path(os.environ.get("DIGIMETRICS_WAREHOUSE", "warehouse/digimetrics.duckdb"))
    if not warehouse.is_file():
        print(f"no warehouse at {warehouse}: run `make run` first", file=sys.stderr)
        return 2
    home = Path(os.environ.setdefault("DIGIMETRICS_DASHBOARD_HOME", ".superset")).resolve()
    home.mkdir(parents=True, exist_ok=True)
    os.environ["DIGIMETRICS_DASHBOARD_HOME"] = str(home)
    os.environ["SUPERSET_CONFIG_PATH"] = str(HERE / "superset_config.py")

    from superset.app import create_app

    app = create_app()
    password = admin_password(home)
    prepare(app, bundle_contents(BUNDLE, warehouse), password)
    told = os.environ.get("SUPERSET_ADMIN_PASSWORD") and "$SUPERSET_ADMIN_PASSWORD"
    print(
        f"Superset: http://{args.host}:{args.port}/superset/dashboard/digimetrics/ "
        f"(user {ADMIN}, password {told or f'in {home / ADMIN_PASSWORD_FILE}'})",
        flush=True,
    )
    # Werkzeug's threaded server: one local user on the loopback interface
    app.run(host=args.host, port=args.port, threaded=True, use_reloader=False)
    return 0


if __name__ == "__main__":
    sys.exit(main())
