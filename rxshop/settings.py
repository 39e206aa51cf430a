"""Every setting of the shop, read from the environment in one place (see README: Configuration)."""
from __future__ import annotations

from functools import lru_cache

from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="", case_sensitive=False, extra="ignore")

    rxshop_name: str = "rxshop"
    rxshop_base_url: str = "http://localhost:3000"
    rxshop_currency: str = "usd"
    rxshop_locale: str = "en_US"
    rxshop_max_quantity: int = 99


@lru_cache
def get_settings() -> Settings:
    return Settings()
