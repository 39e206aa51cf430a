"""Stripe's published object schemas (stripe-schemas.json, made by extract.py) as a strict validator.

Objects are checked strictly: a field the spec does not have fails, unless it is listed in NEWER_FIELDS (fields of
the API version the sandbox claims that the spec file predates; each is checked to be really absent from the spec,
so the list can't hide drift)."""
from __future__ import annotations

import json
from pathlib import Path

import jsonschema

DATA = json.loads((Path(__file__).parent / "stripe-schemas.json").read_text())
# schema -> fields of the API version the sandbox claims that the spec file (older) lacks; see stripe_sandbox/README.md
NEWER_FIELDS = {
    "refund": {"payment_method"},
    "billing_details": {"tax_id"},
    "payment_method_card": {"regulated_status"},
    "card": {"regulated_status"},
    "payment_intent": {"excluded_payment_method_types"},
    "charge_outcome": {"advice_code", "network_advice_code", "network_decline_code"},
    "checkout.session": {"adaptive_pricing", "collected_information", "discounts"},
}


def _strict(node):
    """OpenAPI 3.0 -> JSON Schema: `nullable` becomes a null alternative; objects with listed properties refuse
    fields they don't list."""
    if isinstance(node, list):
        return [_strict(n) for n in node]
    if not isinstance(node, dict):
        return node
    node = {k: _strict(v) for k, v in node.items()}
    if "properties" in node and "additionalProperties" not in node:
        node["additionalProperties"] = False
    if node.pop("nullable", False):
        return {"anyOf": [node, {"type": "null"}]}
    return node


def _document() -> dict:
    schemas = {name: _strict(s) for name, s in DATA["schemas"].items()}
    for name, fields in NEWER_FIELDS.items():
        props = schemas[name]["properties"]
        assert not fields & set(props), f"{name}: {fields & set(props)} are in the spec now; drop them from NEWER_FIELDS"
        for f in fields:
            props[f] = {}
    return {"components": {"schemas": schemas}}


DOC = _document()
_validators: dict[str, jsonschema.Draft4Validator] = {}


def problems(obj: dict, schema: str | None = None) -> list[str]:
    """What in `obj` the spec's schema for its type (or `schema`) does not allow."""
    schema = schema or obj["object"]
    if schema not in _validators:
        _validators[schema] = jsonschema.Draft4Validator({"$ref": f"#/components/schemas/{schema}", **DOC})
    return [f"{schema}.{'.'.join(map(str, e.absolute_path))}: {e.message[:300]}"
            for e in sorted(_validators[schema].iter_errors(obj), key=lambda e: list(e.absolute_path))]


def problems_in_body(body: bytes) -> list[str]:
    """Check an API answer: an object, a list of objects, or an error."""
    try:
        data = json.loads(body)
    except ValueError:
        return []
    if not isinstance(data, dict):
        return [f"not an object: {body[:80]!r}"]
    if "error" in data:
        return problems(data, "error")
    if data.get("object") == "list":
        return [p for item in data["data"] for p in problems(item, _kind(item))]
    return problems(data, _kind(data))


def _kind(obj: dict) -> str:
    if obj.get("deleted") is True:
        return {"customer": "deleted_customer", "webhook_endpoint": "deleted_webhook_endpoint"}[obj["object"]]
    return obj["object"]
