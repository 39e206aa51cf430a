"""Operator console rules, in plain Python (no Reflex, no Stripe): accounts, sessions, audit, product editing.
`python -m rxshop.admin create-operator EMAIL` creates an operator account (see README: Operating the shop)."""
