"""Runtime configuration of the sandbox (mirrors the CLI flags)."""
from __future__ import annotations

from dataclasses import dataclass, field
from urllib.parse import urlsplit


@dataclass
class SandboxConfig:
    host: str = "127.0.0.1"                # loopback: other machines can't reach it unless asked
    port: int = 12111
    public_url: str | None = None          # browser-facing base; default http://HOST:PORT
    state_file: str | None = None
    webhooks: list[tuple[str, str]] = field(default_factory=list)  # (url, secret) registered at start
    webhook_delay: float = 0.0
    retry_schedule: str = "test"           # Stripe's retry schedule: "test" (hours) or "live" (days)
    time_factor: float = 1.0               # multiplies every retry delay (0.001: five minutes become 0.3 s)
    max_attempts: int = 20                 # cap on attempts per event and endpoint (the schedule ends sooner)
    messy_seed: int | None = None          # set: duplicate some events and hold some back (out of order)
    messy_max_delay: float = 1.0           # longest hold-back in messy mode, seconds
    webhook_timeout: float = 5.0
    processing_seconds: float = 0.0        # >0: succeeding card payments stay `processing` this long (test-only)
    secret_key: str = "sk_test_sandbox"    # the only keys accepted (what `make run` gives the shop)
    publishable_key: str = "pk_test_sandbox"
    idempotency_max_keys: int = 200_000    # oldest keys are forgotten beyond this (Stripe keeps them 24 h)

    @property
    def base_url(self) -> str:
        return (self.public_url or f"http://{self.host}:{self.port}").rstrip("/")

    def own_origins(self) -> set[str]:
        """Origins of the sandbox's own pages (its public URL and its bound address)."""
        parts = urlsplit(self.base_url)
        host = f"[{self.host}]" if ":" in self.host else self.host
        return {f"{parts.scheme}://{parts.netloc}", f"http://{host}:{self.port}"}
