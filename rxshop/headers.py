"""Security headers on every HTTP response of the shop (pages, assets, /api), through the `secure` library's ASGI
middleware. Wired in rxshop/app.py as an api_transformer; CORS is limited to the shop's origin in rxconfig.py."""
from __future__ import annotations

from secure import (
    ContentSecurityPolicy,
    PermissionsPolicy,
    ReferrerPolicy,
    Secure,
    StrictTransportSecurity,
    XContentTypeOptions,
    XFrameOptions,
)
from secure.middleware import SecureASGIMiddleware

from .settings import Settings, get_settings, origin

STRIPE_ORIGINS = {  # what Stripe.js needs when the shop talks to real Stripe (Stripe's CSP guide)
    "script": ["https://js.stripe.com"],
    "frame": ["https://js.stripe.com", "https://hooks.stripe.com"],
    "connect": ["https://api.stripe.com"],
}


def content_security_policy(s: Settings) -> ContentSecurityPolicy:
    """Only the shop and Stripe (or the sandbox standing in for it). Reflex's client runs inline bootstrap
    scripts and `eval`s `rx.call_script` code, so scripts need 'unsafe-inline' and 'unsafe-eval'; what the
    policy still stops is code, frames and connections from any other origin, and framing of the shop."""
    js = origin(s.stripe_js_url)
    api = origin(s.stripe_api_base) if s.stripe_api_base else ""
    real = js == "https://js.stripe.com"
    script = sorted({js, *(STRIPE_ORIGINS["script"] if real else [])} - {""})
    frame = sorted({js, api, *(STRIPE_ORIGINS["frame"] if real else [])} - {""})
    connect = sorted({api or STRIPE_ORIGINS["connect"][0], *(STRIPE_ORIGINS["connect"] if real else [])} - {""})
    return (ContentSecurityPolicy()
            .default_src("'self'")
            .script_src("'self'", "'unsafe-inline'", "'unsafe-eval'", *script)
            .style_src("'self'", "'unsafe-inline'")
            .img_src("'self'", "data:", "blob:", *frame)
            .font_src("'self'", "data:")
            .connect_src("'self'", *connect)
            .frame_src(*frame)
            .frame_ancestors("'none'")
            .object_src("'none'")
            .base_uri("'self'")
            .form_action("'self'"))


def build_secure(s: Settings) -> Secure:
    return Secure(
        csp=content_security_policy(s),
        xfo=XFrameOptions().deny(),
        # Order pages carry their access token in the URL: never pass it on as a Referer. Set on every page: the
        # shop is one app, and the policy of the first document loaded stays through client-side navigation.
        referrer=ReferrerPolicy().no_referrer(),
        xcto=XContentTypeOptions().nosniff(),
        permissions=PermissionsPolicy().geolocation().microphone().camera(),
        hsts=StrictTransportSecurity().max_age(31536000) if s.rxshop_base_url.startswith("https://") else None,
    )


def security_headers(app):
    """api_transformer: wrap the whole backend (pages included) in the security-header middleware."""
    return SecureASGIMiddleware(app, secure=build_secure(get_settings()))
