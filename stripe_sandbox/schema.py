"""Parameter schemas: one table per endpoint (written next to its handler, wired in routes.py) names every
parameter the endpoint takes, at every depth. A name not in the table is refused as Stripe does: 400
`parameter_unknown` naming it (e.g. `payment_intent_data[metdata]`). Value checks stay in the handlers' readers
(params.py).

A table is a dict name -> spec. A spec is a scalar kind (STR, INT, BOOL, ...), a dict (an object with these
fields), a one-element list (an array of that spec), or RANGE (a number or {gt, gte, lt, lte})."""
from __future__ import annotations

import re

from .errors import bad_param, invalid
from .money import SUPPORTED_CURRENCIES

STR, INT, BOOL, NUM = "string", "integer", "boolean", "number"
EMAIL = "email"                     # a single email address (email_invalid)
CURRENCY = "currency"               # a currency Stripe supports, any case
IMAGE_URL = "image_url"             # an absolute https URL (url_invalid)
MAP = "map"                         # free-form string map (metadata): its keys are the caller's
RANGE = "range"                     # `created`: an integer or {gt, gte, lt, lte}
_RANGE_KEYS = {"gt", "gte", "lt", "lte"}
_EMAIL = re.compile(r"[^@\s,;<>()\[\]\\\"]+@[^@\s,;<>()\[\]\\\"]+\.[A-Za-z0-9-]{2,}")
_HTTPS_URL = re.compile(r"https://[^\s/?#]+\.[^\s/?#]+[^\s]*")

EXPAND = {"expand": [STR]}
LIST = {**EXPAND, "limit": INT, "starting_after": STR, "ending_before": STR, "created": RANGE}
ADDRESS = {"city": STR, "country": STR, "line1": STR, "line2": STR, "postal_code": STR, "state": STR}
BILLING_DETAILS = {"address": ADDRESS, "email": STR, "name": STR, "phone": STR}
CARD = {"number": STR, "exp_month": INT, "exp_year": INT, "cvc": STR}


def unknown(name: str):
    return invalid(f"Received unknown parameter: {name}", param=name, code="parameter_unknown", cache=False)


def check(params: dict, table: dict, prefix: str = "") -> None:
    """Raise 400 parameter_unknown for the first name `table` does not have (depth first), 400 for an object
    where a value is expected or the other way round."""
    for k, v in params.items():
        name = f"{prefix}[{k}]" if prefix else k
        spec = table.get(k)
        if spec is None:
            raise unknown(name)
        _check_value(v, spec, name)


def _check_value(v, spec, name: str) -> None:
    if v == "":                        # "" unsets a field, whatever its kind
        return
    if isinstance(spec, dict):
        if not isinstance(v, dict):
            raise bad_param("Invalid object", name, "parameter_invalid_object")
        check(v, spec, name)
    elif isinstance(spec, list):
        items = list(v.values()) if isinstance(v, dict) else v if isinstance(v, list) else None
        if items is None:
            raise bad_param("Invalid array", name)
        for i, item in enumerate(items):
            _check_value(item, spec[0], f"{name}[{i}]")
    elif spec == MAP:
        if not isinstance(v, dict):
            raise bad_param("Invalid object", name, "parameter_invalid_object")
    elif spec == RANGE:
        if isinstance(v, dict):
            for k in v:
                if k not in _RANGE_KEYS:
                    raise unknown(f"{name}[{k}]")
    elif isinstance(v, (dict, list)):
        raise bad_param(f"Invalid {spec}", name,
                        "parameter_invalid_integer" if spec == INT else "parameter_invalid_string")
    elif spec == EMAIL and not (len(v) <= 512 and _EMAIL.fullmatch(v)):
        raise invalid(f"Invalid email address: {v[:80]}", param=name, code="email_invalid", cache=False)
    elif spec == IMAGE_URL and not (len(v) <= 2048 and _HTTPS_URL.fullmatch(v)):
        raise invalid(f"Invalid URL: {v[:80]}. URLs must be absolute and use https.", param=name, code="url_invalid",
                      cache=False)
    elif spec == CURRENCY and v.lower() not in SUPPORTED_CURRENCIES:
        raise bad_param(f"Invalid currency: {v[:10].lower()}. Stripe currently supports these currencies: "
                        f"{', '.join(sorted(SUPPORTED_CURRENCIES))}", name)
