"""Products and Prices (also made inline by Checkout `price_data`)."""
from __future__ import annotations

import time

from .. import schema
from ..common import Ctx, new_id
from ..errors import bad_param, missing
from ..params import p_bool, p_currency, p_dict, p_int, p_list, p_metadata, p_str
from ..schema import BOOL, CURRENCY, EXPAND, IMAGE_URL, INT, MAP, STR

# ---- parameters of each endpoint (schema.py)
PRODUCT_DATA = {"name": STR, "active": BOOL, "description": STR, "images": [IMAGE_URL], "metadata": MAP, "url": STR}
PRODUCT_CREATE = {**PRODUCT_DATA, **EXPAND}
PRICE_FIELDS = {"currency": CURRENCY, "unit_amount": INT, "unit_amount_decimal": STR, "product": STR,
                "recurring": {"interval": STR, "interval_count": INT}, "tax_behavior": STR}
PRICE_CREATE = {**PRICE_FIELDS, "product_data": {k: PRODUCT_DATA[k] for k in ("name", "active", "metadata")},
                "lookup_key": STR, "nickname": STR, "metadata": MAP, **EXPAND}
LIST = schema.LIST


class Products:
    def product_create(self, ctx: Ctx, p: dict, name: str | None = None, inline: bool = False) -> dict:
        now = int(time.time())
        prod = {"id": new_id("prod_", 14), "object": "product", "active": p_bool(p, "active", True),
                "created": now, "default_price": None, "description": p_str(p, "description"),
                "images": [i for i in p_list(p, "images") if i], "livemode": False,
                "marketing_features": [], "metadata": p_metadata(p),
                "name": name or p_str(p, "name", required=True), "package_dimensions": None, "shippable": None,
                "statement_descriptor": None, "tax_code": None, "unit_label": None,
                "updated": now, "url": p_str(p, "url")}
        self.put(prod)
        if not inline:
            self.emit("product.created", prod, ctx)
        return prod

    def price_create(self, ctx: Ctx, p: dict, param_prefix: str = "", inline: bool = False) -> dict:
        currency = p_currency(p, "currency")
        ua = p.get("unit_amount")
        if ua is None and p.get("unit_amount_decimal") is not None:
            try:
                ua = int(float(p["unit_amount_decimal"]))
            except ValueError:
                raise bad_param("Invalid decimal", param_prefix + "unit_amount_decimal")
        if ua is None:
            raise missing(param_prefix + "unit_amount")
        unit_amount = p_int({"x": ua}, "x", label=param_prefix + "unit_amount")
        product = p_str(p, "product")
        pdata = p_dict(p, "product_data")
        if product:
            self.get(product, "product", "product", param_prefix + "product")
        elif pdata:
            if not pdata.get("name"):
                raise missing(param_prefix + "product_data[name]")
            product = self.product_create(ctx, pdata, inline=inline)["id"]
        else:
            raise missing(param_prefix + "product")
        rec = p_dict(p, "recurring")
        price = {"id": new_id("price_"), "object": "price", "active": True, "billing_scheme": "per_unit",
                 "created": int(time.time()), "currency": currency, "custom_unit_amount": None, "livemode": False,
                 "lookup_key": p_str(p, "lookup_key"), "metadata": p_metadata(p), "nickname": p_str(p, "nickname"),
                 "product": product,
                 "recurring": ({"interval": rec.get("interval"), "interval_count": int(rec.get("interval_count", 1)),
                                "usage_type": "licensed"} if rec else None),
                 "tax_behavior": p_str(p, "tax_behavior", default="unspecified"), "tiers_mode": None,
                 "transform_quantity": None, "type": "recurring" if rec else "one_time",
                 "unit_amount": unit_amount, "unit_amount_decimal": str(unit_amount)}
        self.put(price)
        if not inline:
            self.emit("price.created", price, ctx)
        return price
