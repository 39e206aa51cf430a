"""Customers."""
from __future__ import annotations

import time

from .. import schema
from ..common import Ctx, new_id, random_upper
from ..errors import invalid, no_such
from ..params import p_dict, p_list, p_metadata, p_str
from ..schema import ADDRESS, EMAIL, EXPAND, MAP, STR

# ---- parameters of each endpoint (schema.py)
CUSTOMER_FIELDS = {"address": ADDRESS, "description": STR, "email": EMAIL, "metadata": MAP, "name": STR, "phone": STR,
                   "preferred_locales": [STR], "invoice_settings": {"default_payment_method": STR}, **EXPAND}
CREATE = {**CUSTOMER_FIELDS, "payment_method": STR}
UPDATE = CUSTOMER_FIELDS
LIST = {**schema.LIST, "email": STR}


class Customers:
    def customer_create(self, ctx: Ctx, p: dict) -> dict:
        email = p_str(p, "email")
        cus = {
            "id": new_id("cus_", 14), "object": "customer", "address": p_dict(p, "address") or None, "balance": 0,
            "created": int(time.time()), "currency": None, "default_source": None, "delinquent": False,
            "description": p_str(p, "description"), "discount": None, "email": email,
            "invoice_prefix": random_upper(8),
            "invoice_settings": {"custom_fields": None, "default_payment_method": None, "footer": None,
                                 "rendering_options": None},
            "livemode": False, "metadata": p_metadata(p), "name": p_str(p, "name"), "next_invoice_sequence": 1,
            "phone": p_str(p, "phone"), "preferred_locales": p_list(p, "preferred_locales"), "shipping": None,
            "tax_exempt": "none", "test_clock": None,
        }
        self.put(cus)
        pm = p_str(p, "payment_method")
        if pm:
            self.payment_method_attach(ctx, {"customer": cus["id"]}, pm)
        self.emit("customer.created", cus, ctx)
        return cus

    def customer_get(self, cid: str) -> dict:
        obj = self.objects.get(cid)
        if obj is not None and obj.get("object") == "customer" and obj.get("deleted"):
            return obj
        return self.get(cid, "customer", "customer")

    def customer_update(self, ctx: Ctx, p: dict, cid: str) -> dict:
        cus = self.get(cid, "customer", "customer")
        if cus.get("deleted"):
            raise invalid(f"No such customer: '{cid}'", param="id", code="resource_missing", status=404)
        before = self.copy_of(cus)
        for f in ("email", "name", "phone", "description"):
            if f in p:
                cus[f] = p[f] or None
        if "address" in p:
            cus["address"] = p_dict(p, "address") or None
        if "invoice_settings" in p:
            dpm = p_dict(p, "invoice_settings").get("default_payment_method")
            if dpm is not None:
                cus["invoice_settings"]["default_payment_method"] = dpm or None
        cus["metadata"] = p_metadata(p, cus["metadata"])
        self.emit_updated("customer.updated", cus, before, ctx)
        return cus

    def customer_delete(self, ctx: Ctx, p: dict, cid: str) -> dict:
        cus = self.get(cid, "customer", "customer")
        if cus.get("deleted"):
            raise no_such("customer", cid)
        self.emit("customer.deleted", cus, ctx)
        gone = {"id": cid, "object": "customer", "deleted": True}
        self.remove(cid)
        self.objects[cid] = gone
        return gone

    def customer_list(self, ctx: Ctx, p: dict) -> dict:
        email = p_str(p, "email")
        return self.list("customer", "/v1/customers", p,
                         (lambda o: o.get("email") == email) if email else (lambda o: not o.get("deleted")))
