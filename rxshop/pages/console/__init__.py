"""The operator console under /admin. Every page's on_load goes through the operator check (admin_state.py)."""
from . import admin_audit, admin_home, admin_login

__all__ = ["admin_audit", "admin_home", "admin_login"]
