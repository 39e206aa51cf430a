"""Request parameter readers: each checks one value's type and answers Stripe's 400 for a bad one."""
from __future__ import annotations

from .common import dumps
from .errors import bad_param, missing
from .money import SUPPORTED_CURRENCIES


def p_str(p: dict, name: str, required: bool = False, default=None):
    v = p.get(name)
    if v is None:
        if required:
            raise missing(name)
        return default
    if not isinstance(v, str):
        raise bad_param(f"Invalid string: {short(v)}", name)
    return v


def p_int(p: dict, name: str, required: bool = False, default=None, positive: bool = False, label: str = None):
    v = p.get(name)
    if v is None or v == "":
        if required:
            raise missing(label or name)
        return default
    try:
        i = int(v)
    except (TypeError, ValueError):
        raise bad_param(f"Invalid integer: {short(v)}", label or name, "parameter_invalid_integer")
    if positive and i <= 0:
        raise bad_param("Invalid positive integer", label or name, "parameter_invalid_integer")
    if i < 0:
        raise bad_param("This value must be greater than or equal to 0.", label or name,
                        "parameter_invalid_integer")
    return i


def p_bool(p: dict, name: str, default: bool = False) -> bool:
    v = p.get(name)
    if v is None or v == "":
        return default
    if v in ("true", True, "1"):
        return True
    if v in ("false", False, "0"):
        return False
    raise bad_param(f"Invalid boolean: {short(v)}", name)


def p_enum(p: dict, name: str, allowed: tuple, default=None):
    v = p.get(name)
    if v is None or v == "":
        return default
    if v not in allowed:
        raise bad_param(f"Invalid {name}: must be one of {', '.join(allowed)}", name)
    return v


def p_dict(p: dict, name: str) -> dict:
    v = p.get(name)
    if v is None or v == "":
        return {}
    if not isinstance(v, dict):
        raise bad_param("Invalid object", name, "parameter_invalid_object")
    return v


def p_list(p: dict, name: str) -> list:
    v = p.get(name)
    if v is None or v == "":
        return []
    if isinstance(v, dict):
        return list(v.values())
    if not isinstance(v, list):
        return [v]
    return v


def p_currency(p: dict, name: str = "currency", required: bool = True):
    v = p_str(p, name, required)
    if v is None:
        return None
    v = v.lower()
    if v not in SUPPORTED_CURRENCIES:
        raise bad_param(f"Invalid currency: {short(v)}. Stripe currently supports these currencies: "
                        f"{', '.join(sorted(SUPPORTED_CURRENCIES))}", name)
    return v


def p_metadata(p: dict, existing: dict | None = None, name: str = "metadata") -> dict:
    v = p.get(name)
    md = dict(existing or {})
    if v is None:
        return md
    if v == "":
        return {}
    if not isinstance(v, dict):
        raise bad_param("Invalid object", name, "parameter_invalid_object")
    for k, val in v.items():
        if not isinstance(val, str):
            val = dumps(val)
        if val == "":
            md.pop(k, None)
        else:
            if len(k) > 40:
                raise bad_param(f"Metadata keys can have up to 40 characters: {k}", f"{name}[{k}]")
            if len(val) > 500:
                raise bad_param("Metadata values can have up to 500 characters", f"{name}[{k}]")
            md[k] = val
    if len(md) > 50:
        raise bad_param("You can have up to 50 metadata keys", name)
    return md


def short(v) -> str:
    s = v if isinstance(v, str) else dumps(v)
    return s[:80]


def p_expand(p: dict) -> list:
    return [e for e in p_list(p, "expand") if isinstance(e, str)]


def created_filter(p: dict):
    c = p.get("created")
    if c is None:
        return None
    if isinstance(c, str):
        v = int(c)
        return lambda t: t == v
    ops = {k: int(v) for k, v in c.items()}
    def pred(t):
        return (("gt" not in ops or t > ops["gt"]) and ("gte" not in ops or t >= ops["gte"])
                and ("lt" not in ops or t < ops["lt"]) and ("lte" not in ops or t <= ops["lte"]))
    return pred

