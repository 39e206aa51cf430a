"""Every setting of the shop, read from the environment in one place (see README: Configuration).
A `.env` file in the working directory is read too; variables set in the real environment win over it."""
from __future__ import annotations

from enum import StrEnum
from functools import lru_cache
from urllib.parse import urlsplit

from pydantic_settings import BaseSettings, SettingsConfigDict

STRIPE_KEYS = ("STRIPE_SECRET_KEY", "STRIPE_PUBLISHABLE_KEY", "STRIPE_WEBHOOK_SECRET")


class ConfigError(RuntimeError):
    """The configuration can't work; the message says what to set."""


class CardApi(StrEnum):
    """What the express page's card form pays with."""

    PAYMENT_INTENTS = "payment_intents"
    CHARGES = "charges"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="", case_sensitive=False, extra="ignore", env_file=".env",
                                      env_file_encoding="utf-8")

    rxshop_name: str = "rxshop"
    rxshop_base_url: str = "http://localhost:3000"
    rxshop_currency: str = "usd"

    # Stripe. Without a secret key `make run` starts the offline sandbox and sets these to point at it.
    stripe_secret_key: str = ""
    stripe_publishable_key: str = ""
    stripe_webhook_secret: str = ""
    stripe_api_base: str = ""  # empty = Stripe itself; the sandbox's URL offline
    stripe_js_url: str = "https://js.stripe.com/v3/"
    stripe_timeout: float = 20.0  # seconds per Stripe API request
    rxshop_card_api: CardApi = CardApi.PAYMENT_INTENTS
    rxshop_checkout_expiry_minutes: int = 60
    rxshop_webhook_max_bytes: int = 512 * 1024  # larger webhook bodies are refused (413) before parsing
    # Bounds on what one visitor can make (see SECURITY.md).
    rxshop_max_failed_payments: int = 5  # declined attempts per order; then the shopper starts again
    rxshop_order_limit_client: str = "10/10 minutes"  # new orders per browser tab (limits notation)
    rxshop_order_limit_ip: str = "60/10 minutes"  # new orders per client IP

    # Email (SMTP). `make run` starts a local sink that stores messages in var/mail/.
    smtp_host: str = "localhost"
    smtp_port: int = 8025
    smtp_username: str = ""
    smtp_password: str = ""
    smtp_starttls: bool = False
    smtp_timeout: float = 10.0
    mail_from: str = "rxshop <orders@rxshop.localhost>"
    rxshop_mail_max_attempts: int = 8  # outbox: tries per email before it is marked failed (backoff doubles)
    rxshop_mail_retry_seconds: float = 30.0  # outbox: wait before the first retry

    # Operator console (/admin).
    rxshop_secret_key: str = ""  # signs download links; empty = a random key kept in var/secret-key
    rxshop_admin_session_hours: float = 8.0  # an operator login lasts this long
    rxshop_login_limit_account: str = "5/5 minutes"  # failed logins allowed per account (limits syntax)
    rxshop_login_limit_ip: str = "20/5 minutes"  # failed logins allowed per client IP
    rxshop_files_dir: str = "var/files"  # product files for download: never under assets/ or the upload dir
    rxshop_images_dir: str = "var/images"  # uploaded product images, served at /api/images/<name>
    rxshop_image_max_bytes: int = 2_000_000
    rxshop_file_max_bytes: int = 200_000_000
    rxshop_download_days: float = 7.0  # a download link works this long after it was sent
    rxshop_download_limit: int = 5  # downloads per order line


def stripe_config_problem(env: dict[str, str]) -> str:
    """Empty when the Stripe keys are all set or all unset; else what is missing."""
    present = [k for k in STRIPE_KEYS if env.get(k, "").strip()]
    if not present or len(present) == len(STRIPE_KEYS):
        return ""
    missing = [k for k in STRIPE_KEYS if k not in present]
    return (f"{', '.join(present)} {'is' if len(present) == 1 else 'are'} set but {', '.join(missing)} "
            f"{'is' if len(missing) == 1 else 'are'} missing. Set all three Stripe keys (real Stripe) or none "
            "(the offline sandbox).")


def check(s: Settings) -> None:
    """Refuse a configuration that can't work, naming what to fix."""
    problem = stripe_config_problem({"STRIPE_SECRET_KEY": s.stripe_secret_key,
                                     "STRIPE_PUBLISHABLE_KEY": s.stripe_publishable_key,
                                     "STRIPE_WEBHOOK_SECRET": s.stripe_webhook_secret})
    if problem:
        raise ConfigError(problem)
    if urlsplit(s.rxshop_base_url).scheme not in ("http", "https") or not urlsplit(s.rxshop_base_url).netloc:
        raise ConfigError(f"RXSHOP_BASE_URL must be an http(s) URL, not {s.rxshop_base_url!r}.")


def origin(url: str) -> str:
    """scheme://host[:port] of a URL ('' when it has none)."""
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}" if parts.scheme and parts.netloc else ""


def shop_origins(s: Settings) -> list[str]:
    """Origins allowed to talk to the shop's backend (CORS, websocket): the shop's own. A loopback base URL also
    allows its other loopback spelling (localhost vs 127.0.0.1), which browsers treat as another origin."""
    own = origin(s.rxshop_base_url)
    found = [own]
    parts = urlsplit(own)
    for a, b in (("localhost", "127.0.0.1"), ("127.0.0.1", "localhost")):
        if parts.hostname == a:
            found.append(own.replace(f"://{a}", f"://{b}", 1))
    return found

@lru_cache
def get_settings() -> Settings:
    return Settings()
