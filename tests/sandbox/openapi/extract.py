"""Extract from Stripe's OpenAPI spec (spec3.json) the schemas of the objects the sandbox serves, plus what they
reference, as test data for test_conformance.py.

    .venv/bin/python tests/sandbox/openapi/extract.py SPEC.json [OUT.json]

SPEC is Stripe's published spec (https://github.com/stripe/openapi, openapi/spec3.json, or a republished copy).
References to other API resources (schemas with `x-resourceId`) that the sandbox never serves are left open ({}),
descriptions are dropped; everything else is kept as published. OUT defaults to stripe-schemas.json beside this file.
"""
from __future__ import annotations

import datetime
import json
import re
import sys
from pathlib import Path

# object type -> schema name in the spec (the sandbox's objects and the lists/events that carry them)
ROOTS = ["customer", "deleted_customer", "payment_intent", "payment_method", "token", "card", "charge", "refund",
         "product", "price", "checkout.session", "item", "event", "notification_event_data", "webhook_endpoint",
         "deleted_webhook_endpoint", "error"]
DROP = {"description", "x-stripeBypassValidation", "x-stripeMostCommon", "x-stripeOperations"}


def extract(spec: dict) -> dict:
    schemas = spec["components"]["schemas"]
    keep: dict[str, dict] = {}
    todo = list(ROOTS)

    def walk(node, names: bool = False):
        """`names`: node maps property names to schemas (keep every key)."""
        if isinstance(node, dict) and names:
            return {k: walk(v) for k, v in node.items()}
        if isinstance(node, dict):
            ref = node.get("$ref")
            if ref:
                name = ref.rsplit("/", 1)[-1]
                if name not in ROOTS and "x-resourceId" in schemas[name]:
                    return {}                      # another API resource, never served by the sandbox
                if name not in keep and name not in todo:
                    todo.append(name)
                return {"$ref": ref}
            return {k: walk(v, k == "properties") for k, v in node.items() if k not in DROP}
        if isinstance(node, list):
            return [walk(v) for v in node]
        return node

    while todo:
        name = todo.pop()
        if name not in keep:
            keep[name] = walk(schemas[name])
    return keep


def param_tree(spec: dict, schema: dict, depth: int = 0) -> dict:
    """The parameter names a request schema allows, nested: {name: {sub-name: ...}}; {} for a value."""
    if depth > 8:
        return {}
    if "$ref" in schema:
        schema = spec["components"]["schemas"][schema["$ref"].rsplit("/", 1)[-1]]
    tree: dict = {}
    for alt in schema.get("anyOf", []) + schema.get("oneOf", []):
        tree.update(param_tree(spec, alt, depth + 1))
    if "items" in schema:
        tree.update(param_tree(spec, schema["items"], depth + 1))
    for name, sub in schema.get("properties", {}).items():
        tree[name] = param_tree(spec, sub, depth + 1)
    return tree


def requests(spec: dict) -> dict:
    """'METHOD /v1/path/{id}' -> parameter tree, for every operation the sandbox serves."""
    sys.path.insert(0, str(Path(__file__).resolve().parents[3]))
    from stripe_sandbox.routes import ROUTES

    served = {f"{method} {pattern}" for method, pattern, *_ in ROUTES}
    out = {}
    for path, ops in spec["paths"].items():
        key_path = re.sub(r"\{[^}]+\}", "{id}", path)
        for method, op in ops.items():
            if method not in ("get", "post", "delete"):
                continue
            tree = {p["name"]: param_tree(spec, p.get("schema", {})) for p in op.get("parameters", [])
                    if p.get("in") == "query"}
            body = op.get("requestBody", {}).get("content", {}).get("application/x-www-form-urlencoded", {})
            tree.update(param_tree(spec, body.get("schema", {})))
            if f"{method.upper()} {key_path}" in served:
                out[f"{method.upper()} {key_path}"] = tree
    return dict(sorted(out.items()))


def main(argv: list[str]) -> int:
    if len(argv) < 2:
        print(__doc__, file=sys.stderr)
        return 2
    src = Path(argv[1])
    out = Path(argv[2]) if len(argv) > 2 else Path(__file__).with_name("stripe-schemas.json")
    spec = json.loads(src.read_text())
    data = {
        "source": "Stripe's OpenAPI spec (github.com/stripe/openapi openapi/spec3.json), components.schemas subset",
        "api_version": spec["info"]["version"],
        "extracted": datetime.date.today().isoformat(),
        "extracted_from": src.name,
        "schemas": dict(sorted(extract(spec).items())),
        "requests": requests(spec),      # parameter names each operation accepts
    }
    out.write_text(json.dumps(data, indent=1, sort_keys=False) + "\n")
    print(f"{out}: {len(data['schemas'])} schemas, API version {data['api_version']}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
