"""rxshop: a small online shop in pure Python (Reflex + Stripe)."""
