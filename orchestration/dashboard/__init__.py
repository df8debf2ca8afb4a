"""`make dashboard`: Superset's settings, launcher and the dashboard as code (bundle/)."""
