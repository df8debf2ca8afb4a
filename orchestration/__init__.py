"""Digimetrics: public-service digitization metrics, from provincial submissions to BI."""

import os

# Telemetry can only fail on these machines (no internet): keep it off for every tool.
os.environ.setdefault("GX_ANALYTICS_ENABLED", "False")
os.environ.setdefault("DBT_SEND_ANONYMOUS_USAGE_STATS", "false")
os.environ.setdefault("DAGSTER_DISABLE_TELEMETRY", "1")
