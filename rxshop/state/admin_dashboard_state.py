from __future__ import annotations

from ..admin import dashboard
from ..admin.dashboard import Tile, TopProduct
from ..db import session
from ..settings import get_settings
from .admin_state import AdminState, admin_event


class DashboardState(AdminState):
    tiles: list[Tile] = []
    daily: list[dict[str, str | int]] = []
    top: list[TopProduct] = []
    pending_orders: int = 0
    failed_payments: int = 0
    currency: str = ""

    @admin_event
    def load(self):
        self.currency = get_settings().rxshop_currency.upper()
        with session() as db:
            d = dashboard.build(db, get_settings().rxshop_currency)
        self.tiles, self.daily, self.top = d.tiles, d.daily, d.top
        self.pending_orders, self.failed_payments = d.pending_orders, d.failed_payments
