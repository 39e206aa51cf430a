from __future__ import annotations

from ..admin.audit import AuditRow, recent
from ..db import session
from .admin_state import AdminState, admin_event


class AuditState(AdminState):
    rows: list[AuditRow] = []

    @admin_event
    def load(self):
        with session() as db:
            self.rows = recent(db)
