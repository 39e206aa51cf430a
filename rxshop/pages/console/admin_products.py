import reflex as rx

from ... import routes
from ...components.admin_frame import INPUT, TABLE, TD, TH, admin_page
from ...components.ui import PRIMARY, SECONDARY
from ...state.admin_products_state import ProductsAdminState as S

LABEL = "flex flex-col gap-1 text-sm font-medium"


def _row(r) -> rx.Component:
    return rx.el.tr(
        rx.el.td(rx.cond(r.image != "", rx.el.img(src=r.image, src_set=r.srcset, sizes="48px", alt="",
                                                  custom_attrs={"width": 48, "height": 36},
                                                  class_name="h-9 w-12 rounded object-cover")), class_name=TD),
        rx.el.td(r.name, rx.el.div(r.slug, class_name="text-xs text-slate-500"), class_name=TD),
        rx.el.td(r.price, class_name=TD),
        rx.el.td(r.stock, class_name=TD),
        rx.el.td(rx.cond(r.active, "active", "inactive"), class_name=TD),
        rx.el.td(rx.cond(r.delivery != "", r.delivery, "nothing to deliver"), class_name=TD),
        rx.el.td(rx.el.button("Edit", type="button", on_click=S.edit(r.id), class_name=SECONDARY,
                              aria_label="Edit " + r.name), class_name=TD),
        data_testid="product-row",
    )


def _field(label: str, name: str, value, **props) -> rx.Component:
    return rx.el.label(label, rx.el.input(name=name, default_value=value, class_name=INPUT, **props),
                       class_name=LABEL)


def _uploader(upload_id: str, title: str, accept: dict, on_upload, current) -> rx.Component:
    return rx.el.div(
        rx.el.h3(title, class_name="font-semibold"),
        current,
        rx.upload.root(
            rx.el.div(rx.cond(rx.selected_files(upload_id).length() > 0, rx.selected_files(upload_id)[0],
                              "Drop a file here or click to choose"),
                      class_name="cursor-pointer rounded-lg border border-dashed border-slate-400 p-4 text-sm"),
            id=upload_id, max_files=1, multiple=False, accept=accept,
        ),
        rx.el.button("Upload " + title.lower(), type="button", class_name=SECONDARY,
                     on_click=on_upload(rx.upload_files(upload_id=upload_id))),
        class_name="flex flex-col gap-2 rounded-lg bg-slate-50 p-3",
        data_testid=upload_id + "-uploader",
    )


def _editor() -> rx.Component:
    f = S.form
    return rx.el.section(
        rx.el.h2(rx.cond(f.id == 0, "New product", "Edit " + f.name), class_name="text-xl font-bold"),
        rx.el.form(
            _field("Name", "name", f.name, required=True, max_length=120),
            rx.el.label("Description", rx.el.textarea(name="description", default_value=f.description, rows=3,
                                                      class_name=INPUT), class_name=LABEL),
            rx.el.div(
                _field("Price", "price", f.price, custom_attrs={"inputMode": "decimal"}, placeholder="12.50",
                       required=True),
                _field("Currency", "currency", f.currency, max_length=3),
                _field("Stock (empty = unlimited)", "stock", f.stock, custom_attrs={"inputMode": "numeric"}),
                class_name="grid grid-cols-3 gap-3",
            ),
            _field("External download link (instead of a file)", "delivery_url", f.delivery_url, type="url"),
            rx.el.label(rx.el.input(type="checkbox", name="active", default_checked=f.active), " Active (for sale)",
                        class_name="flex items-center gap-2 text-sm"),
            rx.cond(S.error != "", rx.el.p(S.error, role="alert", data_testid="product-error",
                                           class_name="text-sm font-semibold text-red-700")),
            rx.el.div(rx.el.button("Save", type="submit", class_name=PRIMARY),
                      rx.el.button("Close", type="button", on_click=S.close, class_name=SECONDARY),
                      class_name="flex gap-2"),
            on_submit=S.save, key=S.form_rev.to_string(),
            class_name="flex flex-col gap-3",
        ),
        rx.cond(
            f.id != 0,
            rx.el.div(
                _uploader("image", "Image", {"image/png": [".png"], "image/jpeg": [".jpg", ".jpeg"],
                                              "image/gif": [".gif"], "image/webp": [".webp"]},
                          S.upload_image,
                          rx.cond(f.image != "", rx.el.img(src=f.image, alt="current image",
                                                           custom_attrs={"width": 160}, class_name="w-40 rounded"),
                                  rx.el.p("No image yet.", class_name="text-sm text-slate-600"))),
                _uploader("file", "File", {}, S.upload_file,
                          rx.el.p(rx.cond(S.file_name != "", "Current file: " + S.file_name, "No file yet."),
                                  class_name="text-sm text-slate-600", data_testid="current-file")),
                class_name="grid gap-3 md:grid-cols-2",
            ),
            rx.el.p("Save the product first, then add its image and file.", class_name="text-sm text-slate-600"),
        ),
        class_name="mb-6 flex flex-col gap-4 rounded-xl bg-white p-4 shadow-sm ring-1 ring-slate-200",
        data_testid="product-editor",
    )


@rx.page(route=routes.ADMIN_PRODUCTS, title="Products · rxshop console", on_load=S.load)
def admin_products() -> rx.Component:
    return admin_page(
        "Products",
        rx.cond(S.editing, _editor()),
        rx.el.div(
            rx.el.input(type="search", placeholder="Search products", aria_label="Search products",
                        default_value=S.query, on_change=S.search.debounce(300), class_name=INPUT + " max-w-sm"),
            rx.el.button("New product", type="button", on_click=S.new, class_name=PRIMARY),
            class_name="mb-3 flex gap-3",
        ),
        rx.el.table(
            rx.el.thead(rx.el.tr(*[rx.el.th(h, class_name=TH) for h in ("", "Name", "Price", "Stock", "Status",
                                                                         "Delivery", "")])),
            rx.el.tbody(rx.foreach(S.rows, _row)),
            class_name=TABLE,
        ),
    )
