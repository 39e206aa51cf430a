"""Configuration fails loudly; CORS and security headers allow only the shop and Stripe (or the sandbox)."""
import importlib.util
import subprocess
import sys
from pathlib import Path

import pytest

from rxshop.headers import build_secure
from rxshop.settings import ConfigError, Settings, check, shop_origins, stripe_config_problem

ROOT = Path(__file__).resolve().parents[2]
KEYS = {"STRIPE_SECRET_KEY": "sk_test_x", "STRIPE_PUBLISHABLE_KEY": "pk_test_x", "STRIPE_WEBHOOK_SECRET": "whsec_x"}


@pytest.mark.parametrize("missing", [("STRIPE_PUBLISHABLE_KEY",), ("STRIPE_WEBHOOK_SECRET",),
                                     ("STRIPE_SECRET_KEY", "STRIPE_WEBHOOK_SECRET")])
def test_some_stripe_keys_without_the_others_is_refused_naming_what_is_missing(missing):
    env = {k: v for k, v in KEYS.items() if k not in missing}
    problem = stripe_config_problem(env)
    assert problem and all(m in problem for m in missing)
    with pytest.raises(ConfigError, match=missing[0]):
        check(Settings(**{k.lower(): v for k, v in env.items()}))


def test_all_or_none_of_the_stripe_keys_is_fine():
    assert stripe_config_problem({}) == "" and stripe_config_problem(KEYS) == ""
    assert stripe_config_problem({"STRIPE_SECRET_KEY": "  "}) == ""  # blank counts as unset
    check(Settings(**{k.lower(): v for k, v in KEYS.items()}))


def test_make_run_refuses_partial_stripe_keys_before_starting_anything(tmp_path):
    env = {"PATH": "/usr/bin:/bin", "STRIPE_SECRET_KEY": "sk_test_x", "HOME": str(tmp_path)}
    r = subprocess.run([sys.executable, "scripts/run.py"], cwd=ROOT, env=env, capture_output=True, text=True,
                       timeout=60)
    assert r.returncode == 2
    assert "STRIPE_PUBLISHABLE_KEY" in r.stderr and "STRIPE_WEBHOOK_SECRET" in r.stderr
    assert "starting" not in r.stdout  # neither the sandbox nor the shop was started


def test_make_run_reads_dotenv_under_the_real_environment(tmp_path, monkeypatch):
    spec = importlib.util.spec_from_file_location("run_script", ROOT / "scripts" / "run.py")
    run = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(run)
    (tmp_path / ".env").write_text("RXSHOP_PORT=4000\nSTRIPE_SECRET_KEY=sk_from_file\n")
    monkeypatch.setattr(run, "ROOT", tmp_path)
    monkeypatch.setenv("STRIPE_SECRET_KEY", "sk_from_env")
    env = run.environment()
    assert env["RXSHOP_PORT"] == "4000" and env["STRIPE_SECRET_KEY"] == "sk_from_env"


def test_settings_read_dotenv(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("RXSHOP_NAME", raising=False)
    (tmp_path / ".env").write_text("RXSHOP_NAME=from-dotenv\n")
    assert Settings().rxshop_name == "from-dotenv"


def test_cors_allows_only_the_shops_own_origin():
    assert shop_origins(Settings(rxshop_base_url="https://shop.example.com/")) == ["https://shop.example.com"]
    assert shop_origins(Settings(rxshop_base_url="http://localhost:3000")) == ["http://localhost:3000",
                                                                               "http://127.0.0.1:3000"]


def test_csp_names_only_the_shop_and_stripe_or_the_sandbox():
    real = build_secure(Settings(rxshop_base_url="https://shop.example.com")).headers
    csp = real["Content-Security-Policy"]
    assert "frame-ancestors 'none'" in csp and "object-src 'none'" in csp
    assert "script-src 'self' 'unsafe-inline' 'unsafe-eval' https://js.stripe.com;" in csp
    assert "connect-src 'self' https://api.stripe.com;" in csp
    assert real["Referrer-Policy"] == "no-referrer" and real["X-Frame-Options"] == "DENY"
    assert real["Strict-Transport-Security"].startswith("max-age=")
    offline = build_secure(Settings(stripe_api_base="http://127.0.0.1:12111",
                                    stripe_js_url="http://127.0.0.1:12111/v3/")).headers
    assert "stripe.com" not in offline["Content-Security-Policy"]
    assert "frame-src http://127.0.0.1:12111;" in offline["Content-Security-Policy"]
    assert "Strict-Transport-Security" not in offline  # plain http: no HSTS
