"""The framework's floor for the benchmarks: a bare Reflex cart app (README "Benchmarks")."""
import os

import reflex as rx

os.environ.setdefault("REFLEX_TELEMETRY_ENABLED", "false")
os.environ.setdefault("REFLEX_CHECK_LATEST_VERSION", "false")

config = rx.Config(app_name="floor_app", state_manager_mode="memory", telemetry_enabled=False,
                   show_built_with_reflex=False, disable_plugins=[rx.plugins.SitemapPlugin])
