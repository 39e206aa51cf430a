"""Small shared pieces: ids, compact JSON, the request context."""
from __future__ import annotations

import json
import random
import string
from dataclasses import dataclass

ALNUM = string.ascii_letters + string.digits
_choices = random.choices  # speed over crypto: these are test-mode ids
dumps = json.JSONEncoder(separators=(",", ":"), ensure_ascii=False).encode


def new_id(prefix: str, n: int = 24) -> str:
    return prefix + "".join(_choices(ALNUM, k=n))


def random_upper(n: int) -> str:
    return "".join(_choices(string.ascii_uppercase + string.digits, k=n))


class Raw(str):
    """A response body that is already JSON."""


@dataclass(frozen=True)
class Ctx:
    """Who is asking. API requests carry their key; `hosted_checkout` marks the sandbox's own hosted Checkout page
    acting for the shopper (it may confirm a session's PaymentIntent, which API callers may not)."""
    key: str = ""
    publishable: bool = False
    request_id: str | None = None
    idem_key: str | None = None
    hosted_checkout: bool = False
    origin: str | None = None          # the browser page's origin on a publishable-key call (its Origin header)


NO_CTX = Ctx()
CHECKOUT_CTX = Ctx(hosted_checkout=True)
