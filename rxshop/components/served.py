"""The product a product page shows before its state has loaded: the one the server put in the HTML.

`servedPage(slug)` (a module the build writes, see rxshop/build.py) returns, while prerendering, the stand-in
product of the template path (rxshop/product_html.py) and, in the browser, the product the server embedded in the
HTML if it is the one in the URL. Until `ProductState.load` has run, that is what the page shows; then the state.
"""
from __future__ import annotations

import reflex as rx
from reflex.vars import VarData

from ..build import SERVED_MODULE
from ..catalog import ProductCard
from ..state import ProductState

served = rx.Var(
    _js_expr="rxshopServed",
    _var_data=VarData(
        imports={"react-router": ["useParams"], f"$/{SERVED_MODULE}": ["servedPage"]},
        hooks={"const rxshopServed = servedPage(useParams().slug);": None},
    ),
).to(dict)
_use_served = (~ProductState.loaded) & served.bool()

loaded = ProductState.loaded | served.bool()
found = rx.cond(_use_served, served["found"].to(bool), ProductState.found)
product = rx.cond(_use_served, served["product"].to(ProductCard), ProductState.product).to(ProductCard)
