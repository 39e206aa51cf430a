"""Every setting of the shop, read from the environment in one place (see README: Configuration)."""
from __future__ import annotations

from enum import StrEnum
from functools import lru_cache

from pydantic_settings import BaseSettings, SettingsConfigDict


class CardApi(StrEnum):
    """What the express page's card form pays with."""

    PAYMENT_INTENTS = "payment_intents"
    CHARGES = "charges"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="", case_sensitive=False, extra="ignore")

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

    # Email (SMTP). `make run` starts a local sink that stores messages in var/mail/.
    smtp_host: str = "localhost"
    smtp_port: int = 8025
    smtp_username: str = ""
    smtp_password: str = ""
    smtp_starttls: bool = False
    smtp_timeout: float = 10.0
    mail_from: str = "rxshop <orders@rxshop.localhost>"

    # Operator console (/admin).
    rxshop_secret_key: str = ""  # signs download links; empty = a random key kept in var/secret-key
    rxshop_admin_session_hours: float = 8.0  # an operator login lasts this long
    rxshop_login_limit_account: str = "5/5 minutes"  # failed logins allowed per account (limits syntax)
    rxshop_login_limit_ip: str = "20/5 minutes"  # failed logins allowed per client IP
    rxshop_files_dir: str = "var/files"  # product files for download: never under assets/ or the upload dir
    rxshop_image_max_bytes: int = 2_000_000
    rxshop_file_max_bytes: int = 200_000_000
    rxshop_download_days: float = 7.0  # a download link works this long after it was sent
    rxshop_download_limit: int = 5  # downloads per order line


@lru_cache
def get_settings() -> Settings:
    return Settings()
