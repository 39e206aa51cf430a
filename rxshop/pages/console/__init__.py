"""The operator console under /admin. Every page's on_load goes through the operator check (admin_state.py)."""
from . import admin_audit, admin_home, admin_login, admin_orders, admin_products

__all__ = ["admin_audit", "admin_home", "admin_login", "admin_orders", "admin_products"]
