import reflex as rx

from ... import routes
from ...components.admin_frame import INPUT, TABLE, TD, TH, admin_page
from ...components.ui import PRIMARY, SECONDARY
from ...models import OrderStatus
from ...state.admin_orders_state import OrdersAdminState as S

LABEL = "flex flex-col gap-1 text-sm font-medium"
BOX = "flex flex-col gap-2 rounded-xl bg-white p-4 shadow-sm ring-1 ring-slate-200"


def _filters() -> rx.Component:
    return rx.el.form(
        rx.el.label("Status", rx.el.select(rx.el.option("any", value=""),
                                           *[rx.el.option(s.value, value=s.value) for s in OrderStatus],
                                           name="status", class_name=INPUT), class_name=LABEL),
        rx.el.label("From", rx.el.input(type="date", name="date_from", class_name=INPUT), class_name=LABEL),
        rx.el.label("To", rx.el.input(type="date", name="date_to", class_name=INPUT), class_name=LABEL),
        rx.el.label("Email", rx.el.input(name="email", class_name=INPUT), class_name=LABEL),
        rx.el.label("Order number", rx.el.input(name="number", class_name=INPUT), class_name=LABEL),
        rx.el.div(rx.el.button("Filter", type="submit", class_name=PRIMARY),
                  rx.el.button("Export CSV", type="button", on_click=S.export_csv, class_name=SECONDARY),
                  class_name="flex items-end gap-2"),
        on_submit=S.apply_filter,
        class_name="mb-3 grid grid-cols-2 gap-3 md:grid-cols-6",
    )


def _row(r) -> rx.Component:
    return rx.el.tr(
        rx.el.td(rx.el.button(r.number, type="button", on_click=S.open(r.id), aria_label="Open order " + r.number,
                              class_name="font-mono font-semibold text-indigo-700 hover:underline"), class_name=TD),
        rx.el.td(r.created, class_name=TD), rx.el.td(r.email, class_name=TD), rx.el.td(r.status, class_name=TD),
        rx.el.td(r.total, class_name=TD), rx.el.td(r.refunded, class_name=TD), rx.el.td(r.flow, class_name=TD),
        data_testid="order-row",
    )


def _table(items, headers: tuple, cells) -> rx.Component:
    return rx.el.table(rx.el.thead(rx.el.tr(*[rx.el.th(h, class_name=TH) for h in headers])),
                       rx.el.tbody(rx.foreach(items, lambda x: rx.el.tr(*[rx.el.td(c(x), class_name=TD)
                                                                         for c in cells]))),
                       class_name=TABLE)


def _detail() -> rx.Component:
    d = S.detail
    return rx.el.section(
        rx.el.div(rx.el.h2("Order ", rx.el.span(d.number, class_name="font-mono"), class_name="text-xl font-bold"),
                  rx.el.button("Close", type="button", on_click=S.close, class_name=SECONDARY),
                  class_name="flex items-center justify-between"),
        rx.el.p("Status: ", rx.el.strong(d.status, data_testid="detail-status"), " · total ", d.total,
                rx.cond(d.refunded != "", rx.el.span(" · refunded ", rx.el.strong(d.refunded,
                                                                                   data_testid="detail-refunded"))),
                " · ", d.email, " · ", d.flow, " · created ", d.created, rx.cond(d.paid != "", " · paid " + d.paid, "")),
        rx.cond(d.note != "", rx.el.p(d.note, class_name="text-sm text-amber-800")),
        rx.el.ul(rx.foreach(d.stripe_ids, lambda s: rx.el.li(rx.el.code(s))), class_name="text-sm"),
        rx.el.h3("Lines", class_name="font-semibold"),
        _table(d.lines, ("Item", "Qty", "Unit", "Total"),
               [lambda x: x.name, lambda x: x.quantity, lambda x: x.unit_price, lambda x: x.total]),
        rx.el.h3("Payments", class_name="font-semibold"),
        _table(d.payments, ("Kind", "Stripe id", "Amount", "Refunded", "Status"),
               [lambda x: x.kind, lambda x: rx.el.code(x.provider_id), lambda x: x.amount, lambda x: x.refunded,
                lambda x: x.status]),
        rx.el.h3("Status history", class_name="font-semibold"),
        _table(d.history, ("When (UTC)", "Status", "Detail", "Source"),
               [lambda x: x.when, lambda x: x.what, lambda x: x.detail, lambda x: x.source]),
        rx.el.h3("Webhook events received", class_name="font-semibold"),
        _table(d.events, ("Received (UTC)", "Type", "Processing", "Event id"),
               [lambda x: x.when, lambda x: x.what, lambda x: x.detail, lambda x: rx.el.code(x.source)]),
        rx.el.h3("Emails", class_name="font-semibold"),
        _table(d.emails, ("When (UTC)", "Kind", "To", "State"),
               [lambda x: x.when, lambda x: x.what, lambda x: x.detail, lambda x: x.source]),
        rx.el.div(
            rx.cond(
                d.refundable != "",
                rx.el.form(
                    rx.el.label("Refund amount (" + d.currency.upper() + ")",
                                rx.el.input(name="amount", default_value=d.refundable,
                                            custom_attrs={"inputMode": "decimal"}, key=d.number + d.refundable,
                                            class_name=INPUT), class_name=LABEL),
                    rx.el.button(rx.cond(S.refunding, "Refunding…", "Refund"), type="submit",
                                 disabled=S.refunding, class_name=PRIMARY),
                    on_submit=S.refund, class_name="flex items-end gap-2",
                ),
                rx.el.p("Nothing left to refund.", class_name="text-sm text-slate-600"),
            ),
            rx.el.button("Re-send receipt and download links", type="button", on_click=S.resend,
                         class_name=SECONDARY),
            class_name="flex flex-wrap items-end justify-between gap-3",
        ),
        rx.cond(S.refund_error != "", rx.el.p(S.refund_error, role="alert", data_testid="refund-error",
                                              class_name="text-sm font-semibold text-red-700")),
        rx.cond(S.refund_notice != "", rx.el.p(S.refund_notice, data_testid="refund-notice",
                                               class_name="text-sm text-green-800")),
        class_name=BOX + " mb-6",
        data_testid="order-detail",
    )


@rx.page(route=routes.ADMIN_ORDERS, title="Orders · rxshop console", on_load=S.load)
def admin_orders() -> rx.Component:
    return admin_page(
        "Orders",
        rx.cond(S.detail.id != 0, _detail()),
        _filters(),
        rx.cond(S.filter_error != "", rx.el.p(S.filter_error, role="alert", class_name="text-sm text-red-700")),
        rx.el.table(
            rx.el.thead(rx.el.tr(*[rx.el.th(h, class_name=TH) for h in ("Order", "Created (UTC)", "Email",
                                                                         "Status", "Total", "Refunded", "Flow")])),
            rx.el.tbody(rx.foreach(S.rows, _row)),
            class_name=TABLE,
        ),
        rx.el.div(
            rx.el.button("Newer", type="button", on_click=S.go_page(-1), disabled=S.page_no == 0,
                         class_name=SECONDARY),
            rx.el.span("Page ", (S.page_no + 1).to_string(), " of ", S.pages.to_string(), " · ",
                       S.total.to_string(), " orders", class_name="text-sm", data_testid="order-count"),
            rx.el.button("Older", type="button", on_click=S.go_page(1), disabled=S.page_no + 1 >= S.pages,
                         class_name=SECONDARY),
            class_name="mt-3 flex items-center gap-3",
        ),
    )
