"""The sandbox: the object store, events and one class per Stripe resource, composed into one object that the HTTP
layer (app.py) and the browser pages (pages.py) drive. No HTTP here."""
from __future__ import annotations

from .config import SandboxConfig
from .events import Events
from .resources.charges import Charges
from .resources.checkout import Checkout
from .resources.customers import Customers
from .resources.payment_intents import PaymentIntents
from .resources.payment_methods import PaymentMethods
from .resources.payment_outcomes import PaymentOutcomes
from .resources.products import Products
from .resources.refunds import Refunds
from .store import Store


class Sandbox(Store, Events, Customers, PaymentMethods, Charges, PaymentIntents, PaymentOutcomes, Refunds,
              Products, Checkout):
    def __init__(self, config: SandboxConfig):
        super().__init__(config)
        self.reset()

    def reset(self) -> None:
        """Empty every table; the endpoints of the CLI's --webhook-url flags are registered afresh."""
        self.clear()
        self.register_cli_endpoints()

    def reset_keep_cli(self) -> None:
        """Empty every table but keep the CLI's endpoints (same ids and secrets): /_sandbox/reset."""
        keep = self.cli_endpoints()
        self.clear()
        self.register_cli_endpoints(keep)

    def restore(self, data: dict) -> None:
        """Load a snapshot; this run's CLI endpoints replace saved ones with the same url."""
        keep = self.cli_endpoints()
        self.load(data)
        self.drop_saved_cli_endpoints({we["url"] for we, _ in keep})
        self.register_cli_endpoints(keep)
