"""The Django + Stripe proof of concept rxshop grew from, re-created from its description as a yardstick for
`make bench` (the original's own code is not in this repository): one product page, and a view that makes a Stripe
Checkout Session for it, served by gunicorn with 2 sync workers, DEBUG off. It stores nothing about payments."""
