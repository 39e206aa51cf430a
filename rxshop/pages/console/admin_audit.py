import reflex as rx

from ... import routes
from ...components.admin_frame import TABLE, TD, TH, admin_page
from ...state.admin_audit_state import AuditState


def _row(r) -> rx.Component:
    return rx.el.tr(rx.el.td(r.when, class_name=TD), rx.el.td(r.who, class_name=TD),
                    rx.el.td(r.action, class_name=TD), rx.el.td(r.target, class_name=TD),
                    rx.el.td(r.detail, class_name=TD), data_testid="audit-row")


@rx.page(route=routes.ADMIN_AUDIT, title="Audit log · rxshop console", on_load=AuditState.load)
def audit() -> rx.Component:
    return admin_page(
        "Audit log",
        rx.el.p("Every change made by an operator: who, what, when (UTC). Newest first.",
                class_name="mb-3 text-sm text-slate-600"),
        rx.el.table(
            rx.el.thead(rx.el.tr(*[rx.el.th(h, class_name=TH) for h in ("When", "Who", "Action", "Target",
                                                                         "Detail")])),
            rx.el.tbody(rx.foreach(AuditState.rows, _row)),
            class_name=TABLE,
        ),
    )
