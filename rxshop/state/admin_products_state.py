"""Console: products list, search, create/edit, image and file uploads. Saves push to open storefront tabs."""
from __future__ import annotations

import asyncio

import reflex as rx

from ..admin import media, products
from ..admin.media import MediaError
from ..admin.products import ProductError, ProductForm, ProductRow
from ..db import session
from ..models import Product
from ..settings import get_settings
from .admin_state import AdminState, admin_event
from ..live import schedule
from .live_state import push_catalog


class ProductsAdminState(AdminState):
    query: str = ""
    rows: list[ProductRow] = []
    form: ProductForm = ProductForm()
    editing: bool = False
    form_rev: int = 0  # bumped when the form is (re)filled, so its uncontrolled inputs show the new values
    error: str = ""
    file_name: str = ""  # the product's current download file
    uploading: bool = False

    def _list(self) -> None:
        with session() as db:
            found = products.search(db, self.query)
            names = products.file_names(db, [p.id for p in found])
        self.rows = [products.to_row(p, names.get(p.id, "")) for p in found]

    def _fill(self, product: Product | None) -> None:
        self.form = products.form_for(product, get_settings().rxshop_currency)
        with session() as db:
            self.file_name = products.file_names(db, [product.id]).get(product.id, "") if product else ""
        self.editing, self.error = True, ""
        self.form_rev += 1

    @admin_event
    def load(self):
        self._list()

    @admin_event
    def search(self, value: str):
        self.query = value[:100] if isinstance(value, str) else ""
        self._list()

    @admin_event
    def new(self):
        self._fill(None)

    @admin_event
    def edit(self, product_id: int):
        pid = product_id if isinstance(product_id, int) and not isinstance(product_id, bool) else 0
        with session() as db:
            product = db.get(Product, pid) if pid > 0 else None
        if product is None:
            return rx.toast.error("That product does not exist.")
        self._fill(product)

    @admin_event
    def close(self):
        self.editing, self.error = False, ""

    @admin_event
    def save(self, form_data: dict):
        who = self._current_operator()
        try:
            values = products.validate(form_data)
            with session() as db:
                product = products.save(db, who, self.form.id, values)
        except ProductError as exc:
            self.error = str(exc)
            return
        self._fill(product)
        self._list()
        schedule(push_catalog())
        return rx.toast.success(f"Saved {product.name}.")

    async def _upload(self, files: list, kind: str):
        who = self._current_operator()
        if not self.form.id:
            self.error = "Save the product first, then add its image and file."
            return None
        if not isinstance(files, list) or len(files) != 1:
            self.error = "Choose one file."
            return None
        upload = files[0]
        try:
            if kind == "image":
                url = await asyncio.to_thread(media.save_image, upload.file)
                with session() as db:
                    product = products.set_image(db, who, self.form.id, url)
            else:
                stored, size = await asyncio.to_thread(media.save_file, upload.file)
                name = media.clean_filename(upload.filename)
                ctype = upload.headers.get("content-type", "") if upload.headers else ""
                with session() as db:
                    old = products.set_file(db, who, self.form.id, stored, name, size, ctype)
                    product = db.get(Product, self.form.id)
                if old:
                    media.remove_file(old)
        except (MediaError, ProductError) as exc:
            self.error = str(exc)
            return None
        self._fill(product)
        self._list()
        schedule(push_catalog())
        return rx.toast.success("Image saved." if kind == "image" else "File saved.")

    @admin_event
    async def upload_image(self, files: list[rx.UploadFile]):
        return await self._upload(files, "image")

    @admin_event
    async def upload_file(self, files: list[rx.UploadFile]):
        return await self._upload(files, "file")
