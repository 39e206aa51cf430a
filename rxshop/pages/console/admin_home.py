import reflex as rx

from ... import routes
from ...components.admin_frame import TABLE, TD, TH, admin_page
from ...state.admin_dashboard_state import DashboardState as S

BOX = "flex flex-col gap-1 rounded-xl bg-white p-4 shadow-sm ring-1 ring-slate-200"


def _tile(t) -> rx.Component:
    return rx.el.div(rx.el.span(t.label, class_name="text-sm text-slate-600"),
                     rx.el.span(t.revenue, class_name="text-2xl font-bold"),
                     rx.el.span(t.orders, rx.cond(t.orders == 1, " order", " orders"), class_name="text-sm"),
                     class_name=BOX, data_testid="revenue-tile")


def _count(label: str, value) -> rx.Component:
    return rx.el.div(rx.el.span(label, class_name="text-sm text-slate-600"),
                     rx.el.span(value.to_string(), class_name="text-2xl font-bold"), class_name=BOX)


@rx.page(route=routes.ADMIN, title="Console · rxshop", on_load=S.load)
def admin_home() -> rx.Component:
    return admin_page(
        "Dashboard",
        rx.el.div(rx.foreach(S.tiles, _tile), _count("Pending orders", S.pending_orders),
                  _count("Failed payments", S.failed_payments),
                  class_name="mb-6 grid grid-cols-2 gap-3 md:grid-cols-5"),
        rx.el.section(
            rx.el.h2("Daily revenue, last 30 days (" + S.currency + ", whole units)", class_name="font-semibold"),
            rx.recharts.bar_chart(
                rx.recharts.cartesian_grid(stroke_dasharray="3 3"),
                rx.recharts.x_axis(data_key="day"),
                rx.recharts.y_axis(allow_decimals=False),
                rx.recharts.graphing_tooltip(),
                rx.recharts.bar(data_key="revenue", fill="#4f46e5", is_animation_active=False),
                data=S.daily, width="100%", height=260,
            ),
            class_name=BOX + " mb-6",
        ),
        rx.el.section(
            rx.el.h2("Top products, last 30 days", class_name="font-semibold"),
            rx.el.table(rx.el.thead(rx.el.tr(*[rx.el.th(h, class_name=TH) for h in ("Product", "Sold",
                                                                                     "Revenue")])),
                        rx.el.tbody(rx.foreach(S.top, lambda p: rx.el.tr(
                            rx.el.td(p.name, class_name=TD), rx.el.td(p.quantity, class_name=TD),
                            rx.el.td(p.revenue, class_name=TD)))),
                        class_name=TABLE),
            class_name=BOX,
        ),
    )
