"""Superset's settings for the Digimetrics dashboard (SUPERSET_CONFIG_PATH points here).

Superset keeps its own metadata (users, the imported dashboard) in a SQLite file under
DIGIMETRICS_DASHBOARD_HOME; the warehouse itself is a database connection of the imported
bundle (databases/digimetrics.yaml), opened read-only through duckdb-engine.
"""

import os
import secrets
from pathlib import Path

HOME = Path(os.environ.get("DIGIMETRICS_DASHBOARD_HOME", ".superset")).resolve()
HOME.mkdir(parents=True, exist_ok=True)
DATA_DIR = str(HOME)
SQLALCHEMY_DATABASE_URI = f"sqlite:///{HOME / 'superset.db'}?check_same_thread=false"


def _secret_key() -> str:
    """SUPERSET_SECRET_KEY when set, else a key generated on this machine and kept beside
    the metadata (it signs sessions and encrypts stored connection secrets): never a
    published constant."""
    if key := os.environ.get("SUPERSET_SECRET_KEY"):
        return key
    path = HOME / "secret_key"
    if not path.exists():
        path.touch(mode=0o600)
        path.write_text(secrets.token_urlsafe(48))
    return path.read_text().strip()


SECRET_KEY = _secret_key()

# Nothing leaves the machine. Superset's front end carries a telemetry pixel (Scarf) and its
# default content security policy allows it, with map tiles and web fonts: allow this server
# only, so the browser loads none of them.
_SELF = ["'self'"]
TALISMAN_ENABLED = True
TALISMAN_CONFIG = {
    "content_security_policy": {
        "base-uri": _SELF,
        "default-src": _SELF,
        "img-src": [*_SELF, "blob:", "data:"],
        "worker-src": [*_SELF, "blob:"],
        "connect-src": _SELF,
        "object-src": "'none'",
        "style-src": [*_SELF, "'unsafe-inline'"],
        "font-src": [*_SELF, "data:"],
        "script-src": [*_SELF, "'strict-dynamic'"],
    },
    "content_security_policy_nonce_in": ["script-src"],
    "force_https": False,
    "session_cookie_secure": False,
}
CONTENT_SECURITY_POLICY_WARNING = False
THEME_FONT_URL_ALLOWED_DOMAINS: list[str] = []

# No Redis, no Celery: results are not cached, so every chart reads the current publish.
CACHE_CONFIG = {"CACHE_TYPE": "NullCache"}
DATA_CACHE_CONFIG = {"CACHE_TYPE": "NullCache"}
RATELIMIT_STORAGE_URI = "memory://"

# Draw every chart of the (small) dashboard at once, not only those scrolled into view.
FEATURE_FLAGS = {"DASHBOARD_VIRTUALIZATION": False}
