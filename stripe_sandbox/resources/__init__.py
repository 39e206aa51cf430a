"""One module per Stripe resource; each holds the methods of its endpoints and registers its own tables."""
